#!/usr/bin/python3
"""Open N idle TLS keep-alive connections to an HTTPS server and hold them.

Each connection completes the TLS handshake and one full request/response (so the server sees a real
keep-alive client waiting for its next request), then stays open and silent. Connections are opened with at
most --batch handshakes in flight. When all are open, one JSON line is printed on stdout:

  {"held": N, "failed": F, "seconds": T, "errors": {"reason": count, ...}}

The connections are then held until stdin is closed (or reaches EOF) or SIGTERM/SIGINT arrives; before
closing them a second JSON line reports how many the server had closed meanwhile:

  {"closing": N, "closed_by_server": C}

Used by bench/gateway_overhead.py; runs on its own too:
  /usr/bin/python3 bench/lib/hold_connections.py --port 8443 --count 10000 < /dev/tty
"""
import argparse
import asyncio
import json
import signal
import ssl
import sys
import threading
import time

from benchkit import raise_fd_limit  # bench/lib/benchkit.py, next to this file


async def read_response(reader: asyncio.StreamReader) -> int:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    length = 0
    chunked = False
    for line in lines[1:]:
        name, _, value = line.partition(":")
        name = name.strip().lower()
        if name == "content-length":
            length = int(value.strip())
        elif name == "transfer-encoding" and "chunked" in value.lower():
            chunked = True
    if chunked:
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
            await reader.readexactly(size + 2)
            if size == 0:
                break
    elif length:
        await reader.readexactly(length)
    return status


async def open_one(host, port, path, ctx, server_hostname, timeout):
    reader, writer = await asyncio.wait_for(
        asyncio.open_connection(host, port, ssl=ctx, server_hostname=server_hostname), timeout)
    request = f"GET {path} HTTP/1.1\r\nHost: {server_hostname}:{port}\r\nUser-Agent: parity-bench-hold\r\n\r\n"
    writer.write(request.encode())
    status = await asyncio.wait_for(read_response(reader), timeout)
    if status >= 400:
        writer.transport.abort()
        raise RuntimeError(f"HTTP {status}")
    return reader, writer


async def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--count", type=int, default=10000)
    ap.add_argument("--batch", type=int, default=500, help="handshakes in flight at once")
    ap.add_argument("--path", default="/")
    ap.add_argument("--server-name", default="localhost", help="SNI and Host header")
    ap.add_argument("--timeout", type=float, default=30.0, help="seconds per connection (handshake, response)")
    args = ap.parse_args()

    limit = raise_fd_limit(args.count + 1024)
    if limit < args.count + 64:
        print(f"hold_connections: fd limit {limit} is too low for {args.count} connections", file=sys.stderr)
        return 2

    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE  # a load client: the certificate is checked by the bench's warm-up request

    held = []
    errors: dict[str, int] = {}
    gate = asyncio.Semaphore(args.batch)

    async def worker():
        async with gate:
            try:
                held.append(await open_one(args.host, args.port, args.path, ctx, args.server_name, args.timeout))
            except Exception as e:  # noqa: BLE001 - every failure is counted by kind
                key = type(e).__name__ + (f": {e}" if str(e) and len(str(e)) < 80 else "")
                errors[key] = errors.get(key, 0) + 1

    start = time.monotonic()
    await asyncio.gather(*(worker() for _ in range(args.count)))
    elapsed = time.monotonic() - start
    print(json.dumps({"held": len(held), "failed": args.count - len(held), "seconds": round(elapsed, 2),
                      "errors": errors}), flush=True)

    loop = asyncio.get_running_loop()
    done = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, done.set)
    # stdin EOF = the parent wants the connections closed (or died).
    threading.Thread(target=lambda: (sys.stdin.buffer.read(), loop.call_soon_threadsafe(done.set)),
                     daemon=True).start()
    await done.wait()

    closed_by_server = sum(1 for reader, _ in held if reader.at_eof())
    print(json.dumps({"closing": len(held), "closed_by_server": closed_by_server}), flush=True)
    for _, writer in held:
        writer.transport.abort()
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))

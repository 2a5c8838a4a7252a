"""A small HTTP/1.1 backend for the gateway tests: echoes exactly what it received, and serves the
awkward responses a proxy must relay faithfully (SSE, chunked, slow, binary, hop-by-hop headers).

    /usr/bin/python3 tests/integration/echo_backend.py --port 0    # prints `listening on http://127.0.0.1:PORT`

Routes (any method):
  /sse?n=N&interval_ms=M   text/event-stream, N events M ms apart, chunked
  /slow?ms=M               answers after M ms (X-Peer-Port: the port of the connection it came on)
  /bytes?n=N&seed=S        N deterministic pseudo-random bytes; with &pieces=K&gap_ms=M the head goes out
                           with the first of K pieces, the others M ms apart (the reader gets them apart)
  /chunked?n=N             a chunked JSON body in N pieces
  /hop                     a response carrying hop-by-hop headers
  /status/CODE             that status with a JSON body
  /until-close?n=N         a body delimited by closing the connection (no length, no chunks); N bytes if given
  /health                  200 {"ok": true}, or the status set by /control/health?status=CODE
  /control/health?status=C the status /health answers from now on (503 takes an instance "down")
  /reset                   closes the connection with a TCP reset, without answering
  /truncate?n=N            announces a Content-Length of N bytes, sends half of them, then closes
  /stall?n=N&mirror_n=K&ms=M  N bytes of "s"; a mirrored copy (X-Parity-Mirror: 1) gets K bytes instead,
                           the first half at once and the rest M ms later
With --name NAME every response carries `X-Echo-Name: NAME` (which instance answered).
  anything else            JSON: method, target, headers (in order, with duplicates), body (base64), sha256
"""
from __future__ import annotations

import argparse
import base64
import hashlib
import json
import random
import socket
import struct
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


def send_in_pieces(out, data: bytes, pieces: int, gap_ms: int) -> None:
    """A 200 with a Content-Length, its head written together with the first of `pieces` pieces of `data`
    and the others `gap_ms` apart, so that the reader gets body bytes with the head and the rest apart."""
    cuts = [len(data) * i // pieces for i in range(pieces + 1)]
    head = f"HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: {len(data)}\r\n\r\n"
    out.write(head.encode() + data[:cuts[1]])
    for start, end in zip(cuts[1:], cuts[2:]):
        time.sleep(gap_ms / 1000)
        out.write(data[start:end])


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    name = ""           # --name: sent back as X-Echo-Name
    health_status = 200  # what /health answers (set by /control/health)

    def end_headers(self) -> None:
        if self.name:
            self.send_header("X-Echo-Name", self.name)
        super().end_headers()

    def log_message(self, fmt, *args):  # quiet: the tests read responses, not logs
        pass

    def _body(self) -> bytes:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            data = b""
            while True:
                size = int(self.rfile.readline().strip().split(b";")[0], 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b""):
                        pass
                    return data
                data += self.rfile.read(size)
                self.rfile.readline()
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def _send(self, status: int, body: bytes, content_type: str = "application/json", extra=()) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        if status not in (204, 304):
            self.send_header("Content-Length", str(len(body)))
        for name, value in extra:
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD" and status not in (204, 304):
            self.wfile.write(body)

    def _chunk(self, data: bytes) -> None:
        self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
        self.wfile.flush()

    def handle_any(self) -> None:
        body = self._body()
        url = urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        path = url.path
        if path == "/sse":
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Cache-Control", "no-cache")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for i in range(int(query.get("n", 3))):
                self._chunk(f"data: {json.dumps({'i': i, 'sent': time.time()})}\n\n".encode())
                time.sleep(int(query.get("interval_ms", 100)) / 1000)
            self._chunk(b"data: [DONE]\n\n")
            self._chunk(b"")
        elif path == "/health":
            code = Handler.health_status
            self._send(code, json.dumps({"ok": code < 500}).encode())
        elif path == "/control/health":
            Handler.health_status = int(query.get("status", 200))
            self._send(200, json.dumps({"health_status": Handler.health_status}).encode())
        elif path == "/reset":
            # SO_LINGER 0: close() sends RST instead of FIN.
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.rfile.close()  # the socket's fd is closed only once no file object refers to it
            self.connection.close()
            self.close_connection = True
        elif path == "/truncate":
            n = int(query.get("n", 1000))
            self.send_response(200)
            self.send_header("Content-Type", "application/octet-stream")
            self.send_header("Content-Length", str(n))
            self.end_headers()
            self.wfile.write(b"x" * (n // 2))
            self.wfile.flush()
            self.close_connection = True
        elif path == "/stall":
            n = int(query.get("n", 1000))
            mirrored = self.headers.get("X-Parity-Mirror") == "1"
            if mirrored:
                n = int(query.get("mirror_n", n))
            self.send_response(200)
            self.send_header("Content-Type", "application/octet-stream")
            self.send_header("Content-Length", str(n))
            self.end_headers()
            try:
                if mirrored:
                    self.wfile.write(b"s" * (n // 2))
                    self.wfile.flush()
                    time.sleep(int(query.get("ms", 1000)) / 1000)
                self.wfile.write(b"s" * (n - n // 2 if mirrored else n))
            except OSError:  # the gateway gave up on the copy
                self.close_connection = True
        elif path == "/slow":
            time.sleep(int(query.get("ms", 1000)) / 1000)
            # The port of the connection it came on: tells pooled connections apart.
            self._send(200, b'{"slow": true}', extra=[("X-Peer-Port", str(self.client_address[1]))])
        elif path == "/bytes":
            data = random.Random(int(query.get("seed", 1))).randbytes(int(query.get("n", 1024)))
            pieces = int(query.get("pieces", 1))
            if pieces > 1:
                send_in_pieces(self.wfile, data, pieces, int(query.get("gap_ms", 5)))
            else:
                self._send(200, data, "application/octet-stream")
        elif path == "/chunked":
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            pieces = int(query.get("n", 5))
            self._chunk(b'{"pieces": [')
            for i in range(pieces):
                self._chunk((b"," if i else b"") + str(i).encode())
            self._chunk(b"]}")
            self._chunk(b"")
        elif path == "/hop":
            self._send(200, b'{"hop": true}', extra=[("Connection", "X-Hop-Secret"), ("X-Hop-Secret", "1"),
                                                      ("Keep-Alive", "timeout=5"), ("Upgrade", "h2c"),
                                                      ("X-Normal", "kept")])
        elif path.startswith("/status/"):
            code = int(path.rsplit("/", 1)[1])
            self._send(code, json.dumps({"status": code}).encode())
        elif path == "/until-close":
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Connection", "close")
            self.end_headers()
            n = int(query.get("n", 0))
            self.wfile.write(random.Random(1).randbytes(n) if n else b"closed-delimited body")
            self.close_connection = True
        else:
            echo = {
                "method": self.command,
                "target": self.path,
                "headers": [[k, v] for k, v in self.headers.items()],
                "body_b64": base64.b64encode(body).decode(),
                "sha256": hashlib.sha256(body).hexdigest(),
            }
            self._send(200, json.dumps(echo).encode())

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = do_OPTIONS = handle_any


class Server(ThreadingHTTPServer):
    # socketserver's listen backlog is 5: a burst of connections from the gateway's pool would have its
    # SYNs dropped and wait a second for their retransmit.
    request_queue_size = 128


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--name", default="", help="sent back as X-Echo-Name on every response")
    args = parser.parse_args()
    Handler.name = args.name
    server = Server(("127.0.0.1", args.port), Handler)
    server.daemon_threads = True
    server.socket.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    print(f"listening on http://127.0.0.1:{server.server_address[1]}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    sys.exit(0)


if __name__ == "__main__":
    main()

"""An HTTPS backend for the gateway's upstream TLS tests: answers {"tls": true, "path": …} to anything
but /bytes?n=N&pieces=K&gap_ms=M, which answers echo_backend's /bytes the same way (seed 1).

    /usr/bin/python3 tests/integration/tls_echo_backend.py --cert C --key K   # prints `listening on https://…`
"""
import argparse
import json
import random
import ssl
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from echo_backend import send_in_pieces


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def do_GET(self):
        url = urlsplit(self.path)
        if url.path == "/bytes":
            query = {k: v[0] for k, v in parse_qs(url.query).items()}
            data = random.Random(1).randbytes(int(query.get("n", 1024)))
            send_in_pieces(self.wfile, data, int(query.get("pieces", 1)), int(query.get("gap_ms", 5)))
            return
        body = json.dumps({"tls": True, "path": self.path}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--cert", required=True)
    parser.add_argument("--key", required=True)
    args = parser.parse_args()
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(args.cert, args.key)
    server.socket = ctx.wrap_socket(server.socket, server_side=True)
    print(f"listening on https://127.0.0.1:{server.server_address[1]}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()

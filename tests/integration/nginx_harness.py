"""nginx (Debian nginx-light) as the load balancer in front of several gateway instances, the way
docs/deploy.md runs it: plain HTTP on a free loopback port, round robin to the gateways over HTTPS with
upstream keep-alive, streaming (no buffering) for server-sent events."""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Sequence

from services import ServiceError, free_port

CONF = """\
{user}pid {dir}/nginx.pid;
error_log {dir}/error.log warn;
worker_processes 1;
events {{ worker_connections 1024; }}
http {{
  access_log off;
  client_body_temp_path {dir}/client_body;
  proxy_temp_path {dir}/proxy;
  fastcgi_temp_path {dir}/fastcgi;
  uwsgi_temp_path {dir}/uwsgi;
  scgi_temp_path {dir}/scgi;
  upstream parity {{
{servers}
    keepalive 16;
  }}
  server {{
    listen 127.0.0.1:{port};
    location / {{
      proxy_pass https://parity;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_buffering off;
      proxy_ssl_verify on;
      proxy_ssl_trusted_certificate {ca};
      proxy_ssl_name localhost;
      proxy_ssl_session_reuse on;
    }}
  }}
}}
"""


class NginxBalancer:
    """Round robin over `upstreams` (host:port of HTTPS gateways); `url` is http://127.0.0.1:PORT."""

    def __init__(self, upstreams: Sequence[str], ca_cert: Path) -> None:
        nginx = shutil.which("nginx") or "/usr/sbin/nginx"
        if not os.path.exists(nginx):
            raise ServiceError("nginx is not installed (apt-get install nginx-light)")
        self.dir = Path(tempfile.mkdtemp(prefix="parity-nginx-"))
        for sub in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
            (self.dir / sub).mkdir()
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        servers = "\n".join(f"    server {u};" for u in upstreams)
        conf = self.dir / "nginx.conf"
        # As root, workers would run as nobody and could not use the private temp directories.
        user = "user root;\n" if os.geteuid() == 0 else ""
        conf.write_text(CONF.format(user=user, dir=self.dir, servers=servers, port=self.port, ca=ca_cert))
        argv = [nginx, "-p", str(self.dir), "-c", str(conf), "-e", str(self.dir / "error.log")]
        test = subprocess.run([*argv, "-t", "-q"], capture_output=True, text=True)
        if test.returncode != 0:
            raise ServiceError(f"nginx rejects its configuration:\n{test.stderr}")
        self.proc = subprocess.Popen([*argv, "-g", "daemon off;"], stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL, start_new_session=True)
        deadline = time.monotonic() + 20
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    raise ServiceError(f"nginx did not start:\n{self.error_log()}")
                time.sleep(0.05)

    def error_log(self) -> str:
        try:
            return (self.dir / "error.log").read_text(errors="replace")
        except FileNotFoundError:
            return ""

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()  # the master stops its workers
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self) -> "NginxBalancer":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

"""Several named echo backends for the balancing, breaker, retry and fault tests: each answers with
`X-Echo-Name: <name>` so a test sees which instance served a request, and can be killed (-9) and
started again on the same port."""
from __future__ import annotations

from pathlib import Path

import httpx

from metrics_scrape import metric_value
from services import SYSTEM_PYTHON, Service, free_port

ECHO_BACKEND = Path(__file__).parent / "echo_backend.py"


def start_echo(name: str, port: int = 0) -> Service:
    return Service(f"echo-{name}", [SYSTEM_PYTHON, str(ECHO_BACKEND), "--port", str(port), "--name", name])


def kill9(service: Service) -> None:
    service.proc.kill()  # SIGKILL: no goodbye, open connections are left to the kernel
    service.proc.wait()
    service.stop()


def dead_url() -> str:
    """A loopback URL nothing listens on (connections are refused)."""
    return f"http://127.0.0.1:{free_port()}"


def metric(gw, name: str, **labels) -> float:
    return metric_value(gw, name, **labels)


def names(client: httpx.Client, n: int, path: str = "/who") -> list:
    out = []
    for _ in range(n):
        r = client.get(path)
        assert r.status_code == 200, r.text
        out.append(r.headers["x-echo-name"])
    return out

"""Fault test: 10,000 idle TLS keep-alive clients held open while normal traffic continues. Each idle
connection costs the gateway a coroutine and its buffers, never a thread, so the others are served."""
from __future__ import annotations

import json
import resource
import subprocess
from pathlib import Path

import httpx
from prometheus_client.parser import text_string_to_metric_families

from gateway_harness import gateway_config
from services import SYSTEM_PYTHON

HOLD = Path(__file__).resolve().parents[2] / "bench" / "lib" / "hold_connections.py"
IDLE = 10_000


def raise_fd_limit(wanted: int) -> int:
    """The gateway inherits this process's RLIMIT_NOFILE: raise it (within the hard limit)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    if soft < target:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def gauge_or_counter(gw, pki, name: str) -> float:
    text = httpx.get(gw.url + "/metrics", verify=str(pki.ca_cert)).text
    return sum(s.value for f in text_string_to_metric_families(text) if f.name == name for s in f.samples)


def test_ten_thousand_idle_connections_do_not_starve_traffic(gateways, echo_backend, pki, tmp_path):
    limit = raise_fd_limit(IDLE + 2048)
    assert limit >= IDLE + 512, f"RLIMIT_NOFILE hard limit {limit} is too low for {IDLE} connections"
    config = gateway_config(echo_backend.url, echo_backend.url, pki, tmp_path,
                            limits={"idle_timeout_ms": 600_000, "max_connections": IDLE + 100})
    gw = gateways(config)
    # The idle clients' one request each is answered by the gateway itself (/metrics), so the fault
    # under test is the 10,000 open connections, not the echo backend's ability to take 10,000 requests.
    hold = subprocess.Popen([SYSTEM_PYTHON, str(HOLD), "--port", str(gw.port), "--count", str(IDLE),
                             "--batch", "200", "--path", "/metrics", "--timeout", "120"],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        opened = json.loads(hold.stdout.readline() or "{}")
        assert opened.get("held") == IDLE, opened
        rss_kib = next(int(line.split()[1]) for line in Path(f"/proc/{gw.proc.pid}/status").read_text().splitlines()
                       if line.startswith("VmRSS:"))
        print(f"\n{IDLE} idle TLS connections opened in {opened['seconds']} s; gateway RSS {rss_kib / 1024:.0f} MiB")
        # Normal traffic while every idle connection is open: all served, on fresh connections and
        # on one keep-alive connection.
        with httpx.Client(base_url=gw.url, verify=str(pki.ca_cert), timeout=30) as c:
            statuses = [c.get(f"/echo?i={i}").status_code for i in range(100)]
        fresh = [httpx.get(gw.url + "/echo", verify=str(pki.ca_cert), timeout=30).status_code for _ in range(20)]
        assert statuses == [200] * 100 and fresh == [200] * 20
        assert gauge_or_counter(gw, pki, "parity_rejected") == 0
        hold.stdin.close()
        closing = json.loads(hold.stdout.readline() or "{}")
        assert closing.get("closing") == IDLE and closing.get("closed_by_server") == 0, closing
    finally:
        if hold.poll() is None:
            hold.kill()
        hold.wait()
    assert gw.running()

"""Latency model, injected faults and the process flags of both fixture services (docs/fixtures.md)."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import time

import httpx
import pytest

from services import (LEGACY_MAIN, REPO_ROOT, SYSTEM_PYTHON, Service, ServiceError, candidate_binary, free_port,
                      sse_events, start)

KINDS = ("legacy", "candidate")
CHAT = {"model": "parity-chat-mini", "messages": [{"role": "user", "content": "hello"}]}


def timed_get(client: httpx.Client, path: str) -> tuple:
    t0 = time.monotonic()
    resp = client.get(path)
    return resp, time.monotonic() - t0


def raw_exchange(port: int, path: str = "/v1/models") -> bytes:
    """Sends one request on a fresh connection and returns every byte the server sent before closing."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
        data = b""
        try:
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    return data
                data += chunk
                if b"\r\n\r\n" in data and path == "/health":
                    return data
        except ConnectionResetError:
            return data


@pytest.mark.parametrize("kind", KINDS)
def test_fixed_delay_applies_to_api_not_health(kind):
    with start(kind, "--delay-ms", "300") as s, httpx.Client(base_url=s.url, timeout=10) as c:
        c.get("/health")  # warm the connection
        resp, elapsed = timed_get(c, "/v1/models")
        assert resp.status_code == 200 and elapsed >= 0.3
        resp, elapsed = timed_get(c, "/health")
        assert resp.status_code == 200 and elapsed < 0.25


@pytest.mark.parametrize("kind", KINDS)
def test_jitter_stays_within_delay_plus_jitter(kind):
    with start(kind, "--delay-ms", "100", "--jitter-ms", "200", "--seed", "3") as s, \
            httpx.Client(base_url=s.url, timeout=10) as c:
        c.get("/health")
        elapsed = [timed_get(c, "/v1/models")[1] for _ in range(8)]
    assert min(elapsed) >= 0.1
    assert max(elapsed) < 0.3 + 0.25  # generous: a shared 2-core machine
    assert max(elapsed) - min(elapsed) > 0.01  # it does vary


@pytest.mark.parametrize("kind", KINDS)
def test_stall_every_nth_request(kind):
    with start(kind, "--stall-every", "3", "--stall-ms", "500") as s, httpx.Client(base_url=s.url, timeout=10) as c:
        c.get("/health")  # not counted: /health has no latency or faults
        slow = [timed_get(c, "/v1/models")[1] >= 0.5 for _ in range(6)]
    assert slow == [False, False, True, False, False, True]


@pytest.mark.parametrize("kind", KINDS)
def test_fail_rate_answers_500_in_own_format(kind):
    with start(kind, "--fail-rate", "1") as s, httpx.Client(base_url=s.url, timeout=10) as c:
        resp = c.post("/v1/chat/completions", json=CHAT)
        assert resp.status_code == 500
        assert resp.headers["content-type"] == "application/json"
        if kind == "legacy":
            assert resp.json() == {"detail": "Injected failure"}
        else:
            assert resp.json() == {"error": {"message": "Injected failure", "type": "server_error"}}
        assert c.get("/v1/nope").status_code == 500  # every /v1/ request, routed or not
        assert c.get("/health").status_code == 200


@pytest.mark.parametrize("kind", KINDS)
def test_reset_rate_closes_connection_without_response(kind):
    with start(kind, "--reset-rate", "1") as s:
        for _ in range(3):
            assert raw_exchange(s.port, "/v1/models") == b""
        with pytest.raises(httpx.TransportError):
            httpx.post(s.url + "/v1/chat/completions", json=CHAT, timeout=10)
        health = raw_exchange(s.port, "/health")
        assert health.startswith(b"HTTP/1.1 200")
        assert s.running()


@pytest.mark.parametrize("kind", KINDS)
def test_seed_makes_the_fault_sequence_repeatable(kind):
    def statuses():
        with start(kind, "--fail-rate", "0.5", "--seed", "7") as s, httpx.Client(base_url=s.url, timeout=10) as c:
            return [c.get("/v1/models").status_code for _ in range(24)]

    first, second = statuses(), statuses()
    assert first == second
    assert set(first) == {200, 500}


@pytest.mark.parametrize("kind", KINDS)
def test_chunk_delay_streams_event_by_event(kind):
    with start(kind, "--chunk-delay-ms", "150") as s, httpx.Client(base_url=s.url, timeout=10) as c:
        arrivals = []
        with c.stream("POST", "/v1/chat/completions", json={**CHAT, "stream": True, "max_tokens": 3},
                      headers={"accept-encoding": "gzip, br"}) as resp:
            for line in resp.iter_lines():
                if line.startswith("data: "):
                    arrivals.append(time.monotonic())
    # role, 3 words, finish, [DONE]: 6 events, 5 gaps of 150 ms, and the first one does not wait for the rest.
    assert len(arrivals) == 6
    assert arrivals[-1] - arrivals[0] >= 0.7
    assert arrivals[1] - arrivals[0] >= 0.1


@pytest.mark.parametrize("kind", KINDS)
def test_no_nagle_delay_on_responses(kind):
    """Headers and body leave in separate writes; without TCP_NODELAY each response waits ~40 ms for the
    client's delayed ACK. The client here sends each request in one write, with TCP_NODELAY."""
    with start(kind, "--quiet") as s, socket.create_connection(("127.0.0.1", s.port), timeout=10) as c:
        c.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        request = b"GET /v1/models HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
        elapsed = []
        for _ in range(7):
            t0 = time.monotonic()
            c.sendall(request)
            data = b""
            while not (b"\r\n\r\n" in data and data.endswith(b"]}")):
                data += c.recv(65536)
            elapsed.append(time.monotonic() - t0)
    assert sorted(elapsed)[3] < 0.03, elapsed


@pytest.mark.parametrize("kind", KINDS)
def test_sigterm_exits_cleanly(kind):
    s = start(kind)
    assert httpx.get(s.url + "/health").status_code == 200
    t0 = time.monotonic()
    assert s.stop() == 0
    assert time.monotonic() - t0 < 5


def _service_on_port(kind: str, port: int) -> Service:
    argv = ([SYSTEM_PYTHON, str(LEGACY_MAIN)] if kind == "legacy" else [str(candidate_binary())])
    return Service(kind, [*argv, "--port", str(port)])


@pytest.mark.parametrize("kind", KINDS)
def test_fixed_port_and_no_port_sharing(kind):
    port = free_port()
    with _service_on_port(kind, port) as s:
        assert s.url == f"http://127.0.0.1:{port}"
        assert httpx.get(s.url + "/health").json() == {"status": "ok"}
        # No SO_REUSEPORT: a second instance must fail instead of silently sharing the port.
        with pytest.raises(ServiceError, match="exited with 1"):
            _service_on_port(kind, port)


@pytest.mark.parametrize("kind", KINDS)
def test_settings_from_environment(kind):
    prefix = kind.upper()
    with start(kind, env={f"{prefix}_FAIL_RATE": "1", f"{prefix}_DELAY_MS": "200"}) as s:
        resp, elapsed = timed_get(httpx.Client(base_url=s.url, timeout=10), "/v1/models")
        assert resp.status_code == 500 and elapsed >= 0.2


def test_legacy_runs_under_plain_uvicorn_with_env_settings():
    """`python3 -m uvicorn app:app --app-dir fixtures/legacy` works, with settings from LEGACY_* env vars."""
    port = free_port()
    env = {**os.environ, "LEGACY_FAIL_RATE": "1"}
    proc = subprocess.Popen([SYSTEM_PYTHON, "-m", "uvicorn", "app:app", "--app-dir", "fixtures/legacy",
                             "--port", str(port)], cwd=REPO_ROOT, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 15
        while True:
            try:
                assert httpx.get(f"http://127.0.0.1:{port}/health").json() == {"status": "ok"}
                break
            except httpx.TransportError:
                assert proc.poll() is None and time.monotonic() < deadline
                time.sleep(0.05)
        resp = httpx.get(f"http://127.0.0.1:{port}/v1/models")
        assert resp.status_code == 500 and resp.json() == {"detail": "Injected failure"}
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(10) == 0


@pytest.fixture(scope="module")
def tls_files(tmp_path_factory):
    d = tmp_path_factory.mktemp("tls")
    cert, key = d / "cert.pem", d / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                    "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True, timeout=60)
    return str(cert), str(key)


@pytest.mark.parametrize("kind", KINDS)
def test_https(kind, tls_files):
    cert, key = tls_files
    with start(kind, tls_cert=cert, tls_key=key) as s:
        assert s.url.startswith("https://127.0.0.1:")
        with httpx.Client(base_url=s.url, verify=cert, timeout=10) as c:
            assert c.get("/v1/models").status_code == 200
            events = sse_events(c.post("/v1/chat/completions", json={**CHAT, "stream": True}).text)
            assert events[-1] == "[DONE]"
            redirect = c.get("/v1/models/")
            assert redirect.status_code == 307
            assert redirect.headers["location"] == f"https://127.0.0.1:{s.port}/v1/models"


def test_candidate_rejects_bad_flags():
    for args in (["--fail-rate", "2"], ["--tls-cert", "/nonexistent"], ["--port", "70000"], ["--nope"]):
        proc = subprocess.run([str(candidate_binary()), *args], capture_output=True, text=True, timeout=10)
        assert proc.returncode == 2, (args, proc.stdout, proc.stderr)


def test_legacy_rejects_bad_flags():
    for args in (["--fail-rate", "2"], ["--tls-cert", "x.pem"], ["--nope"]):
        proc = subprocess.run([SYSTEM_PYTHON, str(LEGACY_MAIN), *args], capture_output=True, text=True, timeout=30)
        assert proc.returncode == 2, (args, proc.stdout, proc.stderr)

"""Capture at the gateway, then `parity replay`: traffic recorded from the fixture demo (with credentials)
leaves no secret in the capture file; replayed at legacy and a drifted candidate it reports exactly that
drift; replayed at an undrifted candidate only the declared differences remain; `parity report` reads
the replay's records like live ones."""
from __future__ import annotations

import json
import subprocess

import pytest

from gateway_harness import start_gateway
from mirror_harness import MIX, demo_config, stop_and_read_records, unexplained
from services import bin_dir, free_port, start_candidate

SECRETS = ("sk-live-SECRET-TOKEN", "SECRET-COOKIE", "SECRET-API-KEY")
CREDENTIALS = {"Authorization": f"Bearer {SECRETS[0]}", "Cookie": f"session={SECRETS[1]}",
               "X-Api-Key": SECRETS[2], "X-Tenant": "acme"}


@pytest.fixture(scope="module")
def capture(legacy, candidate, pki, tmp_path_factory):
    """The fixture mix sent twice through a gateway with capture on; returns the capture file's path."""
    tmp = tmp_path_factory.mktemp("capture")
    cert, key = pki.issue("gateway", tmp)
    config = demo_config(legacy.url, candidate.url, {"cert": str(cert), "key": str(key)}, tmp / "store")
    config["store"]["redact_headers"] = ["x-api-key"]
    config["capture"] = {"enabled": True, "path": str(tmp / "parity-capture.jsonl"), "sample_percent": 100}
    gw = start_gateway(config, tmp, (), None)
    try:
        responses = send_with(gw, pki, CREDENTIALS, repeat=2)
        assert all(r.status_code < 500 for r in responses)
        stop_and_read_records(gw, tmp / "store")
    finally:
        gw.stop()
    return tmp / "parity-capture.jsonl"


def send_with(gw, pki, headers, repeat):
    import httpx
    out = []
    with httpx.Client(base_url=gw.url, verify=str(pki.ca_cert), timeout=20, headers=headers) as client:
        for _ in range(repeat):
            for method, path, body in MIX:
                out.append(client.request(method, path, json=body))
    return out


def replay(capture_file, legacy_url, candidate_url, store, *extra):
    argv = [str(bin_dir() / "parity"), "replay", "--traffic", str(capture_file), "--legacy", legacy_url,
            "--candidate", candidate_url, "-c", str(demo_config_path()), "--store", str(store), "--seed", "7",
            *extra]
    return subprocess.run(argv, capture_output=True, text=True, timeout=120)


def demo_config_path():
    from mirror_harness import DEMO_CONFIG
    return DEMO_CONFIG


def read_records(store):
    return [json.loads(line) for line in (store / "records.jsonl").read_text().splitlines() if line.strip()]


def test_the_capture_holds_every_request_and_no_secret(capture):
    text = capture.read_text()
    for secret in SECRETS:
        assert secret not in text
    lines = [json.loads(line) for line in text.splitlines()]
    assert len(lines) == 2 * len(MIX)
    names = {name.lower() for line in lines for name, _ in line["headers"]}
    assert not names & {"authorization", "cookie", "x-api-key", "host", "x-forwarded-for"}
    assert all(any(n.lower() == "x-tenant" and v == "acme" for n, v in line["headers"]) for line in lines)
    first = lines[0]
    assert first["method"] == "GET" and first["path"] == "/v1/models" and first["route"] == "/v1/models"
    assert first["client"] == "127.0.0.1" and first["request_id"] and first["ts"].endswith("Z")
    chat = next(line for line in lines if line["path"] == "/v1/chat/completions")
    assert json.loads(chat["body"])["model"] == "parity-chat-mini"


def test_replay_at_an_undrifted_candidate_finds_only_declared_differences(capture, legacy, candidate, tmp_path):
    store = tmp_path / "replay"
    result = replay(capture, legacy.url, candidate.url, store, "-j", "4")
    assert result.returncode == 0, result.stdout + result.stderr
    records = read_records(store)
    assert len(records) == 2 * len(MIX)
    assert {r["verdict"] for r in records} <= {"match", "expected"}
    assert unexplained(records) == set()
    assert {r["route"] for r in records} == {"/v1/models", "/v1/models/{model}", "/v1/chat/completions",
                                            "/v1/embeddings", "/v1/moderations", "/v1/files"}
    assert "0 mismatch" in result.stdout
    # parity report reads replay records like live ones.
    report = subprocess.run([str(bin_dir() / "parity"), "report", "--store", str(store), "--format", "json"],
                            capture_output=True, text=True, timeout=60)
    assert report.returncode == 0, report.stderr
    routes = {r["route"]: r for r in json.loads(report.stdout)["routes"]}
    assert sum(r["exchanges"] for r in routes.values()) == 2 * len(MIX)
    assert routes["/v1/chat/completions"]["mismatch"] == 0


def test_replay_at_a_drifted_candidate_reports_exactly_that_drift(capture, legacy, tmp_path):
    # The drift renames usage.prompt_tokens to input_tokens wherever usage is returned.
    must_report = {(route, pointer, kind) for route in ("/v1/chat/completions", "/v1/embeddings")
                   for pointer, kind in (("/usage/prompt_tokens", "missing"), ("/usage/input_tokens", "extra"))}
    with start_candidate("--drift", "rename-usage-field") as drifted:
        store = tmp_path / "replay"
        result = replay(capture, legacy.url, drifted.url, store, "--keep-order", "--speed", "4")
        allowed = replay(capture, legacy.url, drifted.url, tmp_path / "again", "--max-mismatch", "50%")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "exceed --max-mismatch" in result.stdout
    assert allowed.returncode == 0, allowed.stdout + allowed.stderr
    records = read_records(store)
    assert len(records) == 2 * len(MIX)
    found = unexplained(records)
    assert found == must_report  # exactly the drift, nothing else
    mismatched = [r for r in records if r["verdict"] == "mismatch"]
    # Two captured rounds of one non-streamed chat and one embeddings request each.
    assert sorted(r["route"] for r in mismatched) == ["/v1/chat/completions"] * 2 + ["/v1/embeddings"] * 2


def test_replay_sends_the_two_sides_of_a_request_at_once(tmp_path):
    """Each side answers only once the other side's copy of the same request has arrived too (a barrier,
    3 s at most): sent one after the other, no request would ever meet its partner."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    barrier = threading.Barrier(2, timeout=3)
    met = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            try:
                barrier.wait()
                met.append(self.server.server_port)
            except threading.BrokenBarrierError:
                barrier.reset()
            body = b'{"ok": true}'
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    servers = [ThreadingHTTPServer(("127.0.0.1", 0), Handler) for _ in range(2)]
    for server in servers:
        threading.Thread(target=server.serve_forever, daemon=True).start()
    traffic = tmp_path / "traffic.jsonl"
    traffic.write_text('{"method": "GET", "path": "/v1/models"}\n' * 3)
    try:
        urls = [f"http://127.0.0.1:{server.server_port}" for server in servers]
        result = replay(traffic, urls[0], urls[1], tmp_path / "replay", "-j", "1")
    finally:
        for server in servers:
            server.shutdown()
            server.server_close()
    assert result.returncode == 0, result.stdout + result.stderr
    assert len(read_records(tmp_path / "replay")) == 3
    # Every request of each side met its partner: 3 on the legacy port, 3 on the candidate port.
    assert sorted(met) == sorted([servers[0].server_port] * 3 + [servers[1].server_port] * 3)


def test_parity_bench_takes_the_capture_as_its_request_mix(capture, legacy, candidate, tmp_path):
    out = tmp_path / "bench.json"
    result = subprocess.run(
        [str(bin_dir() / "parity"), "bench", "--requests", str(capture), "--legacy", legacy.url,
         "--candidate", candidate.url, "--concurrency", "2", "--duration", "1s", "--warmup", "200ms",
         "--rounds", "1", "--progress", "none", "--json", str(out)],
        capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    results = json.loads(out.read_text())
    # Captured lines carry no name: each endpoint is labelled by its method and the captured route.
    assert results["endpoints"] == ["GET /v1/models", "GET /v1/models/{model}", "POST /v1/chat/completions",
                                    "POST /v1/embeddings", "POST /v1/moderations", "GET /v1/files"]
    for target in ("legacy", "candidate"):
        o = results["levels"][0]["targets"][target]["overall"]
        assert o["errors"] == 0, (target, o)
        assert o["responses"] > 0
        # The capture holds a 404 (an unknown model) and a 422 (an invalid chat request): sent as captured.
        assert o["status_4xx"] > 0, (target, o)


def test_unreachable_candidate_and_malformed_lines_give_clear_messages_and_partial_results(
        capture, legacy, tmp_path):
    traffic = tmp_path / "traffic.jsonl"
    lines = capture.read_text().splitlines()[:3]
    traffic.write_text("\n".join([lines[0], "{not json", lines[1], '{"method": "GET"}', lines[2]]) + "\n")
    store = tmp_path / "replay"
    dead = f"http://127.0.0.1:{free_port()}"
    result = replay(traffic, legacy.url, dead, store)
    assert result.returncode == 1, result.stdout + result.stderr
    assert f"{traffic}:2: not valid JSON" in result.stderr
    assert f"{traffic}:4:" in result.stderr and "2 malformed line(s) skipped" in result.stderr
    assert "3 x candidate: connect" in result.stderr
    records = read_records(store)
    assert len(records) == 3
    assert all(r["verdict"] == "error" and r["differences"][0]["kind"] == "shadow_error" for r in records)
    unreadable = replay(tmp_path / "missing.jsonl", legacy.url, dead, store)
    assert unreadable.returncode == 2 and "cannot be read" in unreadable.stderr


def test_capture_is_turned_on_and_off_by_a_reload(gateways, echo_backend, pki, tmp_path):
    import signal
    import time

    import httpx
    from gateway_harness import gateway_config, write_config

    config = gateway_config(echo_backend.url, echo_backend.url, pki, tmp_path)
    capture_file = tmp_path / "cap.jsonl"
    config["capture"] = {"enabled": False, "path": str(capture_file)}
    gw = gateways(config)

    def get(path):
        assert httpx.get(gw.url + path, verify=str(pki.ca_cert)).status_code == 200

    def reload_to(version):
        gw.proc.send_signal(signal.SIGHUP)
        deadline = time.monotonic() + 5
        while httpx.get(gw.url + "/health", verify=str(pki.ca_cert)).json()["config_version"] != version:
            assert time.monotonic() < deadline, gw.log()
            time.sleep(0.05)

    get("/before")
    config["capture"]["enabled"] = True
    write_config(tmp_path, config)
    reload_to(2)
    get("/during")
    config["capture"]["enabled"] = False
    write_config(tmp_path, config)
    reload_to(3)
    get("/after")
    assert gw.stop() == 0
    assert [json.loads(line)["path"] for line in capture_file.read_text().splitlines()] == ["/during"]

"""Mirroring's degraded modes and guarantees, each with its warning and metric: a slow or dead shadow,
a full mirror queue, the byte budget, an unwritable store, the kill switch; the copy's exact body and its
marker header."""
from __future__ import annotations

import base64
import concurrent.futures
import hashlib
import json
import time

import httpx

from gateway_harness import gateway_config
from mirror_harness import stop_and_read_records
from metrics_scrape import tls_metric as metric
from services import free_port, start_candidate, wait_until


def test_slow_shadow_times_out_without_slowing_clients(gateways, legacy, pki, tmp_path):
    with start_candidate("--delay-ms", "1500") as candidate:
        config = gateway_config(legacy.url, candidate.url, pki, tmp_path, mirror={"timeout_ms": 300})
        gw = gateways(config)
        with httpx.Client(base_url=gw.url, verify=str(pki.ca_cert)) as c:
            start = time.monotonic()
            for _ in range(3):
                assert c.get("/v1/models").status_code == 200
            assert time.monotonic() - start < 1.5  # the client never waits for the 1.5 s shadow
        assert wait_until(lambda: metric(gw, pki, "parity_mirror_failed_total", backend="candidate") >= 3)
        records = stop_and_read_records(gw, tmp_path / "parity-data")
    assert len(records) == 3
    for r in records:
        assert r["verdict"] == "error"
        assert r["differences"][0]["kind"] == "shadow_error"
        assert "timeout" in r["candidate"]["error"]
        assert r["legacy"]["status"] == 200
    assert "shadow candidate failed" in gw.log()


def test_dead_shadow_is_recorded_and_clients_are_unaffected(gateways, legacy, pki, tmp_path):
    dead = f"http://127.0.0.1:{free_port()}"
    gw = gateways(gateway_config(legacy.url, dead, pki, tmp_path))
    with httpx.Client(base_url=gw.url, verify=str(pki.ca_cert)) as c:
        assert [c.get("/v1/models").status_code for _ in range(5)] == [200] * 5
    records = stop_and_read_records(gw, tmp_path / "parity-data")
    assert [r["verdict"] for r in records] == ["error"] * 5
    assert all("connect" in r["candidate"]["error"] for r in records)


def test_full_mirror_queue_drops_and_counts(gateways, legacy, pki, tmp_path):
    with start_candidate("--delay-ms", "800") as candidate:
        config = gateway_config(legacy.url, candidate.url, pki, tmp_path, mirror={"queue": 2, "timeout_ms": 5000})
        gw = gateways(config)

        def one(_):
            return httpx.get(gw.url + "/v1/models", verify=str(pki.ca_cert)).status_code

        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            statuses = list(pool.map(one, range(16)))
        assert statuses == [200] * 16
        dropped = metric(gw, pki, "parity_mirror_dropped_total", reason="queue_full")
        mirrored = metric(gw, pki, "parity_mirrored_total")
        assert dropped >= 1
        assert dropped + mirrored == 16
        records = stop_and_read_records(gw, tmp_path / "parity-data")
    assert len(records) == mirrored
    assert "mirror queue full" in gw.log()


def test_mirror_byte_budget_drops_what_would_pass_it(gateways, echo_backend, pki, tmp_path):
    # Both sides echo; mirror.max_bytes 16 KiB. A 64 KiB upload's copy would pass the budget: dropped
    # before the shadow is asked. A small upload fits and is recorded. A small request whose served
    # response (40,000 bytes) would pass it: the response is let go and the exchange dropped.
    config = gateway_config(echo_backend.url, echo_backend.url, pki, tmp_path,
                            routes=[{"prefix": "/", "mirror_methods": ["PUT"]}], mirror={"max_bytes": 16384})
    gw = gateways(config)
    with httpx.Client(base_url=gw.url, verify=str(pki.ca_cert)) as c:
        big = c.put("/echo", content=b"x" * 65536)
        assert big.status_code == 200 and big.json()["sha256"] == hashlib.sha256(b"x" * 65536).hexdigest()
        assert metric(gw, pki, "parity_mirror_dropped_total", reason="memory") == 1
        assert metric(gw, pki, "parity_mirrored_total") == 0

        assert c.put("/echo", content=b"small").status_code == 200
        assert wait_until(lambda: metric(gw, pki, "parity_mirror_bytes_held") == 0)  # recorded, given back
        assert metric(gw, pki, "parity_mirrored_total") == 1

        large = c.get("/bytes?n=40000&seed=3")
        assert large.status_code == 200 and len(large.content) == 40000  # the client gets all of it
        assert wait_until(lambda: metric(gw, pki, "parity_mirror_dropped_total", reason="memory") == 2)
    assert metric(gw, pki, "parity_mirrored_total") == 2
    # Everything taken from the budget is given back.
    assert wait_until(lambda: metric(gw, pki, "parity_mirror_bytes_held") == 0)
    records = stop_and_read_records(gw, tmp_path / "parity-data")
    assert [(r["method"], r["target"]) for r in records] == [("PUT", "/echo")]
    assert "mirror byte budget reached" in gw.log()


def test_a_capture_still_being_read_counts_against_the_byte_budget(gateways, echo_backend, pki, tmp_path):
    # mirror.max_bytes 100,000. The shadow's copy of /stall sends half its body and stalls: what it sent is
    # held while it stalls, and a copy whose first half alone would pass the budget is given up at once,
    # not when (or if) the shadow ends it.
    config = gateway_config(echo_backend.url, echo_backend.url, pki, tmp_path, routes=[{"prefix": "/"}],
                            mirror={"max_bytes": 100000, "timeout_ms": 20000})
    gw = gateways(config)
    with httpx.Client(base_url=gw.url, verify=str(pki.ca_cert), timeout=30) as c:
        r = c.get("/stall?n=1000&mirror_n=80000&ms=3000")
        assert r.status_code == 200 and r.content == b"s" * 1000  # at once, whatever the shadow does
        # 40,000 of the copy read while the shadow stalls (3 s): held and counted.
        assert wait_until(lambda: metric(gw, pki, "parity_mirror_bytes_held") >= 41000, timeout=2.5)
        # The rest arrives, the exchange is recorded and everything is given back.
        assert wait_until(lambda: metric(gw, pki, "parity_mirror_bytes_held") == 0)
        assert metric(gw, pki, "parity_mirror_dropped_total", reason="memory") == 0

        r = c.get("/stall?n=1000&mirror_n=300000&ms=8000")
        assert r.status_code == 200 and r.content == b"s" * 1000
        # 150,000 sent at once pass the budget: dropped within the shadow's 8 s stall.
        assert wait_until(lambda: metric(gw, pki, "parity_mirror_dropped_total", reason="memory") == 1, timeout=4)
        assert metric(gw, pki, "parity_mirror_bytes_held") == 0
        assert metric(gw, pki, "parity_mirror_failed_total", reason="timeout") == 0
    records = stop_and_read_records(gw, tmp_path / "parity-data")
    assert [r["target"] for r in records] == ["/stall?n=1000&mirror_n=80000&ms=3000"]
    assert "mirror byte budget reached" in gw.log()


def test_unwritable_store_keeps_the_gateway_serving(gateways, legacy, pki, tmp_path):
    with start_candidate() as candidate:
        config = gateway_config(legacy.url, candidate.url, pki, tmp_path)
        config["store"] = {"path": "/proc/parity-cannot-write-here", "flush_interval_ms": 100}
        gw = gateways(config)
        with httpx.Client(base_url=gw.url, verify=str(pki.ca_cert)) as c:
            assert [c.get("/v1/models").status_code for _ in range(5)] == [200] * 5
            assert wait_until(lambda: metric(gw, pki, "parity_store_records_total", result="failed") >= 5)
            assert c.get("/v1/models").status_code == 200
        assert "parity-cannot-write-here" in gw.log()


def test_kill_switch_and_sampling(gateways, legacy, pki, tmp_path):
    with start_candidate() as candidate:
        off = gateways(gateway_config(legacy.url, candidate.url, pki, tmp_path, mirror={"enabled": False}))
        with httpx.Client(base_url=off.url, verify=str(pki.ca_cert)) as c:
            for _ in range(5):
                assert c.get("/v1/models").status_code == 200
        assert metric(off, pki, "parity_mirrored_total") == 0

        half = gateways(gateway_config(legacy.url, candidate.url, pki, tmp_path, mirror={"sample_percent": 50}))
        with httpx.Client(base_url=half.url, verify=str(pki.ca_cert)) as c:
            for _ in range(200):
                c.get("/v1/models")
        assert 60 <= metric(half, pki, "parity_mirrored_total") <= 140


def test_unsafe_methods_are_mirrored_only_where_listed(gateways, legacy, pki, tmp_path):
    chat = {"model": "parity-chat-mini", "messages": [{"role": "user", "content": "hi"}]}
    with start_candidate() as candidate:
        gw = gateways(gateway_config(legacy.url, candidate.url, pki, tmp_path))
        with httpx.Client(base_url=gw.url, verify=str(pki.ca_cert)) as c:
            assert c.post("/v1/chat/completions", json=chat).status_code == 200
        assert metric(gw, pki, "parity_mirrored_total") == 0
        listed = gateways(gateway_config(legacy.url, candidate.url, pki, tmp_path,
                                         routes=[{"path": "/v1/chat/completions", "mirror_methods": ["POST"]},
                                                 {"prefix": "/"}]))
        with httpx.Client(base_url=listed.url, verify=str(pki.ca_cert)) as c:
            assert c.post("/v1/chat/completions", json=chat).status_code == 200
        assert wait_until(lambda: metric(listed, pki, "parity_mirrored_total") == 1)


def test_the_copy_carries_the_exact_body_and_a_marker(gateways, echo_backend, pki, tmp_path):
    # Both sides echo what they received; the difference between the two echoes is the copy's marker.
    config = gateway_config(echo_backend.url, echo_backend.url, pki, tmp_path,
                            routes=[{"prefix": "/", "mirror_methods": ["PUT"]}])
    config["store"]["sample_bytes"] = 65536
    gw = gateways(config)
    body = bytes(range(256)) * 8
    r = httpx.put(gw.url + "/echo?x=1", content=body, verify=str(pki.ca_cert),
                  headers={"Authorization": "Bearer s3cret", "Content-Type": "application/octet-stream"})
    served = r.json()
    assert "x-parity-mirror" not in {k.lower() for k, _ in served["headers"]}
    records = stop_and_read_records(gw, tmp_path / "parity-data")
    assert len(records) == 1
    record = records[0]
    assert record["verdict"] == "mismatch"  # the echoes differ by the marker header only
    shadow_echo = json.loads(record["sample"]["candidate"]["body"])
    assert ["X-Parity-Mirror", "1"] in shadow_echo["headers"]
    # Besides the marker, the copy has the served request's headers, in the same order, byte for byte.
    assert [h for h in shadow_echo["headers"] if h[0] != "X-Parity-Mirror"] == served["headers"]
    assert shadow_echo["sha256"] == hashlib.sha256(body).hexdigest() == served["sha256"]
    assert base64.b64decode(shadow_echo["body_b64"]) == body
    assert shadow_echo["target"] == "/echo?x=1"
    # Secrets: the echo backend put the Authorization header in its body (so it is in the body sample),
    # but it is in none of the record's own fields and not in the gateway's log.
    assert "s3cret" not in json.dumps({k: v for k, v in record.items() if k != "sample"})
    assert "s3cret" not in gw.log()


def test_noise_is_learned_without_declaring_it(gateways, legacy, pki, tmp_path):
    chat = {"model": "parity-chat-mini", "messages": [{"role": "user", "content": "learn my noise"}]}
    with start_candidate() as candidate:
        config = gateway_config(legacy.url, candidate.url, pki, tmp_path,
                                routes=[{"path": "/v1/chat/completions", "mirror_methods": ["POST"]},
                                        {"prefix": "/"}],
                                # /created is the clock in seconds: legacy and candidate agree except
                                # when a second turns between their answers, too rarely to be learned
                                # in 30 exchanges, so it is declared; /id is left to the learner.
                                compare={"noise": {"learn": True, "resample_percent": 100,
                                                   "fields": ["/created"]}})
        gw = gateways(config)
        with httpx.Client(base_url=gw.url, verify=str(pki.ca_cert)) as c:
            for _ in range(30):
                assert c.post("/v1/chat/completions", json=chat).status_code == 200
            for _ in range(10):
                assert c.get("/v1/models").status_code == 200
        records = stop_and_read_records(gw, tmp_path / "parity-data")
    chats = [r for r in records if r["route"] == "/v1/chat/completions"]
    assert len(chats) == 30
    # The first exchanges see a new field differ; once its values never repeat it is noise.
    late = chats[-10:]
    assert all(r["verdict"] == "match" for r in late), [r["differences"] for r in late]
    assert all(any(d["pointer"] == "/id" and d.get("explained") == "noise" for d in r["differences"]) for r in late)
    assert all(r["verdict"] == "match" for r in records if r["route"] == "/")


def test_a_client_that_leaves_mid_response_is_not_recorded_as_a_difference(gateways, echo_backend, pki, tmp_path):
    # The served stream is cut by the client, not by a backend: comparing the half body would blame the
    # backends, so the exchange is dropped, warned about and counted instead.
    config = gateway_config(echo_backend.url, echo_backend.url, pki, tmp_path, routes=[{"prefix": "/"}])
    gw = gateways(config)
    with httpx.Client(verify=str(pki.ca_cert), timeout=10) as client:
        with client.stream("GET", gw.url + "/sse?n=30&interval_ms=100") as r:
            assert r.status_code == 200
            next(r.iter_raw())  # the first event, then hang up
    assert wait_until(lambda: metric(gw, pki, "parity_mirror_dropped_total", reason="client_left") == 1)
    records = stop_and_read_records(gw, tmp_path / "parity-data")
    assert records == []
    assert "left before the served response ended" in gw.log()

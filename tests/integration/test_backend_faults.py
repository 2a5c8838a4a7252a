"""Fault tests against the real binary: the served backend killed with SIGKILL (502s, then recovery
when it returns on the same port), the shadow killed (clients unaffected, shadow_error records), a
backend that resets connections or sends a truncated body, and a store on a full disk (a small tmpfs)."""
from __future__ import annotations

import json
import os
import subprocess
import uuid

import httpx
import pytest

from backend_pool import kill9, metric, start_echo
from gateway_harness import gateway_config
from services import free_port, wait_until


def plain_config(tmp_path, legacy_url: str, candidate_url: str, **overrides) -> dict:
    return gateway_config(legacy_url, candidate_url, None, tmp_path, threads=1, **overrides)


def test_served_backend_killed_gives_502_then_recovers_when_it_returns(gateways, tmp_path):
    port = free_port()
    backend = start_echo("first", port)
    gw = gateways(plain_config(tmp_path, backend.url, f"http://127.0.0.1:{free_port()}", mirror={"enabled": False}))
    with httpx.Client(base_url=gw.url) as client:
        assert client.get("/x").headers["x-echo-name"] == "first"
        kill9(backend)
        failed = [client.get("/x") for _ in range(3)]
        assert [r.status_code for r in failed] == [502] * 3
        assert all(r.json()["error"]["type"] == "upstream_failed" for r in failed)
        assert httpx.get(gw.url + "/health").status_code == 503
        with start_echo("second", port):
            assert wait_until(lambda: client.get("/x").status_code == 200)
            assert client.get("/x").headers["x-echo-name"] == "second"
            assert httpx.get(gw.url + "/health").status_code == 200
    assert "legacy backend failed" in gw.log()


def test_shadow_killed_leaves_clients_unaffected_and_records_shadow_error(gateways, tmp_path):
    store = tmp_path / "store"
    with start_echo("legacy") as legacy:
        shadow = start_echo("shadow")
        gw = gateways(plain_config(tmp_path, legacy.url, shadow.url, store={"path": str(store), "flush_interval_ms": 50}))
        with httpx.Client(base_url=gw.url) as client:
            assert [client.get(f"/before/{i}").status_code for i in range(3)] == [200] * 3
            assert wait_until(lambda: metric(gw, "parity_backend_exchanges_total", backend="candidate") == 3)
            kill9(shadow)
            assert [client.get(f"/after/{i}").status_code for i in range(5)] == [200] * 5
            assert wait_until(lambda: metric(gw, "parity_mirror_failed_total", backend="candidate") == 5)
        assert gw.stop() == 0, gw.log()
    records = [json.loads(line) for line in (store / "records.jsonl").read_text().splitlines()]
    after = [r for r in records if r["target"].startswith("/after/")]
    before = [r for r in records if r["target"].startswith("/before/")]
    assert len(after) == 5 and len(before) == 3
    # (The echo bodies differ by the mirror's marker header; what matters is that the shadow answered.)
    assert all(r["verdict"] != "error" and not r["candidate"].get("error") for r in before)
    for r in after:
        assert r["verdict"] == "error"
        assert r["differences"][0]["kind"] == "shadow_error"
        assert r["candidate"]["error"]
    assert "shadow candidate failed" in gw.log()


def test_backends_named_by_host_name_are_resolved_and_reconnected_to(gateways, tmp_path):
    # "localhost" comes from /etc/hosts (::1 may come first; the echo backends listen on 127.0.0.1 only, so
    # the connect tries the next address). With pooling off every request connects again: the addresses
    # are resolved at most once a second (upstream/endpoint_cache.h) and still found.
    store = tmp_path / "store"
    with start_echo("legacy") as legacy, start_echo("shadow") as shadow:
        by_name = lambda url: url.replace("127.0.0.1", "localhost")  # noqa: E731
        config = plain_config(tmp_path, by_name(legacy.url), by_name(shadow.url),
                              store={"path": str(store), "flush_interval_ms": 50})
        config["backends"]["legacy"]["max_idle"] = 0
        config["backends"]["candidate"]["max_idle"] = 0
        gw = gateways(config)
        with httpx.Client(base_url=gw.url) as client:
            for i in range(20):
                r = client.get(f"/named/{i}")
                assert r.status_code == 200 and r.headers["x-echo-name"] == "legacy"
            assert wait_until(lambda: metric(gw, "parity_backend_exchanges_total", backend="candidate") == 20)
        assert gw.stop() == 0, gw.log()
    records = [json.loads(line) for line in (store / "records.jsonl").read_text().splitlines()]
    assert len(records) == 20
    assert not [r for r in records if r["candidate"].get("error")]


def test_backend_that_resets_connections_gives_502_and_the_gateway_keeps_serving(gateways, tmp_path):
    with start_echo("rst") as backend:
        gw = gateways(plain_config(tmp_path, backend.url, backend.url, mirror={"enabled": False}))
        with httpx.Client(base_url=gw.url) as client:
            for _ in range(3):
                r = client.get("/reset")
                assert r.status_code == 502
                assert r.json()["error"]["message"] == "upstream failed: reset"
            assert client.get("/x").status_code == 200
        assert metric(gw, "parity_requests_total", status="502") == 3


def test_truncated_body_is_cut_short_for_the_client_and_recorded_for_the_shadow(gateways, tmp_path):
    store = tmp_path / "store"
    with start_echo("legacy") as legacy, start_echo("shadow") as shadow:
        gw = gateways(plain_config(tmp_path, legacy.url, shadow.url, store={"path": str(store), "flush_interval_ms": 50}))
        with httpx.Client(base_url=gw.url) as client:
            # The client got a head and part of the body: closing the connection is the only honest signal.
            with pytest.raises(httpx.HTTPError):
                client.get("/truncate?n=200000")
            assert client.get("/x").status_code == 200
        assert gw.stop() == 0, gw.log()
    assert "response cut short" in gw.log()
    records = {r["target"]: r for r in map(json.loads, (store / "records.jsonl").read_text().splitlines())}
    assert records["/x"]["verdict"] != "error"
    # Both sides were truncated alike: the shadow side reports its failure as data.
    assert records["/truncate?n=200000"]["verdict"] == "error"


@pytest.fixture
def full_tmpfs(tmp_path):
    """A 512 KiB tmpfs, filled up, mounted at tmp_path/full; skipped when mounting is not permitted."""
    mountpoint = tmp_path / "full"
    mountpoint.mkdir()
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root")
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=512k", f"parity-full-{uuid.uuid4().hex[:6]}",
                           str(mountpoint)], capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here ({done.stderr.strip() or done.returncode}); "
                    "the full-disk store test needs CAP_SYS_ADMIN")
    try:
        filler = mountpoint / "filler"
        with open(filler, "wb") as f:
            try:
                while True:
                    f.write(b"\0" * 65536)
                    f.flush()
            except OSError:
                pass
        # Fill the last partial block too, so even one small record cannot be written.
        try:
            with open(mountpoint / "filler2", "wb") as f:
                while True:
                    f.write(b"\0")
                    f.flush()
        except OSError:
            pass
        yield mountpoint
    finally:
        subprocess.run(["umount", "-l", str(mountpoint)], check=False)


def test_store_on_a_full_disk_counts_failed_writes_and_keeps_serving(gateways, full_tmpfs, tmp_path):
    with start_echo("legacy") as legacy, start_echo("shadow") as shadow:
        gw = gateways(plain_config(tmp_path, legacy.url, shadow.url,
                                   store={"path": str(full_tmpfs), "flush_interval_ms": 50}))
        with httpx.Client(base_url=gw.url) as client:
            assert [client.get(f"/r/{i}").status_code for i in range(10)] == [200] * 10
            assert wait_until(lambda: metric(gw, "parity_store_records_total", result="failed") == 10)
            assert metric(gw, "parity_store_records_total", result="written") == 0
            assert client.get("/still-serving").status_code == 200
        gw.stop()
    assert "No space left on device" in gw.log()
    assert "the gateway keeps serving" in gw.log()

"""Operating several instances (issue 9, docs/deploy.md): `parity ctl --all` reaches every instance's admin
API, and each instance's id shows in its records, access log, own log lines and /metrics."""
from __future__ import annotations

import json
import os

import httpx
import pytest

from admin_harness import TOKEN, Admin, admin_env, read_jsonl
from gateway_harness import gateway_config, run_parity
from services import free_port, start_candidate, start_legacy
from test_mirror_degraded import metric


@pytest.fixture(scope="module")
def backends():
    with start_legacy() as legacy, start_candidate() as candidate:
        yield legacy, candidate


def start(gateways, backends, pki, workdir, instance):
    workdir.mkdir()
    legacy, candidate = backends
    config = gateway_config(legacy.url, candidate.url, pki, workdir, admin={"listen": "127.0.0.1:0"},
                            instance=instance)
    config["store"]["flush_interval_ms"] = 100
    return gateways(config, env=admin_env())


def ctl_all(*args: str):
    return run_parity("ctl", *args, env=dict(os.environ, PARITY_ADMIN_TOKEN=TOKEN, USER="tester"))


def test_ctl_all_switches_every_instance_and_reports_the_worst(gateways, backends, pki, tmp_path):
    a = Admin(start(gateways, backends, pki, tmp_path / "a", "gw-a"))
    b = Admin(start(gateways, backends, pki, tmp_path / "b", "gw-b"))

    done = ctl_all("--all", a.address, "--all", b.address, "serve", "candidate", "--reason", "cut over")
    assert done.returncode == 0, done.stderr
    assert f"== {a.address}" in done.stdout and f"== {b.address}" in done.stdout
    assert a.status()["serve"] == "candidate" and b.status()["serve"] == "candidate"

    listing = tmp_path / "instances.txt"
    listing.write_text(f"# the cluster\n{a.address}\n\n{b.address}  # second\n")
    done = ctl_all("--all", f"@{listing}", "status")
    assert done.returncode == 0, done.stderr
    assert done.stdout.count("serve:        candidate") == 2
    assert "instance:     gw-a" in done.stdout and "instance:     gw-b" in done.stdout

    # An unreachable instance does not stop the others; the exit code says one failed.
    dead = f"127.0.0.1:{free_port()}"
    done = ctl_all("--all", f"{a.address},{dead},{b.address}", "serve", "legacy", "--reason", "roll back")
    assert done.returncode == 2
    assert f"cannot reach the admin API at http://{dead}" in done.stderr
    assert a.status()["serve"] == "legacy" and b.status()["serve"] == "legacy"

    done = ctl_all("--all", f"@{tmp_path / 'missing.txt'}", "status")
    assert done.returncode == 2
    assert "cannot read the address list" in done.stderr


def test_instance_id_in_records_logs_and_metrics(gateways, backends, pki, tmp_path):
    gw = start(gateways, backends, pki, tmp_path / "a", "gw-a")
    with httpx.Client(base_url=gw.url, verify=str(pki.ca_cert)) as client:
        assert client.get("/v1/models").status_code == 200
    assert metric(gw, pki, "parity_instance_info", id="gw-a") == 1
    assert gw.stop() == 0
    log = gw.log()
    assert "[gw-a] listening on" in log
    access = [json.loads(line) for line in log.splitlines() if line.startswith("{")]
    assert access and all(line["instance"] == "gw-a" for line in access)
    records = read_jsonl(tmp_path / "a" / "parity-data" / "records.jsonl")
    assert records and all(r["instance"] == "gw-a" for r in records)


def test_side_latency_histograms_add_up_across_instances(gateways, backends, pki, tmp_path):
    """The paired latencies as Prometheus histogram buckets: what each instance exports can be summed
    (`sum by (le)`) into the cluster's; the summary's quantiles could not."""
    import time

    gws = [start(gateways, backends, pki, tmp_path / name, name) for name in ("gw-a", "gw-b")]
    for gw, n in zip(gws, (3, 5)):
        with httpx.Client(base_url=gw.url, verify=str(pki.ca_cert)) as client:
            for _ in range(n):
                assert client.get("/v1/models").status_code == 200
    for gw, n in zip(gws, (3, 5)):
        deadline = time.monotonic() + 10  # the diff runs off the client's path
        while metric(gw, pki, "parity_side_latency_ms_count", side="candidate") < n:
            assert time.monotonic() < deadline, gw.log()
            time.sleep(0.05)
    for side in ("legacy", "candidate"):
        total = sum(metric(gw, pki, "parity_side_latency_ms_bucket", side=side, le="+Inf") for gw in gws)
        assert total == 8
        # Cumulative: every bucket of each instance holds at most the next one's count, and the local
        # fixtures answer /v1/models well within 30 s.
        for gw in gws:
            counts = [metric(gw, pki, "parity_side_latency_ms_bucket", side=side, le=le)
                      for le in ("0.5", "5", "100", "30000")]
            assert counts == sorted(counts) and counts[-1] == metric(gw, pki, "parity_side_latency_ms_count",
                                                                     side=side)

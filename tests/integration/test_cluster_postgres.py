"""Several gateways, one view (issue 9): three `parity gateway` instances behind nginx write their records to
one PostgreSQL server (Debian's, started privately) and, for the cross-check, to their own records.jsonl.
The cluster report from PostgreSQL must equal the report of the union of the three JSONL files, and an
outage of the database under traffic must not touch clients and must account for every record."""
from __future__ import annotations

import concurrent.futures
import json
import re
import threading
import time
from pathlib import Path

import httpx
import pytest

from gateway_harness import run_parity
from mirror_harness import MIX, demo_config
from nginx_harness import NginxBalancer
from postgres_harness import PostgresServer, postgres_bin_dir

pytestmark = pytest.mark.skipif(postgres_bin_dir() is None, reason="postgresql is not installed")

_FLUSHED = re.compile(r"postgres store flushed: (\d+) record\(s\) written, (\d+) dropped, (\d+) failed")


@pytest.fixture(scope="module")
def pg():
    with PostgresServer() as server:
        yield server


@pytest.fixture(scope="module")
def services(legacy, candidate):
    return legacy, candidate


def cluster_config(services, pki, workdir: Path, instance: str, url: str) -> dict:
    legacy, candidate = services
    cert, key = pki.issue("gateway", workdir)
    config = demo_config(legacy.url, candidate.url, {"cert": str(cert), "key": str(key)}, workdir / "data")
    config["instance"] = instance
    # No idle upstream connections: uvicorn (the legacy fixture) closes idle keep-alive connections after
    # 5 s, and a POST sent on such a connection just as it closes is answered 502 (the pool retries only
    # idempotent requests). That race belongs to the upstream pool, not to this test of the store.
    for side in ("legacy", "candidate"):
        config["backends"][side]["max_idle"] = 0
    config["store"]["url"] = url   # with store.path as well: every record goes to both stores
    return config


def read_jsonl(path: Path) -> list:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()] if path.exists() else []


def report_json(store: str, *args: str) -> dict:
    proc = run_parity("report", "--store", store, "--format", "json", *args)
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    # Where the records came from and when the report was made are the only things allowed to differ.
    for key in ("source", "generated_at"):
        report["summary"].pop(key, None)
    return report


def flushed(log: str) -> tuple:
    match = _FLUSHED.search(log)
    assert match, log
    return tuple(int(g) for g in match.groups())


def test_cluster_report_equals_the_union_of_the_instances_records(pg, services, pki, gateways, tmp_path):
    url = pg.create_database("cluster")
    names = ["gw-a", "gw-b", "gw-c"]
    gws = []
    for name in names:
        workdir = tmp_path / name
        workdir.mkdir()
        gws.append(gateways(cluster_config(services, pki, workdir, name, url)))
    with NginxBalancer([f"127.0.0.1:{gw.port}" for gw in gws], pki.ca_cert) as lb:
        def send(i):
            method, path, body = MIX[i % len(MIX)]
            with httpx.Client(base_url=lb.url, timeout=20) as client:
                return client.request(method, path, json=body).status_code
        with concurrent.futures.ThreadPoolExecutor(6) as pool:
            statuses = list(pool.map(send, range(len(MIX) * 12)))
        unexpected = [(MIX[i % len(MIX)][:2], s) for i, s in enumerate(statuses) if s not in (200, 404, 422)]
        failures = [line for gw in gws for line in gw.log().splitlines() if '"status":50' in line]
        assert not unexpected, f"{unexpected}\n{lb.error_log()}\n" + "\n".join(failures)
    for gw in gws:
        assert gw.stop() == 0, gw.log()

    per_instance = {name: read_jsonl(tmp_path / name / "data" / "records.jsonl") for name in names}
    union = [r for records in per_instance.values() for r in records]
    assert len(union) == len(statuses)
    for name, records in per_instance.items():
        assert records, f"nginx sent nothing to {name}"
        assert {r["instance"] for r in records} == {name}
    for gw in gws:
        written, dropped, failed = flushed(gw.log())
        assert (dropped, failed) == (0, 0)
    assert int(pg.query("cluster", "SELECT count(*) FROM parity_records")) == len(union)
    rows = pg.query("cluster", "SELECT instance, count(*) FROM parity_records GROUP BY 1 ORDER BY 1")
    assert rows.splitlines() == [f"{name}|{len(per_instance[name])}" for name in names]

    # The union in the order the PostgreSQL report reads (ts, instance, request id): the examples kept per
    # field are the first ones seen, so both reports must see the records in the same order.
    union.sort(key=lambda r: (r["ts"], r["instance"], r["request_id"]))
    union_file = tmp_path / "union.jsonl"
    union_file.write_text("".join(json.dumps(r) + "\n" for r in union))

    cluster = report_json(url)
    assert cluster == report_json(str(union_file))
    assert cluster["summary"]["exchanges"] == len(union)
    # The fixtures differ on purpose (noise, error formats): field statistics and examples are compared too.
    assert any(route["fields"] for route in cluster["routes"])
    assert cluster["summary"]["latency"]["legacy"]["count"] == len(union)
    # One instance, and a time window, mean the same on both stores.
    assert report_json(url, "--instance", "gw-b") == report_json(str(union_file), "--instance", "gw-b")
    assert report_json(url, "--instance", "gw-b")["summary"]["exchanges"] == len(per_instance["gw-b"])
    middle = union[len(union) // 2]["ts"]
    later = report_json(url, "--since", middle)
    assert later == report_json(str(union_file), "--since", middle)
    assert later["summary"]["exchanges"] == sum(1 for r in union if r["ts"] >= middle)

    # The JSONL store of one instance moves into an empty database with the same result.
    moved = pg.create_database("moved")
    proc = run_parity("store", "import", str(tmp_path / "gw-a" / "data" / "records.jsonl"), "--to", moved)
    assert proc.returncode == 0, proc.stderr
    assert f"imported {len(per_instance['gw-a'])} record(s)" in proc.stdout
    assert report_json(moved) == report_json(url, "--instance", "gw-a")
    # Importing the same file again stores nothing twice.
    again = run_parity("store", "import", str(tmp_path / "gw-a" / "data" / "records.jsonl"), "--to", moved)
    assert again.returncode == 0, again.stderr
    assert "imported 0 record(s)" in again.stdout
    assert f"{len(per_instance['gw-a'])} record(s) already there, not stored twice" in again.stdout
    assert int(pg.query("moved", "SELECT count(*) FROM parity_records")) == len(per_instance["gw-a"])
    assert report_json(moved) == report_json(url, "--instance", "gw-a")


def test_database_outage_under_traffic(pg, services, pki, gateways, tmp_path):
    url = pg.create_database("outage")
    config = cluster_config(services, pki, tmp_path, "gw-outage", url)
    config["store"]["queue"] = 64  # small, so the outage also fills the queue on slow machines
    gw = gateways(config)
    statuses, stop = [], threading.Event()

    def drive():
        with httpx.Client(base_url=gw.url, verify=str(pki.ca_cert), timeout=20) as client:
            while not stop.is_set():
                statuses.append(client.get("/v1/models").status_code)
                time.sleep(0.01)

    traffic = threading.Thread(target=drive)
    traffic.start()
    try:
        time.sleep(1.5)
        pg.stop()
        stopped_at = time.time()
        time.sleep(10)
        assert "PostgreSQL unavailable" in gw.log()
        metrics = httpx.get(gw.url + "/metrics", verify=str(pki.ca_cert)).text
        assert "parity_postgres_connected 0" in metrics
        pg.start()
        restarted_at = time.time()
        time.sleep(3)
    finally:
        stop.set()
        traffic.join()
    assert gw.stop() == 0, gw.log()

    # Clients never noticed.
    assert statuses and set(statuses) == {200}, set(statuses)
    mirrored = read_jsonl(tmp_path / "data" / "records.jsonl")
    assert len(mirrored) == len(statuses)
    written, dropped, failed = flushed(gw.log())
    in_db = int(pg.query("outage", "SELECT count(*) FROM parity_records"))
    print(f"outage: {len(mirrored)} mirrored, {in_db} in the database, {dropped} dropped, {failed} failed")
    # Exact accounting: every record is in the database or counted as dropped or failed.
    assert in_db == written
    assert in_db + dropped + failed == len(mirrored)
    assert dropped + failed > 0
    # Records from before the outage and after the restart are both there.
    def in_db_between(start: float, end: float) -> int:
        return int(pg.query("outage", f"SELECT count(*) FROM parity_records WHERE ts >= to_timestamp({start}) "
                                      f"AND ts < to_timestamp({end})"))
    assert in_db_between(0, stopped_at - 0.5) > 0
    assert in_db_between(restarted_at + 0.5, time.time() + 60) > 0


def test_url_without_path_stores_in_postgres_only(pg, services, pki, gateways, tmp_path):
    url = pg.create_database("pg_only")
    config = cluster_config(services, pki, tmp_path, "gw-only", url)
    del config["store"]["path"]
    gw = gateways(config)
    assert "store: PostgreSQL postgres://parity@127.0.0.1" in gw.log()
    with httpx.Client(base_url=gw.url, verify=str(pki.ca_cert)) as client:
        for _ in range(5):
            assert client.get("/v1/models").status_code == 200
    assert gw.stop() == 0, gw.log()
    assert flushed(gw.log()) == (5, 0, 0)
    assert "store flushed" not in gw.log().replace("postgres store flushed", "")
    assert not list(tmp_path.rglob("records.jsonl"))
    assert pg.query("pg_only", "SELECT instance, route, verdict FROM parity_records LIMIT 1") == "gw-only|/v1/models|match"


# The schema as version 1 created it (store/postgres_store.cpp, kMigrations[0]), for the upgrade test.
_SCHEMA_V1 = """
CREATE TABLE parity_schema_version (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now());
INSERT INTO parity_schema_version (version) VALUES (1);
CREATE TABLE parity_records (
  id bigserial PRIMARY KEY, ts timestamptz NOT NULL, instance text NOT NULL DEFAULT '',
  request_id text NOT NULL DEFAULT '', method text NOT NULL DEFAULT '', route text NOT NULL DEFAULT '',
  target text NOT NULL DEFAULT '', served_by text NOT NULL DEFAULT '', verdict text NOT NULL,
  legacy_status integer NOT NULL DEFAULT 0, legacy_latency_ms double precision NOT NULL DEFAULT 0,
  legacy_bytes bigint NOT NULL DEFAULT 0, legacy_error text,
  candidate_status integer NOT NULL DEFAULT 0, candidate_latency_ms double precision NOT NULL DEFAULT 0,
  candidate_bytes bigint NOT NULL DEFAULT 0, candidate_error text,
  differences json NOT NULL DEFAULT '[]', sample json);
"""


def _record(i: int, **changes) -> dict:
    record = {"ts": f"2026-11-26T10:00:0{i}.123Z", "instance": "gw-a", "request_id": f"req-{i}", "method": "GET",
              "route": "/v1/models", "target": "/v1/models", "served_by": "legacy", "verdict": "match",
              "legacy": {"status": 200, "latency_ms": 1.25, "bytes": 10, "error": None},
              "candidate": {"status": 200, "latency_ms": 2.5, "bytes": 10, "error": None},
              "differences": [], "sample": None}
    record.update(changes)
    return record


def test_a_version_1_store_is_upgraded_and_its_duplicates_kept_once(pg, tmp_path):
    url = pg.create_database("upgrade")
    pg.query("upgrade", _SCHEMA_V1)
    # Version 1 appended: the same file imported twice left each record twice.
    rows = [_record(1), _record(2), _record(3, verdict="mismatch", candidate={
        "status": 500, "latency_ms": 2.5, "bytes": 10, "error": None})]
    file = tmp_path / "records.jsonl"
    file.write_text("".join(json.dumps(r) + "\n" for r in rows))
    for _ in range(2):
        for r in rows:
            pg.query("upgrade", "INSERT INTO parity_records (ts, instance, request_id, method, route, target, "
                                "served_by, verdict, legacy_status, legacy_latency_ms, legacy_bytes, candidate_status, "
                                f"candidate_latency_ms, candidate_bytes) VALUES ('{r['ts']}', 'gw-a', "
                                f"'{r['request_id']}', 'GET', '/v1/models', '/v1/models', 'legacy', '{r['verdict']}', "
                                f"200, 1.25, 10, {r['candidate']['status']}, 2.5, 10)")
    assert int(pg.query("upgrade", "SELECT count(*) FROM parity_records")) == 6

    # Connecting (here: an import of the same records plus one new) migrates to version 2 first.
    file.write_text(file.read_text() + json.dumps(_record(4)) + "\n")
    proc = run_parity("store", "import", str(file), "--to", url)
    assert proc.returncode == 0, proc.stderr
    assert "imported 1 record(s)" in proc.stdout
    assert "3 record(s) already there, not stored twice" in proc.stdout
    assert pg.query("upgrade", "SELECT max(version) FROM parity_schema_version").strip() == "2"
    assert int(pg.query("upgrade", "SELECT count(*) FROM parity_records")) == 4
    assert int(pg.query("upgrade", "SELECT count(DISTINCT record_key) FROM parity_records")) == 4
    # A record that differs in one value is another record.
    changed = tmp_path / "changed.jsonl"
    changed.write_text(json.dumps(_record(1, candidate={"status": 200, "latency_ms": 2.75, "bytes": 10,
                                                        "error": None})) + "\n")
    proc = run_parity("store", "import", str(changed), "--to", url)
    assert "imported 1 record(s)" in proc.stdout, proc.stdout
    assert int(pg.query("upgrade", "SELECT count(*) FROM parity_records")) == 5
    report = report_json(url)
    assert report["summary"]["exchanges"] == 5

"""Cut-over and roll-back at runtime under steady traffic: serve switches by SIGHUP, `parity ctl` and the
admin API; invalid reloads; the automatic guard. Legacy (uvicorn) and candidate (cpp-httplib) answers are
told apart by their Server header, and each response is matched to its record by X-Request-ID."""
from __future__ import annotations

import json
import signal
import threading
import time

import httpx

from admin_harness import Admin, admin_env, backend_of, ctl, read_jsonl
from gateway_harness import gateway_config, write_config
from mirror_harness import stop_and_read_records
from metrics_scrape import tls_metric as metric
from services import start_candidate


def admin_config(legacy, candidate, pki, tmp_path, **overrides) -> dict:
    config = gateway_config(legacy.url, candidate.url, pki, tmp_path, admin={"listen": "127.0.0.1:0"}, **overrides)
    config["store"]["flush_interval_ms"] = 100
    return config


class Traffic:
    """Several client threads sending GET /v1/models with unique request ids until stopped."""

    def __init__(self, gw, ca, threads: int = 4, pause_s: float = 0.003) -> None:
        self.gw, self.ca, self.pause_s = gw, str(ca), pause_s
        self.results = []  # (request_id, sent, received, status, backend, error)
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.threads = [threading.Thread(target=self._run, args=(n,), daemon=True) for n in range(threads)]

    def __enter__(self):
        for t in self.threads:
            t.start()
        return self

    def __exit__(self, *exc):
        self.stopping.set()
        for t in self.threads:
            t.join(30)

    def _run(self, n: int) -> None:
        with httpx.Client(base_url=self.gw.url, verify=self.ca, timeout=15) as client:
            i = 0
            while not self.stopping.is_set():
                rid = f"cut-{n}-{i}"
                i += 1
                sent = time.monotonic()
                try:
                    r = client.get("/v1/models", headers={"X-Request-ID": rid})
                    row = (rid, sent, time.monotonic(), r.status_code, backend_of(r), None)
                except httpx.HTTPError as e:
                    row = (rid, sent, time.monotonic(), 0, None, repr(e))
                with self.lock:
                    self.results.append(row)
                time.sleep(self.pause_s)

    def count(self) -> int:
        with self.lock:
            return len(self.results)


def possible_serves(initial: str, switches: list, sent: float, received: float) -> set:
    """The backends that may have answered a request in flight from `sent` to `received`: the one in force
    at `sent`, plus the target of every switch whose [issued, confirmed] interval overlaps the request."""
    state = initial
    for issued, confirmed, target in switches:
        if confirmed < sent:
            state = target
    out = {state}
    for issued, confirmed, target in switches:
        if issued <= received and confirmed >= sent:
            out.add(target)
    return out


def test_switch_serve_20_times_under_traffic(gateways, legacy, candidate, pki, tmp_path):
    config = admin_config(legacy, candidate, pki, tmp_path, serve="legacy")
    gw = gateways(config, env=admin_env())
    admin = Admin(gw, actor="pytest-admin")
    switches = []  # (issued, confirmed, target)
    with Traffic(gw, pki.ca_cert) as traffic:
        time.sleep(0.3)
        for k in range(20):
            target = "candidate" if k % 2 == 0 else "legacy"
            how = ("sighup", "ctl", "admin")[k % 3]
            before = traffic.count()
            issued = time.monotonic()
            if how == "sighup":
                write_config(tmp_path, dict(config, serve=target))
                gw.proc.send_signal(signal.SIGHUP)
            elif how == "ctl":
                done = ctl(admin, "serve", target, "--reason", f"switch {k}")
                assert done.returncode == 0, done.stderr
                assert "applied" in done.stdout
            else:
                r = admin.post("/serve", {"serve": target, "reason": f"switch {k}"})
                assert r.status_code == 200, r.text
                assert r.json()["result"] == "applied"
            admin.wait_for(lambda s: s["serve"] == target)
            switches.append((issued, time.monotonic(), target))
            # Let steady traffic flow on this side before the next switch.
            deadline = time.monotonic() + 2
            while traffic.count() < before + 30 and time.monotonic() < deadline:
                time.sleep(0.01)
    status = admin.status()
    records = stop_and_read_records(gw, tmp_path / "parity-data")

    results = traffic.results
    assert len(results) > 400
    failures = [r for r in results if r[5] is not None or r[3] != 200]
    assert failures == [], failures[:5]
    wrong = [r for r in results if r[4] not in possible_serves("legacy", switches, r[1], r[2])]
    assert wrong == [], wrong[:5]
    # Both sides answered a fair share, and the version counts every switch.
    assert {r[4] for r in results} == {"legacy", "candidate"}
    assert status["config_version"] == 21
    assert status["serve"] == "legacy"

    # Exact per request: the record of each mirrored exchange names the backend that really answered,
    # and keeps the orientation (legacy is the FastAPI side, candidate the C++ side) whoever served.
    answered = {r[0]: r[4] for r in results}
    by_id = {rec["request_id"]: rec for rec in records}
    assert len(by_id) >= 0.9 * len(results)
    for rid, rec in by_id.items():
        assert rec["served_by"] == answered[rid], rec
        assert rec["legacy"]["status"] == 200 and rec["candidate"]["status"] == 200
        assert rec["verdict"] in ("match", "expected"), rec
    assert {rec["served_by"] for rec in records} == {"legacy", "candidate"}

    # The audit trail: one line per switch with who, from, to and the version.
    audit = [a for a in read_jsonl(tmp_path / "parity-data" / "audit.jsonl") if a["from"] != a["to"]]
    assert len(audit) == 20
    assert [a["to"] for a in audit] == [s[2] for s in switches]
    assert {a["who"] for a in audit} == {"sighup", "ctl:tester", "pytest-admin"}
    assert all(a["peer"] == "127.0.0.1" for a in audit if a["who"] != "sighup")
    assert [a["config_version"] for a in audit] == list(range(2, 22))
    assert all(a["ts"].endswith("Z") and a["result"] == "applied" for a in audit)
    assert gw.log().count("audit: serve switched") == 20


def test_invalid_reloads_are_rejected_and_traffic_is_unaffected(gateways, legacy, candidate, pki, tmp_path):
    config = admin_config(legacy, candidate, pki, tmp_path, serve="candidate")
    gw = gateways(config, env=admin_env())
    admin = Admin(gw)
    path = tmp_path / "parity.yaml"
    good = path.read_text()
    bad_files = {
        "syntax": (good[: len(good) // 2], "(file)", "YAML syntax error"),
        "unknown key": (json.dumps(dict(config, colour="blue")), "colour", "unknown key"),
        "missing cert": (json.dumps(dict(config, tls={"cert": str(tmp_path / "gone.crt"),
                                                      "key": config["tls"]["key"]})), "tls.cert", "file not found"),
        "missing CA": (json.dumps(dict(config, backends={"legacy": {"url": legacy.url},
                                                         "candidate": {"url": candidate.url,
                                                                       "ca": str(tmp_path / "gone-ca.crt")}})),
                       "backends.candidate.ca", "file not found"),
    }
    with Traffic(gw, pki.ca_cert, threads=3) as traffic:
        for name, (text, key, reason) in bad_files.items():
            path.write_text(text)
            # The admin API answers 422 with the errors, naming the key.
            r = admin.post("/reload", {"reason": f"try {name}"})
            assert r.status_code == 422, (name, r.text)
            body = r.json()
            assert body["result"] == "rejected" and body["config_version"] == 1
            assert any(e["key"] == key and reason in e["reason"] for e in body["errors"]), (name, body)
            # `parity ctl reload` exits 1 and prints them.
            done = ctl(admin, "reload")
            assert done.returncode == 1, (name, done.stdout, done.stderr)
            assert key in done.stderr and "rejected" in done.stderr
            # SIGHUP logs them.
            gw.proc.send_signal(signal.SIGHUP)
            time.sleep(0.2)
        path.write_text(good)
        r = admin.post("/reload", {"reason": "fixed"})
        assert r.status_code == 200 and r.json()["config_version"] == 2
        time.sleep(0.3)
    results = traffic.results
    assert len(results) > 50
    assert [r for r in results if r[5] is not None or r[3] != 200] == []
    assert {r[4] for r in results} == {"candidate"}
    assert metric(gw, pki, "parity_reloads_total", result="rejected") == 12
    assert metric(gw, pki, "parity_reloads_total", result="applied") == 1
    log = gw.log()
    assert "reload rejected, configuration v1 stays in force by sighup" in log
    assert "colour: unknown key" in log and "tls.cert: file not found" in log
    assert admin.status()["serve"] == "candidate"
    audit = read_jsonl(tmp_path / "parity-data" / "audit.jsonl")
    assert [a["result"] for a in audit].count("rejected") == 12


def test_guard_rolls_back_to_legacy_when_the_candidate_fails(gateways, legacy, pki, tmp_path):
    with start_candidate("--fail-rate", "0.3", "--seed", "11") as failing:
        guard = {"max_error_rate": 0.2, "window_s": 30, "min_requests": 20}
        config = admin_config(legacy, failing, pki, tmp_path, serve="candidate", guard=guard)
        gw = gateways(config, env=admin_env())
        admin = Admin(gw)
        assert admin.status()["guard"]["armed"] is True
        served = []
        with httpx.Client(base_url=gw.url, verify=str(pki.ca_cert), timeout=10) as client:
            for _ in range(300):
                r = client.get("/v1/models")
                served.append((backend_of(r), r.status_code))
                if backend_of(r) == "legacy" and len(served) > 5:
                    break
            # Once rolled back, every answer is legacy's.
            after = [client.get("/v1/models") for _ in range(20)]
        assert served[0][0] == "candidate"
        assert any(status == 500 for _, status in served)
        assert 20 <= len(served) < 300
        assert all(backend_of(r) == "legacy" and r.status_code == 200 for r in after)
        status = admin.status()
        assert status["serve"] == "legacy"
        assert status["guard"]["latched"] is True and status["guard"]["trips"] == 1
        assert status["last_switch"]["who"] == "guard"
        assert status["last_switch"]["reason"].startswith("error rate ")
        assert metric(gw, pki, "parity_guard_trips_total") == 1
        assert "guard tripped: error rate" in gw.log()
        trip = [a for a in read_jsonl(tmp_path / "parity-data" / "audit.jsonl") if a["who"] == "guard"]
        assert len(trip) == 1 and trip[0]["from"] == "candidate" and trip[0]["to"] == "legacy"
        assert "> 0.20 over 30 s" in trip[0]["reason"]

        # A SIGHUP whose file still says candidate does not undo the guard's rollback…
        gw.proc.send_signal(signal.SIGHUP)
        status = admin.wait_for(lambda s: s["config_version"] == 3)
        assert status["serve"] == "legacy"
        assert "the guard's rollback stays in force" in gw.log()
        # …an operator's explicit switch does (and re-arms the guard).
        done = ctl(admin, "serve", "candidate", "--reason", "fixed the candidate")
        assert done.returncode == 0, done.stderr
        status = admin.status()
        assert status["serve"] == "candidate" and status["guard"]["latched"] is False
        assert status["guard"]["armed"] is True
        gw.stop()

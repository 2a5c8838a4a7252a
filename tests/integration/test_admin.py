"""The admin API's guarantees: bearer token (401, counted), off without a token, status, mirror on/off,
aggregates, `parity ctl` exit codes and its summary."""
from __future__ import annotations

import time

import httpx
import pytest

from admin_harness import Admin, admin_env, ctl, read_jsonl
from gateway_harness import gateway_config, run_parity
from services import free_port, start_candidate, start_legacy
from test_cutover import metric


@pytest.fixture(scope="module")
def backends():
    with start_legacy() as legacy, start_candidate() as candidate:
        yield legacy, candidate


def start(gateways, backends, pki, tmp_path, env=None, **overrides):
    legacy, candidate = backends
    config = gateway_config(legacy.url, candidate.url, pki, tmp_path, admin={"listen": "127.0.0.1:0"}, **overrides)
    config["store"]["flush_interval_ms"] = 100
    return gateways(config, env=admin_env() if env is None else env)


def test_wrong_or_missing_token_is_401_and_counted(gateways, backends, pki, tmp_path):
    gw = start(gateways, backends, pki, tmp_path)
    admin = Admin(gw)
    with httpx.Client(base_url=admin.url) as anonymous:
        assert anonymous.get("/status").status_code == 401
        r = anonymous.post("/serve", json={"serve": "candidate"}, headers={"Authorization": "Bearer wrong"})
        assert r.status_code == 401
        assert r.json()["error"]["type"] == "unauthorized"
    done = ctl(admin, "serve", "candidate", token="wrong")
    assert done.returncode == 1
    assert "Bearer" in done.stderr
    assert admin.status()["serve"] == "legacy"
    assert admin.status()["counters"]["admin_unauthorized"] == 3
    assert metric(gw, pki, "parity_admin_unauthorized_total") == 3
    assert "admin API: GET /status from 127.0.0.1 refused: missing bearer token" in gw.log()


def test_no_token_means_no_admin_api(gateways, backends, pki, tmp_path):
    gw = start(gateways, backends, pki, tmp_path, env={"PARITY_ADMIN_TOKEN": ""})
    assert "admin API off: no token in $PARITY_ADMIN_TOKEN" in gw.log()
    assert "admin API listening" not in gw.log()


def test_ctl_status_serve_mirror_and_exit_codes(gateways, backends, pki, tmp_path):
    gw = start(gateways, backends, pki, tmp_path, guard={"max_error_rate": 0.5})
    admin = Admin(gw)
    done = ctl(admin, "status")
    assert done.returncode == 0, done.stderr
    assert "serve:        legacy  (config v1)" in done.stdout
    assert "mirror:       on, 100" in done.stdout
    assert "guard:        disarmed" in done.stdout
    assert "last switch:  none since start" in done.stdout
    as_json = ctl(admin, "status", "--json")
    assert as_json.returncode == 0
    assert '"config_version": 1' in as_json.stdout

    assert ctl(admin, "serve", "candidate", "--reason", "cut over").returncode == 0
    again = ctl(admin, "serve", "candidate")
    assert again.returncode == 0 and "already serving candidate" in again.stdout
    done = ctl(admin, "status")
    assert "serve:        candidate  (config v2)" in done.stdout
    assert "guard:        armed" in done.stdout
    assert "legacy -> candidate by ctl:tester" in done.stdout and "(cut over)" in done.stdout

    # The mirror kill switch: no record is written while it is off.
    assert ctl(admin, "mirror", "off", "--reason", "quiet").returncode == 0
    assert admin.status()["mirror"]["enabled"] is False
    mirrored = admin.status()["counters"]["mirrored"]
    with httpx.Client(base_url=gw.url, verify=str(pki.ca_cert)) as client:
        assert all(client.get("/v1/models").status_code == 200 for _ in range(5))
    assert admin.status()["counters"]["mirrored"] == mirrored
    assert ctl(admin, "mirror", "on").returncode == 0
    with httpx.Client(base_url=gw.url, verify=str(pki.ca_cert)) as client:
        assert all(client.get("/v1/models").status_code == 200 for _ in range(5))
    assert admin.status()["counters"]["mirrored"] == mirrored + 5

    # Aggregates of the live records.
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and not admin.get("/aggregates").json().get("routes"):
        time.sleep(0.05)
    aggregates = admin.get("/aggregates").json()
    assert aggregates["routes"][0]["route"] == "/"

    audit = read_jsonl(tmp_path / "parity-data" / "audit.jsonl")
    assert [(a["action"], a["from"], a["to"], a["who"]) for a in audit] == [
        ("serve", "legacy", "candidate", "ctl:tester"),
        ("mirror", "on", "off", "ctl:tester"),
        ("mirror", "off", "on", "ctl:tester"),
    ]
    assert audit[1]["reason"] == "quiet"

    # Usage and connection errors exit 2.
    dead = run_parity("ctl", "--admin", f"127.0.0.1:{free_port()}", "status",
                      env={"PARITY_ADMIN_TOKEN": "x", "PATH": "/usr/bin:/bin"})
    assert dead.returncode == 2 and "cannot reach the admin API" in dead.stderr
    no_token = run_parity("ctl", "--admin", admin.address, "status", env={"PATH": "/usr/bin:/bin"})
    assert no_token.returncode == 2 and "no admin token" in no_token.stderr
    assert run_parity("ctl", "serve", "shadow", env={"PARITY_ADMIN_TOKEN": "x"}).returncode == 2


def test_ctl_reads_the_admin_section_of_the_config(gateways, backends, pki, tmp_path):
    gw = start(gateways, backends, pki, tmp_path)
    admin = Admin(gw)
    # Only `admin:` matters to ctl: a file naming the address and another token variable.
    path = tmp_path / "ctl.yaml"
    path.write_text(f'{{"admin": {{"listen": "{admin.address}", "token_env": "MY_PARITY_TOKEN"}}}}\n')
    done = run_parity("ctl", "-c", str(path), "status", env={"MY_PARITY_TOKEN": admin.token, "PATH": "/usr/bin:/bin"})
    assert done.returncode == 0, done.stderr
    assert "serve:        legacy" in done.stdout

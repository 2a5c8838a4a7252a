"""Signals: SIGTERM drains requests in flight, SIGHUP reloads (an invalid file is rejected)."""
from __future__ import annotations

import json
import signal
import threading
import time

import httpx

from gateway_harness import gateway_config, write_config


def test_sigterm_finishes_requests_in_flight_then_exits_0(gateways, echo_backend, pki, tmp_path):
    gw = gateways(gateway_config(echo_backend.url, echo_backend.url, pki, tmp_path))
    results = {}

    def slow_request():
        results["slow"] = httpx.get(gw.url + "/slow?ms=1500", verify=str(pki.ca_cert), timeout=10)

    worker = threading.Thread(target=slow_request)
    worker.start()
    time.sleep(0.5)
    gw.proc.send_signal(signal.SIGTERM)
    worker.join(10)
    assert results["slow"].status_code == 200
    assert results["slow"].json() == {"slow": True}
    assert gw.proc.wait(10) == 0
    assert "draining" in gw.log()


def test_sighup_applies_a_valid_config_and_rejects_an_invalid_one(gateways, echo_backend, pki, tmp_path):
    config = gateway_config(echo_backend.url, echo_backend.url, pki, tmp_path, serve="legacy")
    gw = gateways(config)

    def health():
        return httpx.get(gw.url + "/health", verify=str(pki.ca_cert)).json()

    assert health()["serve"] == "legacy"
    config["serve"] = "candidate"
    write_config(tmp_path, config)
    gw.proc.send_signal(signal.SIGHUP)
    deadline = time.monotonic() + 5
    while health()["serve"] != "candidate" and time.monotonic() < deadline:
        time.sleep(0.05)
    assert health()["serve"] == "candidate"
    assert health()["config_version"] == 2

    (tmp_path / "parity.yaml").write_text(json.dumps(dict(config, serve="legacy", colour="blue")))
    gw.proc.send_signal(signal.SIGHUP)
    deadline = time.monotonic() + 5
    while "rejected" not in gw.log() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert "colour: unknown key" in gw.log()
    assert health()["serve"] == "candidate"
    assert httpx.get(gw.url + "/echo", verify=str(pki.ca_cert)).status_code == 200


def test_a_reload_changing_a_start_only_setting_applies_the_rest_and_says_what_waits_for_a_restart(
        gateways, echo_backend, pki, tmp_path):
    from metrics_scrape import metric_value

    config = gateway_config(echo_backend.url, echo_backend.url, pki, tmp_path, serve="legacy")
    gw = gateways(config)
    old_store = config["store"]["path"]
    moved = str(tmp_path / "elsewhere")
    write_config(tmp_path, dict(config, serve="candidate", store={"path": moved}))
    gw.proc.send_signal(signal.SIGHUP)

    def health():
        return httpx.get(gw.url + "/health", verify=str(pki.ca_cert)).json()

    deadline = time.monotonic() + 5
    while health()["serve"] != "candidate" and time.monotonic() < deadline:
        time.sleep(0.05)
    assert health()["serve"] == "candidate"  # the rest of the reload applied
    assert f"store.path changed to {moved} by reload: read at start only, {old_store} stays in force" in gw.log()
    ca = str(pki.ca_cert)
    assert metric_value(gw, "parity_config_restart_pending_total", verify=ca, key="store.path") == 1
    assert metric_value(gw, "parity_config_restart_pending_total", verify=ca, key="threads") == 0

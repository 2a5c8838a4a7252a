"""The gateway in front of the real fixture services: every drift of the candidate is reported on the
right route, pointer and kind; without drift only the declared differences remain."""
from __future__ import annotations

import httpx
import pytest

from mirror_harness import CHAT, CHAT_STREAM, MODERATE, demo_config, send, stop_and_read_records, unexplained
from services import start_candidate


@pytest.fixture
def tls(pki, tmp_path):
    cert, key = pki.issue("gateway", tmp_path)
    return {"cert": str(cert), "key": str(key)}


def run(gateways, legacy, candidate, tls, tmp_path, pki, requests=None, mutate=None):
    store = tmp_path / "store"
    config = demo_config(legacy.url, candidate.url, tls, store)
    if mutate:
        mutate(config)
    gw = gateways(config)
    responses = send(gw, pki.ca_cert, **({"requests": requests} if requests else {}))
    return responses, stop_and_read_records(gw, store)


def test_without_drift_only_error_format_and_noise_differ(gateways, legacy, tls, tmp_path, pki):
    with start_candidate() as candidate:
        responses, records = run(gateways, legacy, candidate, tls, tmp_path, pki)
    assert all(r.status_code < 500 for r in responses)
    assert len(records) == len(responses)
    assert {r["verdict"] for r in records} <= {"match", "expected"}
    assert unexplained(records) == set()
    expected = [r for r in records if r["verdict"] == "expected"]
    assert {(r["route"], r["legacy"]["status"], r["candidate"]["status"]) for r in expected} == {
        ("/v1/models/{model}", 404, 404), ("/v1/chat/completions", 422, 400)}
    noise = {d["pointer"] for r in records for d in r["differences"] if d.get("explained") == "noise"}
    # Random ids always differ; `created` (unix seconds) only when the two answers straddle a second.
    assert "/id" in noise
    for r in records:
        assert r["served_by"] == "legacy"
        assert r["legacy"]["latency_ms"] > 0 and r["candidate"]["latency_ms"] > 0


# drift -> (requests to send, mutation of the config, the differences that must be reported)
DRIFTS = {
    "rename-usage-field": ([("POST", "/v1/chat/completions", CHAT)], None,
                           {("/v1/chat/completions", "/usage/prompt_tokens", "missing"),
                            ("/v1/chat/completions", "/usage/input_tokens", "extra")}),
    "float-as-string": ([("POST", "/v1/moderations", MODERATE)], None,
                        {("/v1/moderations", f"/results/0/category_scores/{c}", "type")
                         for c in ("harassment", "hate", "self-harm", "sexual", "violence")}),
    "reorder-models": ([("GET", "/v1/models", None)], None, None),
    "drop-null-fields": ([("POST", "/v1/chat/completions", CHAT)], None,
                         {("/v1/chat/completions", "/system_fingerprint", "missing"),
                          ("/v1/chat/completions", "/choices/0/logprobs", "missing")}),
    "status-201": ([("POST", "/v1/files", "upload")],
                   lambda c: c["routes"].insert(0, {"path": "/v1/files", "methods": ["POST"],
                                                    "mirror_methods": ["POST"]}),
                   {("/v1/files", "status", "status")}),
    "wrong-error-type": ([("GET", "/v1/models/gpt-4", None)],
                         lambda c: c["compare"]["error_formats"].__setitem__(
                             0, {"legacy": {"detail": "$message"},
                                 "candidate": {"error": {"message": "$message", "type": "not_found_error"}}}),
                         {("/v1/models/{model}", "/detail", "missing"), ("/v1/models/{model}", "/error", "extra")}),
    "stream-extra-chunk": ([("POST", "/v1/chat/completions", CHAT_STREAM)], None,
                           {("/v1/chat/completions", "/events", "array_length")}),
}


def send_upload(gw, pki):
    with httpx.Client(base_url=gw.url, verify=str(pki.ca_cert), timeout=20) as client:
        return [client.post("/v1/files", files={"file": ("a.txt", b"hello\n", "text/plain")},
                            data={"purpose": "assistants"})]


@pytest.mark.parametrize("drift", sorted(DRIFTS))
def test_each_drift_is_reported_on_its_route_pointer_and_kind(gateways, legacy, tls, tmp_path, pki, drift):
    requests, mutate, must_report = DRIFTS[drift]
    with start_candidate("--drift", drift) as candidate:
        store = tmp_path / "store"
        config = demo_config(legacy.url, candidate.url, tls, store)
        if mutate:
            mutate(config)
        gw = gateways(config)
        if requests[0][2] == "upload":
            responses = send_upload(gw, pki)
        else:
            responses = send(gw, pki.ca_cert, requests=requests)
        records = stop_and_read_records(gw, store)
    assert len(records) == len(responses) == 1
    record = records[0]
    assert record["verdict"] == "mismatch", record
    found = unexplained(records)
    if drift == "reorder-models":
        # Sorting the list moves models: value differences under /data on GET /v1/models only.
        assert found and all(route == "/v1/models" and p.startswith("/data/") and kind == "value"
                             for route, p, kind in found)
    else:
        assert must_report <= found, found
        # Nothing else is reported: the drift's one difference (plus its direct consequences).
        assert {p for _, p, _ in found} - {p for _, p, _ in must_report} <= _consequences(drift), found


def _consequences(drift: str) -> set:
    """Pointers a drift changes beyond its headline: the extra chunk shifts the events after it."""
    if drift == "stream-extra-chunk":
        return {f"/events/{i}" for i in range(64)} | {f"/events/{i}/{k}" for i in range(64)
                                                    for k in ("choices", "usage", "object", "data")}
    return set()


def test_client_bytes_equal_what_the_served_backend_sent(gateways, legacy, tls, tmp_path, pki):
    with start_candidate("--drift", "reorder-models") as candidate:
        store = tmp_path / "store"
        gw = gateways(demo_config(legacy.url, candidate.url, tls, store))
        for path in ("/v1/models", "/v1/models/parity-chat-mini", "/v1/models/gpt-4"):
            through = httpx.get(gw.url + path, verify=str(pki.ca_cert))
            direct = httpx.get(legacy.url + path)
            assert through.status_code == direct.status_code
            assert through.content == direct.content
        embed = {"model": "parity-embed-small", "input": "same bytes"}
        through = httpx.post(gw.url + "/v1/embeddings", json=embed, verify=str(pki.ca_cert))
        assert through.content == httpx.post(legacy.url + "/v1/embeddings", json=embed).content
        stop_and_read_records(gw, store)

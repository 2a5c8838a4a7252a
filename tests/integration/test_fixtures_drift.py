"""The candidate's drift switches: each makes exactly one realistic difference from the legacy service, and
without the switch the same request gives the legacy answer (modulo ids and clock fields)."""
from __future__ import annotations

import copy
import json
import subprocess

import httpx
import pytest

from services import candidate_binary, sse_events, start, without_varying

CHAT = {"model": "parity-chat-mini", "messages": [{"role": "user", "content": "Drift, drift, drift."}]}
UPLOAD = {"files": {"file": ("notes.txt", b"some notes\n", "text/plain")}, "data": {"purpose": "assistants"}}


@pytest.fixture(scope="module")
def legacy():
    with start("legacy") as s, httpx.Client(base_url=s.url, timeout=10) as c:
        yield c


@pytest.fixture(scope="module")
def plain():
    with start("candidate") as s, httpx.Client(base_url=s.url, timeout=10) as c:
        yield c


class drifted:
    """A candidate started with the given --drift arguments, as an httpx client."""

    def __init__(self, *drift_args: str) -> None:
        self.args = drift_args

    def __enter__(self) -> httpx.Client:
        self.service = start("candidate", *self.args)
        self.client = httpx.Client(base_url=self.service.url, timeout=10)
        return self.client

    def __exit__(self, *exc: object) -> None:
        self.client.close()
        self.service.stop()


def same_as_legacy(legacy_resp: httpx.Response, plain_resp: httpx.Response) -> None:
    """Without the switch: the same status and the same JSON, modulo the fields that vary by design."""
    assert legacy_resp.status_code == plain_resp.status_code
    assert without_varying(legacy_resp.json()) == without_varying(plain_resp.json())


def test_rename_usage_field(legacy, plain):
    lr, pr = legacy.post("/v1/chat/completions", json=CHAT), plain.post("/v1/chat/completions", json=CHAT)
    same_as_legacy(lr, pr)
    with drifted("--drift", "rename-usage-field") as d:
        body = d.post("/v1/chat/completions", json=CHAT).json()
    usage = body["usage"]
    assert "prompt_tokens" not in usage
    assert usage["input_tokens"] == pr.json()["usage"]["prompt_tokens"]
    usage["prompt_tokens"] = usage.pop("input_tokens")
    assert without_varying(body) == without_varying(pr.json())


def test_float_as_string(legacy, plain):
    request = {"input": ["kill the lights", "a calm sentence"]}
    lr, pr = legacy.post("/v1/moderations", json=request), plain.post("/v1/moderations", json=request)
    same_as_legacy(lr, pr)
    with drifted("--drift", "float-as-string") as d:
        body = d.post("/v1/moderations", json=request).json()
    for drift_result, plain_result in zip(body["results"], pr.json()["results"]):
        scores = drift_result["category_scores"]
        assert all(isinstance(v, str) for v in scores.values())
        assert {k: float(v) for k, v in scores.items()} == plain_result["category_scores"]
        drift_result["category_scores"] = {k: float(v) for k, v in scores.items()}
    assert without_varying(body) == without_varying(pr.json())


def test_reorder_models(legacy, plain):
    lr, pr = legacy.get("/v1/models"), plain.get("/v1/models")
    same_as_legacy(lr, pr)
    with drifted("--drift", "reorder-models") as d:
        body = d.get("/v1/models").json()
    ids = [m["id"] for m in body["data"]]
    plain_ids = [m["id"] for m in pr.json()["data"]]
    assert ids == sorted(plain_ids) and ids != plain_ids
    assert sorted(body["data"], key=lambda m: plain_ids.index(m["id"])) == pr.json()["data"]


def _with_nulls_restored(drift_body, plain_body):
    """The drifted body with every null member of the plain body put back where it was."""
    if isinstance(plain_body, dict):
        assert isinstance(drift_body, dict)
        return {k: None if v is None and k not in drift_body else _with_nulls_restored(drift_body[k], v)
                for k, v in plain_body.items()}
    if isinstance(plain_body, list):
        return [_with_nulls_restored(d, p) for d, p in zip(drift_body, plain_body)]
    return drift_body


def test_drop_null_fields(legacy, plain):
    lr, pr = legacy.post("/v1/chat/completions", json=CHAT), plain.post("/v1/chat/completions", json=CHAT)
    same_as_legacy(lr, pr)
    assert pr.json()["system_fingerprint"] is None and pr.json()["choices"][0]["logprobs"] is None
    with drifted("--drift", "drop-null-fields") as d:
        body = d.post("/v1/chat/completions", json=CHAT).json()
        stream = sse_events(d.post("/v1/chat/completions", json={**CHAT, "stream": True}).text)
        uploaded = d.post("/v1/files", **UPLOAD).json()
    assert "system_fingerprint" not in body and "logprobs" not in body["choices"][0]
    assert without_varying(_with_nulls_restored(body, pr.json())) == without_varying(pr.json())
    first = json.loads(stream[0])
    assert "finish_reason" not in first["choices"][0] and "system_fingerprint" not in first
    assert "status_details" not in uploaded and uploaded["status"] == "processed"


def test_status_201(legacy, plain):
    lr, pr = legacy.post("/v1/files", **UPLOAD), plain.post("/v1/files", **UPLOAD)
    same_as_legacy(lr, pr)
    assert pr.status_code == 200
    with drifted("--drift", "status-201") as d:
        resp = d.post("/v1/files", **UPLOAD)
        assert d.get(f"/v1/files/{resp.json()['id']}").status_code == 200
    assert resp.status_code == 201
    assert without_varying(resp.json()) == without_varying(pr.json())


def test_wrong_error_type(legacy, plain):
    lr, pr = legacy.get("/v1/models/nope"), plain.get("/v1/models/nope")
    assert lr.status_code == pr.status_code == 404
    assert lr.json()["detail"] == pr.json()["error"]["message"]
    assert pr.json()["error"]["type"] == "not_found_error"
    with drifted("--drift", "wrong-error-type") as d:
        resp = d.get("/v1/models/nope")
        validation = d.post("/v1/chat/completions", json={"model": "parity-chat-mini"})
    assert resp.status_code == 404
    assert resp.json() == {"error": {"message": pr.json()["error"]["message"], "type": "invalid_request_error"}}
    assert validation.status_code == 400 and validation.json()["error"]["type"] == "invalid_request_error"


def test_stream_extra_chunk(legacy, plain):
    request = {**CHAT, "stream": True}
    levents = sse_events(legacy.post("/v1/chat/completions", json=request).text)
    pevents = sse_events(plain.post("/v1/chat/completions", json=request).text)
    assert [without_varying(json.loads(e)) for e in levents[:-1]] == \
           [without_varying(json.loads(e)) for e in pevents[:-1]]
    with drifted("--drift", "stream-extra-chunk") as d:
        devents = sse_events(d.post("/v1/chat/completions", json=request).text)
    assert len(devents) == len(pevents) + 1
    assert devents[-1] == "[DONE]"
    extra = json.loads(devents[-2])
    assert extra["choices"] == [] and extra["object"] == "chat.completion.chunk"
    assert extra["usage"] == plain.post("/v1/chat/completions", json=CHAT).json()["usage"]
    assert [without_varying(json.loads(e)) for e in devents[:-2]] == \
           [without_varying(json.loads(e)) for e in pevents[:-1]]


# One request of each kind; a drift may change only the ones listed for it.
BATTERY = {
    "models": ("GET", "/v1/models", {}),
    "model": ("GET", "/v1/models/parity-chat-large", {}),
    "chat": ("POST", "/v1/chat/completions", {"json": CHAT}),
    "stream": ("POST", "/v1/chat/completions", {"json": {**CHAT, "stream": True}}),
    "embedding": ("POST", "/v1/embeddings", {"json": {"model": "parity-embed-small", "input": "x"}}),
    "moderation": ("POST", "/v1/moderations", {"json": {"input": "kill"}}),
    "upload": ("POST", "/v1/files", UPLOAD),
    "not-found": ("GET", "/v1/models/nope", {}),
    "validation": ("POST", "/v1/chat/completions", {"json": {"model": 1}}),
    "health": ("GET", "/health", {}),
}

AFFECTS = {
    "rename-usage-field": {"chat", "embedding"},
    "float-as-string": {"moderation"},
    "reorder-models": {"models"},
    "drop-null-fields": {"chat", "stream", "upload"},
    "status-201": {"upload"},
    "wrong-error-type": {"not-found"},
    "stream-extra-chunk": {"stream"},
}


def _observe(client: httpx.Client):
    out = {}
    for name, (method, path, kwargs) in BATTERY.items():
        resp = client.request(method, path, **copy.deepcopy(kwargs))
        if resp.headers["content-type"].startswith("text/event-stream"):
            body = [e if e == "[DONE]" else without_varying(json.loads(e)) for e in sse_events(resp.text)]
        else:
            body = without_varying(resp.json())
        out[name] = (resp.status_code, resp.headers["content-type"], body)
    return out


@pytest.mark.parametrize("drift", sorted(AFFECTS))
def test_each_drift_changes_only_its_own_responses(plain, drift):
    baseline = _observe(plain)
    with drifted("--drift", drift) as d:
        observed = _observe(d)
    changed = {name for name in BATTERY if observed[name] != baseline[name]}
    assert changed == AFFECTS[drift]


def test_drifts_combine_comma_separated_and_repeated(plain):
    with drifted("--drift", "reorder-models,status-201", "--drift", "wrong-error-type") as d:
        assert [m["id"] for m in d.get("/v1/models").json()["data"]] == sorted(
            m["id"] for m in plain.get("/v1/models").json()["data"])
        assert d.post("/v1/files", **UPLOAD).status_code == 201
        assert d.get("/v1/models/nope").json()["error"]["type"] == "invalid_request_error"
        assert "usage" in d.post("/v1/chat/completions", json=CHAT).json()
        assert d.post("/v1/chat/completions", json=CHAT).json()["usage"].get("prompt_tokens") is not None


def test_drift_from_environment():
    with start("candidate", env={"CANDIDATE_DRIFT": "status-201"}) as s:
        assert "drift: status-201" in s.log()
        assert httpx.post(s.url + "/v1/files", **UPLOAD).status_code == 201


def test_unknown_drift_is_a_usage_error():
    proc = subprocess.run([str(candidate_binary()), "--port", "0", "--drift", "rename-everything"],
                          capture_output=True, text=True, timeout=10)
    assert proc.returncode == 2
    assert "rename-everything" in proc.stderr + proc.stdout

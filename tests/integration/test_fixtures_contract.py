"""The contract both fixture services implement (docs/fixtures.md), run against each of them, and then
side by side: for the same request both give the same status and the same JSON, except the fields that vary
by design (ids, clock) and the error format."""
from __future__ import annotations

import base64
import json
import re
import struct
import time

import httpx
import pytest

from services import REPO_ROOT, sse_events, start, without_varying

KINDS = ("legacy", "candidate")
MODEL_IDS = ["parity-chat-mini", "parity-chat-large", "parity-embed-small", "parity-moderation-1"]
HEX32 = re.compile(r"^[0-9a-f]{32}$")


def chat(content="Tell me about rivers.", **extra):
    return {"model": "parity-chat-mini", "messages": [{"role": "user", "content": content}], **extra}


@pytest.fixture(scope="module", params=KINDS)
def service(request):
    with start(request.param) as s:
        yield s


@pytest.fixture
def kind(service):
    return service.name


@pytest.fixture
def client(service):
    with httpx.Client(base_url=service.url, timeout=10) as c:
        yield c


def assert_error(kind, resp, status, message, candidate_type=None):
    """A non-validation error in the service's own format, with the same message in both."""
    assert resp.status_code == status, resp.text
    assert resp.headers["content-type"] == "application/json"
    if kind == "legacy":
        assert resp.json() == {"detail": message}
    else:
        expected_type = candidate_type or ("not_found_error" if status == 404 else "invalid_request_error")
        assert resp.json() == {"error": {"message": message, "type": expected_type}}


def assert_validation_error(kind, resp, field=None):
    """legacy: 422 {"detail": [{loc, msg, type}]}; candidate: 400 {"error": {"message": "<field>: ...", ...}}."""
    if kind == "legacy":
        assert resp.status_code == 422, resp.text
        detail = resp.json()["detail"]
        assert isinstance(detail, list) and detail
        for d in detail:
            assert {"loc", "msg", "type"} <= set(d)
            assert d["loc"][0] == "body"
        if field:
            assert field in [".".join(map(str, d["loc"][1:])) for d in detail], detail
    else:
        assert resp.status_code == 400, resp.text
        body = resp.json()
        assert set(body) == {"error"}
        assert body["error"]["type"] == "invalid_request_error"
        assert isinstance(body["error"]["message"], str) and body["error"]["message"]
        if field:
            assert body["error"]["message"].startswith(field + ": "), body


# --- Each service on its own --------------------------------------------------------------------------------


def test_health(client):
    resp = client.get("/health")
    assert resp.status_code == 200
    assert resp.json() == {"status": "ok"}


def test_request_id_header_is_random_per_response(client):
    ids = {client.get("/v1/models").headers["x-request-id"] for _ in range(3)}
    assert len(ids) == 3 and all(HEX32.match(i) for i in ids)
    assert HEX32.match(client.get("/nope").headers["x-request-id"])


def test_list_models(client):
    resp = client.get("/v1/models")
    assert resp.status_code == 200
    assert resp.headers["content-type"] == "application/json"
    body = resp.json()
    assert body["object"] == "list"
    assert [m["id"] for m in body["data"]] == MODEL_IDS
    for m in body["data"]:
        assert set(m) == {"id", "object", "created", "owned_by"}
        assert m["object"] == "model" and m["owned_by"] == "parity" and isinstance(m["created"], int)


@pytest.mark.parametrize("model_id", MODEL_IDS)
def test_get_model(client, model_id):
    resp = client.get(f"/v1/models/{model_id}")
    assert resp.status_code == 200
    listed = {m["id"]: m for m in client.get("/v1/models").json()["data"]}
    assert resp.json() == listed[model_id]


def test_unknown_model_is_404(kind, client):
    assert_error(kind, client.get("/v1/models/gpt-99"), 404, "The model 'gpt-99' does not exist")


def test_chat_completion_schema(client):
    before = int(time.time())
    resp = client.post("/v1/chat/completions", json=chat())
    assert resp.status_code == 200, resp.text
    assert resp.headers["content-type"] == "application/json"
    body = resp.json()
    assert set(body) == {"id", "object", "created", "model", "system_fingerprint", "choices", "usage"}
    assert re.match(r"^chatcmpl-[0-9a-f]{24}$", body["id"])
    assert body["object"] == "chat.completion" and body["model"] == "parity-chat-mini"
    assert before - 1 <= body["created"] <= int(time.time()) + 1
    assert body["system_fingerprint"] is None
    [choice] = body["choices"]
    assert set(choice) == {"index", "message", "logprobs", "finish_reason"}
    assert choice["index"] == 0 and choice["logprobs"] is None and choice["finish_reason"] == "stop"
    assert choice["message"]["role"] == "assistant"
    content = choice["message"]["content"]
    assert content[0].isupper() and content.endswith(".")
    usage = body["usage"]
    assert usage["completion_tokens"] == len(content.split())
    assert usage["total_tokens"] == usage["prompt_tokens"] + usage["completion_tokens"]


def test_chat_is_deterministic_except_id_and_created(client):
    first = client.post("/v1/chat/completions", json=chat()).json()
    second = client.post("/v1/chat/completions", json=chat()).json()
    assert first["id"] != second["id"]
    assert first["choices"] == second["choices"] and first["usage"] == second["usage"]
    other = client.post("/v1/chat/completions", json=chat("Something else entirely")).json()
    assert other["choices"][0]["message"]["content"] != first["choices"][0]["message"]["content"]
    seeded = client.post("/v1/chat/completions", json=chat(seed=42)).json()
    assert seeded["choices"][0]["message"]["content"] != first["choices"][0]["message"]["content"]


def test_chat_n_and_max_tokens(client):
    body = client.post("/v1/chat/completions", json=chat(n=3, max_tokens=4)).json()
    assert [c["index"] for c in body["choices"]] == [0, 1, 2]
    for c in body["choices"]:
        assert c["finish_reason"] == "length"
        assert len(c["message"]["content"].split()) == 4 and not c["message"]["content"].endswith(".")
    assert body["usage"]["completion_tokens"] == 12
    assert len({c["message"]["content"] for c in body["choices"]}) > 1


def test_chat_rejects_a_model_of_another_kind(kind, client):
    resp = client.post("/v1/chat/completions", json={**chat(), "model": "parity-embed-small"})
    assert_error(kind, resp, 400, "The model 'parity-embed-small' does not support chat completions")
    resp = client.post("/v1/chat/completions", json={**chat(), "model": "nope"})
    assert_error(kind, resp, 404, "The model 'nope' does not exist")


def test_chat_stream_framing(client):
    plain = client.post("/v1/chat/completions", json=chat(n=2)).json()
    resp = client.post("/v1/chat/completions", json=chat(n=2, stream=True))
    assert resp.status_code == 200
    assert resp.headers["content-type"] == "text/event-stream; charset=utf-8"
    events = sse_events(resp.text)
    assert events[-1] == "[DONE]"
    chunks = [json.loads(e) for e in events[:-1]]
    assert len({c["id"] for c in chunks}) == 1 and chunks[0]["id"].startswith("chatcmpl-")
    assert len({c["created"] for c in chunks}) == 1
    contents = {0: "", 1: ""}
    finish = {}
    for c in chunks:
        assert set(c) == {"id", "object", "created", "model", "system_fingerprint", "choices"}
        assert c["object"] == "chat.completion.chunk" and c["model"] == "parity-chat-mini"
        [choice] = c["choices"]
        assert set(choice) == {"index", "delta", "logprobs", "finish_reason"}
        i = choice["index"]
        assert i not in finish, "no chunk after a choice's finish_reason"
        if choice["finish_reason"] is not None:
            assert choice["delta"] == {}
            finish[i] = choice["finish_reason"]
        contents[i] += choice["delta"].get("content", "")
    first_of_each = [c["choices"][0]["delta"] for c in chunks if c["choices"][0]["delta"].get("role")]
    assert first_of_each == [{"role": "assistant", "content": ""}] * 2
    for i, choice in enumerate(plain["choices"]):
        assert contents[i] == choice["message"]["content"]
        assert finish[i] == choice["finish_reason"]


def test_chat_stream_is_never_compressed(client):
    # A compressed event stream would reach the client in one piece at the end (cpp-httplib's compressor).
    with client.stream("POST", "/v1/chat/completions", json=chat(stream=True),
                       headers={"accept-encoding": "gzip, br"}) as resp:
        assert resp.headers.get("content-encoding") is None
        raw = b"".join(resp.iter_raw())
    assert raw.endswith(b"data: [DONE]\n\n")


def test_embeddings(client):
    resp = client.post("/v1/embeddings", json={"model": "parity-embed-small", "input": ["hello", "world"]})
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert set(body) == {"object", "data", "model", "usage"}
    assert body["object"] == "list" and body["model"] == "parity-embed-small"
    assert [d["index"] for d in body["data"]] == [0, 1]
    for d in body["data"]:
        assert d["object"] == "embedding" and len(d["embedding"]) == 16
        assert all(isinstance(v, float) and -1 <= v <= 1 and round(v, 6) == v for v in d["embedding"])
    assert body["data"][0]["embedding"] != body["data"][1]["embedding"]
    assert body["usage"] == {"prompt_tokens": 4, "total_tokens": 4}
    single = client.post("/v1/embeddings", json={"model": "parity-embed-small", "input": "hello"}).json()
    assert single["data"][0]["embedding"] == body["data"][0]["embedding"]


def test_embeddings_base64(client):
    floats = client.post("/v1/embeddings", json={"model": "parity-embed-small", "input": "hello"}).json()
    resp = client.post("/v1/embeddings",
                       json={"model": "parity-embed-small", "input": "hello", "encoding_format": "base64"})
    assert resp.status_code == 200
    raw = base64.b64decode(resp.json()["data"][0]["embedding"])
    decoded = struct.unpack(f"<{len(raw) // 4}f", raw)
    expected = floats["data"][0]["embedding"]
    assert len(decoded) == len(expected)
    assert all(abs(a - b) < 1e-6 for a, b in zip(decoded, expected))


def test_moderations(client):
    resp = client.post("/v1/moderations", json={"input": ["I will attack the castle", "What a lovely day"]})
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body["id"].startswith("modr-") and body["model"] == "parity-moderation-1"
    flagged, calm = body["results"]
    categories = {"harassment", "hate", "self-harm", "sexual", "violence"}
    for r in (flagged, calm):
        assert set(r) == {"flagged", "categories", "category_scores"}
        assert set(r["categories"]) == categories == set(r["category_scores"])
        assert all(isinstance(s, float) and 0 <= s <= 1 for s in r["category_scores"].values())
    assert flagged["flagged"] and flagged["categories"]["violence"]
    assert flagged["category_scores"]["violence"] >= 0.9
    assert not calm["flagged"] and not any(calm["categories"].values())
    assert all(s < 0.01 for s in calm["category_scores"].values())


def test_file_round_trip(kind, client):
    content = b"line one\nline two\n\x00\xff binary tail"
    resp = client.post("/v1/files", files={"file": ("train.jsonl", content, "application/jsonl")},
                       data={"purpose": "fine-tune"})
    assert resp.status_code == 200, resp.text
    created = resp.json()
    assert set(created) == {"id", "object", "bytes", "created_at", "filename", "purpose", "status", "status_details"}
    assert re.match(r"^file-[0-9a-f]{24}$", created["id"])
    assert created["object"] == "file" and created["bytes"] == len(content)
    assert created["filename"] == "train.jsonl" and created["purpose"] == "fine-tune"
    assert created["status"] == "processed" and created["status_details"] is None
    file_id = created["id"]

    assert client.get(f"/v1/files/{file_id}").json() == created
    listed = client.get("/v1/files").json()
    assert listed["object"] == "list" and created in listed["data"]
    assert created in client.get("/v1/files", params={"purpose": "fine-tune"}).json()["data"]
    assert created not in client.get("/v1/files", params={"purpose": "batch"}).json()["data"]
    got = client.get(f"/v1/files/{file_id}/content")
    assert got.status_code == 200 and got.content == content
    assert got.headers["content-type"] == "application/octet-stream"

    deleted = client.delete(f"/v1/files/{file_id}")
    assert deleted.status_code == 200
    assert deleted.json() == {"id": file_id, "object": "file", "deleted": True}
    missing = f"No such File object: {file_id}"
    assert_error(kind, client.get(f"/v1/files/{file_id}"), 404, missing)
    assert_error(kind, client.delete(f"/v1/files/{file_id}"), 404, missing)
    assert_error(kind, client.get(f"/v1/files/{file_id}/content"), 404, missing)
    assert created not in client.get("/v1/files").json()["data"]


def test_files_are_listed_in_upload_order(client):
    ids = [client.post("/v1/files", files={"file": (f"f{i}.txt", b"x")}, data={"purpose": "batch"}).json()["id"]
           for i in range(3)]
    listed = [f["id"] for f in client.get("/v1/files", params={"purpose": "batch"}).json()["data"]]
    assert [i for i in listed if i in ids] == ids


CHAT_VALIDATION = [
    ({"messages": [{"role": "user", "content": "hi"}]}, "model"),
    ({"model": None, "messages": [{"role": "user", "content": "hi"}]}, "model"),
    ({"model": 7, "messages": [{"role": "user", "content": "hi"}]}, "model"),
    ({"model": "parity-chat-mini"}, "messages"),
    (chat() | {"messages": []}, "messages"),
    (chat() | {"messages": "hi"}, "messages"),
    (chat() | {"messages": [{"role": "robot", "content": "hi"}]}, "messages.0.role"),
    (chat() | {"messages": [{"content": "hi"}]}, "messages.0.role"),
    (chat() | {"messages": [{"role": "user", "content": 42}]}, "messages.0.content"),
    (chat() | {"messages": [{"role": "user"}]}, "messages.0.content"),
    (chat() | {"messages": [{"role": "user", "content": "a", "name": 1}]}, "messages.0.name"),
    (chat(temperature="0.5"), "temperature"),
    (chat(temperature=True), "temperature"),
    (chat(temperature=2.5), "temperature"),
    (chat(top_p=-0.1), "top_p"),
    (chat(n=0), "n"),
    (chat(n=9), "n"),
    (chat(n=2.0), "n"),
    (chat(n=None), "n"),
    (chat(max_tokens=0), "max_tokens"),
    (chat(max_tokens=True), "max_tokens"),
    (chat(stream="yes"), "stream"),
    (chat(stream=1), "stream"),
    (chat(seed="1"), "seed"),
    (chat(seed=2**63), "seed"),
    (chat(user=5), "user"),
]


@pytest.mark.parametrize("body,field", CHAT_VALIDATION, ids=[f for _, f in CHAT_VALIDATION])
def test_chat_validation_errors(kind, client, body, field):
    assert_validation_error(kind, client.post("/v1/chat/completions", json=body), field)


def test_chat_accepts_bounds_and_ignores_unknown_fields(client):
    body = chat(temperature=0, top_p=1, n=8, max_tokens=4096, seed=-(2**63), user="u", stream=False,
                logit_bias={"1": 2}, tools=[])
    resp = client.post("/v1/chat/completions", json=body)
    assert resp.status_code == 200, resp.text
    assert len(resp.json()["choices"]) == 8


OTHER_VALIDATION = [
    ("/v1/embeddings", {"input": "x"}, "model"),
    ("/v1/embeddings", {"model": "parity-embed-small"}, "input"),
    ("/v1/embeddings", {"model": "parity-embed-small", "input": 5}, "input"),
    ("/v1/embeddings", {"model": "parity-embed-small", "input": []}, "input"),
    ("/v1/embeddings", {"model": "parity-embed-small", "input": ["a", 1]}, "input.1"),
    ("/v1/embeddings", {"model": "parity-embed-small", "input": ["a"] * 257}, "input"),
    ("/v1/embeddings", {"model": "parity-embed-small", "input": "a", "encoding_format": "hex"}, "encoding_format"),
    ("/v1/moderations", {}, "input"),
    ("/v1/moderations", {"input": None}, "input"),
    ("/v1/moderations", {"input": [1]}, "input.0"),
    ("/v1/moderations", {"input": "x", "model": 3}, "model"),
]


@pytest.mark.parametrize("path,body,field", OTHER_VALIDATION, ids=[f"{p}:{f}" for p, _, f in OTHER_VALIDATION])
def test_embedding_and_moderation_validation_errors(kind, client, path, body, field):
    assert_validation_error(kind, client.post(path, json=body), field)


BAD_BODIES = [
    ("malformed-json", b'{"model": ', "application/json"),
    ("array", b"[]", "application/json"),
    ("string", b'"hi"', "application/json"),
    ("empty", b"", "application/json"),
    ("not-json-content-type", json.dumps(chat()).encode(), "text/plain"),
    # Python parses 1e400 as inf (then out of range); nlohmann/json throws out_of_range, not parse_error.
    ("number-overflow", json.dumps(chat())[:-1].encode() + b', "temperature": 1e400}', "application/json"),
]


@pytest.mark.parametrize("name,raw,content_type", BAD_BODIES, ids=[b[0] for b in BAD_BODIES])
def test_bad_bodies(kind, client, name, raw, content_type):
    resp = client.post("/v1/chat/completions", content=raw, headers={"content-type": content_type})
    assert_validation_error(kind, resp)


def test_json_subtype_content_type_is_accepted(client):
    resp = client.post("/v1/chat/completions", content=json.dumps(chat()).encode(),
                       headers={"content-type": "application/vnd.api+json; charset=utf-8"})
    assert resp.status_code == 200, resp.text


@pytest.mark.parametrize("files,data,field", [
    ({"file": ("a.txt", b"x")}, {}, "purpose"),
    ({"file": ("a.txt", b"x")}, {"purpose": "training"}, "purpose"),
    (None, {"purpose": "batch"}, "file"),
], ids=["no-purpose", "bad-purpose", "no-file"])
def test_file_upload_validation(kind, client, files, data, field):
    if files is None:  # still multipart, with only the purpose field
        resp = client.post("/v1/files", files={"purpose": (None, b"batch")})
    else:
        resp = client.post("/v1/files", files=files, data=data)
    assert_validation_error(kind, resp, field)


def test_unknown_path_is_404(kind, client):
    assert_error(kind, client.get("/nope"), 404, "Not Found")
    assert_error(kind, client.get("/v1/nope"), 404, "Not Found")
    assert_error(kind, client.post("/v1/files/a/b/c"), 404, "Not Found")


@pytest.mark.parametrize("method,path,allow", [
    ("DELETE", "/v1/models", "GET"),
    ("POST", "/v1/models/parity-chat-mini", "GET"),
    ("GET", "/v1/chat/completions", "POST"),
    ("PUT", "/v1/files", "POST"),
    ("PATCH", "/v1/files/file-1", "GET"),
    ("POST", "/health", "GET"),
])
def test_wrong_method_is_405(kind, client, method, path, allow):
    resp = client.request(method, path)
    assert_error(kind, resp, 405, "Method Not Allowed")
    assert resp.headers["allow"] == allow


@pytest.mark.parametrize("method,path,target", [
    ("GET", "/v1/models/", "/v1/models"),
    ("GET", "/v1/models/parity-chat-mini/", "/v1/models/parity-chat-mini"),
    ("POST", "/v1/chat/completions/", "/v1/chat/completions"),
    ("GET", "/health/?x=1", "/health?x=1"),
])
def test_trailing_slash_redirects_like_fastapi(service, client, method, path, target):
    resp = client.request(method, path)
    assert resp.status_code == 307
    assert resp.headers["location"] == f"http://127.0.0.1:{service.port}{target}"
    assert resp.content == b""


@pytest.mark.parametrize("path", ["/v1/models", "/health"])
def test_head_is_405_like_fastapi(client, path):
    # FastAPI's routes answer only their declared methods: HEAD on a GET route is 405.
    resp = client.head(path)
    assert resp.status_code == 405 and resp.content == b""
    assert resp.headers["allow"] == "GET"


# --- Both services side by side -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def both():
    with start("legacy") as legacy, start("candidate") as candidate:
        with httpx.Client(base_url=legacy.url, timeout=10) as lc, httpx.Client(base_url=candidate.url,
                                                                                 timeout=10) as cc:
            yield lc, cc


SAME_ANSWER = [
    ("health", "GET", "/health", None),
    ("models", "GET", "/v1/models", None),
    ("model", "GET", "/v1/models/parity-moderation-1", None),
    ("chat", "POST", "/v1/chat/completions", chat()),
    ("chat-conversation", "POST", "/v1/chat/completions", {
        "model": "parity-chat-large",
        "messages": [{"role": "system", "content": "You are terse."},
                     {"role": "user", "content": "Name a river.", "name": "ann"},
                     {"role": "assistant", "content": "Nile."},
                     {"role": "user", "content": "Another one?"}]}),
    ("chat-n-seed-max", "POST", "/v1/chat/completions", chat(n=3, seed=-12345, max_tokens=7, temperature=0.2)),
    ("chat-big-seed", "POST", "/v1/chat/completions", chat(seed=2**63 - 1)),
    ("chat-unicode", "POST", "/v1/chat/completions", chat("héllo wörld 世界 🚀 \u0000 \"quoted\"")),
    ("embedding", "POST", "/v1/embeddings", {"model": "parity-embed-small", "input": "The quick brown fox"}),
    ("embedding-list", "POST", "/v1/embeddings",
     {"model": "parity-embed-small", "input": ["a", "", "ünïcödé", "x" * 5000]}),
    ("embedding-base64", "POST", "/v1/embeddings",
     {"model": "parity-embed-small", "input": ["a", "b"], "encoding_format": "base64"}),
    ("moderation", "POST", "/v1/moderations", {"input": "I HATE this, you idiot; it's NSFW"}),
    ("moderation-list", "POST", "/v1/moderations",
     {"input": ["self-harm", "a bomb", "Ünïcode KILL", "calm"], "model": "parity-moderation-1"}),
    ("moderation-model-kind", "POST", "/v1/moderations", {"input": "x", "model": "parity-chat-mini"}),
    ("unknown-model", "GET", "/v1/models/nope", None),
    ("chat-unknown-model", "POST", "/v1/chat/completions", {**chat(), "model": "nope"}),
    ("embedding-wrong-kind", "POST", "/v1/embeddings", {"model": "parity-chat-mini", "input": "x"}),
    ("no-route", "GET", "/v2/models", None),
    ("wrong-method", "DELETE", "/v1/embeddings", None),
    ("validation", "POST", "/v1/chat/completions", chat(n=0)),
]


def as_comparable(resp: httpx.Response):
    """(status, body) with the intended differences mapped away: varying fields dropped, the legacy error
    format turned into the new one (422 -> 400; the message of a validation error is not compared)."""
    body = resp.json()
    if resp.status_code == 422:
        return 400, "validation error"
    if isinstance(body, dict) and set(body) == {"detail"}:
        return resp.status_code, body["detail"]
    if isinstance(body, dict) and set(body) == {"error"}:
        return resp.status_code, "validation error" if resp.status_code == 400 and ": " in body["error"][
            "message"] else body["error"]["message"]
    return resp.status_code, without_varying(body)


@pytest.mark.parametrize("name,method,path,body", SAME_ANSWER, ids=[c[0] for c in SAME_ANSWER])
def test_same_answer_from_both(both, name, method, path, body):
    legacy, candidate = both
    lr = legacy.request(method, path, json=body)
    cr = candidate.request(method, path, json=body)
    assert lr.headers["content-type"] == cr.headers["content-type"]
    assert as_comparable(lr) == as_comparable(cr)


def test_same_stream_from_both(both):
    legacy, candidate = both
    body = chat("Stream this, please", n=2, max_tokens=9, stream=True)
    lr, cr = legacy.post("/v1/chat/completions", json=body), candidate.post("/v1/chat/completions", json=body)
    assert lr.headers["content-type"] == cr.headers["content-type"] == "text/event-stream; charset=utf-8"
    levents, cevents = sse_events(lr.text), sse_events(cr.text)
    assert len(levents) == len(cevents)
    assert levents[-1] == cevents[-1] == "[DONE]"
    assert [without_varying(json.loads(e)) for e in levents[:-1]] == \
           [without_varying(json.loads(e)) for e in cevents[:-1]]


def test_same_embedding_floats_bit_for_bit(both):
    legacy, candidate = both
    body = {"model": "parity-embed-small", "input": [f"text number {i}" for i in range(50)]}
    lv = legacy.post("/v1/embeddings", json=body).json()["data"]
    cv = candidate.post("/v1/embeddings", json=body).json()["data"]
    assert [d["embedding"] for d in lv] == [d["embedding"] for d in cv]
    assert [struct.pack("<d", v) for d in lv for v in d["embedding"]] == \
           [struct.pack("<d", v) for d in cv for v in d["embedding"]]


def test_same_file_objects_from_both(both):
    legacy, candidate = both
    upload = {"files": {"file": ("data.csv", b"a,b\n1,2\n", "text/csv")}, "data": {"purpose": "assistants"}}
    lf, cf = legacy.post("/v1/files", **upload), candidate.post("/v1/files", **upload)
    assert lf.status_code == cf.status_code == 200
    assert without_varying(lf.json()) == without_varying(cf.json())
    assert lf.json()["id"] != cf.json()["id"]
    for client, f in ((legacy, lf.json()), (candidate, cf.json())):
        assert client.delete(f"/v1/files/{f['id']}").status_code == 200


# --- The request mix shipped for demos and benchmarks (fixtures/requests/) -----------------------------------

MIX_PATH = REPO_ROOT / "fixtures" / "requests" / "openai-mix.jsonl"
MIX = [json.loads(line) for line in MIX_PATH.read_text().splitlines() if line.strip()]


def test_request_mix_format():
    names = [r["name"] for r in MIX]
    assert len(names) == len(set(names))
    for r in MIX:
        assert set(r) <= {"name", "method", "path", "headers", "body", "weight"}, r
        assert r["method"] in {"GET", "POST", "DELETE"} and r["path"].startswith("/")
        assert isinstance(r["weight"], int) and r["weight"] >= 1
        assert ("body" in r) == (r["method"] == "POST")


@pytest.mark.parametrize("entry", MIX, ids=[r["name"] for r in MIX])
def test_request_mix_gets_the_same_answer_from_both(both, entry):
    legacy, candidate = both
    kwargs = {"headers": entry.get("headers", {})}
    if "body" in entry:
        kwargs["content"] = json.dumps(entry["body"]).encode()
    lr = legacy.request(entry["method"], entry["path"], **kwargs)
    cr = candidate.request(entry["method"], entry["path"], **kwargs)
    assert lr.headers["content-type"] == cr.headers["content-type"]
    if lr.headers["content-type"].startswith("text/event-stream"):
        assert lr.status_code == cr.status_code == 200
        assert [e if e == "[DONE]" else without_varying(json.loads(e)) for e in sse_events(lr.text)] == \
               [e if e == "[DONE]" else without_varying(json.loads(e)) for e in sse_events(cr.text)]
    else:
        assert as_comparable(lr) == as_comparable(cr)

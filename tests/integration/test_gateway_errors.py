"""The gateway's own answers: errors in one JSON format, /health and /metrics."""
from __future__ import annotations

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from gateway_harness import gateway_config
from services import free_port


def assert_error_format(response: httpx.Response, status: int, error_type: str) -> None:
    assert response.status_code == status
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert set(body) == {"error"}
    assert body["error"]["type"] == error_type
    assert body["error"]["message"]
    assert body["error"]["request_id"] == response.headers["x-request-id"]


def test_no_route_is_404_in_the_error_format(gateways, echo_backend, pki, tmp_path):
    config = gateway_config(echo_backend.url, echo_backend.url, pki, tmp_path,
                            routes=[{"prefix": "/v1/"}, {"path": "/items/{id}", "methods": ["GET"]}])
    gw = gateways(config)
    with httpx.Client(base_url=gw.url, verify=str(pki.ca_cert)) as c:
        assert_error_format(c.get("/v2/models"), 404, "no_route")
        assert_error_format(c.post("/items/7"), 404, "no_route")
        assert c.get("/items/7").json()["target"] == "/items/7"
        assert c.get("/v1/anything?x=1").json()["target"] == "/v1/anything?x=1"


def test_prefix_strip_and_rewrite(gateways, echo_backend, pki, tmp_path):
    config = gateway_config(echo_backend.url, echo_backend.url, pki, tmp_path,
                            routes=[{"prefix": "/api/", "strip_prefix": True},
                                    {"prefix": "/old/", "rewrite": "/new/"}])
    gw = gateways(config)
    with httpx.Client(base_url=gw.url, verify=str(pki.ca_cert)) as c:
        assert c.get("/api/users/7?q=1").json()["target"] == "/users/7?q=1"
        assert c.get("/old/x").json()["target"] == "/new/x"


def test_body_over_the_limit_is_413(gateways, echo_backend, pki, tmp_path):
    config = gateway_config(echo_backend.url, echo_backend.url, pki, tmp_path, limits={"max_body_bytes": 1024})
    gw = gateways(config)
    with httpx.Client(base_url=gw.url, verify=str(pki.ca_cert)) as c:
        assert c.post("/echo", content=b"x" * 1024).status_code == 200
        assert_error_format(c.post("/echo", content=b"x" * 1025), 413, "body_too_large")
    # Chunked uploads are counted as they arrive.
    with httpx.Client(base_url=gw.url, verify=str(pki.ca_cert)) as c:
        assert_error_format(c.post("/echo", content=iter([b"y" * 600, b"y" * 600])), 413, "body_too_large")


def test_oversized_headers_are_431(gateways, echo_backend, pki, tmp_path):
    config = gateway_config(echo_backend.url, echo_backend.url, pki, tmp_path, limits={"max_header_bytes": 2048})
    gw = gateways(config)
    with httpx.Client(base_url=gw.url, verify=str(pki.ca_cert)) as c:
        assert_error_format(c.get("/echo", headers={"X-Big": "z" * 4096}), 431, "header_too_large")


def test_unreachable_backend_is_502(gateways, echo_backend, pki, tmp_path):
    dead = f"http://127.0.0.1:{free_port()}"
    gw = gateways(gateway_config(dead, echo_backend.url, pki, tmp_path))
    with httpx.Client(base_url=gw.url, verify=str(pki.ca_cert)) as c:
        assert_error_format(c.get("/echo"), 502, "upstream_failed")


def test_slow_backend_is_504(gateways, echo_backend, pki, tmp_path):
    config = gateway_config(echo_backend.url, echo_backend.url, pki, tmp_path)
    config["backends"]["legacy"]["timeout_ms"] = 300
    gw = gateways(config)
    with httpx.Client(base_url=gw.url, verify=str(pki.ca_cert), timeout=10) as c:
        assert_error_format(c.get("/slow?ms=2000"), 504, "upstream_timeout")
        assert c.get("/slow?ms=10").status_code == 200


def test_malformed_request_is_400(gateway, pki):
    import socket
    import ssl
    ctx = ssl.create_default_context(cafile=str(pki.ca_cert))
    with socket.create_connection(("127.0.0.1", gateway.port)) as raw:
        with ctx.wrap_socket(raw, server_hostname="localhost") as s:
            s.sendall(b"GET /echo HTTP/1.1\r\nHost: x\r\nBad Header Line\r\n\r\n")
            reply = s.recv(4096).decode()
    assert reply.startswith("HTTP/1.1 400")
    assert '"type":"bad_request"' in reply


def test_health_reports_each_backend(gateways, echo_backend, pki, tmp_path):
    dead = f"http://127.0.0.1:{free_port()}"
    gw = gateways(gateway_config(echo_backend.url, dead, pki, tmp_path))
    health = httpx.get(gw.url + "/health", verify=str(pki.ca_cert)).json()
    assert health["status"] == "ok"
    assert health["serve"] == "legacy"
    assert health["backends"]["legacy"]["status"] == "up"
    assert health["backends"]["candidate"]["status"] == "down"
    assert "connect" in health["backends"]["candidate"]["error"]


def test_health_is_503_when_the_served_backend_is_down(gateways, echo_backend, pki, tmp_path):
    dead = f"http://127.0.0.1:{free_port()}"
    gw = gateways(gateway_config(dead, echo_backend.url, pki, tmp_path))
    r = httpx.get(gw.url + "/health", verify=str(pki.ca_cert))
    assert r.status_code == 503
    assert r.json()["status"] == "degraded"


def test_metrics_are_valid_prometheus_text(gateway, pki):
    with httpx.Client(base_url=gateway.url, verify=str(pki.ca_cert)) as c:
        for _ in range(3):
            c.get("/echo")
        c.get("/status/500")
        text = c.get("/metrics").text
    families = {f.name: f for f in text_string_to_metric_families(text)}
    requests = families["parity_requests"]
    ok = [s for s in requests.samples if s.labels.get("status") == "200" and s.labels.get("backend") == "legacy"]
    assert ok and ok[0].value >= 3
    assert any(s.labels.get("status") == "500" for s in requests.samples)
    latency = families["parity_request_duration_ms"]
    assert latency.type == "histogram"
    counts = [s for s in latency.samples if s.name.endswith("_count") and s.labels["backend"] == "legacy"]
    assert counts and counts[0].value >= 4


@pytest.mark.parametrize("path", ["/health", "/metrics"])
def test_own_endpoints_carry_a_request_id(gateway, pki, path):
    r = httpx.get(gateway.url + path, verify=str(pki.ca_cert))
    assert len(r.headers["x-request-id"]) == 32

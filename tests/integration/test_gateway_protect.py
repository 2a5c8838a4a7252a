"""The gateway's protections against the real binary: header count and size (431), slow-loris and idle
timeouts, max connections, token-bucket rate limits (429 + Retry-After), API keys, JWT bearer tokens
(HS256, RS256), CORS, mTLS, certificate reload on SIGHUP, and that no credential reaches a log."""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import signal
import socket
import ssl
import subprocess
import time
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from gateway_harness import gateway_config
from pki import make_test_pki
from test_gateway_errors import assert_error_format

JWT_SECRET = "s3cret-for-tests-only-0123456789abcdef"


def rejected(gw, pki, reason: str) -> float:
    text = httpx.get(gw.url + "/metrics", verify=str(pki.ca_cert)).text
    for family in text_string_to_metric_families(text):
        if family.name == "parity_rejected":
            for sample in family.samples:
                if sample.labels.get("reason") == reason:
                    return sample.value
    return 0.0


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def hs256_token(claims: dict, secret: str = JWT_SECRET) -> str:
    signing_input = b64url(json.dumps({"alg": "HS256", "typ": "JWT"}).encode()) + "." + \
        b64url(json.dumps(claims).encode())
    mac = hmac.new(secret.encode(), signing_input.encode(), hashlib.sha256).digest()
    return signing_input + "." + b64url(mac)


def rs256_token(claims: dict, private_key: Path, workdir: Path) -> str:
    signing_input = b64url(json.dumps({"alg": "RS256", "typ": "JWT"}).encode()) + "." + \
        b64url(json.dumps(claims).encode())
    data = workdir / "jwt-input"
    data.write_bytes(signing_input.encode())
    signature = subprocess.run(["openssl", "dgst", "-sha256", "-sign", str(private_key), str(data)],
                               check=True, capture_output=True).stdout
    return signing_input + "." + b64url(signature)


def tls_socket(gw, pki, cert=None):
    ctx = ssl.create_default_context(cafile=str(pki.ca_cert))
    if cert:
        ctx.load_cert_chain(*map(str, cert))
    raw = socket.create_connection(("127.0.0.1", gw.port), timeout=10)
    return ctx.wrap_socket(raw, server_hostname="localhost")


def get_on(sock, path="/echo") -> bytes:
    sock.sendall(f"GET {path} HTTP/1.1\r\nHost: localhost\r\n\r\n".encode())
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            break
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    while len(body) < length:
        chunk = sock.recv(65536)
        if not chunk:
            break
        body += chunk
    return head


def closed_by_server(sock, timeout: float) -> bool:
    """True when the server closes the connection (EOF or reset) before `timeout` seconds."""
    sock.settimeout(timeout)
    try:
        return sock.recv(1) == b""
    except (ConnectionResetError, ssl.SSLError, BrokenPipeError):
        return True
    except socket.timeout:
        return False


# --- limits -------------------------------------------------------------------------------------------

def test_too_many_header_fields_are_431(gateways, echo_backend, pki, tmp_path):
    gw = gateways(gateway_config(echo_backend.url, echo_backend.url, pki, tmp_path, limits={"max_header_count": 20}))
    with httpx.Client(base_url=gw.url, verify=str(pki.ca_cert)) as c:
        assert c.get("/echo", headers={f"X-H{i}": "v" for i in range(10)}).status_code == 200
        assert_error_format(c.get("/echo", headers={f"X-H{i}": "v" for i in range(30)}), 431, "too_many_headers")
    assert rejected(gw, pki, "too_many_headers") == 1


def test_slow_loris_is_cut_while_others_are_served_and_idle_keepalive_survives(gateways, echo_backend, pki, tmp_path):
    limits = {"request_timeout_ms": 1000, "idle_timeout_ms": 20000}
    gw = gateways(gateway_config(echo_backend.url, echo_backend.url, pki, tmp_path, limits=limits))
    idle = tls_socket(gw, pki)
    assert b" 200 " in get_on(idle)
    loris = tls_socket(gw, pki)
    loris.sendall(b"GET /echo HTTP/1.1\r\nHost: localhost\r\n")
    served = []
    cut = False
    with httpx.Client(base_url=gw.url, verify=str(pki.ca_cert)) as c:
        # One header byte every 200 ms: never complete, never silent long enough for an idle timeout.
        for _ in range(40):
            try:
                loris.sendall(b"X")
            except OSError:
                cut = True
                break
            served.append(c.get("/echo").status_code)
            time.sleep(0.2)
        if not cut:
            cut = closed_by_server(loris, 5)
    assert cut, "a client trickling its request head was not cut by limits.request_timeout_ms"
    assert served and set(served) == {200}
    # The idle keep-alive connection (no request started) outlived the request timeout.
    assert b" 200 " in get_on(idle)
    idle.close()
    assert rejected(gw, pki, "request_timeout") >= 1


def test_max_connections_refuses_extra_clients_and_recovers(gateways, echo_backend, pki, tmp_path):
    gw = gateways(gateway_config(echo_backend.url, echo_backend.url, pki, tmp_path, limits={"max_connections": 3}))
    held = [tls_socket(gw, pki) for _ in range(3)]
    for s in held:
        assert b" 200 " in get_on(s)
    with pytest.raises((ssl.SSLError, ConnectionError, OSError)):
        extra = tls_socket(gw, pki)
        get_on(extra)
        if closed_by_server(extra, 5):
            raise ConnectionError("closed")
    for s in held:
        s.close()
    deadline = time.monotonic() + 10
    while True:  # the held connections' slots are released as the gateway sees them close
        try:
            assert httpx.get(gw.url + "/echo", verify=str(pki.ca_cert)).status_code == 200
            break
        except (httpx.TransportError, AssertionError):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)
    assert rejected(gw, pki, "max_connections") >= 1
    assert "rejected (max_connections)" in gw.log()


# --- rate limits --------------------------------------------------------------------------------------

def test_rate_limit_per_client_and_per_route_is_429_with_retry_after(gateways, echo_backend, pki, tmp_path):
    config = gateway_config(echo_backend.url, echo_backend.url, pki, tmp_path,
                            routes=[{"prefix": "/tight/"}, {"prefix": "/"}],
                            rate_limit={"requests_per_second": 0.2, "burst": 5,
                                        "routes": [{"route": "/tight/", "requests_per_second": 0.1, "burst": 2}]})
    gw = gateways(config)
    with httpx.Client(base_url=gw.url, verify=str(pki.ca_cert)) as c:
        assert [c.get("/tight/x").status_code for _ in range(2)] == [200, 200]
        limited = c.get("/tight/x")
        assert_error_format(limited, 429, "rate_limited")
        assert int(limited.headers["retry-after"]) >= 1
        # The global bucket (burst 5) still has room for other routes: 2 used, 1 denied by the route's.
        statuses = [c.get("/echo").status_code for _ in range(5)]
        assert statuses.count(200) == 3 and statuses[-1] == 429
        assert c.get("/health").status_code == 200  # health checks are never limited
    assert rejected(gw, pki, "rate_limited") == 3
    assert "rejected (rate_limited) from 127.0.0.1" in gw.log()


def test_rate_limit_by_api_key_gives_each_key_its_bucket(gateways, echo_backend, pki, tmp_path):
    config = gateway_config(echo_backend.url, echo_backend.url, pki, tmp_path,
                            auth={"api_keys": {"header": "X-API-Key", "values_env": "GW_KEYS"}},
                            rate_limit={"requests_per_second": 0.1, "burst": 2, "key": "api_key"})
    gw = gateways(config, env={"GW_KEYS": "key-a,key-b"})
    with httpx.Client(base_url=gw.url, verify=str(pki.ca_cert)) as c:
        a = [c.get("/echo", headers={"X-API-Key": "key-a"}).status_code for _ in range(3)]
        b = [c.get("/echo", headers={"X-API-Key": "key-b"}).status_code for _ in range(3)]
    assert a == [200, 200, 429] and b == [200, 200, 429]


def test_behind_a_trusted_proxy_each_forwarded_client_has_its_bucket(gateways, echo_backend, pki, tmp_path):
    # The test client stands in for a load balancer on 127.0.0.1 (docs/deploy.md puts nginx in front).
    config = gateway_config(echo_backend.url, echo_backend.url, pki, tmp_path,
                            rate_limit={"requests_per_second": 0.1, "burst": 2},
                            trusted_proxies=["127.0.0.1", "::1"])
    gw = gateways(config)
    with httpx.Client(base_url=gw.url, verify=str(pki.ca_cert)) as c:
        def statuses(xff):
            return [c.get("/echo", headers={"X-Forwarded-For": xff}).status_code for _ in range(3)]
        assert statuses("203.0.113.1") == [200, 200, 429]
        # What the client wrote itself (leftmost) is not believed: the proxy's own entry (rightmost) is.
        assert statuses("198.51.100.1, 203.0.113.2") == [200, 200, 429]
        assert statuses("198.51.100.2, 203.0.113.2") == [429, 429, 429]
        echoed = c.get("/echo", headers={"X-Forwarded-For": "203.0.113.3"}).json()
    # The backend gets the chain with the proxy appended, as always.
    assert [v for k, v in echoed["headers"] if k.lower() == "x-forwarded-for"] == ["203.0.113.3, 127.0.0.1"]
    assert rejected(gw, pki, "rate_limited") == 5
    assert gw.stop() == 0  # the access line is written after the response: stopping flushes the last one
    log = gw.log()
    access = [json.loads(line) for line in log.splitlines() if line.startswith("{")]
    assert {"203.0.113.1", "203.0.113.2", "203.0.113.3"} <= {line["client"] for line in access}
    assert all(line["peer"] == "127.0.0.1" for line in access if line["client"] != "127.0.0.1")
    assert "rejected (rate_limited) from 203.0.113.1" in log


def test_x_forwarded_for_from_an_untrusted_peer_is_not_believed(gateways, echo_backend, pki, tmp_path):
    config = gateway_config(echo_backend.url, echo_backend.url, pki, tmp_path,
                            rate_limit={"requests_per_second": 0.1, "burst": 2},
                            trusted_proxies=["10.0.0.0/8"])   # not the test client's 127.0.0.1
    gw = gateways(config)
    with httpx.Client(base_url=gw.url, verify=str(pki.ca_cert)) as c:
        got = [c.get("/echo", headers={"X-Forwarded-For": f"203.0.113.{i}"}).status_code for i in range(3)]
    assert got == [200, 200, 429]   # one bucket: the peer's
    assert gw.stop() == 0
    access = [json.loads(line) for line in gw.log().splitlines() if line.startswith("{")]
    assert access and all(line["client"] == "127.0.0.1" and "peer" not in line for line in access)


# --- access -------------------------------------------------------------------------------------------

def test_api_keys_from_file_constant_time_and_never_logged(gateways, echo_backend, pki, tmp_path):
    keys = tmp_path / "keys.txt"
    keys.write_text("# gateway keys\nfile-key-1\nfile-key-2\n")
    config = gateway_config(echo_backend.url, echo_backend.url, pki, tmp_path,
                            auth={"api_keys": {"header": "X-Key", "values_file": str(keys)}})
    gw = gateways(config)
    with httpx.Client(base_url=gw.url, verify=str(pki.ca_cert)) as c:
        assert_error_format(c.get("/echo"), 401, "unauthorized")
        wrong = c.get("/echo", headers={"X-Key": "file-key-WRONG"})
        assert_error_format(wrong, 401, "unauthorized")
        assert "file-key" not in wrong.text
        ok = c.get("/echo", headers={"X-Key": "file-key-2"})
        assert ok.status_code == 200
        assert c.get("/health").status_code == 200
    log = gw.log()
    assert "file-key" not in log
    assert "rejected (unauthorized)" in log
    assert rejected(gw, pki, "unauthorized") == 2


def test_jwt_hs256_exp_nbf_aud(gateways, echo_backend, pki, tmp_path):
    config = gateway_config(echo_backend.url, echo_backend.url, pki, tmp_path,
                            auth={"jwt": {"hs256_secret_env": "GW_JWT_SECRET", "audience": "parity",
                                          "leeway_s": 0}})
    gw = gateways(config, env={"GW_JWT_SECRET": JWT_SECRET})
    now = int(time.time())
    good = hs256_token({"sub": "u1", "aud": "parity", "exp": now + 300})
    with httpx.Client(base_url=gw.url, verify=str(pki.ca_cert)) as c:
        def call(token):
            return c.get("/echo", headers={"Authorization": f"Bearer {token}"})
        ok = call(good)
        assert ok.status_code == 200
        # The token is forwarded to the backend untouched (the backend may want the claims).
        assert any(k.lower() == "authorization" and v == f"Bearer {good}" for k, v in ok.json()["headers"])
        missing = c.get("/echo")
        assert_error_format(missing, 401, "unauthorized")
        assert missing.headers["www-authenticate"] == "Bearer"
        for token, why in [(hs256_token({"aud": "parity", "exp": now - 60}), "expired"),
                           (hs256_token({"aud": "parity", "exp": now + 300, "nbf": now + 120}), "not valid yet"),
                           (hs256_token({"aud": "other", "exp": now + 300}), "audience"),
                           (hs256_token({"aud": "parity", "exp": now + 300}, "wrong-secret-0123456789abcdef0123"),
                            "bad signature"),
                           ("not.a.token", "base64url")]:
            r = call(token)
            assert_error_format(r, 401, "unauthorized")
            assert why in r.json()["error"]["message"]
    assert good not in gw.log()


def test_jwt_rs256_with_a_public_key(gateways, echo_backend, pki, tmp_path):
    private = tmp_path / "jwt.key"
    public = tmp_path / "jwt.pub"
    subprocess.run(["openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out",
                    str(private)], check=True, capture_output=True)
    subprocess.run(["openssl", "pkey", "-in", str(private), "-pubout", "-out", str(public)], check=True,
                   capture_output=True)
    gw = gateways(gateway_config(echo_backend.url, echo_backend.url, pki, tmp_path,
                                 auth={"jwt": {"rs256_public_key": str(public)}}))
    now = int(time.time())
    with httpx.Client(base_url=gw.url, verify=str(pki.ca_cert)) as c:
        good = rs256_token({"sub": "u1", "exp": now + 300}, private, tmp_path)
        assert c.get("/echo", headers={"Authorization": f"Bearer {good}"}).status_code == 200
        expired = rs256_token({"sub": "u1", "exp": now - 300}, private, tmp_path)
        assert_error_format(c.get("/echo", headers={"Authorization": f"Bearer {expired}"}), 401, "unauthorized")
        # An HS256 token MACed with the public key (algorithm confusion) is refused.
        confused = hs256_token({"exp": now + 300}, public.read_text())
        r = c.get("/echo", headers={"Authorization": f"Bearer {confused}"})
        assert_error_format(r, 401, "unauthorized")
        assert "algorithm" in r.json()["error"]["message"]


def test_cors_preflight_and_actual_requests(gateways, echo_backend, pki, tmp_path):
    config = gateway_config(echo_backend.url, echo_backend.url, pki, tmp_path,
                            cors={"origins": ["https://app.example.com"], "methods": ["GET", "POST"],
                                  "headers": ["Content-Type", "Authorization"], "max_age_s": 120},
                            auth={"api_keys": {"values_env": "GW_KEYS"}})
    gw = gateways(config, env={"GW_KEYS": "k1"})
    origin = "https://app.example.com"
    with httpx.Client(base_url=gw.url, verify=str(pki.ca_cert)) as c:
        pre = c.options("/echo", headers={"Origin": origin, "Access-Control-Request-Method": "POST",
                                          "Access-Control-Request-Headers": "content-type"})
        assert pre.status_code == 204  # answered by the gateway, without credentials
        assert pre.headers["access-control-allow-origin"] == origin
        assert "POST" in pre.headers["access-control-allow-methods"]
        assert pre.headers["access-control-max-age"] == "120"
        denied = c.options("/echo", headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "GET"})
        assert_error_format(denied, 403, "cors_forbidden")
        bad_method = c.options("/echo", headers={"Origin": origin, "Access-Control-Request-Method": "DELETE"})
        assert_error_format(bad_method, 403, "cors_forbidden")
        actual = c.get("/echo", headers={"Origin": origin, "X-API-Key": "k1"})
        assert actual.status_code == 200
        assert actual.headers["access-control-allow-origin"] == origin
        assert "access-control-allow-origin" not in c.get("/echo", headers={"Origin": "https://evil.example",
                                                                           "X-API-Key": "k1"}).headers


# --- TLS ----------------------------------------------------------------------------------------------

def issue_client_cert(pki, name: str, directory: Path):
    key, csr, cert, ext = (directory / f"{name}.{s}" for s in ("key", "csr", "crt", "ext"))
    ext.write_text("extendedKeyUsage=clientAuth\n")
    run = lambda *a: subprocess.run(["openssl", *map(str, a)], check=True, capture_output=True)  # noqa: E731
    run("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", key, "-out", csr,
        "-subj", f"/CN={name}")
    run("x509", "-req", "-in", csr, "-CA", pki.ca_cert, "-CAkey", pki.ca_key, "-CAcreateserial", "-out", cert,
        "-days", "2", "-extfile", ext)
    return cert, key


def test_mtls_requires_a_client_certificate_from_the_ca(gateways, echo_backend, pki, tmp_path):
    config = gateway_config(echo_backend.url, echo_backend.url, pki, tmp_path)
    config["tls"].update({"client_ca": str(pki.ca_cert), "require_client_cert": True})
    gw = gateways(config)
    with tls_socket(gw, pki, issue_client_cert(pki, "client-1", tmp_path)) as s:
        assert b" 200 " in get_on(s)
    with pytest.raises((ssl.SSLError, ConnectionError)):
        with tls_socket(gw, pki) as s:  # TLS 1.3: the server's refusal arrives with the first read
            head = get_on(s)
            if not head:
                raise ConnectionError("closed without a response")
    # A certificate from another CA is refused too.
    other_dir = tmp_path / "other-ca"
    other = make_test_pki(other_dir)
    with pytest.raises((ssl.SSLError, ConnectionError)):
        with tls_socket(gw, pki, issue_client_cert(other, "intruder", other_dir)) as s:
            if not get_on(s):
                raise ConnectionError("closed without a response")
    metrics = httpx.get(gw.url + "/metrics", verify=str(pki.ca_cert),
                        cert=tuple(map(str, issue_client_cert(pki, "c2", tmp_path)))).text
    failures = [s.value for f in text_string_to_metric_families(metrics) if f.name == "parity_tls_handshake_failures"
                for s in f.samples]
    assert failures == [2.0]


def test_certificate_is_reloaded_on_sighup(gateways, echo_backend, pki, tmp_path):
    config = gateway_config(echo_backend.url, echo_backend.url, pki, tmp_path)
    gw = gateways(config)

    def served_cn() -> str:
        with tls_socket(gw, pki) as s:
            return dict(x[0] for x in s.getpeercert()["subject"])["commonName"]

    assert served_cn() == "gateway"
    kept = tls_socket(gw, pki)  # a connection opened before the reload keeps working
    renewed_dir = tmp_path / "renewed"
    renewed_dir.mkdir()
    cert, key = pki.issue("gateway-renewed", renewed_dir)
    Path(config["tls"]["cert"]).write_bytes(cert.read_bytes())
    Path(config["tls"]["key"]).write_bytes(key.read_bytes())
    gw.proc.send_signal(signal.SIGHUP)
    deadline = time.monotonic() + 10
    while served_cn() != "gateway-renewed":
        assert time.monotonic() < deadline, gw.log()
        time.sleep(0.05)
    assert b" 200 " in get_on(kept)
    kept.close()
    # A reload with a broken key is rejected and the renewed certificate stays in service.
    Path(config["tls"]["key"]).write_text("garbage")
    gw.proc.send_signal(signal.SIGHUP)
    deadline = time.monotonic() + 10
    while "cannot load private key" not in gw.log():
        assert time.monotonic() < deadline, gw.log()
        time.sleep(0.05)
    assert served_cn() == "gateway-renewed"


def test_tls_sessions_are_resumed(gateway, pki):
    ctx = ssl.create_default_context(cafile=str(pki.ca_cert))
    ctx.maximum_version = ssl.TLSVersion.TLSv1_2  # a 1.2 session id/ticket is available right after the handshake
    with socket.create_connection(("127.0.0.1", gateway.port), timeout=5) as raw:
        with ctx.wrap_socket(raw, server_hostname="localhost") as s:
            get_on(s)
            session = s.session
    with socket.create_connection(("127.0.0.1", gateway.port), timeout=5) as raw:
        with ctx.wrap_socket(raw, server_hostname="localhost", session=session) as s:
            assert s.session_reused


def test_sslscan_finds_no_old_protocol_and_no_weak_cipher(gateway):
    import xml.etree.ElementTree as ET
    out = subprocess.run(["sslscan", "--no-colour", "--xml=-", f"127.0.0.1:{gateway.port}"], capture_output=True,
                         text=True, timeout=120)
    root = ET.fromstring(out.stdout[out.stdout.index("<?xml"):])
    enabled = {(p.get("type"), p.get("version")) for p in root.iter("protocol") if p.get("enabled") == "1"}
    assert enabled and enabled <= {("tls", "1.2"), ("tls", "1.3")}, enabled
    ciphers = [(c.get("sslversion"), c.get("cipher")) for c in root.iter("cipher") if c.get("status") in
               ("accepted", "preferred")]
    assert ciphers
    for version, cipher in ciphers:
        assert version in ("TLSv1.2", "TLSv1.3"), (version, cipher)
        if version == "TLSv1.2":
            assert cipher.startswith("ECDHE-") and ("GCM" in cipher or "CHACHA20" in cipher), cipher
        else:
            assert cipher.startswith("TLS_") and ("GCM" in cipher or "CHACHA20" in cipher), cipher
    assert not any(h.get("vulnerable") == "1" for h in root.iter("heartbleed"))

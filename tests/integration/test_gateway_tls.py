"""The HTTPS listener: TLS 1.2 minimum, forward-secret AEAD ciphers, clear start-up errors."""
from __future__ import annotations

import random
import socket
import ssl
from pathlib import Path

import httpx
import pytest

from gateway_harness import gateway_config
from services import SYSTEM_PYTHON, Service, ServiceError

TLS_ECHO_BACKEND = Path(__file__).parent / "tls_echo_backend.py"


def handshake(gw, pki, minimum, maximum, ciphers=None):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.load_verify_locations(str(pki.ca_cert))
    ctx.minimum_version = minimum
    ctx.maximum_version = maximum
    if ciphers:
        ctx.set_ciphers(ciphers)
    with socket.create_connection(("127.0.0.1", gw.port), timeout=5) as raw:
        with ctx.wrap_socket(raw, server_hostname="localhost") as s:
            return s.version(), s.cipher()[0]


def test_tls_1_1_is_refused_by_the_server(gateway, pki):
    # SECLEVEL=0 lets this client offer TLS 1.1; the failure must come from the server's alert.
    with pytest.raises(ssl.SSLError) as refused:
        handshake(gateway, pki, ssl.TLSVersion.TLSv1, ssl.TLSVersion.TLSv1_1, "DEFAULT:@SECLEVEL=0")
    assert "PROTOCOL_VERSION" in str(refused.value).upper() or "UNSUPPORTED_PROTOCOL" in str(refused.value).upper()


def test_tls_1_2_uses_forward_secret_aead_ciphers(gateway, pki):
    version, cipher = handshake(gateway, pki, ssl.TLSVersion.TLSv1_2, ssl.TLSVersion.TLSv1_2)
    assert version == "TLSv1.2"
    assert cipher.startswith("ECDHE-") and ("GCM" in cipher or "CHACHA20" in cipher)
    version13, _ = handshake(gateway, pki, ssl.TLSVersion.TLSv1_3, ssl.TLSVersion.TLSv1_3)
    assert version13 == "TLSv1.3"


def test_cbc_ciphers_are_refused(gateway, pki):
    with pytest.raises(ssl.SSLError):
        handshake(gateway, pki, ssl.TLSVersion.TLSv1_2, ssl.TLSVersion.TLSv1_2, "ECDHE-RSA-AES128-SHA:AES128-SHA")


def test_mismatched_key_is_a_clear_startup_error(gateways, echo_backend, pki, tmp_path):
    config = gateway_config(echo_backend.url, echo_backend.url, pki, tmp_path)
    _, other_key = pki.issue("other", tmp_path)
    config["tls"]["key"] = str(other_key)
    with pytest.raises(ServiceError) as failed:
        gateways(config)
    assert "does not match the certificate" in str(failed.value)


def test_insecure_http_serves_plain_http_and_warns(gateways, echo_backend, tmp_path):
    gw = gateways(gateway_config(echo_backend.url, echo_backend.url, None, tmp_path))
    assert gw.url.startswith("http://")
    assert httpx.get(gw.url + "/echo").json()["method"] == "GET"
    assert "PLAIN HTTP" in gw.log()


def test_https_backend_is_verified_against_its_ca(gateways, pki, tmp_path):
    cert, key = pki.issue("backend", tmp_path)
    argv = [SYSTEM_PYTHON, str(TLS_ECHO_BACKEND), "--cert", str(cert), "--key", str(key)]
    with Service("tls-echo", argv) as backend:
        config = gateway_config(backend.url, backend.url, pki, tmp_path)
        config["backends"]["legacy"]["ca"] = str(pki.ca_cert)
        gw = gateways(config)
        r = httpx.get(gw.url + "/anything", verify=str(pki.ca_cert))
        assert r.status_code == 200 and r.json() == {"tls": True, "path": "/anything"}
        # A large body of known length, in pieces: read past the parser through TLS, to the byte.
        big = httpx.get(gw.url + "/bytes?n=200000&pieces=6&gap_ms=10", verify=str(pki.ca_cert))
        assert big.status_code == 200 and big.content == random.Random(1).randbytes(200_000)
        assert httpx.get(gw.url + "/after", verify=str(pki.ca_cert)).json() == {"tls": True, "path": "/after"}
        # Without the CA the backend's certificate is not trusted: 502, never a silent downgrade.
        del config["backends"]["legacy"]["ca"]
        untrusted = gateways(config)
        r = httpx.get(untrusted.url + "/anything", verify=str(pki.ca_cert))
        assert r.status_code == 502

"""`parity check-config`, configuration precedence and the command line."""
from __future__ import annotations

import json
import os

import httpx
import pytest

from gateway_harness import gateway_config, run_parity, write_config


def test_version_and_help():
    version = run_parity("--version")
    assert version.returncode == 0 and version.stdout.startswith("parity ")
    for command in ("gateway", "check-config", "diff", "report"):
        help_text = run_parity(command, "--help")
        assert help_text.returncode == 0, help_text.stderr
        assert "Usage" in help_text.stdout or "usage" in help_text.stdout.lower()
    assert run_parity("no-such-command").returncode == 2


def test_valid_config_passes(pki, tmp_path):
    path = write_config(tmp_path, gateway_config("http://127.0.0.1:8000", "http://127.0.0.1:9000", pki, tmp_path))
    result = run_parity("check-config", str(path))
    assert result.returncode == 0, result.stderr
    assert "ok" in result.stdout


@pytest.mark.parametrize("mutate, key, reason", [
    (lambda c: c.update(colour="blue"), "colour", "unknown key"),
    (lambda c: c["mirror"].update(sample_percent="lots"), "mirror.sample_percent", "must be a number"),
    (lambda c: c["backends"]["candidate"].update(url="gopher://x"), "backends.candidate.url", "scheme"),
    (lambda c: c["tls"].update(cert="/nonexistent/cert.pem"), "tls.cert", "file not found"),
    (lambda c: c.update(routes=[{"prefix": "/v1/"}, {"path": "/v1/models"}]), "routes[1]", "overlaps routes[0]"),
    (lambda c: c.update(serve="everyone"), "serve", "legacy` or `candidate"),
])
def test_each_error_names_the_key(pki, tmp_path, mutate, key, reason):
    config = gateway_config("http://127.0.0.1:8000", "http://127.0.0.1:9000", pki, tmp_path, mirror={})
    mutate(config)
    path = write_config(tmp_path, config)
    result = run_parity("check-config", str(path))
    assert result.returncode == 2
    assert f"{key}: " in result.stderr and reason in result.stderr, result.stderr


def test_several_errors_are_all_reported(pki, tmp_path):
    config = gateway_config("ftp://x", "http://127.0.0.1:9000", pki, tmp_path, colour="blue", serve="x")
    result = run_parity("check-config", str(write_config(tmp_path, config)))
    assert result.returncode == 2
    for key in ("backends.legacy.url", "colour", "serve"):
        assert f"{key}: " in result.stderr


def test_mismatched_tls_key_fails_the_check(pki, tmp_path):
    config = gateway_config("http://127.0.0.1:8000", "http://127.0.0.1:9000", pki, tmp_path)
    _, other_key = pki.issue("other", tmp_path)
    config["tls"]["key"] = str(other_key)
    result = run_parity("check-config", str(write_config(tmp_path, config)))
    assert result.returncode == 2
    assert "does not match" in result.stderr


def test_syntax_error_is_reported(tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text("listen: [unclosed\n")
    result = run_parity("check-config", str(path))
    assert result.returncode == 2 and "YAML syntax error" in result.stderr


def test_gateway_refuses_to_start_on_an_invalid_config(pki, tmp_path):
    config = gateway_config("http://127.0.0.1:8000", "http://127.0.0.1:9000", pki, tmp_path, colour="blue")
    result = run_parity("gateway", "-c", str(write_config(tmp_path, config)), timeout=20)
    assert result.returncode == 2
    assert "colour: unknown key" in result.stderr


def test_precedence_flag_over_env_over_file(gateways, echo_backend, pki, tmp_path):
    config = gateway_config(echo_backend.url, echo_backend.url, pki, tmp_path, serve="legacy")
    env = dict(os.environ, PARITY_SERVE="candidate")
    from_env = gateways(config, env=env)
    assert httpx.get(from_env.url + "/health", verify=str(pki.ca_cert)).json()["serve"] == "candidate"
    from_flag = gateways(config, extra_args=["--serve", "legacy"], env=env)
    assert httpx.get(from_flag.url + "/health", verify=str(pki.ca_cert)).json()["serve"] == "legacy"
    from_file = gateways(config)
    assert httpx.get(from_file.url + "/health", verify=str(pki.ca_cert)).json()["serve"] == "legacy"


def test_bad_env_value_names_the_variable(pki, tmp_path):
    config = gateway_config("http://127.0.0.1:8000", "http://127.0.0.1:9000", pki, tmp_path)
    env = dict(os.environ, PARITY_SERVE="nobody")
    result = run_parity("check-config", str(write_config(tmp_path, config)), env=env)
    assert result.returncode == 2 and "PARITY_SERVE" in result.stderr
    assert json  # the config files are JSON-as-YAML

"""Shared fixtures for the integration tests: the test PKI, the echo backend and gateway start-up.
Every server binds a free loopback port and is stopped when its test (or the session) ends."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from gateway_harness import gateway_config, start_gateway  # noqa: E402
from pki import make_test_pki  # noqa: E402
from services import SYSTEM_PYTHON, Service, start_candidate, start_legacy  # noqa: E402

ECHO_BACKEND = Path(__file__).parent / "echo_backend.py"


@pytest.fixture(scope="session")
def pki(tmp_path_factory):
    return make_test_pki(tmp_path_factory.mktemp("pki"))


@pytest.fixture(scope="session")
def echo_backend():
    with Service("echo", [SYSTEM_PYTHON, str(ECHO_BACKEND), "--port", "0"]) as service:
        yield service


@pytest.fixture
def gateways(tmp_path):
    """A factory: gateways(config) starts a gateway; all are stopped at the end of the test."""
    started = []

    def start(config, extra_args=(), env=None):
        gw = start_gateway(config, tmp_path, extra_args, env)
        started.append(gw)
        return gw

    yield start
    for gw in started:
        gw.stop()


@pytest.fixture
def gateway(gateways, echo_backend, pki, tmp_path):
    """A gateway over HTTPS serving the echo backend as legacy (the candidate is the same backend)."""
    return gateways(gateway_config(echo_backend.url, echo_backend.url, pki, tmp_path))


@pytest.fixture(scope="module")
def legacy():
    """The legacy FastAPI fixture service, shared by the tests of one file (a file may override it)."""
    with start_legacy() as service:
        yield service


@pytest.fixture(scope="module")
def candidate():
    """The candidate fixture service (cpp-httplib), shared by the tests of one file."""
    with start_candidate() as service:
        yield service

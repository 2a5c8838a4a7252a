"""The admin API and `parity ctl` of a running gateway, for integration tests.

    gw = gateways(config_with_admin(...), env=admin_env())
    admin = Admin(gw)
    admin.post("/serve", {"serve": "candidate", "reason": "test"})
    ctl(admin, "serve", "legacy")
"""
from __future__ import annotations

import json
import os
import re
import time
from pathlib import Path

import httpx

from gateway_harness import Gateway, run_parity

TOKEN = "test-admin-token-0123456789"
_ADMIN_LISTENING = re.compile(r"admin API listening on (http://[0-9.]+:(\d+))")


def admin_env(token: str = TOKEN) -> dict:
    return {"PARITY_ADMIN_TOKEN": token}


def backend_of(response: httpx.Response) -> str:
    """Which fixture answered: legacy is uvicorn (`server: uvicorn`), the candidate sends no Server header."""
    return "legacy" if response.headers.get("server", "").startswith("uvicorn") else "candidate"


class Admin:
    """A client of one gateway's admin API (found in its log)."""

    def __init__(self, gw: Gateway, token: str = TOKEN, actor: str = "pytest", timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        while not (match := _ADMIN_LISTENING.search(gw.log())):
            if time.monotonic() > deadline:
                raise AssertionError(f"the admin API did not start:\n{gw.log()}")
            time.sleep(0.02)
        self.url = match.group(1)
        self.address = self.url[len("http://"):]
        self.token = token
        self.client = httpx.Client(base_url=self.url, timeout=30,
                                   headers={"Authorization": f"Bearer {token}", "X-Parity-Actor": actor})

    def get(self, path: str) -> httpx.Response:
        return self.client.get(path)

    def post(self, path: str, body: dict | None = None) -> httpx.Response:
        return self.client.post(path, json=body if body is not None else {})

    def status(self) -> dict:
        response = self.get("/status")
        assert response.status_code == 200, response.text
        return response.json()

    def wait_for(self, predicate, timeout: float = 10.0) -> dict:
        deadline = time.monotonic() + timeout
        while True:
            status = self.status()
            if predicate(status):
                return status
            if time.monotonic() > deadline:
                raise AssertionError(f"admin status never satisfied the condition: {status}")
            time.sleep(0.02)


def ctl(admin: Admin, *args: str, token: str | None = None, config: Path | None = None):
    """Runs `parity ctl --admin ADDR ARGS…` with the token in PARITY_ADMIN_TOKEN."""
    env = dict(os.environ, PARITY_ADMIN_TOKEN=token if token is not None else admin.token, USER="tester")
    extra = ["-c", str(config)] if config else []
    return run_parity("ctl", *extra, "--admin", admin.address, *args, env=env)


def read_jsonl(path: Path) -> list:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]

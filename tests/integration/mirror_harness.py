"""Runs traffic through a real gateway in front of the fixture services and reads back the records."""
from __future__ import annotations

import json
from pathlib import Path

import httpx
import yaml  # python3-yaml

from gateway_harness import Gateway

REPO_ROOT = Path(__file__).resolve().parents[2]
DEMO_CONFIG = REPO_ROOT / "fixtures" / "parity.demo.yaml"

CHAT = {"model": "parity-chat-mini", "messages": [{"role": "user", "content": "What is parity?"}]}
CHAT_STREAM = dict(CHAT, stream=True)
EMBED = {"model": "parity-embed-small", "input": "mirror me"}
MODERATE = {"input": "I will attack the bug with a weapon"}
VALIDATION = {"model": "parity-chat-mini", "messages": [{"role": "robot", "content": "hi"}]}

# (method, path, json body) — one request of each kind the fixture API has.
MIX = [
    ("GET", "/v1/models", None),
    ("GET", "/v1/models/parity-chat-mini", None),
    ("GET", "/v1/models/gpt-4", None),
    ("POST", "/v1/chat/completions", CHAT),
    ("POST", "/v1/chat/completions", CHAT_STREAM),
    ("POST", "/v1/chat/completions", VALIDATION),
    ("POST", "/v1/embeddings", EMBED),
    ("POST", "/v1/moderations", MODERATE),
    ("GET", "/v1/files", None),
]


def demo_config(legacy_url: str, candidate_url: str, tls: dict, store: Path) -> dict:
    """The demo's config (fixtures/parity.demo.yaml) pointed at these services, as a dict."""
    config = yaml.safe_load(DEMO_CONFIG.read_text())
    config["listen"] = "127.0.0.1:0"
    config["threads"] = 2
    config["tls"] = tls
    config["backends"]["legacy"]["url"] = legacy_url
    config["backends"]["candidate"]["url"] = candidate_url
    config["store"]["path"] = str(store)
    config["store"]["flush_interval_ms"] = 100
    return config


def send(gw: Gateway, ca: Path, requests=MIX, repeat: int = 1) -> list:
    """Sends the requests through the gateway; returns the responses (bodies read in full)."""
    out = []
    with httpx.Client(base_url=gw.url, verify=str(ca), timeout=20) as client:
        for _ in range(repeat):
            for method, path, body in requests:
                out.append(client.request(method, path, json=body))
    return out


def stop_and_read_records(gw: Gateway, store: Path) -> list:
    """SIGTERM (drains and flushes the store), then every record in records.jsonl."""
    assert gw.stop() == 0, gw.log()
    path = store / "records.jsonl"
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def unexplained(records: list) -> set:
    """(route, pointer, kind) of every difference that counts against parity."""
    return {(r["route"], d["pointer"], d["kind"]) for r in records for d in r["differences"]
            if "explained" not in d}

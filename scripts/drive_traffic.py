"""Sends a weighted request mix (fixtures/requests/*.jsonl) through a gateway over HTTPS and prints
what came back. Used by scripts/demo; deterministic for a given --seed.

    /usr/bin/python3 scripts/drive_traffic.py --url https://127.0.0.1:8443 --ca ca.crt --requests 200
"""
from __future__ import annotations

import argparse
import collections
import json
import random
import sys
import threading
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]


def load_mix(path: Path) -> list:
    mix = []
    for line_no, line in enumerate(path.read_text().splitlines(), 1):
        if not line.strip():
            continue
        try:
            entry = json.loads(line)
        except json.JSONDecodeError as e:
            sys.exit(f"{path}:{line_no}: not JSON: {e}")
        mix.append(entry)
    return mix


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--ca", help="CA file for an https gateway")
    parser.add_argument("--mix", default=str(ROOT / "fixtures" / "requests" / "openai-mix.jsonl"))
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    mix = load_mix(Path(args.mix))
    rng = random.Random(args.seed)
    plan = rng.choices(mix, weights=[m.get("weight", 1) for m in mix], k=args.requests)
    statuses = collections.Counter()
    failures = []
    lock = threading.Lock()

    def worker(items):
        with httpx.Client(base_url=args.url, verify=args.ca or True, timeout=30) as client:
            for item in items:
                try:
                    body = item.get("body")
                    r = client.request(item["method"], item["path"], headers=item.get("headers"),
                                       content=json.dumps(body).encode() if body is not None else None)
                    with lock:
                        statuses[(item["name"], r.status_code)] += 1
                except httpx.HTTPError as e:
                    with lock:
                        failures.append(f"{item['name']}: {e!r}")

    threads = [threading.Thread(target=worker, args=(plan[i::args.concurrency],)) for i in range(args.concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    total = sum(statuses.values())
    print(f"sent {args.requests} requests through {args.url}: {total} answered, {len(failures)} failed")
    for (name, status), count in sorted(statuses.items()):
        print(f"  {name:<24} {status}  x{count}")
    for f in failures[:5]:
        print(f"  failed: {f}")
    return 0 if not failures else 1


if __name__ == "__main__":
    sys.exit(main())

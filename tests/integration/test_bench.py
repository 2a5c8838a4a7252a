"""`parity bench` against the fixture services with their latency model (issue 6).

Each run is short (1-2 s); the figures asserted are ones the latency model makes unambiguous: a fixed
20 ms delay must measure as a 20 ms p50, and a 500 ms stall every 200 requests must show in the open-loop
p99 while the closed-loop p99 understates it (coordinated omission).
"""
from __future__ import annotations

import json
import subprocess
from pathlib import Path

from services import REPO_ROOT, bin_dir, start_candidate, start_legacy

MIX = REPO_ROOT / "fixtures" / "requests" / "openai-mix.jsonl"


def bench(*args, timeout=60):
    argv = [str(bin_dir() / "parity"), "bench", "--progress", "lines", *map(str, args)]
    return subprocess.run(argv, capture_output=True, text=True, timeout=timeout)


def bench_json(tmp_path: Path, *args, expect=0):
    out = tmp_path / "bench.json"
    r = bench(*args, "--json", out)
    assert r.returncode == expect, r.stderr + r.stdout
    return json.loads(out.read_text()), r


def overall(results, target, level=0):
    return results["levels"][level]["targets"][target]["overall"]


def test_p50_of_a_20ms_delay_measures_20ms_on_both_fixtures(tmp_path):
    with start_legacy("--delay-ms", "20", "--quiet") as legacy, start_candidate("--delay-ms", "20", "--quiet") as cand:
        results, r = bench_json(tmp_path, "--legacy", legacy.url, "--candidate", cand.url, "--url", "/v1/models",
                                "--concurrency", "2", "--threads", "1", "--duration", "2s", "--warmup", "300ms",
                                "--rounds", "2")
    for target in ("legacy", "candidate"):
        o = overall(results, target)
        assert o["errors"] == 0
        assert o["requests"] > 50
        assert o["latency_ms"]["min"] >= 20.0, (target, o["latency_ms"])  # never below the model's delay
    # The C++ candidate adds microseconds to its 20 ms delay: its p50 is 20 ms within 10%.
    cand = overall(results, "candidate")["latency_ms"]
    assert 18.0 <= cand["p50"] <= 22.0, cand
    # FastAPI spends its own 1.5-5 ms per request on top of the delay on this machine (min ~21.5 ms; more
    # when other builds load the CPU), which is the service's time, not the generator's.
    leg = overall(results, "legacy")["latency_ms"]
    assert 20.0 <= leg["p50"] <= 30.0, leg
    # The terminal table is on stdout, side by side with the ratio.
    assert "candidate/legacy" in r.stdout and "p99.9 ms" in r.stdout


def test_open_loop_p99_shows_a_stall_that_closed_loop_understates(tmp_path):
    with start_candidate("--stall-every", "200", "--stall-ms", "500", "--quiet") as cand:
        closed, _ = bench_json(tmp_path, "--candidate", cand.url, "--url", "/v1/models", "--concurrency", "1",
                               "--duration", "2s", "--warmup", "0s", "--rounds", "1")
        opened, _ = bench_json(tmp_path, "--candidate", cand.url, "--url", "/v1/models", "--concurrency", "1",
                               "--rate", "200", "--duration", "2s", "--warmup", "0s", "--rounds", "1")
    c = overall(closed, "candidate")
    o = overall(opened, "candidate")
    assert opened["mode"] == "open" and closed["mode"] == "closed"
    # Closed loop: the client waits out each stall, so only ~1 request in 200 (0.5%) is slow: p99 stays fast.
    assert c["requests"] >= 250, c  # past at least one stall
    assert c["latency_ms"]["max"] >= 450, c  # the stall happened…
    assert c["latency_ms"]["p99"] < 100, c   # …and p99 hides it
    # Open loop: the requests due during the stall wait behind it and count from their intended send time.
    assert o["latency_ms"]["max"] >= 450, o
    assert o["latency_ms"]["p99"] >= 250, o
    assert o["latency_ms"]["p99"] > 5 * c["latency_ms"]["p99"]


def test_mix_sweep_outputs_and_process_figures(tmp_path):
    with start_legacy("--quiet") as legacy, start_candidate("--quiet") as cand:
        md, html = tmp_path / "bench.md", tmp_path / "bench.html"
        results, r = bench_json(tmp_path, "--legacy", legacy.url, "--candidate", cand.url, "--requests", MIX,
                                "--concurrency", "2,8", "--duration", "1s", "--warmup", "200ms",
                                "--pid", f"legacy={legacy.proc.pid}", "--pid", f"candidate={cand.proc.pid}",
                                "--md", md, "--html", html)
    assert [lv["concurrency"] for lv in results["levels"]] == [2, 8]
    for level in range(2):
        for target in ("legacy", "candidate"):
            t = results["levels"][level]["targets"][target]
            assert t["measured"]
            assert t["overall"]["responses"] > 0
            assert t["overall"]["errors"] == 0, t["overall"]
            # The mix asks for a 404 and a 422 on purpose: counted, not errors.
            assert t["overall"]["status_4xx"] > 0
            assert set(t["endpoints"]) <= set(results["endpoints"])
            assert "chat-short" in t["endpoints"]
            assert t["process"]["cpu_seconds"] > 0
            assert t["process"]["peak_rss_mib"] > 1
    assert "| figure | legacy | candidate | candidate/legacy |" in md.read_text()
    page = html.read_text()
    assert "<svg" in page and "<script" not in page
    assert "concurrency 8 (closed-loop)" in r.stdout
    assert "CPU s" in r.stdout and "peak RSS MiB" in r.stdout


def test_unreachable_target_keeps_the_others_results(tmp_path):
    with start_candidate("--quiet") as cand:
        results, r = bench_json(tmp_path, "--legacy", "http://127.0.0.1:1", "--candidate", cand.url,
                                "--url", "/v1/models", "--duration", "500ms", "--warmup", "0s", expect=1)
    assert "legacy (http://127.0.0.1:1) is unreachable" in r.stderr
    assert results["levels"][0]["targets"]["legacy"]["measured"] is False
    assert overall(results, "candidate")["responses"] > 0
    assert "not measured" in r.stdout


def test_target_answering_errors_counts_them_by_kind(tmp_path):
    with start_legacy("--quiet") as legacy, start_candidate("--fail-rate", "0.5", "--reset-rate", "0.2",
                                                          "--seed", "7", "--quiet") as cand:
        results, r = bench_json(tmp_path, "--legacy", legacy.url, "--candidate", cand.url, "--url", "/v1/models",
                                "--duration", "1s", "--warmup", "0s", "--concurrency", "2",
                                "--fail-if", "candidate.error_rate>0.1", expect=1)
    kinds = overall(results, "candidate")["errors_by_kind"]
    assert kinds.get("http_5xx", 0) > 0, kinds
    assert kinds.get("reset", 0) > 0, kinds
    assert overall(results, "legacy")["errors"] == 0
    assert "--fail-if candidate.error_rate>0.1" in r.stderr
    assert "failed" in " ".join(results["warnings"])


def test_fail_if_thresholds_set_the_exit_status(tmp_path):
    with start_candidate("--quiet") as cand:
        common = ["--legacy", cand.url, "--candidate", cand.url, "--url", "/v1/models", "--duration", "400ms",
                  "--warmup", "0s", "--rounds", "1"]
        ok = bench(*common, "--fail-if", "p99_ratio>1000")
        failing = bench(*common, "--fail-if", "throughput_ratio<1000")
    assert ok.returncode == 0, ok.stderr
    assert failing.returncode == 1, failing.stderr
    assert "throughput_ratio<1000" in failing.stderr
    bad = bench("--legacy", "http://127.0.0.1:1", "--url", "/", "--fail-if", "p99>2")
    assert bad.returncode == 2
    assert "FIGURE_ratio" in bad.stderr


def test_malformed_request_file(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text("not json\n{\"path\": 5}\n")
    r = bench("--legacy", "http://127.0.0.1:1", "--requests", bad)
    assert r.returncode == 2
    assert "no valid request" in r.stderr
    mixed = tmp_path / "mixed.jsonl"
    mixed.write_text('{"method": "GET", "path": "/v1/models"}\n{oops\n')
    with start_candidate("--quiet") as cand:
        results, r = bench_json(tmp_path, "--candidate", cand.url, "--requests", mixed, "--duration", "300ms",
                                "--warmup", "0s", "--rounds", "1")
    assert "mixed.jsonl:2" in r.stderr
    assert overall(results, "candidate")["responses"] > 0
    assert any("malformed" in w for w in results["warnings"])


def test_https_target_with_ca_and_insecure(tmp_path, pki):
    cert, key = pki.issue("bench-candidate", tmp_path)
    with start_candidate("--quiet", tls_cert=cert, tls_key=key) as cand:
        assert cand.url.startswith("https://")
        common = ["--candidate", cand.url, "--url", "/v1/models", "--duration", "300ms", "--warmup", "0s",
                  "--rounds", "1"]
        verified, _ = bench_json(tmp_path, *common, "--ca", pki.ca_cert)
        insecure, _ = bench_json(tmp_path, *common, "--insecure")
        untrusted = bench(*common)  # the test CA is not in the system store
    assert overall(verified, "candidate")["errors"] == 0 and overall(verified, "candidate")["responses"] > 0
    assert overall(insecure, "candidate")["responses"] > 0
    assert untrusted.returncode == 1
    assert "unreachable" in untrusted.stderr and "certificate" in untrusted.stderr.lower()


def test_gateway_target_shows_its_overhead_against_legacy(tmp_path, gateway, echo_backend, pki):
    results, r = bench_json(tmp_path, "--legacy", echo_backend.url, "--gateway", gateway.url, "--ca", pki.ca_cert,
                            "--url", "/v1/models", "--duration", "600ms", "--warmup", "0s", "--rounds", "2",
                            "--pid", f"gateway={gateway.proc.pid}")
    level = results["levels"][0]
    assert overall(results, "gateway")["responses"] > 0 and overall(results, "gateway")["errors"] == 0
    assert overall(results, "legacy")["responses"] > 0
    assert level["gateway_legacy_ratio"]["p50"] is not None
    assert level["targets"]["gateway"]["process"]["cpu_seconds"] > 0
    assert "gateway/legacy" in r.stdout

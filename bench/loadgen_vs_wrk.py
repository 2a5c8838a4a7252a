#!/usr/bin/python3
"""Is `parity bench` the bottleneck? Its throughput against wrk's, on the same fast backend, in one run (issue 6).

Starts a fast nginx backend (`return 200 '<small JSON>'`, plain HTTP, keep-alive) on a free loopback port and
drives it, alternately for R rounds of D seconds each, with
  - wrk -tT -cC -dD --latency http://127.0.0.1:PORT/
  - parity bench --legacy http://127.0.0.1:PORT --url / --concurrency C --threads T --duration D
(same connections, same threads, no warm-up for either; the order alternates each round). It prints each
round, the median throughput of both and the ratio parity-bench/wrk (goal: ≥ 0.80 on this 2-core machine):
the median of the per-round ratios, each of two runs measured seconds apart, as the other benches do —
the machine's speed drifts within minutes, and a ratio of the two medians can pair a fast minute of one
generator with a slow one of the other (it is printed too). Both generators share the two cores with the
backend, so the ratio (not the absolute req/s) is the figure. A round during which the host stole more
than --max-steal % (5) of the CPU time (steal in /proc/stat: the VM was ready to run and did not) is
measured again, at most --redo (2) times; every round line shows the steal.

Exit status: 0 whether the goal is met or not; 2 when the setup fails (missing wrk/nginx/parity).

  bench/loadgen_vs_wrk.py                  # 5 rounds x 5 s: ~55 s
  bench/loadgen_vs_wrk.py --quick          # 2 rounds x 2 s
  bench/loadgen_vs_wrk.py --json out.json
Environment: PARITY_BIN_DIR (default <repo>/build/release/bin).
"""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE / "lib"))
import benchkit as kit  # noqa: E402  (processes, nginx start-up, wrk runner)
from gateway_overhead import BACKEND_SERVER, BODY  # noqa: E402  (the same fast nginx backend)

REPO = HERE.parent


def parity_bench(binary, url, threads, connections, seconds, out: Path):
    argv = [str(binary), "bench", "--legacy", url, "--url", "/", "--concurrency", str(connections), "--threads",
            str(threads), "--duration", f"{seconds}s", "--warmup", "0s", "--rounds", "1", "--progress", "none",
            "--json", str(out)]
    ticks0 = kit.cpu_ticks()
    r = subprocess.run(argv, capture_output=True, text=True, timeout=seconds + 60)
    ticks1 = kit.cpu_ticks()
    if r.returncode != 0:
        raise kit.ServerDied(f"parity bench failed ({r.returncode}): {r.stderr.strip()}")
    return {**kit.parity_bench_figures(out, "legacy"), "steal_pct": kit.steal_pct(ticks0, ticks1)}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--duration", type=int, default=5, help="seconds per generator per round")
    ap.add_argument("--connections", type=int, default=32)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--backend-workers", type=int, default=1)
    kit.add_steal_args(ap)
    ap.add_argument("--quick", action="store_true", help="2 rounds x 2 s")
    ap.add_argument("--json", help="write the figures to this file")
    a = ap.parse_args()
    if a.quick:
        a.rounds, a.duration = 2, 2
    binary = Path(os.environ.get("PARITY_BIN_DIR") or REPO / "build" / "release" / "bin") / "parity"
    for tool, path in (("wrk", shutil.which("wrk")), ("nginx", shutil.which("nginx") or "/usr/sbin/nginx"),
                       ("parity", str(binary))):
        if not path or not os.path.exists(path):
            print(f"setup failed: {tool} not found ({path})", file=sys.stderr)
            return 2
    procs = kit.Processes()
    try:
        with tempfile.TemporaryDirectory(prefix="parity-loadgen-") as tmp:
            port = kit.free_port()
            backend = kit.start_nginx(procs, "backend", Path(tmp) / "backend", a.backend_workers,
                                     BACKEND_SERVER.format(port=port, body=BODY))
            kit.wait_port(port, backend, "backend nginx", Path(tmp) / "backend" / "error.log")
            url = f"http://127.0.0.1:{port}"
            print(f"backend nginx ({a.backend_workers} worker) at {url}; {a.rounds} rounds x {a.duration} s, "
                  f"-c{a.connections}, {a.threads} threads each", flush=True)
            rounds = []

            def one_round(i):
                row = {}
                for name in (("wrk", "parity") if i % 2 == 0 else ("parity", "wrk")):
                    if name == "wrk":
                        row["wrk"] = kit.wrk(url + "/", a.threads, a.connections, a.duration)
                    else:
                        row["parity"] = parity_bench(binary, url, a.threads, a.connections, a.duration,
                                                     Path(tmp) / "bench.json")
                print(f"round {i + 1}: wrk {row['wrk']['rps']:,.0f} req/s (p99 {row['wrk']['p99_ms']:.2f} ms), "
                      f"parity bench {row['parity']['rps']:,.0f} req/s (p99 {row['parity']['p99_ms']:.2f} ms, "
                      f"{row['parity']['errors']} errors): ratio {row['parity']['rps'] / row['wrk']['rps']:.2f}"
                      f"  (host steal {max(row['wrk']['steal_pct'], row['parity']['steal_pct']):.1f}%)", flush=True)
                return row

            for i in range(a.rounds):
                rounds.append(kit.redo_on_steal(lambda: one_round(i), a.max_steal, a.redo, f"round {i + 1}"))
    except (kit.SetupError, kit.ServerDied) as e:
        print(f"setup failed: {e}", file=sys.stderr)
        return 2
    finally:
        procs.stop_all()
    wrk_rps = statistics.median(r["wrk"]["rps"] for r in rounds)
    bench_rps = statistics.median(r["parity"]["rps"] for r in rounds)
    per_round = [r["parity"]["rps"] / r["wrk"]["rps"] for r in rounds if r["wrk"]["rps"]]
    ratio = statistics.median(per_round) if per_round else 0
    ratio_of_medians = bench_rps / wrk_rps if wrk_rps else 0
    print(f"\nmedian throughput: wrk {wrk_rps:,.0f} req/s, parity bench {bench_rps:,.0f} req/s")
    print(f"parity-bench/wrk throughput ratio: {ratio:.2f} (goal >= 0.80: {'met' if ratio >= 0.8 else 'NOT met'})"
          f"   [median of the per-round ratios {', '.join(f'{x:.2f}' for x in per_round)}; "
          f"ratio of medians {ratio_of_medians:.2f}]")
    if a.json:
        Path(a.json).write_text(json.dumps({"rounds": rounds, "wrk_rps": wrk_rps, "parity_bench_rps": bench_rps,
                                            "ratio": ratio, "per_round_ratios": per_round,
                                            "ratio_of_medians": ratio_of_medians}, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())

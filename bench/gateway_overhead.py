#!/usr/bin/python3
"""Gateway overhead benchmark (issue 2): Parity against nginx as a TLS reverse proxy, in one run.

Starts, in a temporary directory, all on 127.0.0.1 and free ports:
  - a fast backend: nginx answering `return 200 '<small JSON>'` over plain HTTP (with --body-bytes N, a
    file of N bytes instead: what a large response costs each proxy);
  - Parity: `parity gateway` (TLS) with both backends pointing at that backend, no mirror, no access log;
  - the reference: a second nginx as a TLS reverse proxy to the same backend (upstream keep-alive, HTTP/1.1,
    as many workers as Parity has event-loop threads, access_log off).
Then drives wrk (keep-alive, --latency) at the three targets, interleaved for R rounds of D seconds
(direct = wrk -> backend over plain HTTP), and reports medians: throughput, p50/p99, latency added over
direct, CPU time per request, the Parity/nginx throughput ratio, Parity's RSS at idle, and its RSS and
thread count while 10,000 idle TLS keep-alive connections are held open (with a short wrk run meanwhile).

The machine is shared and noisy: every figure is a ratio or a median measured in the same run, never an
assertion. Exit status: 0 whether the goals are met or not; 2 when the setup fails (missing tool, a server
that does not start); 1 when a server dies during the run.

  bench/gateway_overhead.py                 # defaults: 4 rounds x 10 s, ~2.5-3 min
  bench/gateway_overhead.py --quick         # ~30 s smoke run
  bench/gateway_overhead.py --json out.json
  bench/gateway_overhead.py --body-bytes 100000   # a 100 KB response instead of 69 bytes
Environment: PARITY_BIN_DIR (default /work/main/build/release/bin), BENCH_DURATION, BENCH_ROUNDS,
BENCH_CONNECTIONS, BENCH_WRK_THREADS, BENCH_GATEWAY_THREADS, BENCH_IDLE_CONNECTIONS; flags override them.
"""
import argparse
import datetime
import json
import os
import select
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
HOLDER = HERE / "lib" / "hold_connections.py"
sys.path.insert(0, str(HERE / "lib"))
from benchkit import (ServerDied, SetupError, check_response, check_tools, children, env_int,  # noqa: E402
                      fmt_ms, free_port, log, machine, make_certs, mb, median, nginx_tls, nginx_upstream,
                      raise_fd_limit, redo_on_steal, rss_kb, run_bench, start_nginx, tail, thread_count, wait_port,
                      wrk, add_steal_args)

PYTHON = "/usr/bin/python3" if os.path.exists("/usr/bin/python3") else sys.executable
BODY = '{"object":"bench","message":"hello from the fast backend","ok":true}'
TARGETS = ("direct", "parity", "nginx")


# ---------------------------------------------------------------------------------------------- setup

BACKEND_SERVER = """\
  server {{
    listen 127.0.0.1:{port} reuseport backlog=4096;
    location / {{
      default_type application/json;
      return 200 '{body}';
    }}
  }}
"""

# --body-bytes: the same body for every path, from a file (sendfile), as Content-Length.
BACKEND_FILE_SERVER = """\
  server {{
    listen 127.0.0.1:{port} reuseport backlog=4096;
    root {root};
    location / {{
      default_type text/plain;
      try_files /body.txt =404;
    }}
  }}
"""


def file_body(n: int) -> str:
    """n bytes of printable text, the same in every run."""
    line = "".join(chr(ord("a") + i % 26) for i in range(99)) + "\n"
    return (line * (n // len(line) + 1))[:n]


# The reference: a plain, typical TLS reverse proxy doing what Parity does on the way (forwarded headers, a
# request id both ways), with upstream keep-alive. ssl_protocols/ciphers match Parity's (TLS 1.2+, AEAD).
# {upstream} = nginx_upstream("backend", …), {tls} = nginx_tls(…).
PROXY_SERVER = """\
{upstream}
  server {{
{tls}
    location / {{
      proxy_pass http://backend;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto $scheme;
      proxy_set_header X-Forwarded-Host $host;
      proxy_set_header X-Request-ID $request_id;
      add_header X-Request-ID $request_id always;
    }}
  }}
"""


def start_parity(procs, binary, d: Path, port, admin_port, backend_port, cert, key, threads):
    # limits.idle_timeout_ms: the default (60 s) could close the first of the 10,000 held connections
    # before the last one is open; everything else comes from the flags.
    conf = d / "parity.yaml"
    conf.write_text("limits:\n  idle_timeout_ms: 600000\n")
    log_file = d / "parity.log"
    backend = f"http://127.0.0.1:{backend_port}"
    argv = [str(binary), "gateway", "-c", str(conf), "--listen", f"127.0.0.1:{port}", "--tls-cert", str(cert),
            "--tls-key", str(key), "--legacy", backend, "--candidate", backend, "--no-access-log", "--no-mirror",
            "--threads", str(threads), "--store", str(d / "store"), "--admin-listen", f"127.0.0.1:{admin_port}"]
    proc = procs.start("parity", argv, cwd=d, stdout=open(d / "parity.stdout", "w"), stderr=open(log_file, "w"))
    deadline = time.monotonic() + 20
    needle = f"listening on https://127.0.0.1:{port}"
    while time.monotonic() < deadline:
        if needle in log_file.read_text(errors="replace"):
            return proc, log_file
        if proc.poll() is not None:
            raise SetupError(f"parity gateway exited with status {proc.returncode} at start:\n{tail(log_file)}\n"
                             f"command: {' '.join(argv)}")
        time.sleep(0.05)
    raise SetupError(f"parity gateway did not log '{needle}' within 20 s:\n{tail(log_file)}")



# ---------------------------------------------------------------------------------------------- main

def parse_args():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="~30 s smoke run: 2 rounds x 3 s, 2,000 idle connections")
    ap.add_argument("--duration", type=int, help="seconds per wrk run (env BENCH_DURATION, default 10)")
    ap.add_argument("--rounds", type=int, help="rounds of direct/parity/nginx (env BENCH_ROUNDS, default 4)")
    ap.add_argument("--connections", type=int, help="wrk connections (env BENCH_CONNECTIONS, default 64)")
    ap.add_argument("--wrk-threads", type=int, help="wrk threads (env BENCH_WRK_THREADS, default 2)")
    ap.add_argument("--gateway-threads", type=int,
                    help="Parity event loops = nginx proxy workers (env BENCH_GATEWAY_THREADS, default 2)")
    ap.add_argument("--backend-workers", type=int, default=1, help="worker processes of the backend nginx (1)")
    ap.add_argument("--body-bytes", type=int, default=0,
                    help="the backend answers a file of this many bytes (0: a 69-byte JSON body via return)")
    ap.add_argument("--idle-connections", type=int,
                    help="idle TLS connections held for the RSS figure (env BENCH_IDLE_CONNECTIONS, default 10000)")
    ap.add_argument("--hold-batch", type=int, default=500, help="handshakes in flight while opening them (500)")
    ap.add_argument("--hold-procs", type=int, default=2, help="client processes holding them (2)")
    ap.add_argument("--hold-nginx", action="store_true",
                    help="also hold the idle connections against the nginx proxy, for reference (+~30 s)")
    ap.add_argument("--parity-bin-dir", help="directory of the parity binary (env PARITY_BIN_DIR)")
    ap.add_argument("--json", help="also write the figures as JSON to this file")
    ap.add_argument("--keep", action="store_true", help="keep the temporary directory (configs, logs)")
    add_steal_args(ap)
    a = ap.parse_args()
    quick = a.quick
    a.duration = a.duration or env_int("BENCH_DURATION", 3 if quick else 10)
    a.rounds = a.rounds or env_int("BENCH_ROUNDS", 2 if quick else 4)
    a.connections = a.connections or env_int("BENCH_CONNECTIONS", 64)
    a.wrk_threads = a.wrk_threads or env_int("BENCH_WRK_THREADS", 2)
    a.gateway_threads = a.gateway_threads or env_int("BENCH_GATEWAY_THREADS", 2)
    a.idle_connections = a.idle_connections or env_int("BENCH_IDLE_CONNECTIONS", 2000 if quick else 10000)
    a.parity_bin_dir = a.parity_bin_dir or os.environ.get("PARITY_BIN_DIR", "/work/main/build/release/bin")
    a.warmup = 1 if quick else 2
    a.hold_wrk = 2 if quick else 5
    return a


def fmt_added(v):
    return f"{v:+.2f} ms" if abs(v) < 10 else f"{v:+.1f} ms"



def preflight(a):
    binary = (Path(a.parity_bin_dir) / "parity").resolve()
    check_tools()
    if not os.access(binary, os.X_OK):
        raise SetupError(f"no parity binary at {binary}: build it (cmake --build … --target parity) or set "
                         "PARITY_BIN_DIR")
    return binary


def hold_idle(a, procs, tmp, name, port, pids, url, alive):
    """Holds a.idle_connections idle TLS keep-alive connections to `port`; measures RSS and threads of `pids`
    (summed), runs a short wrk meanwhile, then closes them."""
    log(f"holding {a.idle_connections:,} idle TLS keep-alive connections to {name} "
        f"({a.hold_procs} client processes, {a.hold_batch} handshakes in flight)")
    hold = {"wanted": a.idle_connections, "held": 0, "failed": 0, "errors": {}}
    rss = lambda: sum(rss_kb(p) for p in pids)  # noqa: E731
    hold["rss_before_kb"] = rss()
    # Several holder processes: one Python event loop doing TLS handshakes is the bottleneck otherwise.
    k = max(1, min(a.hold_procs, a.idle_connections))
    holders = []
    for i in range(k):
        count = a.idle_connections // k + (1 if i < a.idle_connections % k else 0)
        holders.append(procs.start(f"holder-{name}-{i}", [PYTHON, str(HOLDER), "--port", str(port), "--count",
                                                          str(count), "--batch", str(max(1, a.hold_batch // k))],
                                   stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                   stderr=open(tmp / f"holder-{name}-{i}.log", "w"), text=True))
    deadline = time.monotonic() + 60 + a.idle_connections / 50
    seconds = 0.0
    for i, holder in enumerate(holders):
        ready, _, _ = select.select([holder.stdout], [], [], max(0.1, deadline - time.monotonic()))
        line = holder.stdout.readline() if ready else ""
        if not line:
            raise ServerDied(f"connection holder {i} did not report (status {holder.poll()}):\n"
                             f"{tail(tmp / f'holder-{name}-{i}.log')}")
        got = json.loads(line)
        hold["held"] += got["held"]
        hold["failed"] += got["failed"]
        seconds = max(seconds, got["seconds"])
        for key, n in got["errors"].items():
            hold["errors"][key] = hold["errors"].get(key, 0) + n
    hold["seconds"] = seconds
    alive()
    time.sleep(1.0)
    hold["rss_kb"] = rss()
    hold["threads"] = sum(thread_count(p) for p in pids)
    hold["processes"] = len(pids)
    log(f"  held {hold['held']:,} (failed {hold['failed']}) in {hold['seconds']} s: RSS {mb(hold['rss_kb']):.1f} MB, "
        f"{hold['threads']} threads" + (f"; errors {hold['errors']}" if hold["errors"] else ""))
    during = wrk(url, a.wrk_threads, a.connections, a.hold_wrk, pids)
    alive()
    hold["wrk"] = during
    hold["rss_after_wrk_kb"] = rss()
    log(f"  wrk at {name} meanwhile: {during['rps']:,.0f} req/s, p50 {fmt_ms(during['p50_ms'])}, "
        f"p99 {fmt_ms(during['p99_ms'])}" + (f", ERRORS {during['errors']}" if during["errors"] else "")
        + f"; RSS then {mb(hold['rss_after_wrk_kb']):.1f} MB")
    hold["closed_by_server"] = 0
    for holder in holders:
        holder.stdin.close()  # EOF: the holders report and close their connections
    for holder in holders:
        ready, _, _ = select.select([holder.stdout], [], [], 30)
        closing = holder.stdout.readline() if ready else ""
        if closing:
            hold["closed_by_server"] += json.loads(closing).get("closed_by_server", 0)
        holder.wait(timeout=30)
    if hold["closed_by_server"]:
        log(f"  note: {name} had closed {hold['closed_by_server']} of them before the end")
    time.sleep(1.0)
    hold["rss_after_release_kb"] = rss()
    return hold


def benchmark(a, procs, tmp: Path):
    binary = preflight(a)
    fd_limit = raise_fd_limit()
    if a.idle_connections + 256 > fd_limit:
        log(f"warning: fd limit {fd_limit}: holding {fd_limit - 256} connections instead of {a.idle_connections}")
        a.idle_connections = fd_limit - 256

    cafile, cert, key = make_certs(tmp)
    ports = {name: free_port() for name in ("backend", "parity", "admin", "nginx")}

    if a.body_bytes > 0:
        body = file_body(a.body_bytes)
        (tmp / "www").mkdir()
        (tmp / "www" / "body.txt").write_text(body)
        os.chmod(tmp / "www", 0o755)
        os.chmod(tmp, 0o711)  # nginx's workers (nobody) pass through the private temporary directory
        server = BACKEND_FILE_SERVER.format(port=ports["backend"], root=tmp / "www")
    else:
        body = BODY
        server = BACKEND_SERVER.format(port=ports["backend"], body=BODY)
    backend = start_nginx(procs, "backend", tmp / "backend", a.backend_workers, server)
    wait_port(ports["backend"], backend, "backend nginx", tmp / "backend" / "error.log")
    proxy = start_nginx(procs, "nginx", tmp / "nginx", a.gateway_threads,
                        PROXY_SERVER.format(upstream=nginx_upstream("backend", ports["backend"]),
                                            tls=nginx_tls(ports["nginx"], cert, key)))
    wait_port(ports["nginx"], proxy, "nginx reverse proxy", tmp / "nginx" / "error.log")
    (tmp / "parity").mkdir()
    parity, parity_log = start_parity(procs, binary, tmp / "parity", ports["parity"], ports["admin"],
                                      ports["backend"], cert, key, a.gateway_threads)

    check_response(ports["parity"], cafile, "parity", body)
    check_response(ports["nginx"], cafile, "nginx", body)
    time.sleep(1.0)
    idle_rss = rss_kb(parity.pid)
    idle_threads = thread_count(parity.pid)
    nginx_pids = [proxy.pid] + children(proxy.pid)
    nginx_idle_rss = sum(rss_kb(p) for p in nginx_pids)
    log(f"backend answers {len(body):,} bytes; parity {binary} (pid {parity.pid}): idle RSS {mb(idle_rss):.1f} MB, "
        f"{idle_threads} threads")

    urls = {"direct": f"http://127.0.0.1:{ports['backend']}/",
            "parity": f"https://127.0.0.1:{ports['parity']}/",
            "nginx": f"https://127.0.0.1:{ports['nginx']}/"}
    cpu_pids = {"direct": [backend.pid] + children(backend.pid), "parity": [parity.pid],
                "nginx": nginx_pids}

    def alive():
        for proc, what in ((parity, "parity"), (proxy, "nginx proxy"), (backend, "backend")):
            if proc.poll() is not None:
                log_file = parity_log if proc is parity else tmp / proc.bench_name / "error.log"
                raise ServerDied(f"{what} exited with status {proc.returncode} during the run:\n{tail(log_file)}")

    log(f"warm-up: {a.warmup} s per target")
    for t in TARGETS:
        wrk(urls[t], a.wrk_threads, a.connections, a.warmup)
    alive()

    runs = {t: [] for t in TARGETS}
    log(f"measuring: {a.rounds} rounds x {len(TARGETS)} targets x {a.duration} s, "
        f"wrk -t{min(a.wrk_threads, a.connections)} "
        f"-c{a.connections}, targets interleaved")
    def one_round(r):
        out = {}
        for t in TARGETS[r % 3:] + TARGETS[:r % 3]:  # rotate so no target always runs first
            res = wrk(urls[t], a.wrk_threads, a.connections, a.duration, cpu_pids[t])
            alive()
            res["round"] = r + 1
            out[t] = res
            err = f"  ERRORS {res['errors']}" if res["errors"] else ""
            log(f"  round {r + 1}/{a.rounds} {t:<7} {res['rps']:>10,.0f} req/s  p50 {fmt_ms(res['p50_ms']):>9}  "
                f"p99 {fmt_ms(res['p99_ms']):>9}  cpu {res.get('cpu_us_per_req', 0):6.1f} us/req  "
                f"steal {res['steal_pct']:4.1f}%{err}")
        return out

    for r in range(a.rounds):
        for t, res in redo_on_steal(lambda: one_round(r), a.max_steal, a.redo, f"round {r + 1}").items():
            runs[t].append(res)

    summary = {}
    for t in TARGETS:
        summary[t] = {"rps": median([x["rps"] for x in runs[t]]),
                      "p50_ms": median([x["p50_ms"] for x in runs[t]]),
                      "p99_ms": median([x["p99_ms"] for x in runs[t]]),
                      "cpu_us_per_req": median([x.get("cpu_us_per_req", 0) for x in runs[t]]),
                      "errors": sum(x["errors"] for x in runs[t]),
                      "runs": runs[t]}
    for t in ("parity", "nginx"):
        summary[t]["added_p50_ms"] = summary[t]["p50_ms"] - summary["direct"]["p50_ms"]
        summary[t]["added_p99_ms"] = summary[t]["p99_ms"] - summary["direct"]["p99_ms"]
    ratios = [p["rps"] / n["rps"] for p, n in zip(runs["parity"], runs["nginx"]) if n["rps"]]
    ratio = median(ratios)
    after_load_rss = rss_kb(parity.pid)

    # ---- 10,000 idle keep-alive connections
    hold = hold_idle(a, procs, tmp, "parity", ports["parity"], [parity.pid], urls["parity"], alive)
    hold_nginx = None
    if a.hold_nginx:
        hold_nginx = hold_idle(a, procs, tmp, "nginx", ports["nginx"], nginx_pids, urls["nginx"], alive)

    return {
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "machine": machine(),
        "settings": {"duration_s": a.duration, "rounds": a.rounds, "connections": a.connections,
                     "wrk_threads": a.wrk_threads, "gateway_threads": a.gateway_threads,
                     "backend_workers": a.backend_workers, "idle_connections": a.idle_connections,
                     "parity_binary": str(binary), "body_bytes": a.body_bytes or len(BODY)},
        "targets": summary,
        "parity_nginx_ratio": ratio,
        "parity_nginx_ratios": ratios,
        "parity_nginx_ratio_of_medians": summary["parity"]["rps"] / summary["nginx"]["rps"],
        "rss": {"idle_kb": idle_rss, "idle_threads": idle_threads, "after_load_kb": after_load_rss,
                "nginx_idle_kb_sum": nginx_idle_rss, "nginx_processes": len(nginx_pids)},
        "hold": hold,
        "hold_nginx": hold_nginx,
        "goals": {"throughput_ratio_min": 1.0, "throughput_ok": ratio >= 1.0,
                  "idle_rss_mb_max": 40, "idle_rss_ok": mb(idle_rss) < 40},
    }


def report(res):
    t = res["targets"]
    s = res["settings"]
    hold = res["hold"]
    log()
    log(f"gateway overhead, {res['date']}, {res['machine']['cores']} cores ({res['machine']['cpu']}); "
        f"medians of {s['rounds']} x {s['duration_s']} s, wrk -t{min(s['wrk_threads'], s['connections'])} "
        f"-c{s['connections']} keep-alive, "
        f"{s['gateway_threads']} gateway threads / nginx workers")
    log(f"{'target':<22}{'req/s':>10}{'p50':>11}{'p99':>11}{'added p50':>12}{'added p99':>12}{'cpu/req':>11}")
    names = {"direct": "direct (http backend)", "parity": "parity (https)", "nginx": "nginx (https)"}
    for name in TARGETS:
        x = t[name]
        added50 = fmt_added(x["added_p50_ms"]) if "added_p50_ms" in x else "-"
        added99 = fmt_added(x["added_p99_ms"]) if "added_p99_ms" in x else "-"
        log(f"{names[name]:<22}{x['rps']:>10,.0f}{fmt_ms(x['p50_ms']):>11}{fmt_ms(x['p99_ms']):>11}"
            f"{added50:>12}{added99:>12}{x['cpu_us_per_req']:>8.1f} us"
            + (f"  ({x['errors']} errors)" if x["errors"] else ""))
    log()
    per_round = ", ".join(f"{r:.2f}" for r in res["parity_nginx_ratios"])
    log(f"parity/nginx throughput ratio: {res['parity_nginx_ratio']:.2f} (goal >= 1.0)   "
        f"[per round: {per_round}; ratio of medians {res['parity_nginx_ratio_of_medians']:.2f}]")
    rss = res["rss"]
    log(f"idle RSS: {mb(rss['idle_kb']):.1f} MB (goal < 40 MB)   "
        f"[after the load rounds: {mb(rss['after_load_kb']):.1f} MB; nginx proxy idle, sum of "
        f"{rss['nginx_processes']} processes: {mb(rss['nginx_idle_kb_sum']):.1f} MB]")
    log(f"RSS with {hold['held']:,} idle connections: {mb(hold['rss_kb']):.1f} MB   "
        f"[{(hold['rss_kb'] - hold['rss_before_kb']) / max(1, hold['held']):.1f} KB per connection; "
        f"{mb(hold['rss_after_wrk_kb']):.1f} MB after wrk meanwhile at {hold['wrk']['rps']:,.0f} req/s; "
        f"{mb(hold['rss_after_release_kb']):.1f} MB after closing them]")
    log(f"threads: {hold['threads']} (with {hold['held']:,} connections open; {rss['idle_threads']} at idle)")
    hn = res.get("hold_nginx")
    if hn:
        log(f"reference, nginx proxy with {hn['held']:,} idle connections: {mb(hn['rss_kb']):.1f} MB "
            f"(sum of {hn['processes']} processes; {(hn['rss_kb'] - hn['rss_before_kb']) / max(1, hn['held']):.1f} KB "
            f"per connection; wrk meanwhile {hn['wrk']['rps']:,.0f} req/s)")


def main():
    a = parse_args()

    def bench(procs, tmp):
        res = benchmark(a, procs, tmp)
        procs.stop_all()
        report(res)
        return res

    return run_bench(a, preflight, bench, "parity-bench-", stop_timeout=5)


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/python3
"""Mirror overhead benchmark (issue 4): what mirroring costs the clients, Parity against nginx's `mirror`.

Starts, in a temporary directory, all on 127.0.0.1 and free ports, backends that all answer GET /v1/models
with the same bytes and Content-Type as the project's candidate fixture (`parity-candidate`, asked once at
start), so primary and shadow agree and Parity's diff parses and compares two real JSON bodies each time:
  - primary: nginx, plain HTTP, `return 200 '<those bytes>'`;
  - fast shadow: the same (or, --fast-shadow candidate, `parity-candidate --delay-ms 0`);
  - slow shadow: nginx answering the same bytes after --delay-ms (200) — it tries to connect to a socket
    whose accept queue is full and answers from its error page when proxy_connect_timeout fires; or,
    --slow-shadow candidate, `parity-candidate --delay-ms 200` (a thread per connection, far more CPU);
  - three Parity gateways (TLS, mirror on, diff on, records written to a temporary store): one mirroring to
    the fast shadow, one to the slow shadow (mirror.queue 4096), and a second fast-shadow one, the A/A
    control of (a);
  - two nginx TLS reverse proxies with the classic `mirror /mirror;` + `location = /mirror { internal;
    proxy_pass http://shadow$request_uri; }`: one to each shadow.
Then, with wrk (TLS, keep-alive, --latency) at GET /v1/models:
  (a) client latency: wrk -t2 -c16 at the five gateways, interleaved for R rounds of D seconds; medians of
      p50/p99 and the ratio slow-shadow/fast-shadow of the client p99 for each (goal for Parity <= 1.1;
      nginx's mirror holds the client's connection until the mirror subrequest is answered), and the
      A/A ratio of the two fast-shadow Parity gateways (what the ratio reads when nothing differs);
  (b) throughput: wrk -t2 -c64 at Parity (fast shadow) and nginx mirror (fast shadow), interleaved;
      medians of req/s and the Parity/nginx ratio (goal >= 1.5);
  (c) client latency at a fixed offered load below saturation: `parity bench --rate R` (open loop, latency
      from the intended send time) at the fast- and the slow-shadow gateway *at the same time*, one load
      generator each, so a burst of host steal lands on both sides of the ratio; 7 rounds
      (--fixed-rounds), each followed by the same pair measure at the two fast-shadow gateways, the A/A
      control of (c). R defaults to 10 % of Parity's closed-loop req/s from (a). (a) asks "what
      does the slow shadow cost at saturation", where its CPU (~1,400 connections in flight) is taken from
      the clients; (c) asks "does a slow shadow delay a client's response" with CPU to spare. nginx is
      left out of (c): its slow-shadow mirror holds each connection for the shadow's delay, so it serves
      at most connections/delay (320 req/s with 64 and 200 ms) and at R its queue only grows ((a) shows it).
Parity's mirrored/dropped/failed counts come from its /metrics, per wrk run (after the in-flight mirrors
have settled), and the verdicts of the records written from its store.

The machine is shared and noisy: every figure is a median or a ratio measured in the same run, never an
assertion. Exit status: 0 whether the goals are met or not; 2 when the setup fails (missing tool, a server
that does not start); 1 when a server dies during the run; 130 when interrupted.

  bench/mirror_overhead.py                  # defaults: 3 rounds x 10 s, 7 of part (c): ~11 min
  bench/mirror_overhead.py --quick          # ~1 min smoke run
  bench/mirror_overhead.py --json out.json
Environment: PARITY_BIN_DIR (default /work/main/build/release/bin; needs parity and parity-candidate),
BENCH_DURATION, BENCH_ROUNDS; flags override them.
"""
import argparse
import datetime
import http.client
import json
import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent / "lib"))
from benchkit import (ServerDied, SetupError, check_response, check_tools, children, cpu_seconds,  # noqa: E402
                      cpu_ticks, sleeps, env_int, fmt_ms, free_port, http_get, log, machine, make_certs, median,
                      nginx_tls, nginx_upstream, parity_bench_figures, raise_fd_limit, redo_on_steal, run_bench,
                      start_nginx, steal_pct, tail, wait_log, wait_port, wrk, add_steal_args)

PATH = "/v1/models"
# parity_fast_again: a second gateway exactly like parity_fast, measured in (a) like the others — the
# A/A control: its p99 ratio to parity_fast is the noise floor of (a)'s ratio on this host.
LATENCY_TARGETS = ("parity_fast", "parity_slow", "nginx_fast", "nginx_slow", "parity_fast_again")
FIXED_RATE_TARGETS = ("parity_fast", "parity_slow")
# Part (c)'s A/A control: the two fast-shadow gateways measured at once the same way, in each round
# right after the pair above — what (c)'s ratio reads when nothing differs.
FIXED_CONTROL_TARGETS = ("parity_fast", "parity_fast_again")
THROUGHPUT_TARGETS = ("parity_fast", "nginx_fast")
NAMES = {"parity_fast": "parity, fast shadow", "parity_slow": "parity, slow shadow",
         "nginx_fast": "nginx mirror, fast shadow", "nginx_slow": "nginx mirror, slow shadow",
         "parity_fast_again": "parity, fast shadow (A/A)"}


# ---------------------------------------------------------------------------------------------- setup

# The primary: the candidate fixture's /v1/models answer, byte for byte, from nginx (fast, scales).
PRIMARY_SERVER = """\
  server {{
    listen 127.0.0.1:{port} reuseport backlog=4096;
    location = {path} {{
      default_type "{ctype}";
      return 200 '{body}';
    }}
    location / {{
      default_type application/json;
      return 200 '{{"ok":true,"n":1}}';
    }}
  }}
"""

# The slow shadow, in nginx (which has no sleep): each request tries to connect to a listening socket whose
# accept queue is full (the kernel drops the SYNs), gives up after exactly `delay` ms and answers the same
# bytes from the error page. Cheap in CPU, keep-alive, a backlog of 4096, no thread per connection.
SLOW_SERVER = """\
  upstream blackhole {{
    server 127.0.0.1:{blackhole};
  }}
  server {{
    listen 127.0.0.1:{port} reuseport backlog=4096;
    location = {path} {{
      proxy_pass http://blackhole;
      proxy_connect_timeout {delay}ms;
      proxy_next_upstream off;
      error_page 502 504 = @answer;
    }}
    location @answer {{
      default_type "{ctype}";
      return 200 '{body}';
    }}
  }}
"""


# The slow shadow with Debian's echo module (libnginx-mod-http-echo, pulled in by nginx-light): a timer per
# request, then the same bytes (chunked: framing is not compared). The cheapest way to answer late, so the
# slow shadow costs about the CPU of the fast one and the p99 ratio measures the gateway, not the shadow.
ECHO_MODULE = "/usr/lib/nginx/modules/ngx_http_echo_module.so"
ECHO_SERVER = """\
  server {{
    listen 127.0.0.1:{port} reuseport backlog=4096;
    location = {path} {{
      default_type "{ctype}";
      echo_sleep {delay_s};
      echo -n '{body}';
    }}
  }}
"""


def blackhole():
    """A listening socket nobody accepts from, its accept queue filled: connecting to it hangs (SYN dropped)."""
    bh = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    bh.bind(("127.0.0.1", 0))
    bh.listen(0)
    port = bh.getsockname()[1]
    fillers = []
    for _ in range(4):
        c = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        c.setblocking(False)
        try:
            c.connect(("127.0.0.1", port))
        except BlockingIOError:
            pass
        fillers.append(c)
    time.sleep(0.2)
    return port, [bh] + fillers


# The reference: nginx as a TLS reverse proxy with the classic mirror configuration. Upstream keep-alive to
# both sides, HTTP/1.1, TLS versions and AEAD ciphers as Parity's.
# {primary}, {shadow} = nginx_upstream("primary"/"shadow", …), {tls} = nginx_tls(…).
MIRROR_SERVER = """\
{primary}
{shadow}
  server {{
{tls}
    location / {{
      mirror /mirror;
      mirror_request_body on;
      proxy_pass http://primary;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto $scheme;
      proxy_set_header X-Request-ID $request_id;
    }}
    location = /mirror {{
      internal;
      proxy_pass http://shadow$request_uri;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header X-Parity-Mirror 1;
      proxy_read_timeout 5s;
    }}
  }}
"""


def start_candidate(procs, binary, d: Path, name, delay_ms, threads):
    d.mkdir(parents=True)
    log_file = d / "stdout.log"
    argv = [str(binary), "--host", "127.0.0.1", "--port", "0", "--delay-ms", str(delay_ms),
            "--threads", str(threads), "--quiet"]
    proc = procs.start(name, argv, stdout=open(log_file, "w"), stderr=subprocess.STDOUT)
    m = wait_log(proc, log_file, r"listening on http://127\.0\.0\.1:(\d+)", f"{name} ({' '.join(argv)})")
    return proc, int(m.group(1))


def start_parity(procs, binary, d: Path, name, primary_port, shadow_port, cert, key, a):
    d.mkdir(parents=True)
    conf = {
        "listen": "127.0.0.1:0",
        "threads": a.gateway_threads,
        "access_log": False,
        "tls": {"cert": str(cert), "key": str(key)},
        "admin": {"listen": f"127.0.0.1:{free_port()}"},
        "backends": {"legacy": {"url": f"http://127.0.0.1:{primary_port}"},
                     "candidate": {"url": f"http://127.0.0.1:{shadow_port}"}},
        "serve": "legacy",
        "mirror": {"enabled": True, "queue": a.queue, "timeout_ms": 5000},
        "store": {"path": str(d / "store")},
        "limits": {"idle_timeout_ms": 600000},
    }
    if a.shadow_max_idle:
        conf["backends"]["candidate"]["max_idle"] = a.shadow_max_idle
    conf_file = d / "parity.yaml"
    conf_file.write_text(json.dumps(conf, indent=2) + "\n")
    log_file = d / "parity.log"
    argv = [str(binary), "gateway", "-c", str(conf_file)]
    proc = procs.start(name, argv, cwd=d, stdout=open(d / "parity.stdout", "w"), stderr=open(log_file, "w"))
    m = wait_log(proc, log_file, r"listening on https://127\.0\.0\.1:(\d+)", f"{name} ({' '.join(argv)})")
    return proc, int(m.group(1)), log_file



# ---------------------------------------------------------------------------------------------- /metrics

METRIC_LINE = re.compile(r"^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})?\s+(\S+)")


def scrape(port, cafile):
    """Parity's counters of interest, from /metrics (same port, TLS)."""
    status, _, body = http_get(port, "/metrics", cafile)
    if status != 200:
        raise ServerDied(f"/metrics answered {status}")
    out = {"mirrored": 0.0, "dropped_queue_full": 0.0, "dropped_diff_queue_full": 0.0, "dropped_other": 0.0,
           "failed": 0.0, "records_ok": 0.0, "records_failed": 0.0}
    for line in body.decode(errors="replace").splitlines():
        m = METRIC_LINE.match(line)
        if not m:
            continue
        name, labels, value = m.group(1), m.group(2) or "", float(m.group(3))
        if name == "parity_mirrored_total":
            out["mirrored"] += value
        elif name == "parity_mirror_dropped_total":
            if 'reason="queue_full"' in labels:
                out["dropped_queue_full"] += value
            elif 'reason="diff_queue_full"' in labels:
                out["dropped_diff_queue_full"] += value
            else:
                out["dropped_other"] += value
        elif name == "parity_mirror_failed_total":
            out["failed"] += value
        elif name == "parity_store_records_total":
            if 'result="failed"' in labels:
                out["records_failed"] += value
            else:
                out["records_ok"] += value
    return out


def delta(after, before):
    return {k: int(round(after[k] - before.get(k, 0))) for k in after}


def dropped(m):
    return m["dropped_queue_full"] + m["dropped_diff_queue_full"] + m["dropped_other"]


def verdicts(store: Path):
    counts = {}
    f = store / "records.jsonl"
    if not f.exists():
        return counts
    pat = re.compile(rb'"verdict"\s*:\s*"([a-z_]+)"')
    with open(f, "rb") as fh:
        for line in fh:
            m = pat.search(line)
            key = m.group(1).decode() if m else "?"
            counts[key] = counts.get(key, 0) + 1
    return counts


# ---------------------------------------------------------------------------------------------- main

def parse_args():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="~1 min smoke run: 2 rounds x 3 s")
    ap.add_argument("--duration", type=int, help="seconds per wrk run (env BENCH_DURATION, default 10)")
    ap.add_argument("--rounds", type=int, help="rounds of each part (env BENCH_ROUNDS, default 3)")
    ap.add_argument("--latency-connections", type=int, default=16, help="wrk connections in part (a) (16)")
    ap.add_argument("--throughput-connections", type=int, default=64, help="wrk connections in part (b) (64)")
    ap.add_argument("--wrk-threads", type=int, default=2, help="wrk threads (2)")
    ap.add_argument("--gateway-threads", type=int, default=2, help="Parity event loops = nginx workers (2)")
    ap.add_argument("--delay-ms", type=int, default=200, help="the slow shadow's delay (200)")
    ap.add_argument("--slow-shadow", choices=("echo", "nginx", "candidate"),
                    default="echo" if Path(ECHO_MODULE).exists() else "nginx",
                    help="the slow shadow: nginx with the echo module's echo_sleep (default when installed: a "
                         "timer, the cheapest delay), nginx giving up on a black-holed upstream after --delay-ms "
                         "(nginx), or the candidate fixture with --delay-ms (a thread per connection: ~10x the "
                         "CPU per request)")
    ap.add_argument("--fast-shadow", choices=("nginx", "candidate"), default="nginx",
                    help="the fast shadow: nginx answering the fixture's bytes (default), or the candidate fixture "
                         "with --delay-ms 0 (its listen backlog of 5 then stalls nginx's mirror for 1 s SYN retries)")
    ap.add_argument("--fixed-rate", type=float, default=0,
                    help="requests/s per gateway in part (c) (0: 10%% of Parity's closed-loop req/s in (a))")
    ap.add_argument("--fixed-rounds", type=int,
                    help="rounds of part (c) (default: 7, or --rounds when more; 2 with --quick): p99 at a fixed "
                         "rate spreads by +-0.2 from round to round on a shared machine")
    ap.add_argument("--fixed-connections", type=int, default=64,
                    help="connections of each load generator in part (c) (64)")
    ap.add_argument("--queue", type=int, default=4096, help="Parity's mirror.queue (4096)")
    ap.add_argument("--shadow-max-idle", type=int, default=0,
                    help="Parity's backends.candidate.max_idle (0: Parity's default)")
    ap.add_argument("--shadow-threads", type=int, default=4096,
                    help="threads of each shadow fixture (cpp-httplib: one per connection) (4096)")
    ap.add_argument("--prewarm", type=int, default=1,
                    help="unmeasured seconds of wrk at a gateway right before each measured run (1; 0: none)")
    ap.add_argument("--settle", type=float, default=1.5,
                    help="seconds after each Parity run for its in-flight mirrors to finish before /metrics (1.5)")
    ap.add_argument("--parity-bin-dir", help="directory of parity and parity-candidate (env PARITY_BIN_DIR)")
    ap.add_argument("--candidate-bin", help="the parity-candidate binary (default: in the parity bin dir)")
    ap.add_argument("--json", help="also write the figures as JSON to this file")
    ap.add_argument("--keep", action="store_true", help="keep the temporary directory (configs, logs, records)")
    add_steal_args(ap)
    a = ap.parse_args()
    a.duration = a.duration or env_int("BENCH_DURATION", 3 if a.quick else 10)
    a.rounds = a.rounds or env_int("BENCH_ROUNDS", 2 if a.quick else 3)
    a.parity_bin_dir = a.parity_bin_dir or os.environ.get("PARITY_BIN_DIR", "/work/main/build/release/bin")
    a.warmup = 1 if a.quick else 2
    a.fixed_rounds = a.fixed_rounds or (2 if a.quick else max(7, a.rounds))
    return a


def preflight(a):
    parity = (Path(a.parity_bin_dir) / "parity").resolve()
    candidate = Path(a.candidate_bin).resolve() if a.candidate_bin else (Path(a.parity_bin_dir) / "parity-candidate").resolve()
    check_tools()
    for b in (parity, candidate):
        if not os.access(b, os.X_OK):
            raise SetupError(f"no binary at {b}: build it (cmake --build … --target parity parity-candidate) or set "
                             "PARITY_BIN_DIR")
    return parity, candidate


def benchmark(a, procs, tmp: Path):
    parity_bin, candidate_bin = preflight(a)
    raise_fd_limit()
    cafile, cert, key = make_certs(tmp)

    # ---- shadows and primary: every one answers GET /v1/models with the candidate fixture's own bytes.
    fixture, fixture_port = start_candidate(procs, candidate_bin, tmp / "fixture", "fixture", 0, 16)
    try:
        status, ctype, body = http_get(fixture_port, PATH)
    except (OSError, http.client.HTTPException) as e:
        raise SetupError(f"candidate fixture: GET {PATH} failed: {e}")
    if status != 200:
        raise SetupError(f"candidate fixture: GET {PATH} answered {status}")
    text = body.decode()
    if any(c in text for c in "'$\\\n") or '"' in ctype:
        raise SetupError(f"the fixture's {PATH} body cannot be put into an nginx `return` as is: {text[:200]!r}")
    if a.slow_shadow == "candidate":
        slow, slow_port = start_candidate(procs, candidate_bin, tmp / "shadow-slow", "shadow-slow", a.delay_ms,
                                          a.shadow_threads)
        slow_log = tmp / "shadow-slow" / "stdout.log"
    elif a.slow_shadow == "echo":
        slow_port = free_port()
        slow = start_nginx(procs, "shadow-slow", tmp / "shadow-slow", 1,
                           ECHO_SERVER.format(port=slow_port, delay_s=a.delay_ms / 1000, path=PATH, ctype=ctype,
                                              body=text), modules=(ECHO_MODULE,))
        wait_port(slow_port, slow, "slow shadow nginx (echo)", tmp / "shadow-slow" / "error.log")
        slow_log = tmp / "shadow-slow" / "error.log"
    else:
        bh_port, keep_open = blackhole()
        a.blackhole_sockets = keep_open  # closed when the process exits
        slow_port = free_port()
        slow = start_nginx(procs, "shadow-slow", tmp / "shadow-slow", 1,
                           SLOW_SERVER.format(port=slow_port, blackhole=bh_port, delay=a.delay_ms, path=PATH,
                                              ctype=ctype, body=text), error_level="crit")
        wait_port(slow_port, slow, "slow shadow nginx", tmp / "shadow-slow" / "error.log")
        slow_log = tmp / "shadow-slow" / "error.log"
    t0 = time.monotonic()
    status, sct, sbody = http_get(slow_port, PATH)
    slow_ms = (time.monotonic() - t0) * 1000
    if status != 200 or sbody != body or sct != ctype:
        raise SetupError(f"slow shadow: GET {PATH} answered {status} {sct!r} {sbody[:100]!r}, not the fixture's answer")
    primary_port = free_port()
    primary = start_nginx(procs, "primary", tmp / "primary", 1,
                          PRIMARY_SERVER.format(port=primary_port, path=PATH, ctype=ctype, body=text))
    wait_port(primary_port, primary, "primary nginx", tmp / "primary" / "error.log")
    if a.fast_shadow == "candidate":
        fast, fast_port = start_candidate(procs, candidate_bin, tmp / "shadow-fast", "shadow-fast", 0,
                                          a.shadow_threads)
        fast_log = tmp / "shadow-fast" / "stdout.log"
    else:
        fast_port = free_port()
        fast = start_nginx(procs, "shadow-fast", tmp / "shadow-fast", 1,
                           PRIMARY_SERVER.format(port=fast_port, path=PATH, ctype=ctype, body=text))
        wait_port(fast_port, fast, "fast shadow nginx", tmp / "shadow-fast" / "error.log")
        fast_log = tmp / "shadow-fast" / "error.log"
    for what, port in (("primary", primary_port), ("fast shadow", fast_port)):
        status, ct, b = http_get(port, PATH)
        if status != 200 or b != body or ct != ctype:
            raise SetupError(f"{what}: GET {PATH} answered {status} {ct!r} {b[:100]!r}, not the fixture's answer")
    shadow_pids = {"fast": [fast.pid] + children(fast.pid), "slow": [slow.pid] + children(slow.pid)}
    log(f"backends: primary nginx :{primary_port}, fast shadow ({a.fast_shadow}, 0 ms) :{fast_port}, slow shadow "
        f"({a.slow_shadow}, {a.delay_ms} ms; first answer in {slow_ms:.0f} ms) :{slow_port}; GET {PATH} = "
        f"{len(body)} bytes of {ctype}, the same bytes from all three")

    # ---- gateways
    gw = {}
    for speed, shadow_port in (("fast", fast_port), ("slow", slow_port)):
        name = f"parity_{speed}"
        proc, port, log_file = start_parity(procs, parity_bin, tmp / name, name, primary_port, shadow_port, cert, key, a)
        gw[name] = {"proc": proc, "port": port, "log": log_file, "pids": [proc.pid], "store": tmp / name / "store"}
        name = f"nginx_{speed}"
        port = free_port()
        proc = start_nginx(procs, name, tmp / name, a.gateway_threads,
                           MIRROR_SERVER.format(primary=nginx_upstream("primary", primary_port),
                                                shadow=nginx_upstream("shadow", shadow_port),
                                                tls=nginx_tls(port, cert, key)))
        wait_port(port, proc, f"nginx mirror ({speed})", tmp / name / "error.log")
        gw[name] = {"proc": proc, "port": port, "log": tmp / name / "error.log", "pids": None}
    name = "parity_fast_again"
    proc, port, log_file = start_parity(procs, parity_bin, tmp / name, name, primary_port, fast_port, cert, key, a)
    gw[name] = {"proc": proc, "port": port, "log": log_file, "pids": [proc.pid], "store": tmp / name / "store"}
    for name, g in gw.items():
        check_response(g["port"], cafile, name, body, PATH)
        g["url"] = f"https://127.0.0.1:{g['port']}{PATH}"
        if g["pids"] is None:
            g["pids"] = [g["proc"].pid] + children(g["proc"].pid)
    log(f"parity {parity_bin} (fast pid {gw['parity_fast']['proc'].pid}, slow pid {gw['parity_slow']['proc'].pid}), "
        f"mirror.queue {a.queue}; nginx mirror proxies; {a.gateway_threads} threads/workers each")

    def alive():
        for name, proc, lf in [(n, g["proc"], g["log"]) for n, g in gw.items()] + [
                ("primary", primary, tmp / "primary" / "error.log"), ("shadow-fast", fast, fast_log),
                ("shadow-slow", slow, slow_log)]:
            if proc.poll() is not None:
                raise ServerDied(f"{name} exited with status {proc.returncode} during the run:\n{tail(lf)}")

    def measure(target, connections, part, r, rounds):
        g = gw[target]
        if a.prewarm:
            # Unmeasured: pools emptied while the other gateways ran (the candidate fixture closes keep-alive
            # connections idle for 5 s) are refilled here, not in the measured run.
            wrk(g["url"], a.wrk_threads, connections, a.prewarm)
        before = scrape(g["port"], cafile) if target.startswith("parity") else None
        shadow = shadow_pids[target.split("_")[1]]
        cpu0 = cpu_seconds(shadow)
        res = wrk(g["url"], a.wrk_threads, connections, a.duration, g["pids"])
        if res["requests"]:
            res["shadow_cpu_us_per_req"] = (cpu_seconds(shadow) - cpu0) * 1e6 / res["requests"]
        alive()
        if before is not None:
            time.sleep(a.settle)  # mirrors still in flight (up to the shadow's delay) finish and are counted
            res["metrics"] = delta(scrape(g["port"], cafile), before)
        else:
            time.sleep(0.3)
        res["round"] = r + 1
        m = res.get("metrics")
        extra = ""
        if m:
            extra = f"  mirrored {m['mirrored']:>7,} dropped {dropped(m):>6,} failed {m['failed']:>5,}"
        err = f"  ERRORS {res['errors']}" if res["errors"] else ""
        log(f"  ({part}) round {r + 1}/{rounds} {NAMES[target]:<26} {res['rps']:>9,.0f} req/s  "
            f"p50 {fmt_ms(res['p50_ms']):>9}  p99 {fmt_ms(res['p99_ms']):>9}  "
            f"cpu {res.get('cpu_us_per_req', 0):6.1f} us/req (shadow {res.get('shadow_cpu_us_per_req', 0):5.1f}, "
            f"machine {res.get('machine_cpu_us_per_req', 0):5.1f})  "
            f"sleeps {res.get('sleeps_per_req', 0):4.2f}/req  tcp segs {res.get('segments_per_req', 0):4.2f}/req  "
            f"steal {res['steal_pct']:4.1f}%{extra}{err}")
        return res

    log(f"warm-up: {a.warmup} s per gateway")
    for name in LATENCY_TARGETS:
        wrk(gw[name]["url"], a.wrk_threads, a.latency_connections, a.warmup)
    time.sleep(a.settle)
    alive()

    # ---- (a) latency with a fast and a slow shadow
    lat = {t: [] for t in LATENCY_TARGETS}
    log(f"(a) client latency: {a.rounds} rounds x {len(LATENCY_TARGETS)} gateways x {a.duration} s, "
        f"wrk -t{min(a.wrk_threads, a.latency_connections)} -c{a.latency_connections}, interleaved")
    for r in range(a.rounds):
        k = r % len(LATENCY_TARGETS)
        order = LATENCY_TARGETS[k:] + LATENCY_TARGETS[:k]
        measured = redo_on_steal(lambda: {t: measure(t, a.latency_connections, "a", r, a.rounds) for t in order},
                                 a.max_steal, a.redo, f"(a) round {r + 1}")
        for t in LATENCY_TARGETS:
            lat[t].append(measured[t])

    # ---- (b) throughput with mirroring on, fast shadow
    tput = {t: [] for t in THROUGHPUT_TARGETS}
    log(f"(b) throughput: {a.rounds} rounds x {len(THROUGHPUT_TARGETS)} gateways x {a.duration} s, "
        f"wrk -t{min(a.wrk_threads, a.throughput_connections)} -c{a.throughput_connections}, interleaved")
    for r in range(a.rounds):
        order = THROUGHPUT_TARGETS if r % 2 == 0 else THROUGHPUT_TARGETS[::-1]
        measured = redo_on_steal(lambda: {t: measure(t, a.throughput_connections, "b", r, a.rounds) for t in order},
                                 a.max_steal, a.redo, f"(b) round {r + 1}")
        for t in THROUGHPUT_TARGETS:
            tput[t].append(measured[t])

    # ---- (c) latency at a fixed offered load, each pair measured at once
    # 10 %: a request costs the gateway about twice the CPU at that rate as at saturation (fewer per
    # wake-up), and two gateways and two generators run at once: at 20 % the two cores were nearly full.
    rate = a.fixed_rate or max(100.0, round(0.1 * median([x["rps"] for x in lat["parity_fast"]]), -2))
    fixed = {t: [] for t in FIXED_RATE_TARGETS}
    fixed_control = {t: [] for t in FIXED_CONTROL_TARGETS}
    log(f"(c) client latency at {rate:,.0f} req/s per gateway: {a.fixed_rounds} rounds x {a.duration} s, "
        f"parity bench --rate (open loop) at Parity's fast- and slow-shadow gateway at once, then at the two "
        f"fast-shadow ones (A/A control)")
    for r in range(a.fixed_rounds):
        for targets, into in ((FIXED_RATE_TARGETS, fixed), (FIXED_CONTROL_TARGETS, fixed_control)):
            def round_c(targets=targets):
                # The generator started first alternates between rounds, as the order does in (a) and (b).
                order = targets if r % 2 == 0 else targets[::-1]
                out = fixed_rate_pair(a, parity_bin, cafile, {t: gw[t]["port"] for t in order}, rate, tmp,
                                      {t: gw[t]["pids"] for t in order})
                alive()
                time.sleep(a.settle)
                for t in targets:
                    x = out[t]
                    log(f"  (c) round {r + 1}/{a.fixed_rounds} {NAMES[t]:<26} {x['requests']:>8,} requests  "
                        f"p50 {fmt_ms(x['p50_ms']):>9}  p99 {fmt_ms(x['p99_ms']):>9}  "
                        f"cpu {x['cpu_us_per_req']:6.1f} us/req  sleeps {x['sleeps_per_req']:4.2f}/req  "
                        f"steal {x['steal_pct']:4.1f}%"
                        + (f"  ERRORS {x['errors']}" if x["errors"] else ""))
                return out
            measured = redo_on_steal(round_c, a.max_steal, a.redo, f"(c) round {r + 1}")
            for t in targets:
                into[t].append(measured[t])

    totals = {n: scrape(gw[n]["port"], cafile) for n in ("parity_fast", "parity_slow")}
    info = {"body_bytes": len(body), "content_type": ctype, "slow_shadow_ms": slow_ms, "fixed_rate": rate}
    return lat, tput, (fixed, fixed_control), totals, info, gw


def fixed_rate_pair(a, parity_bin, cafile, ports, rate, tmp: Path, pids):
    """`parity bench --rate` at GET PATH of each gateway in `ports` ({name: TLS port}) at the same time, one
    process each; per name: parity_bench_figures, the host's steal meanwhile, and the CPU time and sleeps
    (wake-ups) per request of the gateway's processes `pids[name]`. ServerDied if a generator fails."""
    procs, outs = {}, {}
    ticks0 = cpu_ticks()
    before = {name: (cpu_seconds(pids[name]), sleeps(pids[name])) for name in ports}
    for name, port in ports.items():
        outs[name] = tmp / f"fixed-{name}.json"
        argv = [str(parity_bin), "bench", "--candidate", f"https://127.0.0.1:{port}", "--url", PATH,
                "--ca", str(cafile), "--rate", str(rate), "-c", str(a.fixed_connections), "-d", f"{a.duration}s",
                "--warmup", "1s", "--rounds", "1", "--threads", "1", "--progress", "none", "--json", str(outs[name])]
        procs[name] = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    results = {}
    for name, proc in procs.items():
        _, err = proc.communicate(timeout=a.duration + 120)
        if not outs[name].exists():
            raise ServerDied(f"parity bench at {name} wrote no result (exit {proc.returncode}): {err[-2000:]}")
        results[name] = parity_bench_figures(outs[name], "candidate")
    steal = steal_pct(ticks0, cpu_ticks())
    for name, x in results.items():
        x["steal_pct"] = steal
        served = x["requests"] + rate * 1.0  # and the generator's 1 s of warm-up at the same rate
        x["cpu_us_per_req"] = (cpu_seconds(pids[name]) - before[name][0]) * 1e6 / served
        x["sleeps_per_req"] = (sleeps(pids[name]) - before[name][1]) / served
    return results


def summarise(runs):
    out = {"rps": median([x["rps"] for x in runs]), "p50_ms": median([x["p50_ms"] for x in runs]),
           "p99_ms": median([x["p99_ms"] for x in runs]),
           "cpu_us_per_req": median([x.get("cpu_us_per_req", 0) for x in runs]),
           "shadow_cpu_us_per_req": median([x.get("shadow_cpu_us_per_req", 0) for x in runs]),
           "sleeps_per_req": median([x.get("sleeps_per_req", 0) for x in runs]),
           "segments_per_req": median([x.get("segments_per_req", 0) for x in runs]),
           "machine_cpu_us_per_req": median([x.get("machine_cpu_us_per_req", 0) for x in runs]),
           "errors": sum(x["errors"] for x in runs), "requests": sum(x["requests"] for x in runs), "runs": runs}
    if runs and "metrics" in runs[0]:
        out["mirrored"] = sum(x["metrics"]["mirrored"] for x in runs)
        out["dropped"] = sum(dropped(x["metrics"]) for x in runs)
        out["dropped_queue_full"] = sum(x["metrics"]["dropped_queue_full"] for x in runs)
        out["dropped_diff_queue_full"] = sum(x["metrics"]["dropped_diff_queue_full"] for x in runs)
        out["failed"] = sum(x["metrics"]["failed"] for x in runs)
        out["records_ok"] = sum(x["metrics"]["records_ok"] for x in runs)
    return out


def summarise_fixed(runs):
    return {"p50_ms": median([x["p50_ms"] for x in runs]), "p99_ms": median([x["p99_ms"] for x in runs]),
            "cpu_us_per_req": median([x["cpu_us_per_req"] for x in runs]),
            "sleeps_per_req": median([x["sleeps_per_req"] for x in runs]),
            "requests": sum(x["requests"] for x in runs), "errors": sum(x["errors"] for x in runs), "runs": runs}


def ratio_pairs(num, den, key):
    return [n[key] / d[key] for n, d in zip(num, den) if d[key]]


def slow_shadow_cost(slow_runs, fast_runs):
    """What the 200 ms shadow adds per client request in (a), round by round (medians): to the whole
    machine's CPU, and of that the gateway's and the slow shadow's own share. At saturation every process
    shares the same cores, so a closed loop's latency grows with the machine's CPU per request:
    `machine_ratio` (slow over fast) is what that predicts for the p50 ratio, and `shadow_alone_ratio`
    what the slow shadow's own extra CPU alone would predict with a gateway that cost nothing more."""
    rounds = [(s_, f_) for s_, f_ in zip(slow_runs, fast_runs)
              if s_.get("machine_cpu_us_per_req") and f_.get("machine_cpu_us_per_req")]
    if not rounds:
        return {}

    def extra(key):
        return median([s_.get(key, 0) - f_.get(key, 0) for s_, f_ in rounds])

    return {"machine_us": extra("machine_cpu_us_per_req"), "gateway_us": extra("cpu_us_per_req"),
            "shadow_us": extra("shadow_cpu_us_per_req"),
            "fast_machine_us": median([f_["machine_cpu_us_per_req"] for _, f_ in rounds]),
            "machine_ratio": median([s_["machine_cpu_us_per_req"] / f_["machine_cpu_us_per_req"] for s_, f_ in rounds]),
            "shadow_alone_ratio": median([1 + (s_.get("shadow_cpu_us_per_req", 0) - f_.get("shadow_cpu_us_per_req", 0))
                                          / f_["machine_cpu_us_per_req"] for s_, f_ in rounds])}


def report(res):
    s = res["settings"]
    a_, b_ = res["latency"], res["throughput"]
    log()
    log(f"mirror overhead, {res['date']}, {res['machine']['cores']} cores ({res['machine']['cpu']}); medians of "
        f"{s['rounds']} x {s['duration_s']} s; GET {PATH} ({s['body_bytes']} bytes), TLS keep-alive; "
        f"{s['gateway_threads']} Parity threads / nginx workers; slow shadow {s['delay_ms']} ms ({s['slow_shadow']}), "
        f"fast shadow 0 ms ({s['fast_shadow']}); cpu/req = the gateway's own CPU time per client request, "
        f"sleeps = times its threads went to sleep (wake-ups), segs = TCP segments of the whole machine")
    hdr = (f"{'':<36}{'req/s':>10}{'p50':>11}{'p99':>11}{'cpu/req':>11}{'shadow cpu':>12}{'sleeps':>8}{'segs':>6}"
           f"{'mirrored':>10}{'dropped':>9}{'failed':>8}")
    log(f"(a) client latency, wrk -c{s['latency_connections']}")
    log(hdr)

    def row(label, x):
        mirrored = f"{x['mirrored']:>10,}" if "mirrored" in x else f"{'-':>10}"
        dropped_ = f"{x['dropped']:>9,}" if "dropped" in x else f"{'-':>9}"
        failed = f"{x['failed']:>8,}" if "failed" in x else f"{'-':>8}"
        log(f"{label:<36}{x['rps']:>10,.0f}{fmt_ms(x['p50_ms']):>11}{fmt_ms(x['p99_ms']):>11}"
            f"{x['cpu_us_per_req']:>8.1f} us{x['shadow_cpu_us_per_req']:>9.1f} us"
            f"{x['sleeps_per_req']:>8.2f}{x['segments_per_req']:>6.2f}{mirrored}{dropped_}{failed}"
            + (f"  ({x['errors']} wrk errors)" if x["errors"] else ""))

    for t in LATENCY_TARGETS:
        row(NAMES[t], a_[t])
    log(f"(b) throughput, mirroring on (fast shadow), wrk -c{s['throughput_connections']}")
    log(hdr)
    for t in THROUGHPUT_TARGETS:
        row(NAMES[t].split(",")[0] + (" (mirror+diff+records)" if t.startswith("parity") else ""), b_[t])
    log(f"(c) client latency at a fixed {s['fixed_rate']:,.0f} req/s per gateway (open loop, both at once)")
    log(f"{'':<36}{'requests':>10}{'p50':>11}{'p99':>11}{'cpu/req':>11}{'sleeps':>8}")
    for t in FIXED_RATE_TARGETS:
        x = res["fixed_rate_latency"][t]
        log(f"{NAMES[t]:<36}{x['requests']:>10,}{fmt_ms(x['p50_ms']):>11}{fmt_ms(x['p99_ms']):>11}"
            f"{x.get('cpu_us_per_req', 0):>8.1f} us{x.get('sleeps_per_req', 0):>8.2f}"
            + (f"  ({x['errors']} errors)" if x["errors"] else ""))
    f = res["figures"]
    log()
    log(f"client p99 slow-shadow/fast-shadow: Parity {f['parity_p99_ratio']:.2f} (goal <= 1.1), "
        f"nginx mirror {f['nginx_p99_ratio']:.2f}")
    log(f"   [p50 ratio: Parity {f['parity_p50_ratio']:.2f}, nginx {f['nginx_p50_ratio']:.2f}; per-round p99 ratios: "
        f"Parity {', '.join(f'{x:.2f}' for x in f['parity_p99_ratios'])}; "
        f"nginx {', '.join(f'{x:.2f}' for x in f['nginx_p99_ratios'])}]")
    log(f"   [A/A control, a second fast-shadow gateway over the first (the noise floor of that ratio here): p99 "
        f"{f['control_p99_ratio']:.2f}; per round {', '.join(f'{x:.2f}' for x in f['control_p99_ratios'])}]")
    c = f.get("slow_shadow_cost")
    if c:
        log(f"   [what the slow shadow adds per request in (a), the whole machine: {c['machine_us']:+.1f} us on "
            f"{c['fast_machine_us']:.1f} (ratio {c['machine_ratio']:.2f}); of it the gateway {c['gateway_us']:+.1f} us, "
            f"the slow shadow itself {c['shadow_us']:+.1f} us — alone a ratio of {c['shadow_alone_ratio']:.2f}]")
    log(f"at a fixed {f['fixed_rate']:,.0f} req/s: client p99 slow/fast Parity {f['fixed_parity_p99_ratio']:.2f} "
        f"(goal <= 1.1; nginx's slow-shadow mirror serves at most connections/delay: not measured)")
    log(f"   [p50 ratio: Parity {f['fixed_parity_p50_ratio']:.2f}; per-round p99 ratios: "
        f"{', '.join(f'{x:.2f}' for x in f['fixed_parity_p99_ratios'])}]")
    log(f"   [A/A control, the two fast-shadow gateways at once: p99 {f['fixed_control_p99_ratio']:.2f}; per round "
        f"{', '.join(f'{x:.2f}' for x in f['fixed_control_p99_ratios'])}]")
    log(f"throughput with mirroring: Parity {f['parity_rps']:,.0f} req/s, nginx mirror {f['nginx_rps']:,.0f} req/s, "
        f"ratio {f['throughput_ratio']:.2f} (goal >= 1.5)")
    log(f"   [per-round ratios: {', '.join(f'{x:.2f}' for x in f['throughput_ratios'])}]")
    for n, m in res["parity_totals"].items():
        log(f"Parity {n.split('_')[1]} shadow, whole run (/metrics): mirrored {int(m['mirrored']):,}, dropped "
            f"{int(dropped(m)):,} (queue_full {int(m['dropped_queue_full']):,}, diff_queue_full "
            f"{int(m['dropped_diff_queue_full']):,}), shadow failed {int(m['failed']):,}, records written "
            f"{int(m['records_ok']):,} (failed {int(m['records_failed']):,}); verdicts {res['verdicts'][n]}")


def main():
    a = parse_args()

    def bench(procs, tmp):
        lat_runs, tput_runs, (fixed_runs, control_runs), totals, info, gw = benchmark(a, procs, tmp)
        procs.stop_all()  # Parity flushes its stores on SIGTERM
        lat = {t: summarise(v) for t, v in lat_runs.items()}
        tput = {t: summarise(v) for t, v in tput_runs.items()}
        pr = ratio_pairs(lat_runs["parity_slow"], lat_runs["parity_fast"], "p99_ms")
        nr = ratio_pairs(lat_runs["nginx_slow"], lat_runs["nginx_fast"], "p99_ms")
        aa = ratio_pairs(lat_runs["parity_fast_again"], lat_runs["parity_fast"], "p99_ms")
        tr = ratio_pairs(tput_runs["parity_fast"], tput_runs["nginx_fast"], "rps")
        fpr = ratio_pairs(fixed_runs["parity_slow"], fixed_runs["parity_fast"], "p99_ms")
        fcr = ratio_pairs(control_runs["parity_fast_again"], control_runs["parity_fast"], "p99_ms")
        fixed = {t: summarise_fixed(v) for t, v in fixed_runs.items()}
        figures = {
            "parity_p99_ratio": median(pr), "nginx_p99_ratio": median(nr),
            "control_p99_ratio": median(aa), "control_p99_ratios": aa,
            "parity_p99_ratios": pr, "nginx_p99_ratios": nr,
            "parity_p99_ratio_of_medians": lat["parity_slow"]["p99_ms"] / lat["parity_fast"]["p99_ms"],
            "nginx_p99_ratio_of_medians": lat["nginx_slow"]["p99_ms"] / lat["nginx_fast"]["p99_ms"],
            "parity_p50_ratio": median(ratio_pairs(lat_runs["parity_slow"], lat_runs["parity_fast"], "p50_ms")),
            "nginx_p50_ratio": median(ratio_pairs(lat_runs["nginx_slow"], lat_runs["nginx_fast"], "p50_ms")),
            "slow_shadow_cost": slow_shadow_cost(lat_runs["parity_slow"], lat_runs["parity_fast"]),
            "parity_rps": tput["parity_fast"]["rps"], "nginx_rps": tput["nginx_fast"]["rps"],
            "throughput_ratio": median(tr), "throughput_ratios": tr,
            "fixed_rate": info["fixed_rate"],
            "fixed_parity_p99_ratio": median(fpr), "fixed_parity_p99_ratios": fpr,
            "fixed_control_p99_ratio": median(fcr), "fixed_control_p99_ratios": fcr,
            "fixed_parity_p50_ratio": median(ratio_pairs(fixed_runs["parity_slow"], fixed_runs["parity_fast"],
                                                         "p50_ms")),
        }
        figures["goals"] = {"p99_ratio_max": 1.1, "p99_ratio_ok": figures["parity_p99_ratio"] <= 1.1,
                            "fixed_p99_ratio_ok": figures["fixed_parity_p99_ratio"] <= 1.1,
                            "throughput_ratio_min": 1.5, "throughput_ok": figures["throughput_ratio"] >= 1.5}
        res = {
            "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
            "machine": machine(),
            "settings": {"duration_s": a.duration, "rounds": a.rounds, "fixed_rounds": a.fixed_rounds,
                         "fixed_connections": a.fixed_connections, "latency_connections": a.latency_connections,
                         "throughput_connections": a.throughput_connections, "wrk_threads": a.wrk_threads,
                         "gateway_threads": a.gateway_threads, "delay_ms": a.delay_ms,
                         "fast_shadow": a.fast_shadow, "slow_shadow": a.slow_shadow, "queue": a.queue,
                         "shadow_threads": a.shadow_threads, "shadow_max_idle": a.shadow_max_idle or None,
                         "path": PATH, **info},
            "latency": lat, "throughput": tput, "fixed_rate_latency": fixed,
            "fixed_rate_control": {t: summarise_fixed(v) for t, v in control_runs.items()}, "figures": figures,
            "parity_totals": totals,
            "verdicts": {n: verdicts(gw[n]["store"]) for n in ("parity_fast", "parity_slow")},
        }
        report(res)
        return res

    return run_bench(a, preflight, bench, "parity-bench-mirror-", stop_timeout=10)


if __name__ == "__main__":
    sys.exit(main())

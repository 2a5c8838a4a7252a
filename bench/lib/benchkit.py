"""The pieces the benchmark scripts in bench/ share: processes, ports, /proc figures, certificates, nginx, wrk.

Used by bench/gateway_overhead.py, bench/mirror_overhead.py (which put this directory on sys.path) and
bench/lib/hold_connections.py (which sits next to it). Standard library only; Linux (/proc) only.

Errors: SetupError when something cannot be started or set up (the scripts exit 2), ServerDied when a
server or wrk fails during the run (exit 1).
"""
import http.client
import json
import os
import platform
import re
import resource
import shutil
import signal
import socket
import ssl
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

FD_LIMIT = 65536


class SetupError(Exception):
    """A missing tool, a server that does not start or answers wrongly: nothing was measured."""


class ServerDied(Exception):
    """A server (or wrk) failed during the run."""


def log(msg=""):
    print(msg, flush=True)


# ---------------------------------------------------------------------------------------------- processes

class Processes:
    """Every process the bench starts, each in its own session; stopped by pid on exit, even on Ctrl-C.

    stop_all() sends SIGTERM to each process group, waits up to `stop_timeout` seconds in all, then SIGKILLs
    what is left."""

    def __init__(self, stop_timeout=5):
        self.procs = []
        self.stop_timeout = stop_timeout

    def start(self, name, argv, **kw):
        """subprocess.Popen(argv, **kw) in a new session; `proc.bench_name` = name. SetupError if it cannot."""
        try:
            proc = subprocess.Popen(argv, start_new_session=True, **kw)
        except OSError as e:
            raise SetupError(f"cannot start {name}: {e}")
        proc.bench_name = name
        self.procs.append(proc)
        return proc

    def stop_all(self):
        for proc in reversed(self.procs):
            if proc.poll() is None:
                try:
                    os.killpg(proc.pid, signal.SIGTERM)  # its own process group: nginx workers go too
                except ProcessLookupError:
                    pass
        deadline = time.monotonic() + self.stop_timeout
        for proc in reversed(self.procs):
            try:
                proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                try:
                    os.killpg(proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                proc.wait()
        self.procs.clear()


def free_port():
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def tail(path, lines=20):
    """The last `lines` lines of a log file, for error messages."""
    try:
        return "\n".join(Path(path).read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def wait_port(port, proc, what, log_file, timeout=15.0):
    """Waits until 127.0.0.1:port accepts connections; SetupError if `proc` exits or the timeout passes."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SetupError(f"{what} exited with status {proc.returncode} at start:\n{tail(log_file)}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise SetupError(f"{what} did not listen on 127.0.0.1:{port} within {timeout:.0f} s:\n{tail(log_file)}")


def wait_log(proc, log_file, pattern, what, timeout=20.0):
    """Waits for a line matching `pattern` in the process's log; returns the match."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        m = re.search(pattern, Path(log_file).read_text(errors="replace")) if Path(log_file).exists() else None
        if m:
            return m
        if proc.poll() is not None:
            raise SetupError(f"{what} exited with status {proc.returncode} at start:\n{tail(log_file)}")
        time.sleep(0.05)
    raise SetupError(f"{what} did not log /{pattern}/ within {timeout:.0f} s:\n{tail(log_file)}")


def run(argv, what):
    """Runs a short command; returns its stdout, SetupError (with its stderr) if it fails."""
    r = subprocess.run(argv, capture_output=True, text=True)
    if r.returncode != 0:
        raise SetupError(f"{what} failed ({' '.join(argv)}):\n{r.stderr.strip()}")
    return r.stdout


def raise_fd_limit(wanted=FD_LIMIT):
    """`ulimit -n wanted` for this process and the processes it starts: raises RLIMIT_NOFILE to `wanted` (the
    hard limit too when allowed, e.g. as root; else as far as the hard limit goes); a finite soft limit
    already at `wanted` or above is left as it is. Returns the soft limit now in force."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and soft >= wanted:
        return soft
    try:
        new_hard = hard if hard == resource.RLIM_INFINITY else max(hard, wanted)
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, new_hard))
        return wanted
    except (ValueError, OSError):
        target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
        return target


# ---------------------------------------------------------------------------------------------- /proc

def rss_kb(pid):
    """Resident set size of a process, in KB (VmRSS)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def thread_count(pid):
    return len(os.listdir(f"/proc/{pid}/task"))


def children(pid):
    """The pids whose parent is `pid` (e.g. nginx's workers)."""
    out = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            if int(stat[stat.rindex(")") + 2:].split()[1]) == pid:
                out.append(int(entry))
    return out


def cpu_seconds(pids):
    """utime + stime of the processes (all their threads), in seconds; processes gone count 0."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()
        total += int(fields[11]) + int(fields[12])
    return total / ticks


def sleeps(pids):
    """Times the processes' threads went to sleep (voluntary context switches, all threads): each is a
    wake-up to come, so per request it counts the event-loop wake-ups a request costs."""
    total = 0
    for pid in pids:
        try:
            tasks = os.listdir(f"/proc/{pid}/task")
        except OSError:
            continue
        for tid in tasks:
            try:
                for line in Path(f"/proc/{pid}/task/{tid}/status").read_text().splitlines():
                    if line.startswith("voluntary_ctxt_switches:"):
                        total += int(line.split()[1])
            except OSError:
                continue
    return total


def tcp_segments():
    """TCP segments sent by this machine so far (/proc/net/snmp OutSegs). On loopback every segment is
    also received here, so per request it counts the TCP work of all the processes of a run."""
    try:
        lines = [line.split() for line in Path("/proc/net/snmp").read_text().splitlines() if line.startswith("Tcp:")]
        return int(lines[1][lines[0].index("OutSegs")])
    except (OSError, ValueError, IndexError):
        return 0


def cpu_ticks():
    """(steal, total) jiffies of all CPUs from /proc/stat's first line. Steal is time this VM's CPUs were
    ready to run but the host ran someone else: on a shared machine it comes in bursts (20-30 % for a
    minute), and a run measured in one is slowed for a reason that is neither generator's nor proxy's."""
    try:
        fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
    except OSError:
        return (0, 0)
    values = [int(x) for x in fields[:8]]  # user nice system idle iowait irq softirq steal (guest is in user)
    return (values[7] if len(values) > 7 else 0, sum(values))


def busy_cpu_seconds():
    """CPU time all of this machine's CPUs spent running anything (user, nice, system, irq, softirq) so
    far, from /proc/stat: per request, what a request costs the whole machine — load generator, proxy,
    backends and the kernel's TCP work for all of them."""
    try:
        fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:8]]
    except (OSError, ValueError):
        return 0.0
    user, nice, system, _idle, _iowait, irq, softirq = fields
    return (user + nice + system + irq + softirq) / os.sysconf("SC_CLK_TCK")


def steal_pct(before, after):
    """Share of CPU time stolen by the host between two cpu_ticks() samples, in %."""
    total = after[1] - before[1]
    return 100.0 * (after[0] - before[0]) / total if total > 0 else 0.0


def add_steal_args(ap):
    """--max-steal and --redo, for redo_on_steal."""
    ap.add_argument("--max-steal", type=float, default=5.0,
                    help="a round in which the host stole more than this %% of the CPU time is measured again")
    ap.add_argument("--redo", type=int, default=2, help="at most this many re-measurements per round")


def redo_on_steal(measure_round, max_steal, redo, label):
    """measure_round() -> {name: result with steal_pct}. Measured again while the host stole more than
    max_steal % of the CPU during any of its runs (a burst of steal slows whichever run it lands on, so the
    round's ratios say more about the host than about what is compared), at most `redo` times; the last
    measurement is kept either way, and each re-measurement is logged."""
    for attempt in range(redo + 1):
        results = measure_round()
        worst = max((r.get("steal_pct", 0.0) for r in results.values()), default=0.0)
        if worst <= max_steal:
            return results
        if attempt < redo:
            log(f"  {label}: the host stole {worst:.1f}% of the CPU (> {max_steal:g}%): measured again")
        else:
            log(f"  {label}: the host stole {worst:.1f}% of the CPU (> {max_steal:g}%) after {redo} "
                f"re-measurements: kept")
    return results


def mb(kb):
    return kb / 1024.0


# ---------------------------------------------------------------------------------------------- TLS, HTTP

def make_certs(d: Path):
    """A throwaway test CA and a server certificate (EC P-256, SAN IP:127.0.0.1, DNS:localhost)."""
    ext = d / "server.ext"
    ext.write_text("basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\n"
                   "extendedKeyUsage=serverAuth\nsubjectAltName=IP:127.0.0.1,DNS:localhost\n")
    ec = ["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"]
    run(["openssl", "genpkey", *ec, "-out", str(d / "ca.key")], "openssl (CA key)")
    run(["openssl", "req", "-x509", "-new", "-key", str(d / "ca.key"), "-sha256", "-days", "2",
         "-subj", "/CN=Parity bench throwaway CA", "-addext", "basicConstraints=critical,CA:TRUE",
         "-addext", "keyUsage=critical,keyCertSign,cRLSign", "-out", str(d / "ca.crt")], "openssl (CA cert)")
    run(["openssl", "genpkey", *ec, "-out", str(d / "server.key")], "openssl (server key)")
    run(["openssl", "req", "-new", "-key", str(d / "server.key"), "-subj", "/CN=localhost",
         "-out", str(d / "server.csr")], "openssl (CSR)")
    run(["openssl", "x509", "-req", "-in", str(d / "server.csr"), "-CA", str(d / "ca.crt"), "-CAkey",
         str(d / "ca.key"), "-CAcreateserial", "-days", "2", "-sha256", "-extfile", str(ext),
         "-out", str(d / "server.crt")], "openssl (server cert)")
    return d / "ca.crt", d / "server.crt", d / "server.key"


def http_get(port, path, cafile=None):
    """One request (HTTPS verified against cafile, or plain HTTP); returns (status, content-type, body)."""
    if cafile:
        ctx = ssl.create_default_context(cafile=str(cafile))
        conn = http.client.HTTPSConnection("127.0.0.1", port, context=ctx, timeout=10)
    else:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("GET", path, headers={"Host": "localhost"})
        res = conn.getresponse()
        return res.status, res.getheader("Content-Type", ""), res.read()
    finally:
        conn.close()


def check_response(port, cafile, what, expected, path="/"):
    """One verified HTTPS request: the certificate chain, the route to the backend and the body, which must
    be `expected` (bytes, or str compared with the body decoded). SetupError otherwise."""
    try:
        status, _, body = http_get(port, path, cafile)
    except (OSError, http.client.HTTPException) as e:
        raise SetupError(f"{what}: warm-up request failed: {e}")
    if isinstance(expected, str):
        body = body.decode(errors="replace")
    if status != 200 or body != expected:
        raise SetupError(f"{what}: warm-up request got HTTP {status} {body[:200]!r}, expected 200 {expected[:200]!r}")


# ---------------------------------------------------------------------------------------------- nginx

NGINX_COMMON = """\
{modules}pid {dir}/nginx.pid;
error_log {dir}/error.log {level};
worker_processes {workers};
worker_rlimit_nofile 65536;
events {{ worker_connections 16384; }}
http {{
  access_log off;
  client_body_temp_path {dir}/client_body;
  proxy_temp_path {dir}/proxy;
  fastcgi_temp_path {dir}/fastcgi;
  uwsgi_temp_path {dir}/uwsgi;
  scgi_temp_path {dir}/scgi;
  keepalive_requests 1000000;
  keepalive_timeout 300s;
{body}
}}
"""


def nginx_upstream(name, port):
    """An `upstream name {}` block (for NGINX_COMMON's {body}) to 127.0.0.1:port with keep-alive: 64 idle
    connections kept, no limit on the requests per connection. No trailing newline."""
    return (f"  upstream {name} {{\n"
            f"    server 127.0.0.1:{port};\n"
            f"    keepalive 64;\n"
            f"    keepalive_requests 1000000;\n"
            f"  }}")


def nginx_tls(port, cert, key):
    """The `listen` and ssl_* lines of a reference proxy's TLS `server {}` on 127.0.0.1:port, with TLS
    versions and ciphers as Parity's (TLS 1.2 and 1.3, ECDSA AEAD ciphers). No trailing newline."""
    return (f"    listen 127.0.0.1:{port} ssl backlog=4096;\n"
            f"    ssl_certificate {cert};\n"
            f"    ssl_certificate_key {key};\n"
            f"    ssl_protocols TLSv1.2 TLSv1.3;\n"
            f"    ssl_ciphers ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:"
            f"ECDHE-ECDSA-CHACHA20-POLY1305;\n"
            f"    ssl_session_cache shared:SSL:1m;")


def start_nginx(procs, name, d: Path, workers, server_block, error_level="warn", modules=()):
    """An nginx in the foreground with its own prefix, config, temp dirs and logs in `d` (created), no access
    log, `workers` worker processes and `server_block` (upstreams, servers) inside `http {}`; `modules` are
    paths of dynamic modules to load. The config is checked first (SetupError if nginx rejects it); returns
    the process. Wait for it with wait_port."""
    d.mkdir(parents=True)
    for sub in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (d / sub).mkdir()
    conf = d / "nginx.conf"
    load = "".join(f"load_module {m};\n" for m in modules)
    conf.write_text(NGINX_COMMON.format(modules=load, dir=d, workers=workers, body=server_block, level=error_level))
    os.chmod(d, 0o755)
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    test = subprocess.run([nginx, "-t", "-q", "-p", str(d), "-c", str(conf), "-e", str(d / "error.log")],
                          capture_output=True, text=True)
    if test.returncode != 0:
        raise SetupError(f"nginx ({name}) rejects its configuration:\n{test.stderr.strip()}")
    return procs.start(name, [nginx, "-p", str(d), "-c", str(conf), "-e", str(d / "error.log"), "-g", "daemon off;"],
                       stdout=subprocess.DEVNULL, stderr=open(d / "stderr.log", "w"))


# ---------------------------------------------------------------------------------------------- wrk

UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 60e3, "h": 3600e3}


def to_ms(text):
    """A wrk duration ("812.00us", "1.20ms", "2.01s") in milliseconds."""
    m = re.fullmatch(r"([\d.]+)(us|ms|s|m|h)", text.strip())
    if not m:
        raise ValueError(f"unparsable wrk duration {text!r}")
    return float(m.group(1)) * UNITS[m.group(2)]


def parse_wrk(out):
    """wrk --latency output -> {rps, p50_ms, p99_ms, requests, errors (socket errors + non-2xx/3xx)}."""
    rps = re.search(r"^Requests/sec:\s+([\d.]+)", out, re.M)
    p50 = re.search(r"^\s+50%\s+(\S+)", out, re.M)
    p99 = re.search(r"^\s+99%\s+(\S+)", out, re.M)
    total = re.search(r"^\s+(\d+) requests in", out, re.M)
    if not (rps and p50 and p99 and total):
        raise ValueError("unexpected wrk output:\n" + out)
    errors = 0
    sock = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    if sock:
        errors += sum(int(x) for x in sock.groups())
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if non2xx:
        errors += int(non2xx.group(1))
    return {"rps": float(rps.group(1)), "p50_ms": to_ms(p50.group(1)), "p99_ms": to_ms(p99.group(1)),
            "requests": int(total.group(1)), "errors": errors}


def wrk(url, threads, connections, seconds, cpu_pids=()):
    """One wrk run (keep-alive, --latency); parse_wrk's figures, plus per request: cpu_us_per_req, the CPU
    time of `cpu_pids`, sleeps_per_req, their threads' sleeps (wake-ups), and segments_per_req, the
    machine's TCP segments (tcp_segments) and machine_cpu_us_per_req, the CPU time of the whole machine
    (busy_cpu_seconds); and steal_pct: the host's steal time meanwhile (cpu_ticks).
    ServerDied if wrk fails."""
    argv = ["wrk", f"-t{min(threads, connections)}", f"-c{connections}", f"-d{seconds}s", "--latency", url]
    cpu0, sleeps0, segments0 = cpu_seconds(cpu_pids), sleeps(cpu_pids), tcp_segments()
    ticks0, busy0 = cpu_ticks(), busy_cpu_seconds()
    r = subprocess.run(argv, capture_output=True, text=True, timeout=seconds + 60)
    ticks1, busy1 = cpu_ticks(), busy_cpu_seconds()
    cpu1, sleeps1, segments1 = cpu_seconds(cpu_pids), sleeps(cpu_pids), tcp_segments()
    if r.returncode != 0:
        raise ServerDied(f"wrk failed on {url}: {r.stderr.strip() or r.stdout.strip()}")
    result = parse_wrk(r.stdout)
    result["steal_pct"] = steal_pct(ticks0, ticks1)
    if result["requests"]:
        result["segments_per_req"] = (segments1 - segments0) / result["requests"]
        result["machine_cpu_us_per_req"] = (busy1 - busy0) * 1e6 / result["requests"]
        if cpu_pids:
            result["cpu_us_per_req"] = (cpu1 - cpu0) * 1e6 / result["requests"]
            result["sleeps_per_req"] = (sleeps1 - sleeps0) / result["requests"]
    return result


# ---------------------------------------------------------------------------------------------- main

def env_int(name, default):
    """An integer from the environment, `default` when unset or empty."""
    value = os.environ.get(name)
    return int(value) if value else default


def parity_bench_figures(json_file: Path, target):
    """One target's overall figures from a `parity bench --json` file (its first concurrency level): rps,
    p50_ms, p99_ms, requests, errors."""
    o = json.loads(Path(json_file).read_text())["levels"][0]["targets"][target]["overall"]
    return {"rps": o["throughput_rps"], "p50_ms": o["latency_ms"]["p50"], "p99_ms": o["latency_ms"]["p99"],
            "requests": o["requests"], "errors": o["errors"]}


def median(xs):
    return statistics.median(xs) if xs else float("nan")


def fmt_ms(v):
    return f"{v:.2f} ms" if v < 10 else f"{v:.1f} ms"


def machine():
    """{cores, cpu (model name), kernel} for the report."""
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {"cores": os.cpu_count(), "cpu": model, "kernel": platform.release()}


def check_tools():
    """SetupError naming whichever of wrk, openssl and nginx is missing."""
    missing = [t for t in ("wrk", "openssl") if not shutil.which(t)]
    if not (shutil.which("nginx") or os.path.exists("/usr/sbin/nginx")):
        missing.append("nginx (apt-get install nginx-light)")
    if missing:
        raise SetupError("missing: " + ", ".join(missing))


def run_bench(a, preflight, bench, tmp_prefix, stop_timeout=5):
    """The scripts' main() after parsing the arguments; returns the exit status.

    preflight(a) first (setup failed: 2). Then, in a new temporary directory (prefix `tmp_prefix`) and with
    SIGINT/SIGTERM/SIGHUP raising KeyboardInterrupt, bench(procs, tmp) runs the benchmark, stops the
    processes, prints its report and returns the figures, written as JSON to a.json when set. Exit 0, or 2 on
    SetupError, 1 on ServerDied, 130 when interrupted. Every process is stopped at the end (within
    `stop_timeout` s); the directory is removed unless a.keep or the run failed."""
    try:
        preflight(a)
    except SetupError as e:
        log(f"setup failed: {e}")
        return 2
    procs = Processes(stop_timeout)
    tmp = Path(tempfile.mkdtemp(prefix=tmp_prefix))

    def on_signal(signum, _frame):
        raise KeyboardInterrupt(f"signal {signum}")

    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, on_signal)  # SIGINT too: a shell may start us with it ignored
    code = 0
    try:
        res = bench(procs, tmp)
        if a.json:
            Path(a.json).write_text(json.dumps(res, indent=2) + "\n")
            log(f"JSON: {a.json}")
    except SetupError as e:
        log(f"setup failed: {e}")
        code = 2
    except ServerDied as e:
        log(f"run failed: {e}")
        code = 1
    except KeyboardInterrupt:
        log("interrupted")
        code = 130
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(sig, signal.SIG_IGN)  # a second Ctrl-C must not cut the clean-up short
        procs.stop_all()
        if a.keep or code not in (0, 130):
            log(f"temporary directory kept: {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    return code

"""`parity report --format html` end to end: realistic records in, one self-contained page out, opened in
headless Chromium (Debian package `chromium`) to check that it renders the numbers without script errors.

The binary is the real `parity` from $PARITY_BIN_DIR (default <repo>/build/release/bin).
"""

import json
import os
import random
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
BIN_DIR = Path(os.environ.get("PARITY_BIN_DIR", REPO / "build" / "release" / "bin"))
PARITY = BIN_DIR / "parity"

XSS_ROUTE = "/v1/search/</script><img src=x onerror=alert(1)>"


def chromium_binary():
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    pytest.fail("headless Chromium is needed for this test: apt-get install chromium")


def format_count(n):
    return f"{n:,}"


def format_ms(ms):
    """Mirrors report/format.cpp format_ms (printf rounding)."""
    if ms < 1:
        return "%.3f" % ms
    if ms < 10:
        return "%.2f" % ms
    if ms < 1000:
        return "%.1f" % ms
    return "%.0f" % ms


def side(status, latency_ms, size, error=None):
    s = {"status": status, "latency_ms": round(latency_ms, 3), "bytes": size}
    if error:
        s["error"] = error
    return s


def make_records(rng):
    """A morning of mirrored traffic: four routes, noise, the new error format, real differences, timeouts."""
    records = []
    t = 0

    def add(method, route, target, verdict, legacy, candidate, differences):
        nonlocal t
        t += 1
        records.append({
            "ts": "2026-11-25T09:%02d:%02d.%03dZ" % (t // 3600 % 60, t // 60 % 60, t % 1000),
            "request_id": "req-%06d" % t,
            "method": method,
            "route": route,
            "target": target,
            "served_by": "legacy",
            "instance": "gw-1",
            "verdict": verdict,
            "legacy": legacy,
            "candidate": candidate,
            "differences": differences,
        })

    noise = lambda: [  # noqa: E731 - differ on every call, explained as noise
        {"pointer": "/id", "kind": "value", "legacy": "chatcmpl-%d" % rng.randrange(10**6),
         "candidate": "chatcmpl-%d" % rng.randrange(10**6), "explained": "noise"},
        {"pointer": "/created", "kind": "value", "legacy": 1764061200 + t, "candidate": 1764061201 + t,
         "explained": "noise"},
    ]
    for _ in range(400):  # chat completions: mostly parity, some token-count drift
        legacy_ms, candidate_ms = rng.lognormvariate(5.0, 0.3), rng.lognormvariate(4.6, 0.25)
        diffs = noise()
        verdict = "match"
        if rng.random() < 0.08:
            diffs.append({"pointer": "/usage/total_tokens", "kind": "value", "legacy": 57, "candidate": 58})
            verdict = "mismatch"
        add("POST", "/v1/chat/completions", "/v1/chat/completions", verdict, side(200, legacy_ms, 812),
            side(200, candidate_ms, 806), diffs)
    for i in range(250):  # files: a missing file uses the new error format
        fid = "file-%d" % rng.randrange(100)
        if i % 10 == 0:
            add("GET", "/v1/files/{file_id}", "/v1/files/" + fid, "expected",
                side(404, rng.uniform(2, 4), 40), side(404, rng.uniform(1, 2), 90),
                [{"pointer": "/detail", "kind": "missing", "legacy": "File not found", "candidate": None,
                  "explained": "error_format"},
                 {"pointer": "/error", "kind": "extra", "legacy": None,
                  "candidate": {"message": "File not found", "type": "not_found"}, "explained": "error_format"}])
        elif i % 25 == 1:
            add("GET", "/v1/files/{file_id}", "/v1/files/" + fid, "error",
                side(200, rng.uniform(3, 6), 300), side(0, 5000, 0, "timeout after 5000 ms"),
                [{"pointer": "", "kind": "shadow_error", "legacy": None, "candidate": "timeout after 5000 ms"}])
        else:
            add("GET", "/v1/files/{file_id}", "/v1/files/" + fid, "match",
                side(200, rng.uniform(3, 6), 300), side(200, rng.uniform(1.5, 3), 300), [])
    for i in range(120):  # models: the candidate changed owned_by and the array length now and then
        diffs = []
        verdict = "match"
        if i % 3 == 0:
            diffs.append({"pointer": "/data/0/owned_by", "kind": "value", "legacy": "openai", "candidate": "parity"})
            verdict = "mismatch"
        if i % 12 == 0:
            diffs.append({"pointer": "/data", "kind": "array_length", "legacy": 3, "candidate": 4})
        add("GET", "/v1/models", "/v1/models", verdict, side(200, rng.uniform(0.4, 0.9), 420),
            side(200, rng.uniform(0.2, 0.5), 431), diffs)
    for _ in range(5):  # a hostile route name must stay text
        add("GET", XSS_ROUTE, "/v1/search?q=x", "mismatch", side(200, 1.5, 10), side(500, 2.5, 10),
            [{"pointer": "status", "kind": "status", "legacy": 200, "candidate": 500},
             {"pointer": "/q", "kind": "value", "legacy": "</script><script>alert(2)</script>",
              "candidate": "<b>bold</b>"}])
    return records


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    if not PARITY.exists():
        pytest.fail(f"{PARITY} not found: build first or set PARITY_BIN_DIR")
    directory = tmp_path_factory.mktemp("parity-data")
    records = make_records(random.Random(7))
    with open(directory / "records.jsonl", "w", encoding="utf-8") as out:
        for i, record in enumerate(records):
            out.write(json.dumps(record) + "\n")
            if i == 100:
                out.write('{"ts": "2026-11-25T09:00:00.000Z", "verdict": \n')  # a torn line
    return directory, records


@pytest.fixture(scope="module")
def report_json(store):
    directory, _ = store
    run = subprocess.run([str(PARITY), "report", "--store", str(directory), "--format", "json"],
                         capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout)


@pytest.fixture(scope="module")
def html_report(store):
    directory, _ = store
    run = subprocess.run([str(PARITY), "report", "--store", str(directory), "--format", "html"],
                         capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    path = Path(run.stdout.strip())
    assert path == directory / "report.html"
    assert "skipped 1 malformed line" in run.stderr
    return path


def run_chromium(tmp_path, url, *extra):
    args = [chromium_binary(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--disable-dev-shm-usage", f"--user-data-dir={tmp_path / 'chromium-profile'}",
            "--enable-logging=stderr", "--v=0", *extra, url]
    return subprocess.run(args, capture_output=True, text=True, timeout=180)


@pytest.fixture(scope="module")
def dom(html_report, tmp_path_factory):
    run = run_chromium(tmp_path_factory.mktemp("chromium"), html_report.as_uri(), "--dump-dom")
    assert run.returncode == 0, run.stderr[-2000:]
    console = [line for line in run.stderr.splitlines() if ":CONSOLE" in line]
    assert console == [], "the page wrote to the console:\n" + "\n".join(console)
    return run.stdout


def test_json_report_counts_the_records(store, report_json):
    _, records = store
    summary = report_json["summary"]
    assert summary["exchanges"] == len(records)
    assert summary["malformed_lines"] == 1
    for verdict in ("match", "expected", "mismatch", "error"):
        assert summary[verdict] == sum(r["verdict"] == verdict for r in records)
    routes = {(r["route"], r["method"]): r for r in report_json["routes"]}
    assert len(routes) == 4
    chat = routes[("/v1/chat/completions", "POST")]
    fields = {f["pointer"]: f for f in chat["fields"]}
    assert fields["/id"]["noise"] is True and fields["/created"]["noise"] is True
    assert fields["/usage/total_tokens"]["noise"] is False
    files = routes[("/v1/files/{file_id}", "GET")]
    assert {f["pointer"]: f["expected"] for f in files["fields"]}["/detail"] is True


def test_page_is_self_contained(html_report):
    html = html_report.read_text(encoding="utf-8")
    assert re.search(r"https?://(?!www\.w3\.org/2000/svg)", html) is None

    class Loads(HTMLParser):
        """Collects every element or attribute that could fetch something."""

        def __init__(self):
            super().__init__()
            self.found = []

        def handle_starttag(self, tag, attrs):
            if tag in ("link", "iframe", "object", "embed", "img", "image", "use", "base"):
                self.found.append(tag)
            self.found += [f"{tag}[{name}]" for name, _ in attrs if name in ("src", "href", "xlink:href", "srcset")]

    parser = Loads()
    parser.feed(html)
    assert parser.found == []


def test_page_renders_without_script_errors(dom, report_json):
    root = re.search(r"<html[^>]*>", dom).group(0)
    assert "data-js-error" not in root  # set by the page's own error hook
    # The page's script ran to its end (it writes the number of routes it read from the embedded JSON).
    assert f'data-ready="{len(report_json["routes"])}"' in dom


def test_page_shows_the_numbers(dom, report_json):
    summary = report_json["summary"]
    assert format_count(summary["exchanges"]) in dom
    assert f'{summary["parity_rate"] * 100:.1f}%' in dom
    for route in report_json["routes"]:
        label = f'{route["method"]} {route["route"]}'.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        row = re.search(r'<tr data-route="[^"]*"><td><code>' + re.escape(label) + r"</code></td>(.*?)</tr>", dom)
        assert row, f"no table row for {label}"
        cells = re.findall(r'data-v="[^"]*">([^<]*)</td>', row.group(1))
        assert cells[:5] == [format_count(route[k]) for k in ("exchanges", "match", "expected", "mismatch", "error")]
        for name, index in (("legacy", 8), ("candidate", 11)):  # the p99 columns
            p99 = route["latency"][name]["p99"]
            assert cells[index] == ("–" if p99 is None else format_ms(p99)), (label, name)
        for field in route["fields"][:10]:
            pointer = (field["pointer"] or "(whole body)").replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            assert f"<code>{pointer}</code>" in dom.replace("<wbr>", "")
    assert dom.count("<svg") >= 3 + len(report_json["routes"])  # the charts and one latency curve per route


def test_hostile_strings_stay_text(dom):
    assert "<img" not in dom  # no element was injected
    assert "&lt;img src=x onerror=alert(1)&gt;" in dom
    assert "alert(2)" in dom and "<script>alert(2)" not in dom


def test_screenshot(html_report, tmp_path):
    shot = tmp_path / "report.png"
    run = run_chromium(tmp_path, html_report.as_uri(), f"--screenshot={shot}", "--window-size=1280,2200",
                       "--hide-scrollbars")
    assert run.returncode == 0, run.stderr[-2000:]
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(data) > 50_000  # a blank page compresses to a few KB
    keep = os.environ.get("PARITY_SCREENSHOT_DIR")
    if keep:
        shutil.copy(shot, Path(keep) / "report.png")

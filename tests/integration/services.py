"""Start and stop the fixture services (and other processes that print a `listening on URL` line) for
integration tests. Plain Python, no pytest dependency:

    from services import start_legacy, start_candidate
    with start_legacy("--delay-ms", "5") as legacy, start_candidate("--drift", "status-201") as candidate:
        httpx.get(legacy.url + "/v1/models")

Each service starts on a free port (`--port 0`) and is ready once it printed `listening on URL`. Its stdout
and stderr go to a temporary log file (never a pipe that could fill up and block it); `Service.log()` reads it.
"""
from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Mapping, Optional, Sequence

REPO_ROOT = Path(__file__).resolve().parents[2]
LEGACY_MAIN = REPO_ROOT / "fixtures" / "legacy" / "main.py"
# Debian's interpreter: FastAPI, uvicorn, httpx and pytest are installed for it (the `python3` on PATH may
# be another one).
SYSTEM_PYTHON = "/usr/bin/python3"
START_TIMEOUT_S = 15.0
STOP_TIMEOUT_S = 10.0

_LISTENING = re.compile(r"^listening on (https?://\S+?):(\d+)\s*$", re.MULTILINE)


class ServiceError(RuntimeError):
    """A service did not start (or stop) as expected; the message carries its output."""


def free_port() -> int:
    """A TCP port that was free a moment ago on 127.0.0.1 (for programs that cannot take port 0)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(condition, timeout: float = 10.0) -> bool:
    """Polls `condition` every 50 ms until it holds or `timeout` seconds pass; returns its last value."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


def bin_dir() -> Path:
    """Where the built binaries are: $PARITY_BIN_DIR, else <repo>/build/release/bin."""
    return Path(os.environ.get("PARITY_BIN_DIR") or REPO_ROOT / "build" / "release" / "bin")


class Service:
    """A running process that announced `listening on URL`. A context manager: leaving it stops the process."""

    def __init__(self, name: str, argv: Sequence[str], env: Optional[Mapping[str, str]] = None,
                 cwd: Optional[Path] = None, start_timeout: float = START_TIMEOUT_S) -> None:
        self.name = name
        self.argv = list(argv)
        self.url = ""
        self.port = 0
        fd, path = tempfile.mkstemp(prefix=f"parity-{name}-", suffix=".log")
        self.log_path = Path(path)
        with os.fdopen(fd, "wb") as log:
            full_env = dict(os.environ)
            full_env.update(env or {})
            self.proc = subprocess.Popen(self.argv, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                                         env=full_env, cwd=str(cwd) if cwd else None)
        try:
            self._wait_until_listening(start_timeout)
        except BaseException:
            self._kill()
            raise

    def _wait_until_listening(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while True:
            match = _LISTENING.search(self.log())
            if match:
                self.url = f"{match.group(1)}:{match.group(2)}"
                self.port = int(match.group(2))
                return
            if self.proc.poll() is not None:
                raise ServiceError(f"{self.name} exited with {self.proc.returncode} before listening: "
                                   f"{' '.join(self.argv)}\n--- output ---\n{self.log()}")
            if time.monotonic() > deadline:
                raise ServiceError(f"{self.name} did not print 'listening on' within {timeout:.0f} s: "
                                   f"{' '.join(self.argv)}\n--- output ---\n{self.log()}")
            time.sleep(0.02)

    def log(self) -> str:
        """Everything the process printed so far."""
        try:
            return self.log_path.read_text(errors="replace")
        except FileNotFoundError:
            return ""

    def running(self) -> bool:
        return self.proc.poll() is None

    def stop(self, timeout: float = STOP_TIMEOUT_S) -> int:
        """SIGTERM, wait up to `timeout`, then SIGKILL. Returns the exit code (negative: killed by a signal)."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self._kill()
        code = self.proc.returncode
        self.log_path.unlink(missing_ok=True)
        return code

    def _kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    def __enter__(self) -> "Service":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def __repr__(self) -> str:
        return f"Service({self.name}, {self.url or 'not listening'}, pid={self.proc.pid})"


def _tls_args(tls_cert: Optional[str], tls_key: Optional[str]) -> list:
    return ["--tls-cert", str(tls_cert), "--tls-key", str(tls_key)] if (tls_cert or tls_key) else []


def start_legacy(*extra_args: str, tls_cert: Optional[str] = None, tls_key: Optional[str] = None,
                 env: Optional[Mapping[str, str]] = None, start_timeout: float = START_TIMEOUT_S) -> Service:
    """The legacy FastAPI service (fixtures/legacy/main.py) on a free port; extra_args are its flags."""
    argv = [SYSTEM_PYTHON, str(LEGACY_MAIN), "--port", "0", *extra_args, *_tls_args(tls_cert, tls_key)]
    return Service("legacy", argv, env=env, start_timeout=start_timeout)


def candidate_binary() -> Path:
    return bin_dir() / "parity-candidate"


def start_candidate(*extra_args: str, tls_cert: Optional[str] = None, tls_key: Optional[str] = None,
                    env: Optional[Mapping[str, str]] = None, start_timeout: float = START_TIMEOUT_S) -> Service:
    """The C++ candidate service (bin_dir()/parity-candidate) on a free port; extra_args are its flags."""
    binary = candidate_binary()
    if not binary.exists():
        raise ServiceError(f"{binary} does not exist: build the parity-candidate target, or set PARITY_BIN_DIR")
    argv = [str(binary), "--port", "0", *extra_args, *_tls_args(tls_cert, tls_key)]
    return Service("candidate", argv, env=env, start_timeout=start_timeout)


def start(kind: str, *extra_args: str, **kwargs) -> Service:
    """start_legacy or start_candidate by name ("legacy" or "candidate")."""
    if kind == "legacy":
        return start_legacy(*extra_args, **kwargs)
    if kind == "candidate":
        return start_candidate(*extra_args, **kwargs)
    raise ValueError(f"unknown service kind {kind!r}")


# --- Reading the fixtures' answers -------------------------------------------------------------------------

# The fields that differ on every call by design (docs/fixtures.md): random ids and the clock.
_RANDOM_ID = re.compile(r"^(chatcmpl|modr|file)-[0-9a-f]+$")
_CLOCK_FIELDS = {"chat.completion": "created", "chat.completion.chunk": "created", "file": "created_at"}


def without_varying(value):
    """A copy of a JSON body without the fields that vary by design: random `id`s (chatcmpl-, modr-,
    file-) and clock fields (`created` of completions and chunks, `created_at` of files). Model objects keep
    their fixed `created`."""
    if isinstance(value, list):
        return [without_varying(v) for v in value]
    if not isinstance(value, dict):
        return value
    clock_field = _CLOCK_FIELDS.get(value.get("object")) if isinstance(value.get("object"), str) else None
    out = {}
    for key, v in value.items():
        if key == "id" and isinstance(v, str) and _RANDOM_ID.match(v):
            continue
        if key == clock_field:
            continue
        out[key] = without_varying(v)
    return out


def sse_events(body: str) -> list:
    """The `data:` payloads of a server-sent-events body, checking the framing: every event is exactly one
    `data: ...` line followed by a blank line."""
    if not body.endswith("\n\n"):
        raise ValueError(f"SSE body does not end with a blank line: {body[-40:]!r}")
    events = []
    for block in body[:-2].split("\n\n"):
        if not block.startswith("data: ") or "\n" in block:
            raise ValueError(f"not a single-line data event: {block!r}")
        events.append(block[len("data: "):])
    return events

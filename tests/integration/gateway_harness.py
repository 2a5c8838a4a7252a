"""Start the real `parity gateway` binary for integration tests, on a free loopback port, over HTTPS
with the session's test CA (or plain HTTP with insecure=True).

    gw = start_gateway(config={...}, pki=pki, workdir=tmp_path)
    httpx.get(gw.url + "/health", verify=str(pki.ca_cert))
"""
from __future__ import annotations

import re
import signal
import subprocess
import time
from pathlib import Path
from typing import Mapping, Optional, Sequence

import yaml_lite
from services import Service, ServiceError, bin_dir

_GATEWAY_LISTENING = re.compile(r"listening on (https?)://([0-9.]+):(\d+)")


def parity_binary() -> Path:
    binary = (bin_dir() / "parity").resolve()
    if not binary.exists():
        raise ServiceError(f"{binary} does not exist: build the parity target, or set PARITY_BIN_DIR")
    return binary


class Gateway(Service):
    """A running `parity gateway`; `url` is https://127.0.0.1:PORT (http:// with --insecure-http).
    Its log stays readable after stop() (the drain and flush messages come last)."""

    _final_log = None

    def stop(self, timeout: float = 15.0) -> int:
        if self._final_log is not None:
            return self.proc.returncode
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._final_log = self.log()
        self.log_path.unlink(missing_ok=True)
        return self.proc.returncode

    def log(self) -> str:
        return self._final_log if self._final_log is not None else super().log()

    def _wait_until_listening(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while True:
            match = _GATEWAY_LISTENING.search(self.log())
            if match:
                self.url = f"{match.group(1)}://127.0.0.1:{match.group(3)}"
                self.port = int(match.group(3))
                return
            if self.proc.poll() is not None:
                raise ServiceError(f"gateway exited with {self.proc.returncode}: {' '.join(self.argv)}\n{self.log()}")
            if time.monotonic() > deadline:
                raise ServiceError(f"gateway did not start within {timeout:.0f} s\n{self.log()}")
            time.sleep(0.02)


def write_config(workdir: Path, config: Mapping, name: str = "parity.yaml") -> Path:
    path = workdir / name
    path.write_text(yaml_lite.dump(config))
    return path


def gateway_config(legacy_url: str, candidate_url: str, pki=None, workdir: Optional[Path] = None,
                   **overrides) -> dict:
    """A complete gateway config on a free port (listen 127.0.0.1:0), TLS from the test PKI."""
    config = {
        "listen": "127.0.0.1:0",
        "threads": 2,
        "backends": {"legacy": {"url": legacy_url}, "candidate": {"url": candidate_url}},
        "store": {"path": str((workdir or Path(".")) / "parity-data")},
    }
    if pki is not None:
        cert, key = pki.issue("gateway", workdir)
        config["tls"] = {"cert": str(cert), "key": str(key)}
    else:
        config["insecure_http"] = True
    for key, value in overrides.items():
        config[key] = value
    return config


def start_gateway(config: Mapping, workdir: Path, extra_args: Sequence[str] = (),
                  env: Optional[Mapping[str, str]] = None) -> Gateway:
    path = write_config(workdir, config)
    argv = [str(parity_binary()), "gateway", "-c", str(path), "--seed", "7", *extra_args]
    return Gateway("gateway", argv, env=env, cwd=workdir)


def run_parity(*args: str, env: Optional[Mapping[str, str]] = None, timeout: float = 60,
               cwd: Optional[Path] = None) -> subprocess.CompletedProcess:
    """Runs `parity ARGS…` to completion and returns the completed process (text output)."""
    return subprocess.run([str(parity_binary()), *args], capture_output=True, text=True, timeout=timeout, env=env,
                          cwd=str(cwd) if cwd else None)

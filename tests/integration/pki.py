"""A throwaway test PKI made with the openssl CLI: a CA and leaf certificates for 127.0.0.1/localhost.
Generated per test session into a temporary directory; no private key is ever committed."""
from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path


@dataclass
class TestPki:
    ca_cert: Path
    ca_key: Path

    def issue(self, name: str, directory: Path) -> tuple:
        """A leaf certificate for localhost and 127.0.0.1 signed by the CA: (cert path, key path)."""
        key = directory / f"{name}.key"
        csr = directory / f"{name}.csr"
        cert = directory / f"{name}.crt"
        ext = directory / f"{name}.ext"
        ext.write_text("subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n")
        _openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", key,
                 "-out", csr, "-subj", f"/CN={name}")
        _openssl("x509", "-req", "-in", csr, "-CA", self.ca_cert, "-CAkey", self.ca_key, "-CAcreateserial",
                 "-out", cert, "-days", "2", "-extfile", ext)
        return cert, key


def _openssl(*args) -> None:
    subprocess.run(["openssl", *map(str, args)], check=True, capture_output=True)


def make_test_pki(directory: Path) -> TestPki:
    directory.mkdir(parents=True, exist_ok=True)
    ca_key = directory / "ca.key"
    ca_cert = directory / "ca.crt"
    _openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", ca_key,
             "-out", ca_cert, "-days", "2", "-subj", "/CN=parity-test-ca")
    return TestPki(ca_cert, ca_key)

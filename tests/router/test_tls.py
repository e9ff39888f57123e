"""HTTPS and mTLS listeners: real certificates generated here, the official openai client and httpx
against https://127.0.0.1, a client without a certificate refused when a client CA is configured."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import ipaddress
import os
import signal
import ssl
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx2 as httpx
import openai
import pytest
import yaml
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from meridian_router.__main__ import listener_servers, serve_all
from meridian_router.config import ConfigError, load_config, parse_config, tls_context
from meridian_router.server import RouterApp

from .conftest import LoopThread, base_config, free_port

# --------------------------------------------------------------------------- certificates


def _name(cn: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def _write_key(key: ec.EllipticCurvePrivateKey, path: Path) -> None:
    path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )


def _ca(cn: str, directory: Path) -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name(cn))
        .issuer_name(_name(cn))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True, key_cert_sign=True, crl_sign=True, content_commitment=False,
                key_encipherment=False, data_encipherment=False, key_agreement=False,
                encipher_only=False, decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    path = directory / f"{cn.replace(' ', '-')}.pem"
    path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return key, cert, path


def _leaf(
    cn: str, ca_key: ec.EllipticCurvePrivateKey, ca: x509.Certificate, directory: Path, *, server: bool
) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    now = dt.datetime.now(dt.UTC)
    b = (
        x509.CertificateBuilder()
        .subject_name(_name(cn))
        .issuer_name(ca.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH if server else ExtendedKeyUsageOID.CLIENT_AUTH]),
            critical=False,
        )
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False
        )
    )
    if server:
        b = b.add_extension(
            x509.SubjectAlternativeName([x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
    cert = b.sign(ca_key, hashes.SHA256())
    cert_path, key_path = directory / f"{cn}.crt", directory / f"{cn}.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    _write_key(key, key_path)
    return cert_path, key_path


@dataclass
class Pki:
    server_ca: Path
    server_cert: Path
    server_key: Path
    client_ca: Path  # stands in for Cloudflare's origin-pull CA
    client_cert: Path
    client_key: Path
    other_client_cert: Path  # issued by a CA the router does not trust
    other_client_key: Path


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    d = tmp_path_factory.mktemp("pki")
    ca_key, ca, ca_path = _ca("origin CA", d)
    server_cert, server_key = _leaf("router", ca_key, ca, d, server=True)
    cl_key, cl_ca, cl_ca_path = _ca("origin pull CA", d)
    client_cert, client_key = _leaf("edge", cl_key, cl_ca, d, server=False)
    rogue_key, rogue_ca, _ = _ca("rogue CA", d)
    other_cert, other_key = _leaf("rogue", rogue_key, rogue_ca, d, server=False)
    return Pki(ca_path, server_cert, server_key, cl_ca_path, client_cert, client_key, other_cert, other_key)


# --------------------------------------------------------------------------- a router with both listeners


class TlsRouter:
    def __init__(self, lt: LoopThread, cfg: dict[str, Any]) -> None:
        self.lt = lt
        self.cfg = parse_config(cfg)
        self.servers = listener_servers(
            RouterApp(self.cfg), self.cfg, host="127.0.0.1", port=self.cfg.server.port,
            log_level="warning", access_log=False, http="httptools",
        )
        self.task: asyncio.Future[None] | None = None

    @property
    def https(self) -> str:
        return f"https://127.0.0.1:{self.cfg.server.tls_port}"

    @property
    def http(self) -> str:
        return f"http://127.0.0.1:{self.cfg.server.port}"

    def start(self) -> TlsRouter:
        async def go() -> None:
            self.task = asyncio.ensure_future(serve_all(self.servers))
            for _ in range(300):
                if all(s.started for s in self.servers):
                    return
                if self.task.done():
                    self.task.result()
                await asyncio.sleep(0.01)
            raise RuntimeError("router listeners did not start")

        self.lt.run(go())
        return self

    def stop(self) -> None:
        async def go() -> None:
            for s in self.servers:
                s.should_exit = True
            if self.task is not None:
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(self.task, 10)

        self.lt.run(go())


def _server(pki: Pki, *, mtls: bool, **extra: Any) -> dict[str, Any]:
    s: dict[str, Any] = {
        "port": free_port(),
        "tls_port": free_port(),
        "tls_cert_file": str(pki.server_cert),
        "tls_key_file": str(pki.server_key),
        "access_log": False,
    }
    if mtls:
        s["tls_client_ca_file"] = str(pki.client_ca)
    return s | extra


@pytest.fixture
def tls_router(loop_thread: LoopThread, ups: dict[str, Any], pki: Pki) -> Iterator[TlsRouter]:
    r = TlsRouter(loop_thread, base_config(ups, server=_server(pki, mtls=False))).start()
    yield r
    r.stop()


@pytest.fixture
def mtls_router(loop_thread: LoopThread, ups: dict[str, Any], pki: Pki) -> Iterator[TlsRouter]:
    r = TlsRouter(loop_thread, base_config(ups, server=_server(pki, mtls=True))).start()
    yield r
    r.stop()


def _chat(base_url: str, http_client: httpx.Client) -> str:
    client = openai.OpenAI(base_url=base_url + "/v1", api_key="eu-key", max_retries=0, timeout=10, http_client=http_client)
    out = client.chat.completions.create(model="m1", messages=[{"role": "user", "content": "hi"}])
    return out.choices[0].message.content or ""


# --------------------------------------------------------------------------- tests


def test_openai_client_over_https_with_the_ca(tls_router: TlsRouter, pki: Pki) -> None:
    with httpx.Client(verify=ssl.create_default_context(cafile=str(pki.server_ca))) as http:
        assert "local_eu" in _chat(tls_router.https, http)
        ready = http.get(tls_router.https + "/readyz")
        assert ready.status_code == 200
    # the plain listener (internal: peers over the interconnect, in-cluster) serves the same app
    assert httpx.get(tls_router.http + "/healthz").status_code == 200


def test_https_refuses_plain_http_and_untrusted_clients_see_a_bad_certificate(tls_router: TlsRouter) -> None:
    with pytest.raises(httpx.ConnectError, match="CERTIFICATE_VERIFY_FAILED"):
        httpx.get(tls_router.https + "/healthz")  # the system trust store does not know this CA
    with pytest.raises(httpx.HTTPError):
        httpx.get(tls_router.https.replace("https://", "http://") + "/healthz")  # plain HTTP on the TLS port


@pytest.mark.filterwarnings("ignore:ssl.TLSVersion.TLSv1_1 is deprecated:DeprecationWarning")
def test_tls_is_at_least_1_2(tls_router: TlsRouter, pki: Pki) -> None:
    ctx = ssl.create_default_context(cafile=str(pki.server_ca))
    ctx.minimum_version = ctx.maximum_version = ssl.TLSVersion.TLSv1_1
    with contextlib.suppress(ValueError, ssl.SSLError):  # some OpenSSL builds refuse to offer 1.1 at all
        ctx.set_ciphers("DEFAULT:@SECLEVEL=0")
    with pytest.raises(httpx.ConnectError):
        httpx.get(tls_router.https + "/healthz", verify=ctx)


def _refused(url: str, verify: ssl.SSLContext) -> bool:
    """True when the server refuses the TLS session (TLS 1.3 reports it on the first read)."""
    try:
        httpx.get(url, verify=verify, timeout=5)
    except (httpx.ConnectError, httpx.ReadError, httpx.RemoteProtocolError):
        return True
    return False


def test_mtls_refuses_a_client_without_a_certificate(mtls_router: TlsRouter, pki: Pki) -> None:
    bare = ssl.create_default_context(cafile=str(pki.server_ca))
    assert _refused(mtls_router.https + "/healthz", bare)
    wrong = ssl.create_default_context(cafile=str(pki.server_ca))
    wrong.load_cert_chain(str(pki.other_client_cert), str(pki.other_client_key))
    assert _refused(mtls_router.https + "/healthz", wrong)


def test_mtls_serves_a_client_with_a_certificate_from_the_client_ca(mtls_router: TlsRouter, pki: Pki) -> None:
    ctx = ssl.create_default_context(cafile=str(pki.server_ca))
    ctx.load_cert_chain(str(pki.client_cert), str(pki.client_key))
    with httpx.Client(verify=ctx) as http:
        assert "local_eu" in _chat(mtls_router.https, http)


# --------------------------------------------------------------------------- config and CLI


def test_cert_and_key_go_together_and_errors_name_them(ups: dict[str, Any], pki: Pki) -> None:
    with pytest.raises(ConfigError, match=r"server: .*`tls_cert_file` is set but `tls_key_file` is not"):
        parse_config(base_config(ups, server={"tls_cert_file": str(pki.server_cert)}))
    with pytest.raises(ConfigError, match=r"`tls_key_file` is set but `tls_cert_file` is not"):
        parse_config(base_config(ups, server={"tls_key_file": str(pki.server_key)}))
    with pytest.raises(ConfigError, match="tls_client_ca_file"):
        parse_config(base_config(ups, server={"tls_client_ca_file": str(pki.client_ca)}))
    with pytest.raises(ConfigError, match="plain_http: false"):
        parse_config(base_config(ups, server={"plain_http": False}))
    with pytest.raises(ConfigError, match="two listeners need two ports"):
        parse_config(base_config(ups, server=_server(pki, mtls=False, port=9443, tls_port=9443)))


def test_tls_files_are_checked_at_start_naming_the_file(ups: dict[str, Any], pki: Pki, tmp_path: Path) -> None:
    missing = tmp_path / "nope.pem"
    cfg = parse_config(base_config(ups, server=_server(pki, mtls=False, tls_key_file=str(missing))))
    with pytest.raises(ConfigError, match=f"server.tls_key_file: {missing} does not exist"):
        tls_context(cfg.server)
    # a key that is not the certificate's
    cfg = parse_config(base_config(ups, server=_server(pki, mtls=False, tls_key_file=str(pki.client_key))))
    with pytest.raises(ConfigError, match=f"cannot load {pki.server_cert} with key {pki.client_key}"):
        tls_context(cfg.server)
    garbage = tmp_path / "ca.pem"
    garbage.write_text("not a certificate\n")
    cfg = parse_config(base_config(ups, server=_server(pki, mtls=True, tls_client_ca_file=str(garbage))))
    with pytest.raises(ConfigError, match=f"server.tls_client_ca_file: cannot load CA certificates from {garbage}"):
        tls_context(cfg.server)
    ctx = tls_context(parse_config(base_config(ups, server=_server(pki, mtls=True))).server)
    assert ctx is not None and ctx.verify_mode == ssl.CERT_REQUIRED
    assert ctx.minimum_version == ssl.TLSVersion.TLSv1_2
    assert tls_context(parse_config(base_config(ups)).server) is None


def _write_cfg(path: Path, cfg: dict[str, Any]) -> Path:
    path.write_text(yaml.safe_dump(cfg))
    return path


def test_cli_check_names_a_missing_tls_file(ups: dict[str, Any], pki: Pki, tmp_path: Path) -> None:
    cfg = base_config(ups, server=_server(pki, mtls=False, tls_cert_file=str(tmp_path / "absent.crt")))
    p = _write_cfg(tmp_path / "router.yaml", cfg)
    out = subprocess.run(
        [sys.executable, "-m", "meridian_router", "--check", "-c", str(p)], capture_output=True, text=True, timeout=60
    )
    assert out.returncode == 2 and "server.tls_cert_file" in out.stderr and "absent.crt" in out.stderr
    ok = _write_cfg(tmp_path / "ok.yaml", base_config(ups, server=_server(pki, mtls=True)))
    out = subprocess.run(
        [sys.executable, "-m", "meridian_router", "--check", "-c", str(ok)], capture_output=True, text=True, timeout=60
    )
    assert out.returncode == 0 and "https on" in out.stdout, out.stderr


def test_the_cli_serves_both_listeners_and_stops_on_sigterm(ups: dict[str, Any], pki: Pki, tmp_path: Path) -> None:
    """The real entry point: `meridian-router -c` with HTTPS + mTLS, as the Deployment runs it."""
    server = _server(pki, mtls=True, host="127.0.0.1")
    p = _write_cfg(tmp_path / "router.yaml", base_config(ups, server=server))
    proc = subprocess.Popen(
        [sys.executable, "-m", "meridian_router", "-c", str(p)],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        ctx = ssl.create_default_context(cafile=str(pki.server_ca))
        ctx.load_cert_chain(str(pki.client_cert), str(pki.client_key))
        https, http = f"https://127.0.0.1:{server['tls_port']}/readyz", f"http://127.0.0.1:{server['port']}/readyz"
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(https, verify=ctx).status_code == 200 and httpx.get(http).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert proc.poll() is None, proc.stderr.read().decode() if proc.stderr else ""
            assert time.monotonic() < deadline, "router did not serve both listeners"
            time.sleep(0.1)
        assert _refused(https, ssl.create_default_context(cafile=str(pki.server_ca)))
        proc.send_signal(signal.SIGTERM)
        rc = proc.wait(20)
        assert rc in (0, -signal.SIGTERM)  # uvicorn re-raises the signal after a graceful stop
        with pytest.raises(httpx.ConnectError):
            httpx.get(http)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(5)


def test_workers_with_tls_are_refused_clearly(ups: dict[str, Any], pki: Pki, tmp_path: Path) -> None:
    p = _write_cfg(tmp_path / "router.yaml", base_config(ups, server=_server(pki, mtls=False)))
    out = subprocess.run(
        [sys.executable, "-m", "meridian_router", "-c", str(p), "--workers", "2"],
        capture_output=True, text=True, timeout=60,
    )
    assert out.returncode == 2 and "replicas" in out.stderr


def test_load_config_reads_tls_keys(ups: dict[str, Any], pki: Pki, tmp_path: Path) -> None:
    p = _write_cfg(tmp_path / "router.yaml", base_config(ups, server=_server(pki, mtls=True)))
    s = load_config(p).server
    assert s.tls and s.tls_client_ca_file == str(pki.client_ca) and s.plain_http

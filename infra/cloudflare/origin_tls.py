"""TLS between Cloudflare and the origins (the routers' public ingress).

OriginCertificate (one per cluster): an ECDSA P-256 key (pulumi_tls, a secret), a CSR and a Cloudflare
Origin CA certificate for every hostname Cloudflare may send to that cluster (any hostname whose
pools, default pools, fallback or geo/PoP pools name it), the monitor's Host header (the monitor
probes every pool with it) and <cluster>.<originDomain>. Cloudflare trusts Origin CA certificates in
Full (strict) mode; nobody else does, which is fine: only Cloudflare connects to the origin.

OriginPullAuth (`cloudflare.authenticatedOriginPulls`, off by default): zone-level Authenticated Origin
Pulls with a client certificate of our own. A CA of our own (pulumi_tls) signs a client certificate,
uploaded as the zone's per-zone AOP certificate; AOP is enabled for the zone, and the router requires
client certificates from that CA (server.tls_client_ca_file). Our own CA rather than Cloudflare's
shared origin-pull CA: the shared CA vouches for every Cloudflare customer's zone, ours only for this
zone, and nothing has to be vendored. Off by default until verified on a real zone that Cloudflare's
load-balancing monitors present the zone's AOP certificate: if they did not, every pool would be
unhealthy (the Kubernetes probes then use the plain port, which needs no client certificate)."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_cloudflare as cloudflare
import pulumi_tls as tls

from meridian.config import Cloudflare

# Cloudflare's default validity; a new certificate is a replacement (`pulumi up --replace`).
ORIGIN_CERT_VALIDITY_DAYS = 5475
CLIENT_CA_VALIDITY_HOURS = 10 * 365 * 24
CLIENT_CERT_VALIDITY_HOURS = 5 * 365 * 24


@dataclass(frozen=True)
class OriginTls:
    """What a cluster's router serves on its public HTTPS port. `key_pem` is a secret;
    `client_ca_pem` (public) is set when Authenticated Origin Pulls is on (mTLS)."""

    cert_pem: pulumi.Input[str]
    key_pem: pulumi.Input[str]
    hostnames: list[str]
    client_ca_pem: pulumi.Input[str] | None = None


def monitor_host(config: Cloudflare) -> str | None:
    """The Host header (and SNI) the health monitor probes every pool with."""
    return config.monitor.host_header or (config.hostnames[0].name if config.hostnames else None)


def origin_hostnames(config: Cloudflare, cluster: str) -> list[str]:
    """Every name Cloudflare may connect to this cluster's origin as, in a stable order."""
    out: list[str] = []
    for h in config.hostnames:
        if any(pool == cluster for _, pool in h.reachable_pools()) and h.name not in out:
            out.append(h.name)
    host = monitor_host(config)
    if host is not None and host not in out:
        out.append(host)
    if config.origin_domain:
        out.append(f"{cluster}.{config.origin_domain}")
    return out


class OriginCertificate(pulumi.ComponentResource):
    """Public attributes: hostnames (list[str]); cert_pem (Output[str]); key_pem (secret Output[str])."""

    def __init__(
        self, name: str, *, config: Cloudflare, cluster: str, tls_provider: tls.Provider,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("meridian:cloudflare:OriginCertificate", name, None, opts)
        self.hostnames = origin_hostnames(config, cluster)
        if not self.hostnames:
            raise ValueError(
                f"cloudflare: no hostname routes to cluster {cluster!r} and there is no originDomain: "
                "its origin certificate would name nothing"
            )
        t = pulumi.ResourceOptions(parent=self, provider=tls_provider)
        key = tls.PrivateKey(f"{name}-key", algorithm="ECDSA", ecdsa_curve="P256", opts=t)
        self.key_pem: pulumi.Output[str] = pulumi.Output.secret(key.private_key_pem)
        csr = tls.CertRequest(
            f"{name}-csr",
            private_key_pem=self.key_pem,
            dns_names=self.hostnames,
            subject=tls.CertRequestSubjectArgs(common_name=self.hostnames[0], organization="Meridian"),
            opts=t,
        )
        cert = cloudflare.OriginCaCertificate(
            f"{name}-origin-ca",
            csr=csr.cert_request_pem,
            hostnames=self.hostnames,
            request_type="origin-ecc",
            requested_validity=ORIGIN_CERT_VALIDITY_DAYS,
            opts=pulumi.ResourceOptions(parent=self),  # the Cloudflare provider: inherited from the parent
        )
        self.cert_pem: pulumi.Output[str] = cert.certificate
        self.register_outputs({"hostnames": self.hostnames, "certificate": self.cert_pem})


class OriginPullAuth(pulumi.ComponentResource):
    """Zone-level Authenticated Origin Pulls with our own client certificate. Public attribute:
    ca_cert_pem (Output[str], public: the CA the routers require client certificates from)."""

    def __init__(
        self, name: str, *, config: Cloudflare, tls_provider: tls.Provider,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("meridian:cloudflare:OriginPullAuth", name, None, opts)
        t = pulumi.ResourceOptions(parent=self, provider=tls_provider)
        ca_key = tls.PrivateKey(f"{name}-ca-key", algorithm="ECDSA", ecdsa_curve="P384", opts=t)
        ca = tls.SelfSignedCert(
            f"{name}-ca",
            private_key_pem=pulumi.Output.secret(ca_key.private_key_pem),
            is_ca_certificate=True,
            validity_period_hours=CLIENT_CA_VALIDITY_HOURS,
            allowed_uses=["cert_signing", "crl_signing", "digital_signature"],
            subject=tls.SelfSignedCertSubjectArgs(common_name="Meridian origin-pull CA", organization="Meridian"),
            opts=t,
        )
        client_key = tls.PrivateKey(f"{name}-client-key", algorithm="ECDSA", ecdsa_curve="P256", opts=t)
        client_csr = tls.CertRequest(
            f"{name}-client-csr",
            private_key_pem=pulumi.Output.secret(client_key.private_key_pem),
            subject=tls.CertRequestSubjectArgs(common_name="cloudflare origin pull", organization="Meridian"),
            opts=t,
        )
        client = tls.LocallySignedCert(
            f"{name}-client",
            cert_request_pem=client_csr.cert_request_pem,
            ca_private_key_pem=pulumi.Output.secret(ca_key.private_key_pem),
            ca_cert_pem=ca.cert_pem,
            validity_period_hours=CLIENT_CERT_VALIDITY_HOURS,
            allowed_uses=["digital_signature", "client_auth"],
            opts=t,
        )
        cf = pulumi.ResourceOptions(parent=self)
        # Zone-level authenticated origin pulls (pulumi-cloudflare 6: the zone's certificate, then the
        # zone setting; v5's AuthenticatedOriginPulls with a certificate id became these two).
        upload = cloudflare.AuthenticatedOriginPullsCertificate(
            f"{name}-client-cert",
            zone_id=config.zone_id,
            certificate=client.cert_pem,
            private_key=pulumi.Output.secret(client_key.private_key_pem),
            opts=cf,
        )
        cloudflare.AuthenticatedOriginPullsSettings(
            f"{name}-zone",
            zone_id=config.zone_id,
            enabled=True,
            opts=pulumi.ResourceOptions(parent=self, depends_on=[upload]),
        )
        self.ca_cert_pem: pulumi.Output[str] = ca.cert_pem
        self.register_outputs({"caCertPem": self.ca_cert_pem})

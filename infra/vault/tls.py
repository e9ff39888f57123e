"""VaultTls: the TLS identity of the Vault listener.

Choice (documented in infra/vault/__init__.py): pulumi-tls mints a private CA and a server certificate
for every name Vault answers on (service, per-pod raft peers, the API hostname). It needs nothing on
the cluster (cert-manager would have to exist before Vault and would itself want a CA). The private keys
live only in the Kubernetes secret and, encrypted, in the Pulumi state (secret outputs); the CA
certificate (public) is exported so clients and the Vault provider can verify the server."""

from __future__ import annotations

import pulumi
import pulumi_kubernetes.core.v1 as core
import pulumi_kubernetes.meta.v1 as meta
import pulumi_tls as tls
from pulumi import ResourceOptions

from infra.vault.inputs import VAULT_NAMESPACE

TLS_SECRET = "vault-tls"
VALIDITY_HOURS_CA = 10 * 365 * 24
VALIDITY_HOURS_SERVER = 365 * 24


def server_dns_names(release: str, namespace: str, replicas: int, hostname: str) -> list[str]:
    svc = [release, f"{release}-active", f"{release}-standby", f"{release}-internal"]
    names = [hostname]
    for s in svc:
        names += [s, f"{s}.{namespace}", f"{s}.{namespace}.svc", f"{s}.{namespace}.svc.cluster.local"]
    names += [f"{release}-{i}.{release}-internal" for i in range(replicas)]
    names += [f"{release}-{i}.{release}-internal.{namespace}.svc.cluster.local" for i in range(replicas)]
    return names


class VaultTls(pulumi.ComponentResource):
    """Public attributes: ca_cert_pem (Output[str], public); secret_name (str, kubernetes.io/tls with
    tls.crt, tls.key, ca.crt in the Vault namespace); dns_names (list[str])."""

    def __init__(
        self, name: str, *, namespace: pulumi.Input[str], release: str, replicas: int, hostname: str,
        k8s_provider: pulumi.ProviderResource, opts: ResourceOptions | None = None,
    ) -> None:
        super().__init__("meridian:vault:VaultTls", name, None, opts)
        tls_provider = tls.Provider(f"{name}-tls", opts=ResourceOptions(parent=self))
        t = ResourceOptions(parent=self, provider=tls_provider)
        ca_key = tls.PrivateKey(f"{name}-ca-key", algorithm="ECDSA", ecdsa_curve="P384", opts=t)
        ca = tls.SelfSignedCert(
            f"{name}-ca",
            private_key_pem=pulumi.Output.secret(ca_key.private_key_pem),
            is_ca_certificate=True,
            validity_period_hours=VALIDITY_HOURS_CA,
            allowed_uses=["cert_signing", "crl_signing", "digital_signature"],
            subject=tls.SelfSignedCertSubjectArgs(common_name=f"Vault CA ({release})", organization="Meridian"),
            opts=t,
        )
        server_key = tls.PrivateKey(f"{name}-server-key", algorithm="ECDSA", ecdsa_curve="P256", opts=t)
        self.dns_names = server_dns_names(release, VAULT_NAMESPACE, replicas, hostname)
        csr = tls.CertRequest(
            f"{name}-server-csr",
            private_key_pem=pulumi.Output.secret(server_key.private_key_pem),
            dns_names=self.dns_names,
            ip_addresses=["127.0.0.1"],
            subject=tls.CertRequestSubjectArgs(common_name=hostname, organization="Meridian"),
            opts=t,
        )
        cert = tls.LocallySignedCert(
            f"{name}-server",
            cert_request_pem=csr.cert_request_pem,
            ca_private_key_pem=pulumi.Output.secret(ca_key.private_key_pem),
            ca_cert_pem=ca.cert_pem,
            validity_period_hours=VALIDITY_HOURS_SERVER,
            early_renewal_hours=30 * 24,
            allowed_uses=["digital_signature", "key_encipherment", "server_auth", "client_auth"],
            opts=t,
        )
        self.secret_name = TLS_SECRET
        core.Secret(
            f"{name}-secret",
            metadata=meta.ObjectMetaArgs(name=TLS_SECRET, namespace=namespace),
            type="kubernetes.io/tls",
            string_data={
                "tls.crt": cert.cert_pem,
                "tls.key": pulumi.Output.secret(server_key.private_key_pem),
                "ca.crt": ca.cert_pem,
            },
            opts=ResourceOptions(parent=self, provider=k8s_provider),
        )
        self.ca_cert_pem: pulumi.Output[str] = ca.cert_pem
        self.register_outputs({"caCertPem": self.ca_cert_pem, "secretName": TLS_SECRET})


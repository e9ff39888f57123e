"""Build the Vault inputs from the regional stacks (infra/platform.py calls `vault_platform`).

The RegionalCluster protocol exposes `endpoint` and `k8s_provider`; the API server CA and the OIDC
issuer are read from the cloud classes' documented attributes until the protocol carries them
(requested: `ca_certificate` (base64 PEM), `oidc_issuer_url`, AWS `oidc_provider_arn`); a region
without a CA attribute falls back to the CA in its kubeconfig."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pulumi
import yaml

from infra.providers import Providers
from infra.regional import RegionalCluster
from infra.vault.inputs import KubernetesAuthTarget, VaultHost, https_url, pem_from_base64
from infra.vault.platform import VaultPlatform
from meridian.config import StackConfig


def _attr(region: RegionalCluster, *paths: str) -> Any:
    """The first of the dotted attribute paths the region object has, else None."""
    for path in paths:
        obj: Any = region
        for part in path.split("."):
            obj = getattr(obj, part, None)
            if obj is None:
                break
        if obj is not None:
            return obj
    return None


def kubeconfig_ca(kubeconfig: str) -> str:
    """The API server CA (base64) of a kubeconfig's first cluster (JSON or YAML)."""
    doc = yaml.safe_load(kubeconfig) or {}
    try:
        return str(doc["clusters"][0]["cluster"]["certificate-authority-data"])
    except (KeyError, IndexError, TypeError) as e:
        raise ValueError("kubeconfig has no clusters[0].cluster.certificate-authority-data") from e


def auth_target(region: RegionalCluster) -> KubernetesAuthTarget:
    ca = _attr(region, "ca_certificate", "eks.certificate_authority", "gke.certificate_authority", "aks.ca_certificate")
    if ca is None:
        # Until every region exposes its CA: read it from the kubeconfig (stays a secret, harmlessly).
        ca = region.kubeconfig.apply(kubeconfig_ca)
    return KubernetesAuthTarget(
        name=region.config.name,
        host=region.endpoint.apply(https_url),
        ca_cert=pulumi.Output.from_input(ca).apply(pem_from_base64),
        jurisdiction=region.config.jurisdiction,
        k8s_provider=region.k8s_provider,
    )


def vault_host(region: RegionalCluster, providers: Providers) -> VaultHost:
    c = region.config
    return VaultHost(
        cluster=c,
        k8s_provider=region.k8s_provider,
        cloud_provider=providers.for_cloud(c.cloud, c.region),
        oidc_issuer_url=_attr(region, "oidc_issuer_url", "eks.oidc_issuer_url", "aks.oidc_issuer_url"),
        oidc_provider_arn=_attr(region, "oidc_provider_arn", "eks.oidc_provider_arn"),
    )


def vault_platform(
    stack: StackConfig, regions: Mapping[str, RegionalCluster], providers: Providers
) -> VaultPlatform | None:
    """The stack's Vault, or None when the stack has no `vault` section."""
    if stack.vault is None:
        return None
    return VaultPlatform(
        "vault",
        stack=stack,
        host=vault_host(regions[stack.vault.cluster], providers),
        targets=[auth_target(r) for r in regions.values()],
    )

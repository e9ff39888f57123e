"""Build the Vault inputs from the regional stacks (infra/platform.py calls `vault_platform`)."""

from __future__ import annotations

from collections.abc import Mapping

from infra.regional import RegionalCluster
from infra.vault.inputs import KubernetesAuthTarget, VaultHost, https_url, pem_from_base64
from infra.vault.platform import VaultPlatform
from meridian.config import StackConfig


def auth_target(region: RegionalCluster) -> KubernetesAuthTarget:
    return KubernetesAuthTarget(
        name=region.config.name,
        host=region.endpoint.apply(https_url),
        ca_cert=region.ca_certificate.apply(pem_from_base64),
        jurisdiction=region.config.jurisdiction,
        k8s_provider=region.k8s_provider,
    )


def vault_host(region: RegionalCluster) -> VaultHost:
    return VaultHost(
        cluster=region.config, k8s_provider=region.k8s_provider, cloud_provider=region.cloud_provider, keys=region
    )


def vault_platform(stack: StackConfig, regions: Mapping[str, RegionalCluster]) -> VaultPlatform | None:
    """The stack's Vault, or None when the stack has no `vault` section."""
    if stack.vault is None:
        return None
    return VaultPlatform(
        "vault",
        stack=stack,
        host=vault_host(regions[stack.vault.cluster]),
        targets=[auth_target(r) for r in regions.values()],
    )

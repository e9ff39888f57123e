"""Small typed inputs of the Vault components, so they do not depend on the regional classes.

infra/platform.py builds them from the RegionalCluster objects (see `infra.vault.wiring`)."""

from __future__ import annotations

import base64
from dataclasses import dataclass

import pulumi

from infra.regional import UnsealKeySource
from meridian.config import Cluster

VAULT_NAMESPACE = "vault"
VAULT_SERVICE_ACCOUNT = "vault"


@dataclass(frozen=True)
class KubernetesAuthTarget:
    """A cluster whose workloads log in to Vault: one Kubernetes auth backend each.

    host: the API server URL (https://...); ca_cert: the API server CA as PEM;
    k8s_provider: when given, the Vault Agent injector is installed there (remote clusters)."""

    name: str
    host: pulumi.Input[str]
    ca_cert: pulumi.Input[str]
    jurisdiction: str
    k8s_provider: pulumi.ProviderResource | None = None


@dataclass(frozen=True)
class VaultHost:
    """The cluster Vault runs on: its config, its Kubernetes provider, the cloud provider of its region
    and what makes the unseal key there (its region: `RegionalCluster` is an `UnsealKeySource`)."""

    cluster: Cluster
    k8s_provider: pulumi.ProviderResource
    cloud_provider: pulumi.ProviderResource
    keys: UnsealKeySource


def https_url(endpoint: str) -> str:
    """API endpoints come as URLs (EKS, AKS) or bare hosts (GKE): always an https URL."""
    return endpoint if endpoint.startswith("https://") else f"https://{endpoint}"


def pem_from_base64(data: str) -> str:
    """Cloud APIs hand out the cluster CA base64-encoded (kubeconfig style); Vault wants PEM."""
    if data.lstrip().startswith("-----BEGIN"):
        return data
    try:
        return base64.b64decode(data, validate=True).decode()
    except (ValueError, UnicodeDecodeError) as e:
        raise ValueError("cluster CA is neither PEM nor base64-encoded PEM") from e

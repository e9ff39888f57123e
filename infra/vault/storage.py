"""VaultStorageClass: the StorageClass Vault's raft and audit volumes are provisioned from.

One class on the Vault cluster, so the volumes that hold Vault's data are a declared, classified store
(`data-class` and `jurisdiction` labels, the cluster's region and cloud as labels the residency rules
place it by), and the cloud disks the CSI driver creates carry the same classification as their own
tags or labels. Classified `restricted` (Vault's secrets), like the unseal key. The disks are
encrypted at rest by the cloud, and what Vault writes to them is already ciphertext under its barrier
key, which only the KMS unseal key (a customer key in the same jurisdiction) unwraps. In prod a
released volume is kept (Retain): raft data must survive a deleted claim."""

from __future__ import annotations

from collections.abc import Callable

import pulumi
import pulumi_kubernetes.meta.v1 as meta
import pulumi_kubernetes.storage.v1 as storage
from pulumi import ResourceOptions

from meridian.config import Cluster, StackConfig
from meridian.rules.facts import K8S_CLOUD_LABEL, K8S_REGION_LABEL
from meridian.tags import gcp_labels, residency_tags

STORAGE_CLASS = "meridian-vault"
DATA_CLASS = "restricted"


def _pairs(tags: dict[str, str], sep: str = ",") -> str:
    return sep.join(f"{k}={v}" for k, v in tags.items())


# Per cloud: the CSI driver, and its parameters for an encrypted disk carrying `tags` (the drivers'
# documented keys: EBS `tagSpecification_<n>`, PD `labels`, Azure Disk `tags`).
DISKS: dict[str, tuple[str, Callable[[dict[str, str]], dict[str, str]]]] = {
    "aws": ("ebs.csi.aws.com", lambda t: {
        "type": "gp3", "encrypted": "true",
        **{f"tagSpecification_{i}": f"{k}={v}" for i, (k, v) in enumerate(t.items(), 1)}}),
    "gcp": ("pd.csi.storage.gke.io", lambda t: {"type": "pd-balanced", "labels": _pairs(gcp_labels(t))}),
    "azure": ("disk.csi.azure.com", lambda t: {"skuName": "Premium_LRS", "tags": _pairs(t)}),
}


def classification_labels(cluster: Cluster, stack: StackConfig) -> dict[str, str]:
    """Kubernetes labels that classify Vault's volumes and say where their cluster is."""
    tags = residency_tags(DATA_CLASS, cluster.jurisdiction, stack.environment)
    return {**gcp_labels(tags), K8S_REGION_LABEL: cluster.region, K8S_CLOUD_LABEL: cluster.cloud}


class VaultStorageClass(pulumi.ComponentResource):
    """Public attributes: name (str, the StorageClass name); labels (dict[str, str], the classification
    the volumes' claims carry too)."""

    def __init__(
        self, name: str, *, cluster: Cluster, stack: StackConfig, k8s_provider: pulumi.ProviderResource,
        opts: ResourceOptions | None = None,
    ) -> None:
        super().__init__("meridian:vault:VaultStorageClass", name, None, opts)
        self.name = STORAGE_CLASS
        self.labels = classification_labels(cluster, stack)
        provisioner, parameters = DISKS[cluster.cloud]
        disk_tags = residency_tags(DATA_CLASS, cluster.jurisdiction, stack.environment, component="vault")
        self.storage_class = storage.StorageClass(
            f"{name}-class",
            metadata=meta.ObjectMetaArgs(name=STORAGE_CLASS, labels=self.labels),
            provisioner=provisioner,
            parameters=parameters(disk_tags),
            volume_binding_mode="WaitForFirstConsumer",
            allow_volume_expansion=True,
            reclaim_policy="Retain" if stack.protect_data else "Delete",
            opts=ResourceOptions(parent=self, provider=k8s_provider),
        )
        self.register_outputs({"storageClass": STORAGE_CLASS})

"""VaultUnsealKey: the cloud KMS key Vault auto-unseals with, in the Vault cluster's own region (so in
its jurisdiction), protected in prod, tagged, plus the workload identity that lets exactly Vault's
service account (vault/vault) use it. Vault never holds a static cloud credential for unsealing.

The key itself is the cloud's (`UnsealKeySource.unseal_key`: infra/aws|gcp|azure/unseal.py); this
component decides where it may live and what it is tagged with."""

from __future__ import annotations

import pulumi
from pulumi import ResourceOptions

from infra.vault.inputs import VAULT_NAMESPACE, VAULT_SERVICE_ACCOUNT, VaultHost
from meridian import catalog
from meridian.config import StackConfig
from meridian.tags import residency_tags


class VaultUnsealKey(pulumi.ComponentResource):
    """Public attributes:
      cloud, region, jurisdiction (str); tags (dict[str, str]);
      key_id (Output[str]): the KMS key's id (AWS key id, GCP crypto key id, Azure key id);
      seal_stanza (Output[str]): the Vault `seal "..." {}` HCL block for this key;
      service_account_annotations (Output[dict[str, str]]): for Vault's service account;
      pod_labels (dict[str, str]): extra labels Vault's pods need (Azure workload identity)."""

    def __init__(self, name: str, *, host: VaultHost, stack: StackConfig, opts: ResourceOptions | None = None) -> None:
        super().__init__("meridian:vault:VaultUnsealKey", name, None, opts)
        cluster = host.cluster
        region = catalog.region(cluster.cloud, cluster.region)  # fail closed on an unknown region
        if not region.within(cluster.jurisdiction):
            raise ValueError(
                f"Vault cluster {cluster.name!r}: region {cluster.region!r} is not in jurisdiction "
                f"{cluster.jurisdiction!r}; the unseal key must stay in the cluster's jurisdiction"
            )
        self.cloud = cluster.cloud
        self.cluster_name = cluster.name
        self.region = cluster.region
        self.jurisdiction = cluster.jurisdiction
        self.tags = residency_tags(
            "restricted", cluster.jurisdiction, stack.environment, cluster=cluster.name, purpose="vault-unseal"
        )
        key = host.keys.unseal_key(
            name, stack=stack, namespace=VAULT_NAMESPACE, service_account=VAULT_SERVICE_ACCOUNT, tags=self.tags,
            parent=self, provider=host.cloud_provider,
        )
        self.key_id: pulumi.Output[str] = key.key_id
        self.seal_stanza: pulumi.Output[str] = key.seal_stanza
        self.service_account_annotations: pulumi.Output[dict[str, str]] = key.service_account_annotations
        self.pod_labels: dict[str, str] = key.pod_labels
        self.register_outputs(
            {"keyId": self.key_id, "region": self.region, "jurisdiction": self.jurisdiction, "seal": self.seal_stanza}
        )

"""Vault's auto-unseal key on a GKE cluster: a Cloud KMS key ring and crypto key (rotated every 90
days) in the cluster's region, and a Google service account, impersonated by exactly Vault's
ServiceAccount through GKE Workload Identity, that may encrypt and decrypt with it."""

from __future__ import annotations

import pulumi
import pulumi_gcp.kms as kms
from pulumi import ResourceOptions

from infra.gcp.identity import impersonated_account
from infra.hcl import hcl_string
from infra.regional import UnsealKey, data_store_options
from meridian.config import Cluster, StackConfig
from meridian.tags import gcp_labels

KEY_NAME = "vault-unseal"
KEY_ROLES = ("roles/cloudkms.cryptoKeyEncrypterDecrypter", "roles/cloudkms.viewer")


def gcpckms_seal(project: str, region: str, key_ring: str, crypto_key: str) -> str:
    """Vault's `seal "gcpckms"` stanza for the key."""
    return (
        f'seal "gcpckms" {{\n  project    = {hcl_string(project)}\n  region     = {hcl_string(region)}\n'
        f"  key_ring   = {hcl_string(key_ring)}\n  crypto_key = {hcl_string(crypto_key)}\n}}\n"
    )


def cloud_kms_unseal_key(
    name: str, *, cluster: Cluster, stack: StackConfig, namespace: str, service_account: str,
    tags: dict[str, str], parent: pulumi.Resource, provider: pulumi.ProviderResource,
) -> UnsealKey:
    """The key ring and key (protected in prod), the service account and its bindings, children of
    `parent`."""
    project = stack.gcp_project
    if not project:
        raise ValueError("Vault on GCP needs meridian:platform.gcpProject")
    child = ResourceOptions(parent=parent, provider=provider)
    keep = data_store_options(stack, child)
    ring_name = f"vault-{cluster.name}"
    ring = kms.KeyRing(f"{name}-ring", name=ring_name, location=cluster.region, project=project, opts=keep)
    key = kms.CryptoKey(
        f"{name}-key",
        name=KEY_NAME,
        key_ring=ring.id,
        purpose="ENCRYPT_DECRYPT",
        rotation_period="7776000s",
        labels=gcp_labels(tags),
        opts=keep,
    )
    gsa = impersonated_account(
        f"{name}-gsa", account_id=f"vault-{cluster.name}"[:30], display_name=f"Vault unseal ({cluster.name})",
        binding=f"{name}-workload-identity", project=project, namespace=namespace, service_account=service_account,
        opts=child,
    )
    member = gsa.email.apply(lambda e: f"serviceAccount:{e}")
    for role in KEY_ROLES:
        kms.CryptoKeyIAMMember(
            f"{name}-{role.rsplit('.', 1)[-1].lower()}", crypto_key_id=key.id, role=role, member=member, opts=child
        )
    return UnsealKey(
        key_id=key.id,
        seal_stanza=pulumi.Output.from_input(gcpckms_seal(project, cluster.region, ring_name, KEY_NAME)),
        service_account_annotations=gsa.email.apply(lambda e: {"iam.gke.io/gcp-service-account": e}),
        pod_labels={},
    )

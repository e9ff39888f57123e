"""Vault's auto-unseal key on an EKS cluster: a symmetric KMS key (rotated yearly) with an alias, and
an IRSA role that exactly Vault's ServiceAccount may assume to encrypt and decrypt with it."""

from __future__ import annotations

import json

import pulumi
import pulumi_aws.iam as iam
import pulumi_aws.kms as kms
from pulumi import ResourceOptions

from infra.aws.identity import irsa_trust_policy
from infra.hcl import hcl_string
from infra.regional import UnsealKey, data_store_options
from meridian.config import Cluster, StackConfig


def awskms_seal(region: str, key_id: str) -> str:
    """Vault's `seal "awskms"` stanza for the key."""
    return f'seal "awskms" {{\n  region     = {hcl_string(region)}\n  kms_key_id = {hcl_string(key_id)}\n}}\n'


def _use_key(key_arn: str) -> str:
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Action": ["kms:Encrypt", "kms:Decrypt", "kms:DescribeKey"], "Resource": key_arn}
            ],
        }
    )


def kms_unseal_key(
    name: str, *, cluster: Cluster, stack: StackConfig, oidc_provider_arn: pulumi.Input[str],
    oidc_issuer_url: pulumi.Input[str], namespace: str, service_account: str, tags: dict[str, str],
    parent: pulumi.Resource, provider: pulumi.ProviderResource,
) -> UnsealKey:
    """The key (protected in prod) and the role, children of `parent`."""
    child = ResourceOptions(parent=parent, provider=provider)
    keep = data_store_options(stack, child)
    subject = f"system:serviceaccount:{namespace}:{service_account}"
    key = kms.Key(
        f"{name}-key",
        description=f"Vault auto-unseal for {cluster.name}",
        key_usage="ENCRYPT_DECRYPT",
        customer_master_key_spec="SYMMETRIC_DEFAULT",
        enable_key_rotation=True,
        deletion_window_in_days=30,
        tags=tags,
        opts=keep,
    )
    kms.Alias(f"{name}-alias", name=f"alias/meridian/vault-unseal/{cluster.name}", target_key_id=key.key_id, opts=keep)
    role = iam.Role(
        f"{name}-role",
        assume_role_policy=pulumi.Output.all(oidc_provider_arn, oidc_issuer_url).apply(
            lambda a: irsa_trust_policy(a[0], a[1], namespace, service_account)
        ),
        description=f"Vault unseal ({subject})",
        tags=tags,
        opts=child,
    )
    iam.RolePolicy(f"{name}-use-key", role=role.id, policy=key.arn.apply(_use_key), opts=child)
    return UnsealKey(
        key_id=key.key_id,
        seal_stanza=key.key_id.apply(lambda k: awskms_seal(cluster.region, k)),
        service_account_annotations=role.arn.apply(lambda arn: {"eks.amazonaws.com/role-arn": arn}),
        pod_labels={},
    )

"""Vault's auto-unseal key on an AKS cluster: an RSA-HSM key in a premium Key Vault (RBAC, soft
delete, purge protection) of its own resource group in the cluster's region, and a user-assigned
identity, federated with exactly Vault's ServiceAccount on the cluster's OIDC issuer, that may wrap
and unwrap with it."""

from __future__ import annotations

import pulumi
import pulumi_azure_native.authorization as authorization
import pulumi_azure_native.keyvault as keyvault
import pulumi_azure_native.resources as resources
from pulumi import ResourceOptions

from infra.azure.identity import (
    ROLE_KEY_VAULT_CRYPTO_SERVICE_ENCRYPTION_USER,
    federated_identity,
    role_definition_id,
)
from infra.hcl import hcl_string
from infra.regional import UnsealKey, data_store_options
from meridian.config import Cluster, StackConfig

KEY_NAME = "vault-unseal"


def azurekeyvault_seal(tenant_id: str, vault_name: str, key_name: str) -> str:
    """Vault's `seal "azurekeyvault"` stanza for the key."""
    return (
        f'seal "azurekeyvault" {{\n  tenant_id  = {hcl_string(tenant_id)}\n  vault_name = {hcl_string(vault_name)}\n'
        f"  key_name   = {hcl_string(key_name)}\n}}\n"
    )


def key_vault_unseal_key(
    name: str, *, cluster: Cluster, stack: StackConfig, tenant_id: pulumi.Output[str],
    subscription_id: pulumi.Output[str], oidc_issuer_url: pulumi.Input[str], namespace: str, service_account: str,
    tags: dict[str, str], parent: pulumi.Resource, provider: pulumi.ProviderResource,
) -> UnsealKey:
    """The group, vault and key (protected in prod), the identity, its federation and its role
    assignment (Key Vault Crypto Service Encryption User: read key metadata, wrap and unwrap, exactly
    what the azurekeyvault seal does), children of `parent`."""
    child = ResourceOptions(parent=parent, provider=provider)
    keep = data_store_options(stack, child)
    group = resources.ResourceGroup(f"{name}-rg", location=cluster.region, tags=tags, opts=keep)
    vault = keyvault.Vault(
        f"{name}-kv",
        resource_group_name=group.name,
        location=cluster.region,
        properties=keyvault.VaultPropertiesArgs(
            tenant_id=tenant_id,
            sku=keyvault.SkuArgs(family="A", name=keyvault.SkuName.PREMIUM),
            enable_rbac_authorization=True,
            enable_soft_delete=True,
            soft_delete_retention_in_days=90,
            enable_purge_protection=True,
        ),
        tags=tags,
        opts=keep,
    )
    key = keyvault.Key(
        f"{name}-key",
        resource_group_name=group.name,
        vault_name=vault.name,
        key_name=KEY_NAME,
        properties=keyvault.KeyPropertiesArgs(
            kty=keyvault.JsonWebKeyType.RS_A_HSM, key_size=3072,
            key_ops=[keyvault.JsonWebKeyOperation.WRAP_KEY, keyvault.JsonWebKeyOperation.UNWRAP_KEY],
        ),
        tags=tags,
        opts=keep,
    )
    identity = federated_identity(
        f"{name}-identity", credential=f"{name}-federation", resource_group_name=group.name, location=cluster.region,
        oidc_issuer_url=oidc_issuer_url, namespace=namespace, service_account=service_account, tags=tags, opts=child,
    )
    authorization.RoleAssignment(
        f"{name}-use-key",
        principal_id=identity.principal_id,
        principal_type=authorization.PrincipalType.SERVICE_PRINCIPAL,
        role_definition_id=role_definition_id(subscription_id, ROLE_KEY_VAULT_CRYPTO_SERVICE_ENCRYPTION_USER),
        scope=vault.id,
        opts=child,
    )
    return UnsealKey(
        key_id=key.id,
        seal_stanza=pulumi.Output.all(tenant_id, vault.name).apply(lambda a: azurekeyvault_seal(a[0], a[1], KEY_NAME)),
        service_account_annotations=identity.client_id.apply(lambda cid: {"azure.workload.identity/client-id": cid}),
        pod_labels={"azure.workload.identity/use": "true"},
    )

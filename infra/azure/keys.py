"""Customer-managed keys: an Azure Key Vault (RBAC, soft delete, purge protection) with one RSA key,
in the region of the data the key protects (the component's provider decides the region: the
parent's, or an explicit one for another region)."""

from __future__ import annotations

from typing import Literal

import pulumi
import pulumi_azure_native.keyvault as keyvault
from pulumi import ResourceOptions

from infra.azure.names import GlobalNames
from infra.regional import data_store_options
from meridian.config import StackConfig

SOFT_DELETE_DAYS = 90  # the maximum: a deleted vault or key can be recovered for 90 days


class KeyVaultKey(pulumi.ComponentResource):
    """A Key Vault and one key in it. Public attributes:
      vault_id, vault_name, vault_uri (Output[str]);
      key_name (str); key_id (Output[str]: the key's ARM id);
      key_uri (Output[str]: versionless, for services that follow rotation, e.g. storage CMK);
      key_uri_with_version (Output[str]: for AKS KMS, which pins a version).

    The vault uses Azure RBAC (no access policies), soft delete and purge protection; the key rotates
    yearly (a new version; versionless users follow it). `network_default_action="Deny"` admits only
    trusted Azure services (storage CMK); AKS KMS with public key-vault access needs "Allow" (access is
    still governed by RBAC). In prod vault and key are protected and retained on delete."""

    def __init__(
        self,
        name: str,
        *,
        resource_group_name: pulumi.Input[str],
        location: str,
        tenant_id: pulumi.Input[str],
        key_name: str,
        key_size: Literal[2048, 3072, 4096] = 3072,
        network_default_action: Literal["Allow", "Deny"] = "Deny",
        rotate: bool = True,
        tags: dict[str, str],
        stack: StackConfig,
        names: GlobalNames,
        opts: ResourceOptions | None = None,
    ) -> None:
        super().__init__("meridian:azure:KeyVaultKey", name, None, opts)
        keep = data_store_options(stack, ResourceOptions(parent=self))
        vault = keyvault.Vault(
            f"{name}-kv",
            vault_name=names("kv", name),
            resource_group_name=resource_group_name,
            location=location,
            properties=keyvault.VaultPropertiesArgs(
                tenant_id=tenant_id,
                sku=keyvault.SkuArgs(
                    family="A",
                    name=keyvault.SkuName.PREMIUM if stack.protect_data else keyvault.SkuName.STANDARD,
                ),
                enable_rbac_authorization=True,
                enable_soft_delete=True,
                soft_delete_retention_in_days=SOFT_DELETE_DAYS,
                enable_purge_protection=True,
                enabled_for_deployment=False,
                enabled_for_disk_encryption=False,
                enabled_for_template_deployment=False,
                public_network_access="Enabled",
                network_acls=keyvault.NetworkRuleSetArgs(
                    bypass="AzureServices", default_action=network_default_action
                ),
            ),
            tags=tags,
            opts=keep,
        )
        rotation = (
            keyvault.RotationPolicyArgs(
                attributes=keyvault.KeyRotationPolicyAttributesArgs(expiry_time="P2Y"),
                lifetime_actions=[
                    keyvault.LifetimeActionArgs(
                        action=keyvault.ActionArgs(type=keyvault.KeyRotationPolicyActionType.ROTATE),
                        trigger=keyvault.TriggerArgs(time_after_create="P1Y"),
                    ),
                    keyvault.LifetimeActionArgs(
                        action=keyvault.ActionArgs(type=keyvault.KeyRotationPolicyActionType.NOTIFY),
                        trigger=keyvault.TriggerArgs(time_before_expiry="P30D"),
                    ),
                ],
            )
            if rotate
            else None
        )
        key = keyvault.Key(
            f"{name}-key",
            key_name=key_name,
            vault_name=vault.name,
            resource_group_name=resource_group_name,
            properties=keyvault.KeyPropertiesArgs(
                kty="RSA-HSM" if stack.protect_data else "RSA",  # prod: HSM-backed (premium vault)
                key_size=key_size,
                key_ops=["encrypt", "decrypt", "wrapKey", "unwrapKey"],
                attributes=keyvault.KeyAttributesArgs(enabled=True, exportable=False),
                rotation_policy=rotation,
            ),
            tags=tags,
            opts=keep,
        )
        self.vault_id: pulumi.Output[str] = vault.id
        self.vault_name: pulumi.Output[str] = vault.name
        self.vault_uri: pulumi.Output[str] = vault.properties.apply(lambda p: p.vault_uri or "")
        self.key_name = key_name
        self.key_id: pulumi.Output[str] = key.id
        self.key_uri: pulumi.Output[str] = key.key_uri
        self.key_uri_with_version: pulumi.Output[str] = key.key_uri_with_version
        self.register_outputs(
            {
                "vaultId": self.vault_id,
                "vaultUri": self.vault_uri,
                "keyUri": self.key_uri,
                "keyId": self.key_id,
            }
        )

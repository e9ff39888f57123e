"""The hardening every Meridian storage account shares: TLS 1.2 over HTTPS only, no public blob
access, no cross-tenant replication, a firewall that admits only trusted Azure services until
private endpoints / VNet rules are added, and encryption with a customer-managed Key Vault key
through a user-assigned identity."""

from __future__ import annotations

from typing import Literal

import pulumi
import pulumi_azure_native.storage as storage
from pulumi import ResourceOptions

from infra.azure.keys import KeyVaultKey
from meridian import catalog
from meridian.config import DataLake

Sku = Literal["Standard_LRS", "Standard_GRS"]


def lake_sku(lake: DataLake) -> Sku:
    """Standard_GRS when the lake replicates (Azure can only replicate to the region's geo pair,
    checked in config), otherwise Standard_LRS. Not ZRS/GZRS: those accounts have no archive tier,
    and every lake tiers down to archive."""
    if not lake.replication:
        return "Standard_LRS"
    pair = catalog.region("azure", lake.region).geo_pair
    targets = [r.region for r in lake.replication]
    if targets != [pair]:
        raise ValueError(
            f"lake {lake.name!r}: Azure geo-replication only reaches {lake.region}'s pair {pair!r}, not {targets}"
        )
    return "Standard_GRS"


def replica_regions(lake: DataLake) -> list[str]:
    return [r.region for r in lake.replication]


def hardened_account(
    name: str,
    *,
    account_name: pulumi.Input[str],
    resource_group_name: pulumi.Input[str],
    location: str,
    sku: Sku,
    hierarchical_namespace: bool,
    key: KeyVaultKey,
    identity_id: pulumi.Input[str],
    shared_key_access: bool,
    tags: dict[str, str],
    opts: ResourceOptions,
) -> storage.StorageAccount:
    return storage.StorageAccount(
        name,
        account_name=account_name,
        resource_group_name=resource_group_name,
        location=location,
        kind="StorageV2",
        sku=storage.SkuArgs(name=sku),
        access_tier=storage.AccessTier.HOT,
        is_hns_enabled=hierarchical_namespace,
        enable_https_traffic_only=True,
        minimum_tls_version="TLS1_2",
        allow_blob_public_access=False,
        allow_cross_tenant_replication=False,
        allow_shared_key_access=shared_key_access,
        default_to_o_auth_authentication=not shared_key_access,
        is_sftp_enabled=False,
        is_local_user_enabled=False,
        # Reachable on its public endpoint only through the firewall: trusted Azure services (Azure
        # Monitor delivering logs, backup) pass; clients come in through private endpoints / VNet rules.
        public_network_access="Enabled",
        network_rule_set=storage.NetworkRuleSetArgs(
            default_action=storage.DefaultAction.DENY, bypass="AzureServices, Logging, Metrics"
        ),
        identity=storage.IdentityArgs(type="UserAssigned", user_assigned_identities=[identity_id]),
        encryption=storage.EncryptionArgs(
            key_source="Microsoft.Keyvault",
            # Versionless: the account follows the key's yearly rotation.
            key_vault_properties=storage.KeyVaultPropertiesArgs(
                key_name=key.key_name, key_vault_uri=key.vault_uri
            ),
            encryption_identity=storage.EncryptionIdentityArgs(encryption_user_assigned_identity=identity_id),
            require_infrastructure_encryption=True,
            services=storage.EncryptionServicesArgs(
                blob=storage.EncryptionServiceArgs(enabled=True, key_type="Account"),
                file=storage.EncryptionServiceArgs(enabled=True, key_type="Account"),
                queue=storage.EncryptionServiceArgs(enabled=True, key_type="Account"),
                table=storage.EncryptionServiceArgs(enabled=True, key_type="Account"),
            ),
        ),
        tags=tags,
        opts=opts,
    )

"""An ADLS Gen2 data lake: one hierarchical-namespace storage account per lake with a filesystem
(container) per zone, a customer-managed key in the lake's region, versioning and soft delete,
lifecycle tiering hot -> cool -> cold -> archive, optional time-based retention, access logs to a
log store in the same region, and geo-replication to the region's pair only when configured."""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi_azure_native.managedidentity as managedidentity
import pulumi_azure_native.monitor as monitor  # azure-native 3: insights -> monitor
import pulumi_azure_native.resources as resources
import pulumi_azure_native.storage as storage
from pulumi import ResourceOptions

from infra.azure.identity import ROLE_KEY_VAULT_CRYPTO_SERVICE_ENCRYPTION_USER, client_config, grant
from infra.azure.keys import KeyVaultKey
from infra.azure.logstore import AdlsLogStore
from infra.azure.names import GlobalNames
from infra.azure.storage import hardened_account, lake_sku, replica_regions
from infra.outputs import lake_outputs
from infra.providers import Providers
from infra.regional import data_store_options, lake_tags
from meridian.config import DataLake, StackConfig, Tiers

MAX_IMMUTABILITY_DAYS = 146_000  # Azure's limit for a time-based retention policy
ACCESS_LOG_CATEGORIES = ("StorageRead", "StorageWrite", "StorageDelete")


def soft_delete_days(stack: StackConfig) -> int:
    return 30 if stack.protect_data else 7


def retention_days(lake: DataLake) -> int | None:
    return min(lake.retention_years * 365, MAX_IMMUTABILITY_DAYS) if lake.retention_years else None


def tiering_rule(lake: DataLake) -> storage.ManagementPolicyRuleArgs:
    """Current versions move hot -> cool -> cold -> archive by days since last modification;
    noncurrent versions go cool after warmAfterDays (when they live that long) and are deleted after
    noncurrentExpireDays (blocked while a retention policy holds them)."""
    t: Tiers = lake.tiers
    version = storage.ManagementPolicyVersionArgs(
        tier_to_cool=storage.DateAfterCreationArgs(days_after_creation_greater_than=t.warm_after_days)
        if t.noncurrent_expire_days > t.warm_after_days
        else None,
        delete=storage.DateAfterCreationArgs(days_after_creation_greater_than=t.noncurrent_expire_days),
    )
    return storage.ManagementPolicyRuleArgs(
        name="tiering",
        type="Lifecycle",
        enabled=True,
        definition=storage.ManagementPolicyDefinitionArgs(
            filters=storage.ManagementPolicyFilterArgs(
                blob_types=["blockBlob"], prefix_match=[f"{zone}/" for zone in lake.zones]
            ),
            actions=storage.ManagementPolicyActionArgs(
                base_blob=storage.ManagementPolicyBaseBlobArgs(
                    tier_to_cool=storage.DateAfterModificationArgs(
                        days_after_modification_greater_than=t.warm_after_days
                    ),
                    tier_to_cold=storage.DateAfterModificationArgs(
                        days_after_modification_greater_than=t.cold_after_days
                    ),
                    tier_to_archive=storage.DateAfterModificationArgs(
                        days_after_modification_greater_than=t.archive_after_days
                    ),
                ),
                version=version,
                snapshot=storage.ManagementPolicySnapShotArgs(
                    delete=storage.DateAfterCreationArgs(
                        days_after_creation_greater_than=t.noncurrent_expire_days
                    )
                ),
            ),
        ),
    )


class AdlsDataLake(pulumi.ComponentResource):
    """Satisfies infra.regional.DataLakeStore. Public attributes:
    config (DataLake); region (str); tags (dict[str, str]); sku (str); replica_regions (list[str]);
    resource_group_name (Output[str]); key (KeyVaultKey: the lake's CMK, in its region);
    identity_id, identity_principal_id (Output[str]: the account's encryption identity);
    account (StorageAccount); account_name, account_id, dfs_endpoint (Output[str]);
    containers (dict[zone, BlobContainer]); zone_uris (dict[zone, Output[str]]: abfss://...);
    log_store (AdlsLogStore)."""

    def __init__(
        self,
        name: str,
        *,
        lake: DataLake,
        stack: StackConfig,
        providers: Providers,
        opts: ResourceOptions | None = None,
    ) -> None:
        super().__init__("meridian:azure:DataLake", name, None, opts)
        self.config = lake
        self.region = lake.region
        self.tags = lake_tags(lake, stack)
        self.sku = lake_sku(lake)
        # Geo-redundant storage writes the secondary copy in the pair region under the same
        # account-level CMK; Key Vault itself keeps its contents available in the pair region, so a
        # separate replica key (as on AWS/GCP) does not exist in Azure's model. `providers` is unused.
        self.replica_regions = replica_regions(lake)
        del providers
        child = ResourceOptions(parent=self)
        keep = data_store_options(stack, child)
        client = client_config(self)
        names = GlobalNames(self, name, stack)

        # Deleting a resource group deletes everything in it, retained or not: the group is kept too.
        group = resources.ResourceGroup(f"{name}-rg", location=lake.region, tags=self.tags, opts=keep)
        self.resource_group_name: pulumi.Output[str] = group.name
        self.key = KeyVaultKey(
            f"{name}-cmk",
            resource_group_name=group.name,
            location=lake.region,
            tenant_id=client.tenant_id,
            key_name="lake-cmk",
            key_size=3072,
            network_default_action="Deny",
            tags=self.tags,
            stack=stack,
            names=names,
            opts=child,
        )
        identity = managedidentity.UserAssignedIdentity(
            f"{name}-cmk-id", resource_group_name=group.name, location=lake.region, tags=self.tags, opts=child
        )
        key_access = grant(
            f"{name}-cmk-access",
            principal_id=identity.principal_id,
            role=ROLE_KEY_VAULT_CRYPTO_SERVICE_ENCRYPTION_USER,
            scope=self.key.vault_id,
            subscription_id=client.subscription_id,
            description=f"data lake {lake.name}: wrap/unwrap with its customer-managed key",
            opts=child,
        )
        self.identity_id: pulumi.Output[str] = identity.id
        self.identity_principal_id: pulumi.Output[str] = identity.principal_id

        self.log_store = AdlsLogStore(
            name,
            lake=lake,
            stack=stack,
            resource_group_name=group.name,
            key=self.key,
            identity_id=identity.id,
            names=names,
            tags={**self.tags, "role": "access-logs"},
            depends_on=[key_access],
            opts=child,
        )
        self.account = hardened_account(
            f"{name}-adls",
            account_name=names("dl", lake.name),
            resource_group_name=group.name,
            location=lake.region,
            sku=self.sku,
            hierarchical_namespace=True,
            key=self.key,
            identity_id=identity.id,
            shared_key_access=False,
            tags=self.tags,
            opts=ResourceOptions.merge(keep, ResourceOptions(depends_on=[key_access])),
        )
        self.account_name: pulumi.Output[str] = self.account.name
        self.account_id: pulumi.Output[str] = self.account.id
        self.dfs_endpoint: pulumi.Output[str] = self.account.primary_endpoints.apply(lambda e: e.dfs)

        days = soft_delete_days(stack)
        blob_service = storage.BlobServiceProperties(
            f"{name}-blob",
            account_name=self.account.name,
            resource_group_name=group.name,
            blob_services_name="default",
            is_versioning_enabled=True,
            delete_retention_policy=storage.DeleteRetentionPolicyArgs(enabled=True, days=days),
            container_delete_retention_policy=storage.DeleteRetentionPolicyArgs(enabled=True, days=days),
            opts=keep,
        )
        storage.ManagementPolicy(
            f"{name}-lifecycle",
            account_name=self.account.name,
            resource_group_name=group.name,
            management_policy_name="default",
            policy=storage.ManagementPolicySchemaArgs(rules=[tiering_rule(lake)]),
            opts=child,
        )

        self.containers: dict[str, storage.BlobContainer] = {}
        locked_days = retention_days(lake)
        for zone in lake.zones:
            container = storage.BlobContainer(
                f"{name}-{zone}",
                container_name=zone,
                account_name=self.account.name,
                resource_group_name=group.name,
                public_access=storage.PublicAccess.NONE,
                metadata={"zone": zone, "lake": lake.name},
                opts=ResourceOptions.merge(keep, ResourceOptions(depends_on=[blob_service])),
            )
            self.containers[zone] = container
            if locked_days:
                # Time-based retention (WORM) per filesystem; locking it is a deliberate, irreversible
                # step left to the compliance owner (az storage container immutability-policy lock).
                storage.BlobContainerImmutabilityPolicy(
                    f"{name}-{zone}-retention",
                    account_name=self.account.name,
                    resource_group_name=group.name,
                    container_name=container.name,
                    immutability_policy_name="default",
                    immutability_period_since_creation_in_days=locked_days,
                    allow_protected_append_writes_all=False,
                    opts=keep,
                )

        monitor.DiagnosticSetting(
            f"{name}-access-logs",
            name=f"{lake.name}-access-logs",
            resource_uri=self.account.id.apply(lambda account_id: f"{account_id}/blobServices/default"),
            storage_account_id=self.log_store.account_id,
            logs=[monitor.DiagnosticsLogSettingsArgs(category=c, enabled=True) for c in ACCESS_LOG_CATEGORIES],
            metrics=[monitor.DiagnosticsMetricSettingsArgs(category="Transaction", enabled=True)],
            opts=ResourceOptions(parent=self, depends_on=[blob_service]),
        )

        # Filesystem names are the zone names (explicit container_name); waiting on the container's
        # id makes the URI available only once the filesystem exists.
        self.zone_uris: dict[str, pulumi.Output[str]] = {
            zone: pulumi.Output.all(c.id, self.dfs_endpoint).apply(lambda a, z=zone: _abfss(z, a[1]))
            for zone, c in self.containers.items()
        }
        self.register_outputs(self.stack_outputs())

    def stack_outputs(self) -> dict[str, Any]:
        return {
            **lake_outputs(
                self.config, store=self.account_name, zones=self.zone_uris, key_id=self.key.key_id,
                log_store=self.log_store.account_name, replica_regions=self.replica_regions,
            ),
            "dfsEndpoint": self.dfs_endpoint,
            "sku": self.sku,
            "keyUri": self.key.key_uri,
            "keyVaultId": self.key.vault_id,
            "resourceGroupName": self.resource_group_name,
            # the keys these had before the uniform ones (infra/outputs.py)
            "storageAccount": self.account_name,
            "logStorageAccount": self.log_store.account_name,
        }


def _abfss(container: str, dfs_endpoint: str) -> str:
    """abfss://<filesystem>@<account>.dfs.<suffix>/ from https://<account>.dfs.<suffix>/."""
    host = dfs_endpoint.removeprefix("https://").rstrip("/")
    return f"abfss://{container}@{host}/"

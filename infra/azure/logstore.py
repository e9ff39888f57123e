"""The access-log store of a data lake: a storage account in the lake's region (so in its
jurisdiction), encrypted with the lake's key, that Azure Monitor writes the lake's blob read/write/
delete logs into. Tagged like the lake and protected in prod like any data store."""

from __future__ import annotations

import pulumi
import pulumi_azure_native.storage as storage
from pulumi import ResourceOptions

from infra.azure.keys import KeyVaultKey
from infra.azure.names import GlobalNames
from infra.azure.storage import hardened_account, lake_sku
from infra.regional import data_store_options
from meridian.config import DataLake, StackConfig

MIN_LOG_RETENTION_DAYS = 365


def log_retention_days(lake: DataLake) -> int:
    """Access logs are kept as long as the data they account for is under compliance retention, and
    at least a year."""
    return max(MIN_LOG_RETENTION_DAYS, (lake.retention_years or 0) * 365)


class AdlsLogStore(pulumi.ComponentResource):
    """Public attributes: account (StorageAccount), account_id, account_name (Output[str]),
    retention_days (int)."""

    def __init__(
        self,
        name: str,
        *,
        lake: DataLake,
        stack: StackConfig,
        resource_group_name: pulumi.Input[str],
        key: KeyVaultKey,
        identity_id: pulumi.Input[str],
        names: GlobalNames,
        tags: dict[str, str],
        depends_on: list[pulumi.Resource],
        opts: ResourceOptions | None = None,
    ) -> None:
        super().__init__("meridian:azure:LogStore", name, None, opts)
        keep = data_store_options(stack, ResourceOptions(parent=self))
        self.retention_days = log_retention_days(lake)
        # Azure Monitor writes with the account's trusted-service access; shared keys stay available
        # for it (the lake itself accepts Entra ID only).
        self.account = hardened_account(
            f"{name}-logs",
            account_name=names("lg", lake.name),
            resource_group_name=resource_group_name,
            location=lake.region,
            sku=lake_sku(lake),
            hierarchical_namespace=False,
            key=key,
            identity_id=identity_id,
            shared_key_access=True,
            tags=tags,
            opts=ResourceOptions.merge(keep, ResourceOptions(depends_on=depends_on)),
        )
        storage.BlobServiceProperties(
            f"{name}-logs-blob",
            account_name=self.account.name,
            resource_group_name=resource_group_name,
            blob_services_name="default",
            # Versioning keeps overwritten block blobs (e.g. exported audit logs); diagnostic logs
            # are append blobs, which soft delete below protects.
            is_versioning_enabled=True,
            delete_retention_policy=storage.DeleteRetentionPolicyArgs(enabled=True, days=30),
            container_delete_retention_policy=storage.DeleteRetentionPolicyArgs(enabled=True, days=30),
            opts=keep,
        )
        # Diagnostic logs arrive as append blobs: lifecycle can only delete those, not tier them.
        storage.ManagementPolicy(
            f"{name}-logs-lifecycle",
            account_name=self.account.name,
            resource_group_name=resource_group_name,
            management_policy_name="default",
            policy=storage.ManagementPolicySchemaArgs(
                rules=[
                    storage.ManagementPolicyRuleArgs(
                        name="expire-access-logs",
                        type="Lifecycle",
                        enabled=True,
                        definition=storage.ManagementPolicyDefinitionArgs(
                            filters=storage.ManagementPolicyFilterArgs(
                                blob_types=["appendBlob", "blockBlob"], prefix_match=["insights-logs-"]
                            ),
                            actions=storage.ManagementPolicyActionArgs(
                                base_blob=storage.ManagementPolicyBaseBlobArgs(
                                    delete=storage.DateAfterModificationArgs(
                                        days_after_modification_greater_than=self.retention_days
                                    )
                                )
                            ),
                        ),
                    )
                ]
            ),
            opts=ResourceOptions(parent=self),
        )
        self.account_id: pulumi.Output[str] = self.account.id
        self.account_name: pulumi.Output[str] = self.account.name
        self.register_outputs({"accountName": self.account_name, "retentionDays": self.retention_days})

"""Customer-managed KMS keys. A key always lives in the region of the data it protects: the component
takes its region from its provider (the parent's, or an explicit one for a replica's region)."""

from __future__ import annotations

import pulumi
import pulumi_aws.kms as kms
from pulumi import ResourceOptions

from infra.regional import data_store_options
from meridian.config import StackConfig


class KmsKey(pulumi.ComponentResource):
    """A symmetric KMS key with yearly rotation and an alias `alias/meridian/<alias>`.

    Public attributes: key_id, arn, alias_name (Output[str]). In prod the key and its alias are
    protected and retained on delete (data_store_options): losing a key loses the data."""

    def __init__(
        self, name: str, *, alias: str, description: str, tags: dict[str, str], stack: StackConfig,
        policy: pulumi.Input[str] | None = None, opts: ResourceOptions | None = None,
    ) -> None:
        super().__init__("meridian:aws:KmsKey", name, None, opts)
        keep = data_store_options(stack, ResourceOptions(parent=self))
        key = kms.Key(
            f"{name}-key",
            description=description,
            key_usage="ENCRYPT_DECRYPT",
            customer_master_key_spec="SYMMETRIC_DEFAULT",
            enable_key_rotation=True,
            deletion_window_in_days=30,
            policy=policy,
            tags=tags,
            opts=keep,
        )
        alias_res = kms.Alias(f"{name}-alias", name=f"alias/meridian/{alias}", target_key_id=key.key_id, opts=keep)
        self.key_id: pulumi.Output[str] = key.key_id
        self.arn: pulumi.Output[str] = key.arn
        self.alias_name: pulumi.Output[str] = alias_res.name
        self.register_outputs({"keyId": self.key_id, "arn": self.arn, "alias": self.alias_name})

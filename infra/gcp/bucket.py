"""A locked-down GCS bucket, the building block of data lakes and their access-log stores.

Always: a location of exactly one region, uniform bucket-level access (IAM only, no ACLs), public
access prevention enforced, versioning, default encryption with a Cloud KMS key in the same region,
labels with data-class and jurisdiction. Optional: storage-class tiers, compliance retention,
access logging into a log bucket. TLS: the GCS JSON and XML APIs only listen on HTTPS, so there is no
plain-text endpoint to deny (unlike S3's aws:SecureTransport condition)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pulumi
import pulumi_gcp.storage as gcs
from pulumi import ResourceOptions

from infra.regional import data_store_options
from meridian.config import StackConfig, Tiers

SECONDS_PER_YEAR = 31_557_600  # 365.25 days
LOG_WRITER = "group:cloud-storage-analytics@google.com"  # Google's usage/access log delivery identity


@dataclass(frozen=True)
class LogExpiry:
    """Lifecycle of a log store: delete log objects after `days`; noncurrent versions after 30 days."""

    days: int


def tier_rules(tiers: Tiers) -> list[gcs.BucketLifecycleRuleArgs]:
    """hot (STANDARD) -> warm (NEARLINE) -> cold (COLDLINE) -> archive (ARCHIVE); noncurrent versions
    are deleted `noncurrent_expire_days` after they became noncurrent."""

    def move(to: str, age: int, frm: list[str]) -> gcs.BucketLifecycleRuleArgs:
        return gcs.BucketLifecycleRuleArgs(
            action=gcs.BucketLifecycleRuleActionArgs(type="SetStorageClass", storage_class=to),
            condition=gcs.BucketLifecycleRuleConditionArgs(age=age, matches_storage_classes=frm, with_state="LIVE"),
        )

    return [
        move("NEARLINE", tiers.warm_after_days, ["STANDARD"]),
        move("COLDLINE", tiers.cold_after_days, ["STANDARD", "NEARLINE"]),
        move("ARCHIVE", tiers.archive_after_days, ["STANDARD", "NEARLINE", "COLDLINE"]),
        gcs.BucketLifecycleRuleArgs(
            action=gcs.BucketLifecycleRuleActionArgs(type="Delete"),
            condition=gcs.BucketLifecycleRuleConditionArgs(
                days_since_noncurrent_time=tiers.noncurrent_expire_days, with_state="ARCHIVED"
            ),
        ),
        gcs.BucketLifecycleRuleArgs(
            action=gcs.BucketLifecycleRuleActionArgs(type="AbortIncompleteMultipartUpload"),
            condition=gcs.BucketLifecycleRuleConditionArgs(age=7),
        ),
    ]


def expiry_rules(expiry: LogExpiry) -> list[gcs.BucketLifecycleRuleArgs]:
    return [
        gcs.BucketLifecycleRuleArgs(
            action=gcs.BucketLifecycleRuleActionArgs(type="Delete"),
            condition=gcs.BucketLifecycleRuleConditionArgs(age=expiry.days, with_state="LIVE"),
        ),
        gcs.BucketLifecycleRuleArgs(
            action=gcs.BucketLifecycleRuleActionArgs(type="Delete"),
            condition=gcs.BucketLifecycleRuleConditionArgs(days_since_noncurrent_time=30, with_state="ARCHIVED"),
        ),
    ]


class SecureBucket(pulumi.ComponentResource):
    """Public attributes: bucket (gcs.Bucket); bucket_name, url (Output[str], gs://name);
    location (str, upper-case region); log_writer (gcs.BucketIAMMember | None: set when this is a
    log store)."""

    def __init__(
        self,
        name: str,
        *,
        region: str,
        stack: StackConfig,
        labels: Mapping[str, str],
        kms_key_id: pulumi.Input[str],
        lifecycle: Tiers | LogExpiry,
        retention_years: int | None = None,
        log_to: tuple[pulumi.Input[str], str] | None = None,  # (log bucket name, object prefix)
        is_log_store: bool = False,
        depends_on: Sequence[pulumi.Resource] = (),
        opts: ResourceOptions | None = None,
    ) -> None:
        super().__init__("meridian:gcp:SecureBucket", name, None, opts)
        self.location = region.upper()
        rules = tier_rules(lifecycle) if isinstance(lifecycle, Tiers) else expiry_rules(lifecycle)
        retention = (
            gcs.BucketRetentionPolicyArgs(
                retention_period=str(retention_years * SECONDS_PER_YEAR),
                # Locking is irreversible (the period can then only grow): prod only.
                is_locked=stack.environment == "prod",
            )
            if retention_years
            else None
        )
        self.bucket = gcs.Bucket(
            f"{name}-bucket",
            location=self.location,
            storage_class="STANDARD",
            uniform_bucket_level_access=True,
            public_access_prevention="enforced",
            versioning=gcs.BucketVersioningArgs(enabled=True),
            encryption=gcs.BucketEncryptionArgs(default_kms_key_name=kms_key_id),
            lifecycle_rules=rules,
            retention_policy=retention,
            logging=gcs.BucketLoggingArgs(log_bucket=log_to[0], log_object_prefix=log_to[1]) if log_to else None,
            labels=dict(labels),
            force_destroy=False,
            opts=data_store_options(stack, ResourceOptions(parent=self, depends_on=list(depends_on))),
        )
        self.bucket_name: pulumi.Output[str] = self.bucket.name
        self.url: pulumi.Output[str] = self.bucket.name.apply(lambda b: f"gs://{b}")
        self.log_writer: gcs.BucketIAMMember | None = None
        if is_log_store:
            self.log_writer = gcs.BucketIAMMember(
                f"{name}-log-writer",
                bucket=self.bucket.name,
                role="roles/storage.objectCreator",
                member=LOG_WRITER,
                opts=ResourceOptions(parent=self),
            )
        self.register_outputs({"bucket": self.bucket_name, "url": self.url})

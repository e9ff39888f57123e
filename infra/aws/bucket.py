"""A locked-down S3 bucket: versioned, encrypted by default, public access blocked, ACLs disabled,
TLS-only (1.2+), lifecycle-managed, optionally object-locked and access-logged. The data lake, its
access-log store and its replicas are all SecureBuckets, so none of them can miss a control."""

from __future__ import annotations

import json
from dataclasses import dataclass

import pulumi
import pulumi_aws.s3 as s3
from pulumi import ResourceOptions

from infra.regional import data_store_options
from meridian.config import StackConfig, Tiers


@dataclass(frozen=True)
class LogExpiry:
    """Lifecycle of an access-log store: cheaper storage after 30/90 days, deleted after `days`."""

    days: int


def tls_only_statements(arn: str) -> list[dict]:
    resources = [arn, f"{arn}/*"]
    return [
        {
            "Sid": "DenyInsecureTransport",
            "Effect": "Deny",
            "Principal": "*",
            "Action": "s3:*",
            "Resource": resources,
            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
        },
        {
            "Sid": "DenyOutdatedTls",
            "Effect": "Deny",
            "Principal": "*",
            "Action": "s3:*",
            "Resource": resources,
            "Condition": {"NumericLessThan": {"s3:TlsVersion": "1.2"}},
        },
    ]


def log_delivery_statement(arn: str, account_id: str) -> dict:
    """S3 server access logging writes as the logging service (the bucket has ACLs disabled)."""
    return {
        "Sid": "AllowS3ServerAccessLogs",
        "Effect": "Allow",
        "Principal": {"Service": "logging.s3.amazonaws.com"},
        "Action": "s3:PutObject",
        "Resource": f"{arn}/*",
        "Condition": {"StringEquals": {"aws:SourceAccount": account_id}},
    }


def tier_rules(tiers: Tiers) -> list[s3.BucketLifecycleConfigurationRuleArgs]:
    """hot (STANDARD) -> warm (STANDARD_IA) -> cold (GLACIER_IR) -> archive (DEEP_ARCHIVE); old
    versions follow the same tiers until they expire after `noncurrentExpireDays`."""
    noncurrent = [
        s3.BucketLifecycleConfigurationRuleNoncurrentVersionTransitionArgs(noncurrent_days=days, storage_class=cls)
        for days, cls in ((tiers.warm_after_days, "STANDARD_IA"), (tiers.cold_after_days, "GLACIER_IR"))
        if days < tiers.noncurrent_expire_days
    ]
    return [
        s3.BucketLifecycleConfigurationRuleArgs(
            id="tiering",
            status="Enabled",
            filter=s3.BucketLifecycleConfigurationRuleFilterArgs(),
            transitions=[
                s3.BucketLifecycleConfigurationRuleTransitionArgs(days=tiers.warm_after_days, storage_class="STANDARD_IA"),
                s3.BucketLifecycleConfigurationRuleTransitionArgs(days=tiers.cold_after_days, storage_class="GLACIER_IR"),
                s3.BucketLifecycleConfigurationRuleTransitionArgs(
                    days=tiers.archive_after_days, storage_class="DEEP_ARCHIVE"
                ),
            ],
            noncurrent_version_transitions=noncurrent or None,
            noncurrent_version_expiration=s3.BucketLifecycleConfigurationRuleNoncurrentVersionExpirationArgs(
                noncurrent_days=tiers.noncurrent_expire_days
            ),
            abort_incomplete_multipart_upload=s3.BucketLifecycleConfigurationRuleAbortIncompleteMultipartUploadArgs(
                days_after_initiation=7
            ),
        )
    ]


def log_rules(expiry: LogExpiry) -> list[s3.BucketLifecycleConfigurationRuleArgs]:
    return [
        s3.BucketLifecycleConfigurationRuleArgs(
            id="access-logs",
            status="Enabled",
            filter=s3.BucketLifecycleConfigurationRuleFilterArgs(),
            transitions=[
                s3.BucketLifecycleConfigurationRuleTransitionArgs(days=30, storage_class="STANDARD_IA"),
                s3.BucketLifecycleConfigurationRuleTransitionArgs(days=90, storage_class="GLACIER_IR"),
            ],
            expiration=s3.BucketLifecycleConfigurationRuleExpirationArgs(days=expiry.days),
            noncurrent_version_expiration=s3.BucketLifecycleConfigurationRuleNoncurrentVersionExpirationArgs(
                noncurrent_days=30
            ),
            abort_incomplete_multipart_upload=s3.BucketLifecycleConfigurationRuleAbortIncompleteMultipartUploadArgs(
                days_after_initiation=7
            ),
        )
    ]


class SecureBucket(pulumi.ComponentResource):
    """Public attributes: bucket (s3.Bucket); bucket_name, arn (Output[str]);
    versioning (s3.BucketVersioning); ready (list[Resource]: everything that must exist before
    objects are written or replication is configured)."""

    def __init__(
        self,
        name: str,
        *,
        stack: StackConfig,
        tags: dict[str, str],
        lifecycle: Tiers | LogExpiry,
        kms_key_arn: pulumi.Input[str] | None = None,
        object_lock_years: int | None = None,
        log_to: tuple[pulumi.Input[str], str] | None = None,
        log_delivery_account: pulumi.Input[str] | None = None,
        opts: ResourceOptions | None = None,
    ) -> None:
        """kms_key_arn None means SSE-S3 (only for access-log stores: S3 server access logging cannot
        write to SSE-KMS buckets). log_to = (target bucket id, prefix). log_delivery_account: make this
        bucket an access-log target for that account's buckets."""
        super().__init__("meridian:aws:SecureBucket", name, None, opts)
        keep = data_store_options(stack, ResourceOptions(parent=self))
        child = ResourceOptions(parent=self)
        bucket = s3.Bucket(
            f"{name}-bucket",
            # Compliance retention can only be switched on when the bucket is created.
            object_lock_enabled=True if object_lock_years else None,
            tags=tags,
            opts=keep,
        )
        self.bucket = bucket
        self.bucket_name: pulumi.Output[str] = bucket.bucket
        self.arn: pulumi.Output[str] = bucket.arn

        ownership = s3.BucketOwnershipControls(
            f"{name}-ownership",
            bucket=bucket.id,
            rule=s3.BucketOwnershipControlsRuleArgs(object_ownership="BucketOwnerEnforced"),
            opts=child,
        )
        public_block = s3.BucketPublicAccessBlock(
            f"{name}-public-access",
            bucket=bucket.id,
            block_public_acls=True,
            block_public_policy=True,
            ignore_public_acls=True,
            restrict_public_buckets=True,
            opts=child,
        )
        self.versioning = s3.BucketVersioning(
            f"{name}-versioning",
            bucket=bucket.id,
            versioning_configuration=s3.BucketVersioningVersioningConfigurationArgs(status="Enabled"),
            opts=child,
        )
        if kms_key_arn is not None:
            default = s3.BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultArgs(
                sse_algorithm="aws:kms", kms_master_key_id=kms_key_arn
            )
        else:
            default = s3.BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultArgs(
                sse_algorithm="AES256"
            )
        encryption = s3.BucketServerSideEncryptionConfiguration(
            f"{name}-encryption",
            bucket=bucket.id,
            rules=[
                s3.BucketServerSideEncryptionConfigurationRuleArgs(
                    apply_server_side_encryption_by_default=default,
                    bucket_key_enabled=True if kms_key_arn is not None else None,
                )
            ],
            opts=child,
        )

        def policy_doc(args: list[str]) -> str:
            arn, account = args[0], args[1] if len(args) > 1 else None
            statements = tls_only_statements(arn)
            if account:
                statements.append(log_delivery_statement(arn, account))
            return json.dumps({"Version": "2012-10-17", "Statement": statements})

        policy_inputs: list[pulumi.Input[str]] = [bucket.arn]
        if log_delivery_account is not None:
            policy_inputs.append(log_delivery_account)
        policy = s3.BucketPolicy(
            f"{name}-policy",
            bucket=bucket.id,
            policy=pulumi.Output.all(*policy_inputs).apply(policy_doc),
            # Putting a policy races the public access block otherwise.
            opts=ResourceOptions(parent=self, depends_on=[public_block, ownership]),
        )
        rules = tier_rules(lifecycle) if isinstance(lifecycle, Tiers) else log_rules(lifecycle)
        lifecycle_res = s3.BucketLifecycleConfiguration(
            f"{name}-lifecycle",
            bucket=bucket.id,
            rules=rules,
            opts=ResourceOptions(parent=self, depends_on=[self.versioning]),
        )
        self.ready: list[pulumi.Resource] = [ownership, public_block, self.versioning, encryption, policy, lifecycle_res]
        if object_lock_years:
            self.ready.append(
                s3.BucketObjectLockConfiguration(
                    f"{name}-object-lock",
                    bucket=bucket.id,
                    object_lock_enabled="Enabled",
                    rule=s3.BucketObjectLockConfigurationRuleArgs(
                        default_retention=s3.BucketObjectLockConfigurationRuleDefaultRetentionArgs(
                            mode="COMPLIANCE", years=object_lock_years
                        )
                    ),
                    opts=ResourceOptions(parent=self, depends_on=[self.versioning]),
                )
            )
        if log_to is not None:
            target, prefix = log_to
            self.ready.append(
                s3.BucketLogging(
                    f"{name}-logging",
                    bucket=bucket.id,
                    target_bucket=target,
                    target_prefix=prefix,
                    opts=child,
                )
            )
        self.register_outputs({"bucket": self.bucket_name, "arn": self.arn})


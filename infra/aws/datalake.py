"""An S3 data lake (a DataLakeStore): one bucket with zone prefixes, a KMS key in the lake's own
region, an access-log store beside it, compliance retention when configured, and replicas only in
the regions the (already validated) config names, each with its own key and log store in its region."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws
import pulumi_aws.iam as iam
import pulumi_aws.s3 as s3
from pulumi import ResourceOptions

from infra.aws.bucket import LogExpiry, SecureBucket
from infra.aws.identity import service_trust_policy
from infra.aws.keys import KmsKey
from infra.outputs import lake_outputs
from infra.providers import Providers
from infra.regional import access_log_days, data_store_options, lake_tags
from meridian.config import DataLake, StackConfig


def log_expiry(lake: DataLake) -> LogExpiry:
    return LogExpiry(days=access_log_days(lake))


def zone_uri(bucket: str, zone: str) -> str:
    return f"s3://{bucket}/{zone}/"


@dataclass
class LakeReplica:
    """A replica of a lake in another region. bucket/key/logs live in `region`."""

    region: str
    bucket: SecureBucket
    key: KmsKey
    logs: SecureBucket


class S3DataLake(pulumi.ComponentResource):
    """Satisfies infra.regional.DataLakeStore. Public attributes:
      config (DataLake); region (str); tags (dict[str, str]);
      bucket (SecureBucket: bucket_name, arn); key (KmsKey: key_id, arn, alias_name);
      logs (SecureBucket, the access-log store in the same region);
      zone_uris (dict[str, Output[str]], zone -> s3://bucket/zone/);
      replicas (list[LakeReplica]); replication_role_arn (Output[str] | None)."""

    def __init__(
        self, name: str, *, lake: DataLake, stack: StackConfig, providers: Providers,
        opts: ResourceOptions | None = None,
    ) -> None:
        super().__init__("meridian:aws:DataLake", name, None, opts)
        self.config = lake
        self.region = lake.region
        self.tags = lake_tags(lake, stack)
        child = ResourceOptions(parent=self)
        account = aws.get_caller_identity_output(opts=pulumi.InvokeOutputOptions(parent=self)).account_id
        lock_years = lake.retention_years

        self.key = KmsKey(
            f"{name}-key", alias=f"lake/{lake.name}", description=f"Data lake {lake.name} ({lake.data_class}, "
            f"{lake.jurisdiction})", tags=self.tags, stack=stack, opts=child,
        )
        self.logs = SecureBucket(
            f"{name}-logs", stack=stack, tags={**self.tags, "purpose": "access-logs"}, lifecycle=log_expiry(lake),
            log_delivery_account=account, opts=child,
        )
        self.bucket = SecureBucket(
            f"{name}-lake", stack=stack, tags=self.tags, lifecycle=lake.tiers, kms_key_arn=self.key.arn,
            object_lock_years=lock_years, log_to=(self.logs.bucket.id, f"s3/{lake.name}/"), opts=child,
        )

        # Zone prefixes as zero-byte "directory" markers, written after encryption and retention are on.
        for zone in lake.zones:
            s3.BucketObjectv2(
                f"{name}-zone-{zone}",
                bucket=self.bucket.bucket.id,
                key=f"{zone}/",
                content="",
                content_type="application/x-directory",
                # Object-locked buckets refuse writes without an integrity checksum.
                checksum_algorithm="SHA256",
                tags={**self.tags, "zone": zone},
                opts=ResourceOptions(parent=self, depends_on=self.bucket.ready),
            )
        self.zone_uris: dict[str, pulumi.Output[str]] = {
            zone: self.bucket.bucket_name.apply(lambda b, z=zone: zone_uri(b, z)) for zone in lake.zones
        }

        self.replicas: list[LakeReplica] = []
        for rep in lake.replication:
            ropts = ResourceOptions(parent=self, provider=providers.aws(rep.region))
            rtags = {**self.tags, "replica-of": lake.name}
            rkey = KmsKey(
                f"{name}-replica-{rep.region}-key", alias=f"lake/{lake.name}-replica", tags=rtags, stack=stack,
                description=f"Replica of data lake {lake.name} in {rep.region}", opts=ropts,
            )
            rlogs = SecureBucket(
                f"{name}-replica-{rep.region}-logs", stack=stack, tags={**rtags, "purpose": "access-logs"},
                lifecycle=log_expiry(lake), log_delivery_account=account, opts=ropts,
            )
            rbucket = SecureBucket(
                f"{name}-replica-{rep.region}", stack=stack, tags=rtags, lifecycle=lake.tiers, kms_key_arn=rkey.arn,
                # Locked objects only replicate into a bucket that has object lock as well.
                object_lock_years=lock_years, log_to=(rlogs.bucket.id, f"s3/{lake.name}-replica/"), opts=ropts,
            )
            self.replicas.append(LakeReplica(rep.region, rbucket, rkey, rlogs))

        self.replication_role_arn: pulumi.Output[str] | None = None
        if self.replicas:
            self._replicate(name, stack)

        self.register_outputs(self.stack_outputs())

    def _replicate(self, name: str, stack: StackConfig) -> None:
        role = iam.Role(
            f"{name}-replication",
            assume_role_policy=service_trust_policy("s3.amazonaws.com"),
            description=f"S3 replication of data lake {self.config.name}",
            tags=self.tags,
            opts=ResourceOptions(parent=self),
        )
        region = self.region
        inputs: list[Any] = [self.bucket.arn, self.key.arn]
        for r in self.replicas:
            inputs += [r.bucket.arn, r.key.arn, r.region]

        def policy(a: list[str]) -> str:
            src, src_key, rest = a[0], a[1], a[2:]
            dests = [(rest[i], rest[i + 1], rest[i + 2]) for i in range(0, len(rest), 3)]
            return json.dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [
                        {"Effect": "Allow", "Action": ["s3:GetReplicationConfiguration", "s3:ListBucket"],
                         "Resource": src},
                        {"Effect": "Allow",
                         "Action": ["s3:GetObjectVersionForReplication", "s3:GetObjectVersionAcl",
                                    "s3:GetObjectVersionTagging", "s3:GetObjectRetention", "s3:GetObjectLegalHold"],
                         "Resource": f"{src}/*"},
                        {"Effect": "Allow",
                         "Action": ["s3:ReplicateObject", "s3:ReplicateDelete", "s3:ReplicateTags",
                                    "s3:ObjectOwnerOverrideToBucketOwner"],
                         "Resource": [f"{d[0]}/*" for d in dests]},
                        {"Effect": "Allow", "Action": ["kms:Decrypt"], "Resource": src_key,
                         "Condition": {"StringLike": {"kms:ViaService": f"s3.{region}.amazonaws.com"}}},
                        *[
                            {"Effect": "Allow", "Action": ["kms:Encrypt", "kms:GenerateDataKey"], "Resource": d[1],
                             "Condition": {"StringLike": {"kms:ViaService": f"s3.{d[2]}.amazonaws.com"}}}
                            for d in dests
                        ],
                    ],
                }
            )

        grant = iam.RolePolicy(
            f"{name}-replication", role=role.id, policy=pulumi.Output.all(*inputs).apply(policy),
            opts=ResourceOptions(parent=self),
        )
        rules = [
            s3.BucketReplicationConfigRuleArgs(
                id=f"to-{r.region}",
                status="Enabled",
                priority=i,
                filter=s3.BucketReplicationConfigRuleFilterArgs(prefix=""),
                delete_marker_replication=s3.BucketReplicationConfigRuleDeleteMarkerReplicationArgs(status="Enabled"),
                source_selection_criteria=s3.BucketReplicationConfigRuleSourceSelectionCriteriaArgs(
                    sse_kms_encrypted_objects=s3.BucketReplicationConfigRuleSourceSelectionCriteriaSseKmsEncryptedObjectsArgs(
                        status="Enabled"
                    )
                ),
                destination=s3.BucketReplicationConfigRuleDestinationArgs(
                    bucket=r.bucket.arn,
                    storage_class="STANDARD",
                    encryption_configuration=s3.BucketReplicationConfigRuleDestinationEncryptionConfigurationArgs(
                        replica_kms_key_id=r.key.arn
                    ),
                ),
            )
            for i, r in enumerate(self.replicas)
        ]
        depends: list[pulumi.Resource] = [grant, self.bucket.versioning, *(r.bucket.versioning for r in self.replicas)]
        s3.BucketReplicationConfig(
            f"{name}-replication",
            bucket=self.bucket.bucket.id,
            role=role.arn,
            rules=rules,
            opts=data_store_options(stack, ResourceOptions(parent=self, depends_on=depends)),
        )
        self.replication_role_arn = role.arn

    def stack_outputs(self) -> dict[str, Any]:
        return {
            **lake_outputs(
                self.config, store=self.bucket.bucket_name, zones=self.zone_uris, key_id=self.key.arn,
                log_store=self.logs.bucket_name, replica_regions=[r.region for r in self.config.replication],
            ),
            # the keys these had before the uniform ones (infra/outputs.py)
            "bucket": self.bucket.bucket_name,
            "kmsKeyId": self.key.key_id,
            "kmsKeyArn": self.key.arn,
            "logBucket": self.logs.bucket_name,
            "replicas": [
                {"region": r.region, "bucket": r.bucket.bucket_name, "kmsKeyArn": r.key.arn} for r in self.replicas
            ],
        }

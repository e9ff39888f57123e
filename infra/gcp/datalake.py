"""A GCS data lake (a DataLakeStore): one bucket in the lake's region with zone folders, a Cloud
KMS key in that region, an access-log bucket beside it, lifecycle tiers, compliance retention when
configured, and replicas only in the regions the (already validated) config names.

Replication: GCS has no bucket-to-bucket async replication setting, and a dual-region bucket
(custom_placement_config) is ONE bucket whose CMEK key must live in the multi-region covering both
halves (e.g. `europe`), never in the lake's own region. So each replica is its own bucket in its own
region, encrypted with its own key there, kept in step by Storage Transfer Service cross-bucket
replication (an event-driven TransferJob with a replication_spec: new and changed objects are copied
as they land; deletions are not propagated, so a replica is also a guard against accidental deletes)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_gcp.projects as projects
import pulumi_gcp.storage as gcs
from pulumi import ResourceOptions

from infra.gcp.bucket import LogExpiry, SecureBucket
from infra.gcp.keys import KmsKey
from infra.outputs import lake_outputs
from infra.providers import Providers
from infra.regional import access_log_days, data_store_options, lake_tags
from meridian.config import DataLake, StackConfig
from meridian.tags import gcp_labels


def log_expiry(lake: DataLake) -> LogExpiry:
    return LogExpiry(days=access_log_days(lake))


def zone_uri(bucket: str, zone: str) -> str:
    return f"gs://{bucket}/{zone}/"


@dataclass
class LakeReplica:
    """A replica of a lake in another region: bucket, key and log store all live in `region`."""

    region: str
    bucket: SecureBucket
    key: KmsKey
    logs: SecureBucket
    job: gcs.TransferJob


class GcsDataLake(pulumi.ComponentResource):
    """Satisfies infra.regional.DataLakeStore. Public attributes:
      config (DataLake); region (str); labels (dict[str, str]); project (str);
      key (KmsKey in the lake's region: key_id, key_ring, crypto_key);
      bucket (SecureBucket: bucket, bucket_name, url, location); logs (SecureBucket, access logs, same region);
      zone_objects (dict[str, gcs.BucketObject]); zone_uris (dict[str, Output[str]], zone -> gs://bucket/zone/);
      replicas (list[LakeReplica]); storage_agent (Output[str], the GCS service agent member)."""

    def __init__(
        self,
        name: str,
        *,
        lake: DataLake,
        stack: StackConfig,
        providers: Providers,
        opts: ResourceOptions | None = None,
    ) -> None:
        super().__init__("meridian:gcp:DataLake", name, None, opts)
        if not stack.gcp_project:
            raise ValueError("a GCS data lake needs the stack's gcpProject")
        self.config = lake
        self.region = lake.region
        self.project = stack.gcp_project
        self.labels = gcp_labels(lake_tags(lake, stack))
        child = ResourceOptions(parent=self)
        # The GCS service agent encrypts and decrypts objects with the bucket's default key.
        self.storage_agent: pulumi.Output[str] = gcs.get_project_service_account_output(
            project=self.project, opts=pulumi.InvokeOutputOptions(parent=self)
        ).email_address.apply(lambda e: f"serviceAccount:{e}")

        self.key = KmsKey(
            f"{name}-key", location=lake.region, tags=self.labels, stack=stack, users=[self.storage_agent], opts=child
        )
        self.logs, self.bucket = self._store(name, lake.region, self.labels, self.key, stack, lake.name, child)

        # Zone "folders": zero-byte objects named <zone>/ (what the console and gcsfuse show as folders).
        self.zone_objects: dict[str, gcs.BucketObject] = {
            zone: gcs.BucketObject(
                f"{name}-zone-{zone}",
                bucket=self.bucket.bucket_name,
                name=f"{zone}/",
                content_type="application/x-directory",
                source=pulumi.StringAsset(""),
                opts=data_store_options(stack, ResourceOptions(parent=self)),
            )
            for zone in lake.zones
        }
        self.zone_uris: dict[str, pulumi.Output[str]] = {
            zone: self.bucket.bucket_name.apply(lambda b, z=zone: zone_uri(b, z)) for zone in lake.zones
        }

        self.replicas: list[LakeReplica] = []
        if lake.replication:
            self._replicate(name, stack, providers)
        self.register_outputs(self.stack_outputs())

    def _store(
        self, name: str, region: str, labels: dict[str, str], key: KmsKey, stack: StackConfig, prefix: str,
        opts: ResourceOptions,
    ) -> tuple[SecureBucket, SecureBucket]:
        """A log bucket and a data bucket in `region`, both encrypted with `key` (same region)."""
        logs = SecureBucket(
            f"{name}-logs", region=region, stack=stack, labels={**labels, "purpose": "access-logs"},
            kms_key_id=key.key_id, lifecycle=log_expiry(self.config), is_log_store=True, depends_on=key.grants,
            opts=opts,
        )
        bucket = SecureBucket(
            f"{name}-lake", region=region, stack=stack, labels=labels, kms_key_id=key.key_id,
            lifecycle=self.config.tiers, retention_years=self.config.retention_years,
            log_to=(logs.bucket_name, f"gcs/{prefix}/"), depends_on=key.grants, opts=opts,
        )
        return logs, bucket

    def _replicate(self, name: str, stack: StackConfig, providers: Providers) -> None:
        lake = self.config
        sts_agent = gcs.get_transfer_project_service_account_output(
            project=self.project, opts=pulumi.InvokeOutputOptions(parent=self)
        ).email.apply(lambda e: f"serviceAccount:{e}")
        # Cross-bucket replication: the agent manages the source's Pub/Sub notification and reads it, and
        # writes the replica (objectAdmin: overwrite changed objects).
        pubsub = projects.IAMMember(
            f"{name}-sts-pubsub", project=self.project, role="roles/pubsub.editor", member=sts_agent,
            opts=ResourceOptions(parent=self),
        )
        src_grants = [
            gcs.BucketIAMMember(
                f"{name}-sts-source-{role.rsplit('.', 1)[-1]}", bucket=self.bucket.bucket_name, role=role,
                member=sts_agent, opts=ResourceOptions(parent=self),
            )
            for role in ("roles/storage.admin",)
        ]
        for rep in lake.replication:
            ropts = ResourceOptions(parent=self, provider=providers.gcp(rep.region))
            rlabels = {**self.labels, "replica-of": lake.name}
            rkey = KmsKey(
                f"{name}-replica-{rep.region}-key", location=rep.region, tags=rlabels, stack=stack,
                users=[self.storage_agent], opts=ropts,
            )
            rlogs, rbucket = self._store(
                f"{name}-replica-{rep.region}", rep.region, rlabels, rkey, stack, f"{lake.name}-replica", ropts
            )
            sink_grants = [
                gcs.BucketIAMMember(
                    f"{name}-replica-{rep.region}-sts-{role.rsplit('.', 1)[-1]}", bucket=rbucket.bucket_name,
                    role=role, member=sts_agent, opts=ropts,
                )
                for role in ("roles/storage.objectAdmin", "roles/storage.legacyBucketWriter")
            ]
            job = gcs.TransferJob(
                f"{name}-replica-{rep.region}",
                description=f"Meridian: replicate data lake {lake.name} ({lake.region}) to {rep.region}",
                project=self.project,
                replication_spec=gcs.TransferJobReplicationSpecArgs(
                    gcs_data_source=gcs.TransferJobReplicationSpecGcsDataSourceArgs(bucket_name=self.bucket.bucket_name),
                    gcs_data_sink=gcs.TransferJobReplicationSpecGcsDataSinkArgs(bucket_name=rbucket.bucket_name),
                    transfer_options=gcs.TransferJobReplicationSpecTransferOptionsArgs(
                        overwrite_when="DIFFERENT",
                        delete_objects_from_source_after_transfer=False,
                        delete_objects_unique_in_sink=False,
                    ),
                ),
                opts=data_store_options(
                    stack, ResourceOptions(parent=self, depends_on=[pubsub, *src_grants, *sink_grants])
                ),
            )
            self.replicas.append(LakeReplica(rep.region, rbucket, rkey, rlogs, job))

    def stack_outputs(self) -> dict[str, Any]:
        return {
            **lake_outputs(
                self.config, store=self.bucket.bucket_name, zones=self.zone_uris, key_id=self.key.key_id,
                log_store=self.logs.bucket_name, replica_regions=[r.region for r in self.config.replication],
            ),
            # the keys these had before the uniform ones (infra/outputs.py)
            "bucket": self.bucket.bucket_name,
            "kmsKeyId": self.key.key_id,
            "logBucket": self.logs.bucket_name,
            "replicas": [
                {"region": r.region, "bucket": r.bucket.bucket_name, "kmsKeyId": r.key.key_id} for r in self.replicas
            ],
        }

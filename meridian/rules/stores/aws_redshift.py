"""Redshift clusters, with cross-region snapshot copy (inline `snapshotCopy.destinationRegion`, or a
`SnapshotCopy` resource naming the cluster in `clusterIdentifier`) and audit logging to S3
(inline `logging.bucketName` or a `Logging` resource). Encryption: `encrypted` with `kmsKeyId`;
public access: `publiclyAccessible`; TLS: the `require_ssl` parameter-group setting, not read here."""

from __future__ import annotations

from meridian.rules.facts import Target, aws_backup_targets, aws_key_use, aws_region, dig, region_target
from meridian.rules.stack import Resource, StackView
from meridian.rules.stores.aws_s3 import bucket_target
from meridian.rules.stores.kind import NotApplicable, StoreKind

CLUSTER = "aws:redshift/cluster:Cluster"
SNAPSHOT_COPY = "aws:redshift/snapshotCopy:SnapshotCopy"
LOGGING = "aws:redshift/logging:Logging"


def replicas(res: Resource, view: StackView) -> list[Target]:
    out: list[Target] = []
    inline = dig(res.props, "snapshotCopy.destinationRegion")
    if inline:
        out.append(region_target("aws", inline, "snapshotCopy", f"snapshot copy region of {res.name}", "backup"))
    for cp in view.attached(res, SNAPSHOT_COPY, "clusterIdentifier"):
        out.append(region_target("aws", cp.props.get("destinationRegion"), cp.urn,
                                 f"destination region of {cp.name}", "backup"))
    return out


def logs(res: Resource, view: StackView) -> list[Target]:
    out: list[Target] = []
    bucket = dig(res.props, "logging.bucketName")
    if bucket:
        out.append(bucket_target("access-logs", bucket, view, "logging", res, "logging"))
    for lg in view.attached(res, LOGGING, "clusterIdentifier"):
        if lg.props.get("bucketName"):
            out.append(bucket_target("access-logs", lg.props["bucketName"], view, lg.urn, lg, "bucketName"))
    return out + aws_backup_targets(res, view)


KINDS = (StoreKind(
    id="aws-redshift-cluster", title="Redshift cluster", cloud="aws", types=(CLUSTER,), locate=aws_region,
    replicas=replicas, key=aws_key_use("kmsKeyId", flag_path="encrypted"), logs_backups=logs,
    public_access=lambda res, view: ["publiclyAccessible is true"] if res.props.get("publiclyAccessible") is True
    else [],
    tls_only=NotApplicable("Redshift enforces TLS with the require_ssl parameter"),
    versioning=NotApplicable("Redshift has snapshots, not object versions"),
    name_keys=("clusterIdentifier",), doc=__doc__ or "",
),)

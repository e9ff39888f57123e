"""EBS volumes, snapshots and snapshot copies.

A volume sits in its availability zone's region. Its snapshots stay in that region; a
`SnapshotCopy` (`sourceSnapshotId` = a snapshot of the volume) copies the data to the copy's own
region, so it is a replica of the volume and a store of its own (classified by its tags, else by
the snapshot it copies). Encryption: `encrypted` with `kmsKeyId`. EBS has no network endpoint."""

from __future__ import annotations

from meridian.rules.facts import (
    Placement,
    Target,
    aws_backup_targets,
    aws_key_use,
    aws_region,
    place,
    pointing_here,
)
from meridian.rules.stack import Resource, StackView
from meridian.rules.stores.kind import NotApplicable, StoreKind

VOLUME = "aws:ebs/volume:Volume"
SNAPSHOT = "aws:ebs/snapshot:Snapshot"
SNAPSHOT_COPY = "aws:ebs/snapshotCopy:SnapshotCopy"
_NA = {"public_access": NotApplicable("EBS has no network endpoint (snapshot sharing is a separate permission)"),
       "tls_only": NotApplicable("EBS has no network endpoint"),
       "versioning": NotApplicable("EBS keeps snapshots, not object versions")}


def locate_volume(res: Resource, view: StackView) -> Placement:
    az = res.props.get("availabilityZone")
    return place("aws", az, f"availability zone of {res.name}") if isinstance(az, str) else aws_region(res, view)


def volume_replicas(res: Resource, view: StackView) -> list[Target]:
    out: list[Target] = []
    for snap in view.attached(res, SNAPSHOT, "volumeId"):
        out += pointing_here(snap, view, (SNAPSHOT_COPY,), "sourceSnapshotId")
    return out


VOLUME_KIND = StoreKind(
    id="aws-ebs-volume", title="EBS volume", cloud="aws", types=(VOLUME,), locate=locate_volume,
    replicas=volume_replicas, key=aws_key_use("kmsKeyId", flag_path="encrypted"), logs_backups=aws_backup_targets,
    doc=__doc__ or "", **_NA)  # type: ignore[arg-type]
SNAPSHOT_KIND = StoreKind(
    id="aws-ebs-snapshot", title="EBS snapshot", cloud="aws", types=(SNAPSHOT,), locate=aws_region,
    replicas=lambda res, view: pointing_here(res, view, (SNAPSHOT_COPY,), "sourceSnapshotId"),
    key=aws_key_use("kmsKeyId", flag_path="encrypted"), logs_backups=NotApplicable("a snapshot is itself a backup"),
    owner=lambda res, view: view.referenced(res, "volumeId", res.props.get("volumeId"), VOLUME),
    doc=__doc__ or "", **_NA)  # type: ignore[arg-type]
COPY_KIND = StoreKind(
    id="aws-ebs-snapshot-copy", title="EBS snapshot copy", cloud="aws", types=(SNAPSHOT_COPY,), locate=aws_region,
    replicas=NotApplicable("a copy is listed as a replica of its source"),
    key=aws_key_use("kmsKeyId", flag_path="encrypted"), logs_backups=NotApplicable("a snapshot is itself a backup"),
    owner=lambda res, view: view.referenced(res, "sourceSnapshotId", res.props.get("sourceSnapshotId"), SNAPSHOT),
    doc=__doc__ or "", **_NA)  # type: ignore[arg-type]
KINDS = (VOLUME_KIND, SNAPSHOT_KIND, COPY_KIND)

"""EFS file systems and their replication configurations.

A file system sits in its region. A `ReplicationConfiguration` (`sourceFileSystemId` = the file
system's id) copies it to `destination.region` (or the region of `destination.availabilityZoneName`).
The configuration carries no tags: it takes the source file system's classification, or the pack
config's; when the source is not in the stack it reports its destination itself.
Encryption: `encrypted` with `kmsKeyId`. TLS: enforced by a file system policy
(aws:SecureTransport), not read here."""

from __future__ import annotations

from meridian.rules.facts import (
    Target,
    aws_backup_targets,
    aws_key_use,
    aws_region,
    dig,
    place,
    unplaced,
)
from meridian.rules.stack import Resource, StackView
from meridian.rules.stores.kind import NotApplicable, StoreKind

FILE_SYSTEM = "aws:efs/fileSystem:FileSystem"
REPLICATION = "aws:efs/replicationConfiguration:ReplicationConfiguration"
_NA = {"public_access": NotApplicable("EFS is reachable only through mount targets in a VPC"),
       "tls_only": NotApplicable("EFS enforces TLS through a file system policy (aws:SecureTransport)"),
       "versioning": NotApplicable("EFS has backups, not object versions")}


def destinations(cfg: Resource) -> list[Target]:
    out: list[Target] = []
    dests = cfg.props.get("destination")
    for d in dests if isinstance(dests, list) else [dests]:
        if not isinstance(d, dict):
            continue
        where = dig(d, "region") or dig(d, "availabilityZoneName")
        p = place("aws", where, f"destination region of {cfg.name}") if where else unplaced(
            "aws", f"the destination of {cfg.name} states no region (fail closed)")
        out.append(Target("replica", str(dig(d, "fileSystemId") or where), p, cfg.urn))
    return out


def _source(cfg: Resource, view: StackView) -> Resource | None:
    return view.referenced(cfg, "sourceFileSystemId", cfg.props.get("sourceFileSystemId"), FILE_SYSTEM)


def fs_replicas(res: Resource, view: StackView) -> list[Target]:
    return [t for cfg in view.attached(res, REPLICATION, "sourceFileSystemId") for t in destinations(cfg)]


FS_KIND = StoreKind(
    id="aws-efs-file-system", title="EFS file system", cloud="aws", types=(FILE_SYSTEM,), locate=aws_region,
    replicas=fs_replicas, key=aws_key_use("kmsKeyId", flag_path="encrypted"), logs_backups=aws_backup_targets,
    doc=__doc__ or "", **_NA)  # type: ignore[arg-type]
REPLICATION_KIND = StoreKind(
    id="aws-efs-replication", title="EFS replication configuration", cloud="aws", types=(REPLICATION,),
    locate=aws_region,
    replicas=lambda res, view: [] if _source(res, view) is not None else destinations(res),
    key=NotApplicable("the destination file system is encrypted by its own key"),
    logs_backups=NotApplicable("a replication has no logs of its own"), taggable=False, owner=_source,
    doc=__doc__ or "", **_NA)  # type: ignore[arg-type]
KINDS = (FS_KIND, REPLICATION_KIND)

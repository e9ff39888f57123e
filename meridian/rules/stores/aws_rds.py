"""RDS DB instances (and their read replicas), Aurora clusters and Aurora global clusters.

Instance: its region; read replicas are the instances whose `replicateSourceDb` names it (identifier
or ARN, exact), each placed by its own provider/region; automated-backup replications
(`InstanceAutomatedBackupsReplication`, `sourceDbInstanceArn`) copy its backups to their region.
Cluster: its region; cross-region replica clusters name it in `replicationSourceIdentifier`; the other
members of its global cluster (same `globalClusterIdentifier`) hold its data too. A global cluster
sits in every member's region and cannot be placed without members (fail closed).
Public access: `publiclyAccessible` on the instance (cluster: on any of its cluster instances).
TLS: RDS enforces TLS in the parameter group (rds.force_ssl / require_secure_transport), which this
kind does not read: not applicable here. Encryption: `storageEncrypted` with `kmsKeyId`."""

from __future__ import annotations

from meridian.rules.facts import (
    Placement,
    Target,
    aws_backup_targets,
    aws_key_use,
    aws_region,
    known,
    place_all,
    placement,
    pointing_here,
    unplaced,
)
from meridian.rules.stack import Resource, StackView
from meridian.rules.stores.kind import NotApplicable, StoreKind

RDS_INSTANCE = "aws:rds/instance:Instance"
RDS_CLUSTER = "aws:rds/cluster:Cluster"
RDS_CLUSTER_INSTANCE = "aws:rds/clusterInstance:ClusterInstance"
RDS_GLOBAL = "aws:rds/globalCluster:GlobalCluster"
RDS_BACKUP_REPLICATION = "aws:rds/instanceAutomatedBackupsReplication:InstanceAutomatedBackupsReplication"

_TLS = NotApplicable("RDS enforces TLS in the DB parameter group (rds.force_ssl / require_secure_transport)")
_NO_VERSIONS = NotApplicable("a database has point-in-time recovery, not object versions")


def instance_logs_backups(res: Resource, view: StackView) -> list[Target]:
    out = pointing_here(res, view, (RDS_BACKUP_REPLICATION,), "sourceDbInstanceArn", kind="backup")
    return out + aws_backup_targets(res, view)


def instance_public(res: Resource, view: StackView) -> list[str]:
    return ["publiclyAccessible is true"] if res.props.get("publiclyAccessible") is True else []


def _global_members(gid: object, view: StackView) -> list[Resource]:
    return [c for c in view.of_type(RDS_CLUSTER) if known(gid) and c.props.get("globalClusterIdentifier") == gid]


def cluster_replicas(res: Resource, view: StackView) -> list[Target]:
    out = pointing_here(res, view, (RDS_CLUSTER,), "replicationSourceIdentifier")
    gid = res.props.get("globalClusterIdentifier")
    for member in _global_members(gid, view):
        if member is not res:
            out.append(Target("replica", member.name, placement(member, view), f"global cluster {gid}"))
    return out


def cluster_public(res: Resource, view: StackView) -> list[str]:
    return [f"cluster instance {i.name} is publiclyAccessible"
            for i in view.attached(res, RDS_CLUSTER_INSTANCE, "clusterIdentifier")
            if i.props.get("publiclyAccessible") is True]


def global_locate(res: Resource, view: StackView) -> Placement:
    members = _global_members(res.props.get("globalClusterIdentifier"), view)
    source = view.referenced(res, "sourceDbClusterIdentifier", res.props.get("sourceDbClusterIdentifier"), RDS_CLUSTER)
    members += [source] if source is not None and source not in members else []
    if not members:
        return unplaced("aws", f"global cluster {res.name} has no member cluster in the stack, its regions are "
                               "unknown (fail closed)")
    parts = [placement(m, view) for m in members]
    bad = next((p for p in parts if p.error), None)
    return bad or place_all("aws", [p.region_id for p in parts], f"regions of global cluster {res.name}")


def global_replicas(res: Resource, view: StackView) -> list[Target]:
    return [Target("replica", m.name, placement(m, view), res.urn)
            for m in _global_members(res.props.get("globalClusterIdentifier"), view)]


INSTANCE = StoreKind(
    id="aws-rds-instance", title="RDS DB instance", cloud="aws", types=(RDS_INSTANCE,), locate=aws_region,
    replicas=lambda res, view: pointing_here(res, view, (RDS_INSTANCE,), "replicateSourceDb"),
    key=aws_key_use("kmsKeyId", flag_path="storageEncrypted"), logs_backups=instance_logs_backups,
    public_access=instance_public, tls_only=_TLS, versioning=_NO_VERSIONS,
    owner=lambda res, view: view.referenced(res, "replicateSourceDb", res.props.get("replicateSourceDb"), RDS_INSTANCE),
    name_keys=("identifier",), doc=__doc__ or "",
)
CLUSTER = StoreKind(
    id="aws-rds-cluster", title="Aurora/RDS cluster", cloud="aws", types=(RDS_CLUSTER,), locate=aws_region,
    replicas=cluster_replicas, key=aws_key_use("kmsKeyId", flag_path="storageEncrypted"),
    logs_backups=aws_backup_targets, public_access=cluster_public, tls_only=_TLS, versioning=_NO_VERSIONS,
    owner=lambda res, view: view.referenced(res, "replicationSourceIdentifier",
                                            res.props.get("replicationSourceIdentifier"), RDS_CLUSTER),
    name_keys=("clusterIdentifier",), doc=__doc__ or "",
)
GLOBAL_CLUSTER = StoreKind(
    id="aws-rds-global-cluster", title="Aurora global cluster", cloud="aws", types=(RDS_GLOBAL,),
    locate=global_locate, replicas=global_replicas,
    key=NotApplicable("each member cluster is encrypted with its own regional key"),
    logs_backups=NotApplicable("backups are taken per member cluster"),
    public_access=NotApplicable("access is per member cluster"), tls_only=_TLS, versioning=_NO_VERSIONS,
    owner=lambda res, view: view.referenced(res, "sourceDbClusterIdentifier",
                                            res.props.get("sourceDbClusterIdentifier"), RDS_CLUSTER),
    name_keys=("globalClusterIdentifier",), doc=__doc__ or "",
)
KINDS = (INSTANCE, CLUSTER, GLOBAL_CLUSTER)

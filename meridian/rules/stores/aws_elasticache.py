"""ElastiCache (Redis OSS / Valkey / Memcached): replication groups, global datastores, serverless caches.

Replication group: its region; the other members of its global datastore (same
`globalReplicationGroupId`) hold its data. Logs: `logDeliveryConfigurations` to CloudWatch log groups
(placed; Kinesis Firehose destinations fail closed). Encryption: `atRestEncryptionEnabled` with
`kmsKeyId`. TLS: `transitEncryptionEnabled`. ElastiCache lives in a VPC: no public access setting.
A global datastore sits in the regions of its members and takes the primary's classification."""

from __future__ import annotations

from meridian.rules.facts import (
    Placement,
    Target,
    aws_backup_targets,
    aws_key_use,
    aws_log_group_target,
    aws_region,
    known,
    place_all,
    placement,
    unplaced,
)
from meridian.rules.stack import Resource, StackView
from meridian.rules.stores.kind import NotApplicable, StoreKind

GROUP = "aws:elasticache/replicationGroup:ReplicationGroup"
GLOBAL = "aws:elasticache/globalReplicationGroup:GlobalReplicationGroup"
SERVERLESS = "aws:elasticache/serverlessCache:ServerlessCache"
_PUBLIC = NotApplicable("ElastiCache is reachable only inside its VPC")
_VERSIONS = NotApplicable("a cache has snapshots, not object versions")


def _global_id(res: Resource, view: StackView) -> str | None:
    gid = res.props.get("globalReplicationGroupId")
    if known(gid):
        return str(gid)
    g = next((g for g in view.of_type(GLOBAL) if g.props.get("primaryReplicationGroupId") in
              StackView.identifiers(res)), None)
    return str(g.props.get("globalReplicationGroupId") or g.name) if g is not None else None


def _members(gid: str | None, view: StackView) -> list[Resource]:
    if gid is None:
        return []
    out = [r for r in view.of_type(GROUP) if r.props.get("globalReplicationGroupId") == gid]
    for g in view.of_type(GLOBAL):
        if gid in (g.props.get("globalReplicationGroupId"), g.name):
            p = view.referenced(g, "primaryReplicationGroupId", g.props.get("primaryReplicationGroupId"), GROUP)
            if p is not None and p not in out:
                out.append(p)
    return out


def group_replicas(res: Resource, view: StackView) -> list[Target]:
    gid = _global_id(res, view)
    return [Target("replica", m.name, placement(m, view), f"global datastore {gid}")
            for m in _members(gid, view) if m is not res]


def group_logs(res: Resource, view: StackView) -> list[Target]:
    out: list[Target] = []
    for cfg in res.props.get("logDeliveryConfigurations") or []:
        if not isinstance(cfg, dict):
            continue
        if cfg.get("destinationType") == "cloudwatch-logs":
            out.append(aws_log_group_target(cfg.get("destination"), res, "logDeliveryConfigurations", view,
                                            "logDeliveryConfigurations"))
        else:
            out.append(Target("access-logs", str(cfg.get("destination")), unplaced(
                "aws", f"log delivery to {cfg.get('destinationType')!r} cannot be placed (fail closed)"), "logs"))
    return out + aws_backup_targets(res, view)


def group_tls(res: Resource, view: StackView) -> list[str]:
    return [] if res.props.get("transitEncryptionEnabled") is True else ["transitEncryptionEnabled is not true"]


def global_locate(res: Resource, view: StackView) -> Placement:
    members = _members(str(res.props.get("globalReplicationGroupId") or res.name), view)
    if not members:
        return unplaced("aws", f"global datastore {res.name} has no member in the stack (fail closed)")
    parts = [placement(m, view) for m in members]
    bad = next((p for p in parts if p.error), None)
    return bad or place_all("aws", [p.region_id for p in parts], f"regions of global datastore {res.name}")


GROUP_KIND = StoreKind(
    id="aws-elasticache-replication-group", title="ElastiCache replication group", cloud="aws", types=(GROUP,),
    locate=aws_region, replicas=group_replicas, key=aws_key_use("kmsKeyId", flag_path="atRestEncryptionEnabled"),
    logs_backups=group_logs, public_access=_PUBLIC, tls_only=group_tls, versioning=_VERSIONS,
    name_keys=("replicationGroupId",), doc=__doc__ or "",
)
GLOBAL_KIND = StoreKind(
    id="aws-elasticache-global-datastore", title="ElastiCache global datastore", cloud="aws", types=(GLOBAL,),
    locate=global_locate,
    replicas=lambda res, view: [Target("replica", m.name, placement(m, view), res.urn) for m in _members(
        str(res.props.get("globalReplicationGroupId") or res.name), view)],
    key=NotApplicable("each member group is encrypted with its own regional key"),
    logs_backups=NotApplicable("logs are per member group"), public_access=_PUBLIC,
    tls_only=NotApplicable("in-transit encryption is set on the member groups"), versioning=_VERSIONS, taggable=False,
    owner=lambda res, view: view.referenced(res, "primaryReplicationGroupId",
                                            res.props.get("primaryReplicationGroupId"), GROUP),
    name_keys=("globalReplicationGroupId",), doc=__doc__ or "",
)
SERVERLESS_KIND = StoreKind(
    id="aws-elasticache-serverless", title="ElastiCache serverless cache", cloud="aws", types=(SERVERLESS,),
    locate=aws_region, replicas=NotApplicable("a serverless cache is regional, with no cross-region copy"),
    key=aws_key_use("kmsKeyId", always=True), logs_backups=aws_backup_targets, public_access=_PUBLIC,
    tls_only=NotApplicable("serverless caches accept TLS connections only"), versioning=_VERSIONS, doc=__doc__ or "",
)
KINDS = (GROUP_KIND, GLOBAL_KIND, SERVERLESS_KIND)

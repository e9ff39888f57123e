"""MSK (Managed Streaming for Apache Kafka) clusters, serverless clusters and replicators.

Clusters are always encrypted at rest (`encryptionInfo.encryptionAtRestKmsKeyArn` for a customer key);
TLS between clients and brokers (`encryptionInfo.encryptionInTransit.clientBroker`, default TLS) and inside
the cluster; broker logs to CloudWatch Logs, S3 or Firehose (Firehose cannot be placed: fail closed);
public access through `brokerNodeGroupInfo.connectivityInfo.publicAccess.type`. A replicator copies topics
from its source cluster to its target cluster: listed as a replica of the source (exact ARN), and a store
of its own placed in both clusters' regions."""

from __future__ import annotations

from meridian.rules.facts import (
    Placement,
    Target,
    aws_key_use,
    aws_log_group_target,
    aws_region,
    dig,
    place_all,
    placement,
    unplaced,
    walk_key,
)
from meridian.rules.stack import Resource, StackView
from meridian.rules.stores.aws_s3 import bucket_target
from meridian.rules.stores.kind import NotApplicable, StoreKind

MSK = "aws:msk/cluster:Cluster"

MSK_SERVERLESS = "aws:msk/serverlessCluster:ServerlessCluster"

MSK_REPLICATOR = "aws:msk/replicator:Replicator"

_VERSIONS = NotApplicable("messages are retained, not versioned")


def msk_logs(res: Resource, view: StackView) -> list[Target]:
    out: list[Target] = []
    broker = dig(res.props, "loggingInfo.brokerLogs") or {}
    if dig(broker, "cloudwatchLogs.enabled") is True:
        out.append(
            aws_log_group_target(
                dig(broker, "cloudwatchLogs.logGroup"), res, "loggingInfo", view, "brokerLogs"
            )
        )
    if dig(broker, "s3.enabled") is True:
        out.append(
            bucket_target("access-logs", dig(broker, "s3.bucket"), view, "brokerLogs.s3", res, "loggingInfo")
        )
    if dig(broker, "firehose.enabled") is True:
        out.append(
            Target(
                "access-logs",
                "firehose",
                unplaced("aws", "broker logs to Firehose cannot be placed (fail closed)"),
                "brokerLogs.firehose",
            )
        )
    return out


def msk_tls(res: Resource, view: StackView) -> list[str]:
    out = []
    cb = dig(res.props, "encryptionInfo.encryptionInTransit.clientBroker")
    if cb not in (None, "TLS"):  # the service default is TLS
        out.append(f"encryptionInfo.encryptionInTransit.clientBroker is {cb!r}, not TLS")
    if dig(res.props, "encryptionInfo.encryptionInTransit.inCluster") is False:
        out.append("encryptionInfo.encryptionInTransit.inCluster is false")
    return out


def msk_public(res: Resource, view: StackView) -> list[str]:
    t = dig(res.props, "brokerNodeGroupInfo.connectivityInfo.publicAccess.type")
    return [f"brokers have public access ({t})"] if t not in (None, "DISABLED") else []


def _replicator_clusters(rep: Resource, key: str) -> list[object]:
    return [v for v in walk_key(rep.props.get("replicationInfoList"), key)]


def msk_replicas(res: Resource, view: StackView) -> list[Target]:
    out: list[Target] = []
    idents = StackView.identifiers(res)
    for rep in view.of_type(MSK_REPLICATOR):
        if not any(s in idents for s in _replicator_clusters(rep, "sourceKafkaClusterArn")):
            continue
        for arn in _replicator_clusters(rep, "targetKafkaClusterArn"):
            target = view.find(arn, MSK, MSK_SERVERLESS)
            p = placement(target, view) if target is not None else _arn_place(arn)
            out.append(Target("replica", str(arn), p, rep.urn))
    return out


def _arn_place(arn: object) -> Placement:
    from meridian.rules.facts import arn_region, place

    region = arn_region(arn)
    return (
        place("aws", region, f"region of {arn}")
        if region
        else unplaced("aws", f"target cluster {arn!r} cannot be placed (fail closed)")
    )


def replicator_locate(res: Resource, view: StackView) -> Placement:
    arns = [
        a for k in ("sourceKafkaClusterArn", "targetKafkaClusterArn") for a in _replicator_clusters(res, k)
    ]
    parts = [
        (placement(c, view) if (c := view.find(a, MSK, MSK_SERVERLESS)) is not None else _arn_place(a))
        for a in arns
    ]
    bad = next((p for p in parts if p.error), None)
    if bad is not None or not parts:
        return bad or unplaced("aws", f"replicator {res.name} names no clusters (fail closed)")
    return place_all("aws", [p.region_id for p in parts], f"regions of replicator {res.name}")


MSK_KIND = StoreKind(
    id="aws-msk-cluster",
    title="MSK cluster",
    cloud="aws",
    types=(MSK, MSK_SERVERLESS),
    locate=aws_region,
    replicas=msk_replicas,
    key=aws_key_use("encryptionInfo.encryptionAtRestKmsKeyArn", always=True),
    logs_backups=msk_logs,
    public_access=msk_public,
    tls_only=msk_tls,
    versioning=_VERSIONS,
    name_keys=("clusterName",),
    doc=__doc__ or "",
)

REPLICATOR_KIND = StoreKind(
    id="aws-msk-replicator",
    title="MSK replicator",
    cloud="aws",
    types=(MSK_REPLICATOR,),
    locate=replicator_locate,
    replicas=NotApplicable("listed as a replica of its source cluster"),
    key=NotApplicable("data is encrypted by the target cluster's key"),
    logs_backups=NotApplicable("a replicator has no logs of its own"),
    public_access=NotApplicable("replicators connect privately"),
    tls_only=NotApplicable("replication uses TLS"),
    versioning=_VERSIONS,
    name_keys=("replicatorName",),
    doc=__doc__ or "",
)

KINDS = (MSK_KIND, REPLICATOR_KIND)

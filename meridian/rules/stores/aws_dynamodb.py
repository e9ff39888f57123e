"""DynamoDB tables, with global-table replicas inline (`replicas[].regionName`, v2019 global tables)
or as separate `TableReplica` resources (`globalTableArn` = the table's ARN, placed by their own
provider/region). DynamoDB always encrypts at rest (`serverSideEncryption.kmsKeyArn` for a customer
key); its endpoints are HTTPS only; it has no public-access switch (access is IAM)."""

from __future__ import annotations

from meridian.rules.facts import (
    Target,
    aws_backup_targets,
    aws_key_use,
    aws_region,
    dig,
    pointing_here,
    region_target,
)
from meridian.rules.stack import Resource, StackView
from meridian.rules.stores.kind import NotApplicable, StoreKind

TABLE = "aws:dynamodb/table:Table"
TABLE_REPLICA = "aws:dynamodb/tableReplica:TableReplica"
_TLS = NotApplicable("DynamoDB endpoints are HTTPS only")
_PUBLIC = NotApplicable("DynamoDB has no public access setting; access is IAM")
_VERSIONS = NotApplicable("DynamoDB has point-in-time recovery, not object versions")


def replicas(res: Resource, view: StackView) -> list[Target]:
    out = [region_target("aws", dig(r, "regionName"), "inline replicas", f"replica region of table {res.name}")
           for r in res.props.get("replicas") or [] if isinstance(r, dict)]
    return out + pointing_here(res, view, (TABLE_REPLICA,), "globalTableArn")


TABLE_KIND = StoreKind(
    id="aws-dynamodb-table", title="DynamoDB table", cloud="aws", types=(TABLE,), locate=aws_region,
    replicas=replicas, key=aws_key_use("serverSideEncryption.kmsKeyArn", always=True),
    logs_backups=aws_backup_targets, public_access=_PUBLIC, tls_only=_TLS, versioning=_VERSIONS, doc=__doc__ or "",
)
REPLICA_KIND = StoreKind(
    id="aws-dynamodb-table-replica", title="DynamoDB table replica", cloud="aws", types=(TABLE_REPLICA,),
    locate=aws_region, replicas=NotApplicable("a replica is listed by its global table"),
    key=aws_key_use("kmsKeyArn", always=True), logs_backups=aws_backup_targets, public_access=_PUBLIC,
    tls_only=_TLS, versioning=_VERSIONS,
    owner=lambda res, view: view.referenced(res, "globalTableArn", res.props.get("globalTableArn"), TABLE),
    doc=__doc__ or "",
)
KINDS = (TABLE_KIND, REPLICA_KIND)

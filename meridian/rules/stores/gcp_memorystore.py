"""Memorystore for Redis instances (`locationId`/`alternativeLocationId` zones, else `region`), and
Memorystore (Valkey) instances and Redis Cluster (`location`/`region`). TLS: `transitEncryptionMode`
SERVER_AUTHENTICATION. Reachable only from the authorized VPC network / Private Service Connect.
Cross-instance replication secondaries are separate resources whose regions are not stated on the
primary: fail closed."""

from __future__ import annotations

from meridian.rules.facts import (
    Placement,
    Target,
    dig,
    first,
    gcp_key_use,
    gcp_place,
    place_all,
    unplaced,
)
from meridian.rules.stack import Resource, StackView
from meridian.rules.stores.gcp_common import (
    NOLOGS,
    NOVER,
    gcp_kind,
)
from meridian.rules.stores.kind import NotApplicable

REDIS = "gcp:redis/instance:Instance"

REDIS_CLUSTER = "gcp:redis/cluster:Cluster"

VALKEY = "gcp:memorystore/instance:Instance"


def redis_locate(res: Resource, view: StackView) -> Placement:
    zones = [z for z in (first(res, "locationId"), first(res, "alternativeLocationId")) if z]
    if zones:
        return place_all("gcp", zones, f"zones of {res.name}")
    return gcp_place(res, view, "region")


def redis_tls(res: Resource, view: StackView) -> list[str]:
    mode = res.props.get("transitEncryptionMode")
    return (
        []
        if mode in ("SERVER_AUTHENTICATION", "SERVER_AUTHENTICATION_MODE")
        else [f"transitEncryptionMode is {mode!r}, not SERVER_AUTHENTICATION"]
    )


REDIS_KIND = gcp_kind(
    "gcp-memorystore-redis",
    "Memorystore for Redis instance",
    (REDIS,),
    redis_locate,
    replicas=lambda res, view: [],
    key=gcp_key_use("customerManagedKey"),
    logs_backups=NOLOGS,
    public_access=NotApplicable("Memorystore is reachable only from its authorized VPC network"),
    tls_only=redis_tls,
    versioning=NOVER,
    doc=__doc__ or "",
)

VALKEY_KIND = gcp_kind(
    "gcp-memorystore-instance",
    "Memorystore instance (Valkey) / Redis Cluster",
    (VALKEY, REDIS_CLUSTER),
    lambda res, view: gcp_place(res, view, "location", "region"),
    replicas=lambda res, view: (
        []
        if not dig(res.props, "crossInstanceReplicationConfig.secondaryInstances")
        and not dig(res.props, "crossClusterReplicationConfig.secondaryClusters")
        else [
            Target(
                "replica",
                "secondary",
                unplaced(
                    "gcp",
                    "cross-instance replication secondaries are placed by their own resources; their regions are not "
                    "stated here (fail closed)",
                ),
                "crossInstanceReplicationConfig",
            )
        ]
    ),
    key=gcp_key_use("kmsKey"),
    logs_backups=NOLOGS,
    public_access=NotApplicable("reachable only through Private Service Connect"),
    tls_only=lambda res, view: (
        []
        if res.props.get("transitEncryptionMode")
        in ("SERVER_AUTHENTICATION", "TRANSIT_ENCRYPTION_MODE_SERVER_AUTHENTICATION")
        else [f"transitEncryptionMode is {res.props.get('transitEncryptionMode')!r}"]
    ),
    versioning=NOVER,
    doc=__doc__ or "",
)

KINDS = (REDIS_KIND, VALKEY_KIND)

"""Bigtable instances: data sits in every cluster's zone (`clusters[].zone`), each cluster replicating
the others; CMEK per cluster (`clusters[].kmsKeyName`)."""

from __future__ import annotations

from meridian.rules.facts import (
    Placement,
    gcp_key_use,
    place_all,
)
from meridian.rules.stack import Resource, StackView
from meridian.rules.stores.gcp_common import (
    IAM,
    NOLOGS,
    NOVER,
    TLS,
    gcp_kind,
    members_target,
)

BIGTABLE = "gcp:bigtable/instance:Instance"


def bigtable_locate(res: Resource, view: StackView) -> Placement:
    zones = [c.get("zone") for c in res.props.get("clusters") or [] if isinstance(c, dict)]
    return place_all("gcp", zones, f"cluster zones of {res.name}")


def bigtable_key(res: Resource, view: StackView):  # type: ignore[no-untyped-def]
    """Each cluster names its own key; the first one stands for the instance (clusters in other
    regions must use keys of their own region, which the location of each cluster already bounds)."""
    keys = [
        c.get("kmsKeyName")
        for c in res.props.get("clusters") or []
        if isinstance(c, dict) and c.get("kmsKeyName")
    ]
    if not keys:
        return gcp_key_use()(res, view)
    return gcp_key_use("k")(
        Resource(
            res.urn,
            res.type,
            {"k": keys[0]},
            property_dependencies={"k": res.property_dependencies.get("clusters", ())},
        ),
        view,
    )


BIGTABLE_KIND = gcp_kind(
    "gcp-bigtable-instance",
    "Bigtable instance",
    (BIGTABLE,),
    bigtable_locate,
    replicas=lambda res, view: members_target(bigtable_locate(res, view), "clusters"),
    key=bigtable_key,
    logs_backups=NOLOGS,
    public_access=IAM,
    tls_only=TLS,
    versioning=NOVER,
    doc=__doc__ or "",
)

KINDS = (BIGTABLE_KIND,)

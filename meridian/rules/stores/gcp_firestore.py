"""Firestore databases. `locationId` may be a multi-region (eur3, nam5, nam7: the catalog's Firestore
configurations). Databases carry no labels: the pack config `classifications` classifies them.
CMEK: `cmekConfig.kmsKeyName`."""

from __future__ import annotations

from meridian.rules.facts import (
    gcp_key_use,
)
from meridian.rules.stores.gcp_common import (
    IAM,
    NOLOGS,
    NOVER,
    TLS,
    gcp_kind,
    members_target,
    service_place,
)

FIRESTORE = "gcp:firestore/database:Database"

FIRESTORE_KIND = gcp_kind(
    "gcp-firestore-database",
    "Firestore database",
    (FIRESTORE,),
    lambda res, view: service_place("firestore", res.props.get("locationId"), f"locationId of {res.name}"),
    replicas=lambda res, view: members_target(
        service_place("firestore", res.props.get("locationId"), res.name),
        f"multi-region {res.props.get('locationId')}",
    ),
    key=gcp_key_use("cmekConfig.kmsKeyName"),
    logs_backups=NOLOGS,
    public_access=IAM,
    tls_only=TLS,
    versioning=NOVER,
    taggable=False,
    doc=__doc__ or "",
)

KINDS = (FIRESTORE_KIND,)

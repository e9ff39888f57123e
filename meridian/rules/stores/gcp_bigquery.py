"""BigQuery datasets. `location` may be a multi-region (US, EU): every member region of the catalog's
multi-region holds the data. A dataset without `location` is in US (BigQuery's default). CMEK:
`defaultEncryptionConfiguration.kmsKeyName`. Public: an access entry for allUsers/allAuthenticatedUsers."""

from __future__ import annotations

from meridian.rules.facts import (
    Placement,
    gcp_key_use,
    place,
    walk_key,
)
from meridian.rules.stack import Resource, StackView
from meridian.rules.stores.gcp_common import (
    NOLOGS,
    TLS,
    gcp_kind,
    members_target,
)
from meridian.rules.stores.kind import NotApplicable

BQ_DATASET = "gcp:bigquery/dataset:Dataset"


def bq_locate(res: Resource, view: StackView) -> Placement:
    return place(
        "gcp", res.props.get("location") or "US", f"location of dataset {res.name} (BigQuery's default is US)"
    )


BQ_KIND = gcp_kind(
    "gcp-bigquery-dataset",
    "BigQuery dataset",
    (BQ_DATASET,),
    bq_locate,
    replicas=lambda res, view: members_target(
        bq_locate(res, view), f"multi-region {res.props.get('location')}"
    ),
    key=gcp_key_use("defaultEncryptionConfiguration.kmsKeyName"),
    logs_backups=NOLOGS,
    public_access=lambda res, view: (
        [
            f"access grants {g} to the dataset"
            for g in walk_key(res.props.get("accesses"), "specialGroup")
            if g == "allAuthenticatedUsers"
        ]
        + [
            "access grants allUsers"
            for a in walk_key(res.props.get("accesses"), "iamMember")
            if a == "allUsers"
        ]
    ),
    tls_only=TLS,
    versioning=NotApplicable("BigQuery has time travel, not object versions"),
    doc=__doc__ or "",
)

KINDS = (BQ_KIND,)

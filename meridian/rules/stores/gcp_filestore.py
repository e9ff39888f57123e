"""Filestore instances: `location` (a zone or region). CMEK: `kmsKeyName`. Reachable only from its VPC."""

from __future__ import annotations

from meridian.rules.facts import (
    gcp_key_use,
    gcp_place,
)
from meridian.rules.stores.gcp_common import (
    NOLOGS,
    NOVER,
    gcp_kind,
)
from meridian.rules.stores.kind import NotApplicable

FILESTORE = "gcp:filestore/instance:Instance"

FILESTORE_KIND = gcp_kind(
    "gcp-filestore-instance",
    "Filestore instance",
    (FILESTORE,),
    lambda res, view: gcp_place(res, view, "location", "zone"),
    replicas=lambda res, view: [],
    key=gcp_key_use("kmsKeyName"),
    logs_backups=NOLOGS,
    public_access=NotApplicable("reachable only from its VPC network"),
    tls_only=NotApplicable("NFS traffic stays in the VPC network"),
    versioning=NOVER,
    doc=__doc__ or "",
)

KINDS = (FILESTORE_KIND,)

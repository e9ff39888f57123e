"""Artifact Registry repositories: `location` (may be a multi-region such as us/europe). CMEK: `kmsKeyName`."""

from __future__ import annotations

from meridian.rules.facts import (
    gcp_key_use,
    gcp_place,
)
from meridian.rules.stores.gcp_common import (
    IAM,
    NOLOGS,
    NOVER,
    TLS,
    gcp_kind,
    members_target,
)

ARTIFACT_REPO = "gcp:artifactregistry/repository:Repository"

ARTIFACT_KIND = gcp_kind(
    "gcp-artifact-registry-repository",
    "Artifact Registry repository",
    (ARTIFACT_REPO,),
    lambda res, view: gcp_place(res, view, "location"),
    replicas=lambda res, view: members_target(gcp_place(res, view, "location"), "multi-region"),
    key=gcp_key_use("kmsKeyName"),
    logs_backups=NOLOGS,
    public_access=IAM,
    tls_only=TLS,
    versioning=NOVER,
    doc=__doc__ or "",
)

KINDS = (ARTIFACT_KIND,)

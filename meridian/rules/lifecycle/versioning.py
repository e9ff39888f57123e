"""Prod data stores are versioned."""

from __future__ import annotations

from collections.abc import Iterator

from meridian.rules.facts import (
    AZ_ACCOUNT,
    AZ_BLOB_SERVICE,
    GCS_BUCKET,
    S3_BUCKETS,
    S3_VERSIONING,
    STORE_TYPES,
    classify,
    environment,
    walk_key,
)
from meridian.rules.lifecycle.protection import is_protected_env
from meridian.rules.model import Finding, Rule, RuleSettings
from meridian.rules.stack import Resource, StackView


def versioned(res: Resource, view: StackView) -> bool:
    if res.type in S3_BUCKETS:
        inline = {k: res.props.get(k) for k in ("versioning", "versionings")}
        if any(v is True for v in walk_key(inline, "enabled")):
            return True
        return any(
            str((v.props.get("versioningConfiguration") or {}).get("status", "")).lower() == "enabled"
            for t in S3_VERSIONING for v in view.attached(res, t, "bucket"))
    if res.type == GCS_BUCKET:
        return res.get("versioning", "enabled") is True
    if res.type == AZ_ACCOUNT:
        return any(s.props.get("isVersioningEnabled") is True for s in view.attached(res, AZ_BLOB_SERVICE, "accountName"))
    return True


def check(res: Resource, view: StackView, settings: RuleSettings) -> Iterator[Finding]:
    if is_protected_env(res, settings) and not versioned(res, view):
        c = classify(res)
        yield Finding(f"{environment(res)} store is not versioned", c.jurisdiction, c.data_class)


RULE = Rule(
    id="lifecycle-prod-versioning",
    name="Prod stores are versioned",
    severity="medium",
    frameworks=("GDPR Art. 32(1)(c)", "CIS AWS 2.1.3"),
    description="In protected environments, S3 buckets have versioning Enabled (BucketVersioningV2 or "
    "inline), GCS buckets versioning.enabled, Azure accounts a BlobServiceProperties with "
    "isVersioningEnabled.",
    remediation="Add aws.s3.BucketVersioningV2(status=Enabled) / versioning={enabled: true} / "
    "storage.BlobServiceProperties(is_versioning_enabled=True).",
    types=STORE_TYPES,
    check=check,
    tags=("lifecycle",),
)

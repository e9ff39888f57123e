"""Prod data stores are versioned (where the service versions objects)."""

from __future__ import annotations

from collections.abc import Iterator

from meridian.rules.facts import classify, environment, kind_of
from meridian.rules.lifecycle.protection import is_protected_env
from meridian.rules.model import Finding, Rule, RuleSettings
from meridian.rules.stack import Resource, StackView
from meridian.rules.stores import STORE_TOKENS


def versioned(res: Resource, view: StackView) -> bool:
    kind = kind_of(res)
    fn = kind.facet("versioning") if kind is not None else None
    return bool(fn(res, view)) if callable(fn) else True


def check(res: Resource, view: StackView, settings: RuleSettings) -> Iterator[Finding]:
    if is_protected_env(res, settings) and not versioned(res, view):
        c = classify(res, view)
        yield Finding(f"{environment(res)} store is not versioned", c.jurisdiction, c.data_class)


RULE = Rule(
    id="lifecycle-prod-versioning",
    name="Prod stores are versioned",
    severity="medium",
    frameworks=("GDPR Art. 32(1)(c)", "CIS AWS 2.1.3"),
    description="In protected environments, object stores keep versions: S3 buckets have versioning Enabled "
    "(BucketVersioning(V2) or inline), GCS buckets versioning.enabled, Azure accounts a BlobServiceProperties "
    "with isVersioningEnabled. Kinds without object versions (databases, caches, queues) are exempt.",
    remediation="Add aws.s3.BucketVersioningV2(status=Enabled) / versioning={enabled: true} / "
    "storage.BlobServiceProperties(is_versioning_enabled=True).",
    types=STORE_TOKENS,
    check=check,
    tags=("lifecycle",),
)

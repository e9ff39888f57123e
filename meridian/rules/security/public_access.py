"""No public buckets."""

from __future__ import annotations

from collections.abc import Iterator

from meridian.rules.facts import (
    AZ_ACCOUNT,
    GCS_BUCKET,
    GCS_IAM,
    S3_ACCOUNT_PAB,
    S3_ACL,
    S3_BUCKETS,
    S3_PAB,
    STORE_TYPES,
    classify,
)
from meridian.rules.model import Finding, Rule, RuleSettings
from meridian.rules.stack import Resource, StackView

_PAB_FLAGS = ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets")
_PUBLIC_ACLS = ("public-read", "public-read-write", "authenticated-read")
_PUBLIC_MEMBERS = ("allUsers", "allAuthenticatedUsers")


def problems(res: Resource, view: StackView) -> list[str]:
    out: list[str] = []
    if res.type in S3_BUCKETS:
        blocks = view.attached(res, S3_PAB, "bucket") + view.of_type(S3_ACCOUNT_PAB)
        if not any(all(b.props.get(f) is True for f in _PAB_FLAGS) for b in blocks):
            out.append("no BucketPublicAccessBlock with all four block/ignore/restrict flags true")
        acls = [res.props.get("acl")] + [a.props.get("acl") for t in S3_ACL for a in view.attached(res, t, "bucket")]
        out += [f"canned ACL {a!r} makes it public" for a in acls if a in _PUBLIC_ACLS]
    elif res.type == GCS_BUCKET:
        if str(res.props.get("publicAccessPrevention", "")).lower() != "enforced":
            out.append("publicAccessPrevention is not 'enforced'")
        for t in GCS_IAM:
            for m in view.attached(res, t, "bucket"):
                members = [m.props.get("member"), *(m.props.get("members") or [])]
                out += [f"IAM grants {m.props.get('role')} to {x}" for x in members if x in _PUBLIC_MEMBERS]
    elif res.type == AZ_ACCOUNT:
        if res.props.get("allowBlobPublicAccess") is not False:
            out.append("allowBlobPublicAccess is not explicitly false")
    return out


def check(res: Resource, view: StackView, settings: RuleSettings) -> Iterator[Finding]:
    found = problems(res, view)
    if found:
        c = classify(res)
        yield Finding("publicly accessible: " + "; ".join(found), c.jurisdiction, c.data_class)


RULE = Rule(
    id="security-no-public-access",
    name="No public buckets",
    severity="critical",
    frameworks=("GDPR Art. 32", "CIS AWS 2.1.4", "CIS GCP 5.1", "CIS Azure 3.7"),
    description="S3 buckets have a full public access block (bucket or account) and no public canned ACL; "
    "GCS buckets enforce public access prevention and grant nothing to allUsers; Azure accounts set "
    "allowBlobPublicAccess false.",
    remediation="aws.s3.BucketPublicAccessBlock with all four flags true; public_access_prevention="
    "'enforced'; allow_blob_public_access=False. For data that must be public set enforcement for "
    "data class 'public' in the policy config.",
    types=STORE_TYPES,
    check=check,
    tags=("security",),
)

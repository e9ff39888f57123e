"""No data store is reachable from the internet."""

from __future__ import annotations

from collections.abc import Iterator

from meridian.rules.facts import classify, problems_of
from meridian.rules.model import Finding, Rule, RuleSettings
from meridian.rules.stack import Resource, StackView
from meridian.rules.stores import STORE_TOKENS
from meridian.rules.stores.kind import DeferredCheck


def check(res: Resource, view: StackView, settings: RuleSettings) -> Iterator[Finding]:
    try:
        found = problems_of(res, view, "public_access")
    except DeferredCheck as d:
        c = classify(res, view)
        yield Finding(str(d), c.jurisdiction, c.data_class, deferred=True)
        return
    if found:
        c = classify(res, view)
        yield Finding("publicly accessible: " + "; ".join(found), c.jurisdiction, c.data_class)


RULE = Rule(
    id="security-no-public-access",
    name="No publicly accessible data stores",
    severity="critical",
    frameworks=("GDPR Art. 32", "CIS AWS 2.1.4", "CIS GCP 5.1", "CIS Azure 3.7"),
    description="Each store kind declares what public means for it: S3 buckets have a full public access block "
    "and no public canned ACL; GCS buckets enforce public access prevention and grant nothing to allUsers; "
    "Azure accounts set allowBlobPublicAccess false; RDS/Redshift are not publiclyAccessible; OpenSearch "
    "domains sit in a VPC; Azure databases, caches and namespaces disable public network access; Cloud SQL "
    "authorizes no 0.0.0.0/0.",
    remediation="aws.s3.BucketPublicAccessBlock with all four flags true; public_access_prevention="
    "'enforced'; allow_blob_public_access=False; publicly_accessible=False; public_network_access='Disabled'. "
    "For data that must be public set enforcement for data class 'public' in the policy config.",
    types=STORE_TOKENS,
    check=check,
    tags=("security",),
)

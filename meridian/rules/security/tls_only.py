"""Stores accept only TLS (1.2+) connections."""

from __future__ import annotations

from collections.abc import Iterator

from meridian.rules.facts import classify, problems_of
from meridian.rules.model import Finding, Rule, RuleSettings
from meridian.rules.stack import Resource, StackView
from meridian.rules.stores import STORE_TOKENS
from meridian.rules.stores.kind import DeferredCheck


def check(res: Resource, view: StackView, settings: RuleSettings) -> Iterator[Finding]:
    try:
        found = problems_of(res, view, "tls_only")
    except DeferredCheck as d:
        c = classify(res, view)
        yield Finding(str(d), c.jurisdiction, c.data_class, deferred=True)
        return
    if found:
        c = classify(res, view)
        yield Finding("accepts insecure transport: " + "; ".join(found), c.jurisdiction, c.data_class)


RULE = Rule(
    id="security-tls-only",
    name="TLS-only access",
    severity="high",
    frameworks=("GDPR Art. 32(1)(a)", "CIS AWS 2.1.2", "CIS Azure 3.1", "CIS Azure 3.15"),
    description="Each store kind declares what TLS-only means for it: S3 buckets have a bucket policy denying "
    "aws:SecureTransport=false; Azure accounts keep enableHttpsTrafficOnly and set minimumTlsVersion TLS1_2; "
    "ElastiCache and Memorystore encrypt in transit; OpenSearch enforces HTTPS; Cloud SQL requires SSL; Azure "
    "SQL, Cosmos DB, Redis and namespaces require TLS 1.2. Services whose endpoints are TLS only are exempt.",
    remediation="Attach the deny-insecure-transport bucket policy; minimum_tls_version='TLS1_2'; "
    "transit_encryption_enabled=True; ssl_mode='ENCRYPTED_ONLY'.",
    types=STORE_TOKENS,
    check=check,
    tags=("security",),
)

"""Stores are encrypted at rest with an explicit configuration."""

from __future__ import annotations

from collections.abc import Iterator

from meridian.rules.facts import AZ_ACCOUNT, S3_BUCKETS, classify, key_use
from meridian.rules.model import Finding, Rule, RuleSettings
from meridian.rules.stack import Resource, StackView


def check(res: Resource, view: StackView, settings: RuleSettings) -> Iterator[Finding]:
    if not key_use(res, view).encrypted:
        c = classify(res)
        yield Finding("no server-side encryption configuration", c.jurisdiction, c.data_class)


RULE = Rule(
    id="security-encryption-at-rest",
    name="Encryption at rest",
    severity="high",
    frameworks=("GDPR Art. 32(1)(a)", "CIS AWS 2.1.1"),
    description="S3 buckets have a server-side encryption configuration (BucketServerSideEncryption"
    "ConfigurationV2 or inline); Azure accounts do not disable service encryption. GCS always encrypts.",
    remediation="Add aws.s3.BucketServerSideEncryptionConfigurationV2 (aws:kms with a customer key for pii).",
    types=frozenset({*S3_BUCKETS, AZ_ACCOUNT}),
    check=check,
    tags=("security", "encryption"),
)

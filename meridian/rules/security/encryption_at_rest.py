"""Stores are encrypted at rest with an explicit configuration."""

from __future__ import annotations

from collections.abc import Iterator

from meridian.rules.facts import classify, key_use, kind_of
from meridian.rules.model import Finding, Rule, RuleSettings
from meridian.rules.stack import Resource, StackView
from meridian.rules.stores import STORE_TOKENS


def check(res: Resource, view: StackView, settings: RuleSettings) -> Iterator[Finding]:
    kind = kind_of(res)
    if kind is None:
        return
    kind.facet("key")  # an undeclared key facet fails closed
    if not key_use(res, view).encrypted:
        c = classify(res, view)
        yield Finding("not encrypted at rest (no server-side encryption configuration)", c.jurisdiction, c.data_class)


RULE = Rule(
    id="security-encryption-at-rest",
    name="Encryption at rest",
    severity="high",
    frameworks=("GDPR Art. 32(1)(a)", "CIS AWS 2.1.1"),
    description="Stores whose service lets encryption be switched off have it on: S3 SSE configuration, RDS/"
    "Aurora storageEncrypted, EBS/EFS/Redshift encrypted, ElastiCache atRestEncryptionEnabled, OpenSearch "
    "encryptAtRest, Kinesis encryptionType KMS, SQS SSE; Azure accounts do not disable service encryption. "
    "GCP and most Azure services always encrypt.",
    remediation="Add aws.s3.BucketServerSideEncryptionConfigurationV2 (aws:kms with a customer key for pii); "
    "storage_encrypted=True / encrypted=True / at_rest_encryption_enabled=True.",
    types=STORE_TOKENS,
    check=check,
    tags=("security", "encryption"),
)

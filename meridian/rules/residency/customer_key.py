"""The customer key that encrypts a store lives in the store's jurisdiction; pii/restricted stores
must use one."""

from __future__ import annotations

from collections.abc import Iterator

from meridian.rules.facts import classify, is_s3_log_target, key_use, kind_of
from meridian.rules.model import Finding, Rule, RuleSettings
from meridian.rules.stack import Resource, StackView
from meridian.rules.stores import STORE_TOKENS, NotApplicable


def check(res: Resource, view: StackView, settings: RuleSettings) -> Iterator[Finding]:
    c = classify(res, view)
    kind = kind_of(res)
    if c.jurisdiction is None or kind is None or isinstance(kind.facet("key"), NotApplicable):
        return
    use = key_use(res, view)
    if use.key_ref is None:
        if c.sensitive and not is_s3_log_target(res, view):
            yield Finding(f"{c.data_class or 'unclassified'} store is not encrypted with a customer-managed key",
                          c.jurisdiction, c.data_class)
        return
    p = use.placement
    if p is None or p.error:
        yield Finding(f"customer key {use.key_ref}: {p.error if p else 'location unknown (fail closed)'}",
                      c.jurisdiction, c.data_class, deferred=p is not None and p.deferred)
    elif not p.within(c.jurisdiction):
        yield Finding(f"customer key {use.key_ref} is in {p.region_id} "
                      f"({p.region.country if p.region else '?'}), outside '{c.jurisdiction}'",
                      c.jurisdiction, c.data_class)


RULE = Rule(
    id="residency-customer-key",
    name="Customer keys are held in the store's jurisdiction",
    severity="high",
    frameworks=("GDPR Art. 32", "GDPR Art. 44", "UK-GDPR Art. 32"),
    description="pii/restricted stores are encrypted with a customer-managed key (each store kind declares "
    "where: S3 SSE-KMS, RDS kmsKeyId, GCS defaultKmsKeyName, Cloud SQL encryptionKeyName, Azure Key Vault "
    "keySource, ...), and any customer key used by a store is located in the store's jurisdiction (AWS key "
    "region, Cloud KMS key ring location, Key Vault location). Kinds whose service offers no customer key "
    "are exempt. "
    "S3 access-log target buckets are exempt from the CMK requirement (S3 log delivery needs SSE-S3).",
    remediation="Create the key with the provider of a region in the store's jurisdiction and reference it "
    "from the store's encryption configuration.",
    types=STORE_TOKENS,
    check=check,
    tags=("residency", "encryption"),
)

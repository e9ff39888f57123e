"""Every data store and key carries a valid `data-class` and `jurisdiction` tag (GCP: label)."""

from __future__ import annotations

from collections.abc import Iterator

from meridian.rules.facts import CLASSIFIED_TYPES, classify
from meridian.rules.model import Finding, Rule, RuleSettings
from meridian.rules.stack import Resource, StackView


def check(res: Resource, view: StackView, settings: RuleSettings) -> Iterator[Finding]:
    c = classify(res)
    if c.problems:
        yield Finding(f"unclassified {res.type.rsplit(':', 1)[-1]}: " + "; ".join(c.problems),
                      c.jurisdiction, c.data_class)


RULE = Rule(
    id="residency-classification",
    name="Data stores and keys are classified",
    severity="high",
    frameworks=("GDPR Art. 30", "UK-GDPR Art. 30", "ISO 27001 A.5.12"),
    description="Every S3/GCS bucket, Azure storage account and KMS / Cloud KMS / Key Vault key carries a "
    "`data-class` (pii|restricted|internal|public) and a `jurisdiction` (a catalog id) tag or label. "
    "Unclassified storage cannot be checked for residency, so it is a violation.",
    remediation="Tag the resource with meridian.tags.residency_tags(data_class, jurisdiction, env) "
    "(GCP: gcp_labels(...)).",
    types=CLASSIFIED_TYPES,
    check=check,
    tags=("residency",),
)

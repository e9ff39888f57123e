"""Every data store and key carries a valid `data-class` and `jurisdiction` tag (GCP: label)."""

from __future__ import annotations

from collections.abc import Iterator

from meridian.rules.facts import classify, kind_of
from meridian.rules.model import Finding, Rule, RuleSettings
from meridian.rules.stack import Resource, StackView
from meridian.rules.stores import CLASSIFIED_TOKENS


def check(res: Resource, view: StackView, settings: RuleSettings) -> Iterator[Finding]:
    c = classify(res, view)
    if c.problems:
        kind = kind_of(res)
        title = kind.title if kind is not None else res.type.rsplit(':', 1)[-1]
        yield Finding(f"unclassified {title}: " + "; ".join(c.problems),
                      c.jurisdiction, c.data_class)


RULE = Rule(
    id="residency-classification",
    name="Data stores and keys are classified",
    severity="high",
    frameworks=("GDPR Art. 30", "UK-GDPR Art. 30", "ISO 27001 A.5.12"),
    description="Every resource of a registered store kind (meridian.rules.stores: buckets, databases, caches, "
    "queues, streams, file systems, log stores, registries, key vaults and keys on AWS, GCP and Azure) carries a "
    "`data-class` (pii|restricted|internal|public) and a `jurisdiction` (a catalog id) tag or label; kinds that "
    "cannot carry any take their owning store's, or the pack config `classifications`. Unclassified storage "
    "cannot be checked for residency, so it is a violation.",
    remediation="Tag the resource with meridian.tags.residency_tags(data_class, jurisdiction, env) "
    "(GCP: gcp_labels(...)).",
    types=CLASSIFIED_TOKENS,
    check=check,
    tags=("residency",),
)

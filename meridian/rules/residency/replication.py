"""pii/restricted data never replicates out of its jurisdiction."""

from __future__ import annotations

from collections.abc import Iterator

from meridian.rules.facts import classify, replicas
from meridian.rules.model import Finding, Rule, RuleSettings
from meridian.rules.stack import Resource, StackView
from meridian.rules.stores import CLASSIFIED_TOKENS


def check(res: Resource, view: StackView, settings: RuleSettings) -> Iterator[Finding]:
    c = classify(res, view)
    if c.jurisdiction is None or not c.sensitive:
        return
    label = c.data_class or "unclassified"
    for t in replicas(res, view):
        if t.placement.error:
            yield Finding(f"{label} data replicates to {t.name} via {t.via}: {t.placement.error}",
                          c.jurisdiction, c.data_class, deferred=t.placement.deferred)
        elif not t.placement.within(c.jurisdiction):
            reg = t.placement.region
            yield Finding(
                f"{label} data replicates to {t.placement.region_id} ({reg.country if reg else '?'}, "
                f"jurisdictions {', '.join(sorted(reg.jurisdictions)) if reg else '?'}) via {t.via}, "
                f"outside '{c.jurisdiction}'",
                c.jurisdiction, c.data_class)


RULE = Rule(
    id="residency-replication",
    name="pii/restricted data replicates only inside its jurisdiction",
    severity="critical",
    frameworks=("GDPR Art. 44", "UK-GDPR Art. 44", "revFADP Art. 16"),
    description="Every replica of a pii/restricted (or unclassified) store or key is inside its jurisdiction: "
    "replication configurations, read replicas, global tables and clusters, geo-replication links, failover "
    "groups, multi-location accounts, multi-region members, Azure geo pairs, snapshot and backup copies, "
    "transfer jobs, multi-Region key replicas (each kind declares its own in meridian.rules.stores). "
    "A destination whose region cannot be determined fails closed.",
    remediation="Replicate to a bucket in the same jurisdiction, use a single-region or in-jurisdiction "
    "dual-region, or an LRS/ZRS SKU where the geo pair is outside the jurisdiction.",
    types=CLASSIFIED_TOKENS,
    check=check,
    tags=("residency",),
)

"""A store's or key's location is inside its jurisdiction, by the region catalog."""

from __future__ import annotations

from collections.abc import Iterator

from meridian.rules.facts import CLASSIFIED_TYPES, classify, placement
from meridian.rules.model import Finding, Rule, RuleSettings
from meridian.rules.stack import Resource, StackView


def check(res: Resource, view: StackView, settings: RuleSettings) -> Iterator[Finding]:
    c = classify(res)
    if c.jurisdiction is None:
        return  # residency-classification reports it
    p = placement(res, view)
    if p.error:
        yield Finding(p.error, c.jurisdiction, c.data_class)
    elif not p.within(c.jurisdiction):
        outside = [m.id for m in p.members if not m.within(c.jurisdiction)] or [p.describe()]
        where = ", ".join(f"{m} ({_country(p, m)})" for m in outside)
        yield Finding(f"located in {p.describe()}: {where} is outside jurisdiction '{c.jurisdiction}'",
                      c.jurisdiction, c.data_class)


def _country(p, region_id: str) -> str:  # type: ignore[no-untyped-def]
    for m in p.members:
        if m.id == region_id:
            return m.country
    return p.region.country if p.region else "?"


RULE = Rule(
    id="residency-location",
    name="Stores and keys are located in their jurisdiction",
    severity="critical",
    frameworks=("GDPR Art. 44", "UK-GDPR Art. 44", "revFADP Art. 16"),
    description="The region (or every member of a GCS dual/multi-region) of a store or key belongs to the "
    "jurisdiction it is tagged with. An unknown or undeterminable region fails closed.",
    remediation="Place the resource in a region of its jurisdiction (catalog.regions_in(j)), "
    "with an explicit provider for that region.",
    types=CLASSIFIED_TYPES,
    check=check,
    tags=("residency",),
)

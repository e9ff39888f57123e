"""Everything classified with a jurisdiction is located inside it, by the region catalog.

Registered store kinds are placed by their kind (every member of a multi-region, every location of a
multi-location account); any other resource carrying a `jurisdiction` tag/label, whatever its type,
is placed by its own region/location/zone field and by its provider's region (both, when both are
known): the generic location rule."""

from __future__ import annotations

from collections.abc import Iterator

from meridian.rules.facts import Placement, classify, kind_of, labels, placement
from meridian.rules.model import Finding, Rule, RuleSettings
from meridian.rules.stack import Resource, StackView
from meridian.tags import JURISDICTION_KEY


def check(res: Resource, view: StackView, settings: RuleSettings) -> Iterator[Finding]:
    if kind_of(res) is None and JURISDICTION_KEY not in labels(res):
        return  # not data, not classified: nothing to place
    c = classify(res, view)
    if c.jurisdiction is None:
        if kind_of(res) is None and c.problems:  # an unregistered type with a bad jurisdiction value
            bad = [p for p in c.problems if JURISDICTION_KEY in p]
            if bad:
                yield Finding(f"classified resource: {'; '.join(bad)}", None, c.data_class)
        return  # registered kinds: residency-classification reports it
    p = placement(res, view)
    if p.error:
        yield Finding(p.error, c.jurisdiction, c.data_class, deferred=p.deferred)
    elif not p.within(c.jurisdiction):
        outside = [m.id for m in p.members if not m.within(c.jurisdiction)] or [p.describe()]
        where = ", ".join(f"{m} ({_country(p, m)})" for m in outside)
        yield Finding(f"located in {p.describe()}: {where} is outside jurisdiction '{c.jurisdiction}'",
                      c.jurisdiction, c.data_class)


def _country(p: Placement, region_id: str) -> str:
    for m in p.members:
        if m.id == region_id:
            return m.country
    return p.region.country if p.region else "?"


RULE = Rule(
    id="residency-location",
    name="Data and everything classified with a jurisdiction is located in it",
    severity="critical",
    frameworks=("GDPR Art. 44", "UK-GDPR Art. 44", "revFADP Art. 16"),
    description="Every region a store or key sits in (every member of a multi-region, every location of a "
    "multi-location account) belongs to the jurisdiction it is classified with; and any resource of any type "
    "that carries a `jurisdiction` tag or label sits inside it, by its own region/location field and its "
    "provider's region. An unknown or undeterminable region, or an unknown jurisdiction, fails closed.",
    remediation="Place the resource in a region of its jurisdiction (catalog.regions_in(j)), "
    "with an explicit provider for that region.",
    types=frozenset({"*"}),
    check=check,
    tags=("residency",),
)

"""The rule list and the one evaluation loop both the CrossGuard pack and the audit use."""

from __future__ import annotations

from meridian.rules.facts import ClassificationOverride
from meridian.rules.lifecycle import protection, versioning
from meridian.rules.model import Enforcement, Finding, PackConfig, Rule, RuleSettings, Violation
from meridian.rules.residency import (
    classification,
    cloudflare_steering,
    customer_key,
    location,
    logs_backups,
    replication,
)
from meridian.rules.security import encryption_at_rest, public_access, tls_only
from meridian.rules.stack import Resource, StackView

RULES: tuple[Rule, ...] = (
    classification.RULE,
    location.RULE,
    replication.RULE,
    customer_key.RULE,
    logs_backups.RULE,
    cloudflare_steering.RULE,
    protection.RULE,
    versioning.RULE,
    public_access.RULE,
    encryption_at_rest.RULE,
    tls_only.RULE,
)
RULES_BY_ID = {r.id: r for r in RULES}


def findings(rule: Rule, res: Resource, view: StackView, config: PackConfig | None = None) -> list[Finding]:
    """One rule over one resource. A check that crashes fails closed: the error is a finding."""
    settings = (config or PackConfig()).for_rule(rule.id)
    try:
        return list(rule.check(res, view, settings))
    except Exception as e:
        return [Finding(f"rule could not evaluate this resource ({type(e).__name__}: {e}); fail closed")]


CLASSIFICATION_RULE = "residency-classification"


def classifications(config: PackConfig) -> tuple[ClassificationOverride, ...]:
    """The pack config's `classifications` (under the residency-classification policy): they classify
    resources that carry no tags or labels, for every rule. Raises ValueError naming a bad entry."""
    raw = config.for_rule(CLASSIFICATION_RULE).options.get("classifications") or ()
    return ClassificationOverride.parse(raw, f"{CLASSIFICATION_RULE}.classifications")


def level_of(finding: Finding, settings: RuleSettings, preview: bool) -> Enforcement:
    """A finding's enforcement: the rule's (per class/jurisdiction) level; a deferred finding is
    advisory during preview (the value it needs is not known yet) and enforced on update."""
    level = settings.level_for(finding)
    if finding.deferred and preview and level == "mandatory":
        return "advisory"
    return level


def message_of(finding: Finding, preview: bool) -> str:
    return f"deferred to update: {finding.message}" if finding.deferred and preview else finding.message


def evaluate_view(view: StackView, config: PackConfig | None = None,
                  rules: tuple[Rule, ...] = RULES, preview: bool = False) -> list[Violation]:
    """Every violation of `rules` in the view. preview=True: the stack is being previewed, so checks
    that need values not known yet are reported as advisory ("deferred to update") instead of
    failing; everything knowable (regions, locations, tags, SKUs) is enforced as on update."""
    config = config or PackConfig()
    view.classifications = classifications(config)
    out: list[Violation] = []
    for rule in rules:
        settings = config.for_rule(rule.id)
        if settings.enforcement == "disabled" and not settings.by_data_class and not settings.by_jurisdiction:
            continue
        for res in view.of_type(*sorted(rule.types)):
            for f in findings(rule, res, view, config):
                level = level_of(f, settings, preview)
                if level == "disabled":
                    continue
                out.append(Violation(rule.id, res.urn, res.type, message_of(f, preview), f.jurisdiction,
                                     f.data_class, rule.severity, level, rule.frameworks))
    return out

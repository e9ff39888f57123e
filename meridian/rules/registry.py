"""The rule list and the one evaluation loop both the CrossGuard pack and the audit use."""

from __future__ import annotations

from meridian.rules.facts import ClassificationOverride
from meridian.rules.lifecycle import protection, versioning
from meridian.rules.model import Finding, PackConfig, Rule, Violation
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


def evaluate_view(view: StackView, config: PackConfig | None = None,
                  rules: tuple[Rule, ...] = RULES) -> list[Violation]:
    config = config or PackConfig()
    view.classifications = classifications(config)
    out: list[Violation] = []
    for rule in rules:
        settings = config.for_rule(rule.id)
        if settings.enforcement == "disabled" and not settings.by_data_class and not settings.by_jurisdiction:
            continue
        for res in view.of_type(*sorted(rule.types)):
            for f in findings(rule, res, view, config):
                level = settings.level_for(f)
                if level == "disabled":
                    continue
                out.append(Violation(rule.id, res.urn, res.type, f.message, f.jurisdiction, f.data_class,
                                     rule.severity, level, rule.frameworks))
    return out

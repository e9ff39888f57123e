"""Meridian's residency and security rules, written once.

Each rule is a pure function over a resource (type token + camelCase engine properties) and a
StackView of the rest of the stack. The CrossGuard pack (policies/) and the audit
(meridian.audit, meridian.policy_runner) both run exactly these functions.
"""

from meridian.rules.model import Finding, PackConfig, Rule, RuleSettings, Violation
from meridian.rules.registry import RULES, RULES_BY_ID, evaluate_view, findings
from meridian.rules.stack import Resource, StackView

__all__ = [
    "RULES",
    "RULES_BY_ID",
    "Finding",
    "PackConfig",
    "Resource",
    "Rule",
    "RuleSettings",
    "StackView",
    "Violation",
    "evaluate_view",
    "findings",
]

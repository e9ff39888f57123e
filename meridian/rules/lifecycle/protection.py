"""Prod data stores and keys are protected (protect or retainOnDelete)."""

from __future__ import annotations

from collections.abc import Iterator

from meridian.rules.facts import classify, environment
from meridian.rules.model import Finding, Rule, RuleSettings
from meridian.rules.stack import Resource, StackView
from meridian.rules.stores import CLASSIFIED_TOKENS

DEFAULT_PROTECTED = ("prod", "production")


def is_protected_env(res: Resource, settings: RuleSettings) -> bool:
    envs = settings.options.get("protectedEnvironments") or DEFAULT_PROTECTED
    return environment(res) in envs


def check(res: Resource, view: StackView, settings: RuleSettings) -> Iterator[Finding]:
    if not is_protected_env(res, settings) or res.protect or res.retain_on_delete:
        return
    c = classify(res, view)
    yield Finding(f"{environment(res)} {res.type.rsplit(':', 1)[-1]} is neither protected nor retained on delete",
                  c.jurisdiction, c.data_class)


RULE = Rule(
    id="lifecycle-prod-protection",
    name="Prod stores and keys are protected",
    severity="high",
    frameworks=("GDPR Art. 32(1)(c)", "SOC 2 A1.2"),
    description="In protected environments (tag environment, else the stack name; default prod/production) "
    "every data store and key has protect or retainOnDelete set, so a mistaken delete cannot destroy data "
    "or the key that decrypts it. (CrossGuard does not pass retainOnDelete; the pack requires protect.)",
    remediation="ResourceOptions(protect=True, retain_on_delete=True) for prod data stores and keys.",
    types=CLASSIFIED_TOKENS,
    check=check,
    tags=("lifecycle",),
)

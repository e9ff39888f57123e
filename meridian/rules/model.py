"""The rule model: metadata next to code, findings, violations and the pack configuration.

A rule is a pure function `check(resource, view) -> Iterable[Finding]`: it reads the resource's type
token and camelCase (engine-shaped) properties, and the rest of the stack through a StackView when
it must (the key a bucket uses, where its replicas and logs go). No I/O, no Pulumi runtime."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from meridian.rules.stack import Resource, StackView

Severity = Literal["low", "medium", "high", "critical"]
Enforcement = Literal["mandatory", "advisory", "disabled"]
ENFORCEMENTS: tuple[str, ...] = ("mandatory", "advisory", "disabled")


@dataclass(frozen=True, slots=True)
class Finding:
    """What a check returns: a message, and the jurisdiction/data class it concerns (if known)."""

    message: str
    jurisdiction: str | None = None
    data_class: str | None = None
    # The check needed a value that is unknown until `pulumi up` (computed from another resource at
    # a first preview): reported as advisory during preview, enforced on update.
    deferred: bool = False


Check = Callable[["Resource", "StackView", "RuleSettings"], Iterable[Finding]]


@dataclass(frozen=True, slots=True)
class Rule:
    id: str  # kebab-case, also the CrossGuard policy name
    name: str
    severity: Severity
    frameworks: tuple[str, ...]
    description: str
    remediation: str
    types: frozenset[str]  # the type tokens the check applies to
    check: Check
    tags: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Violation:
    rule: str
    urn: str
    type: str
    message: str
    jurisdiction: str | None
    data_class: str | None
    severity: Severity
    enforcement: Enforcement
    frameworks: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "urn": self.urn,
            "type": self.type,
            "message": self.message,
            "jurisdiction": self.jurisdiction,
            "data_class": self.data_class,
            "severity": self.severity,
            "enforcement": self.enforcement,
            "frameworks": list(self.frameworks),
        }


@dataclass(frozen=True, slots=True)
class RuleSettings:
    """One rule's configuration (the CrossGuard config of the policy with the rule's id).

    enforcement: the rule's level. by_data_class / by_jurisdiction override it for violations
    about stores of that class / jurisdiction; precedence: jurisdiction > data class > rule.
    options: rule-specific settings (e.g. residencyHostnames for the Cloudflare rule)."""

    enforcement: Enforcement = "mandatory"
    by_data_class: Mapping[str, Enforcement] = field(default_factory=dict)
    by_jurisdiction: Mapping[str, Enforcement] = field(default_factory=dict)
    options: Mapping[str, Any] = field(default_factory=dict)

    def level_for(self, finding: Finding) -> Enforcement:
        level: Enforcement = self.enforcement
        if finding.data_class and finding.data_class in self.by_data_class:
            level = self.by_data_class[finding.data_class]
        if finding.jurisdiction and finding.jurisdiction in self.by_jurisdiction:
            level = self.by_jurisdiction[finding.jurisdiction]
        return level

    @classmethod
    def from_mapping(cls, raw: Mapping[str, Any] | None) -> RuleSettings:
        """From a CrossGuard-style config object: {"enforcementLevel", "byDataClass",
        "byJurisdiction", ...options}. Refuses unknown enforcement values (a typo must not
        silently disable a residency rule)."""
        raw = dict(raw or {})
        level = raw.pop("enforcementLevel", "mandatory")
        by_dc = dict(raw.pop("byDataClass", {}) or {})
        by_j = {k.lower(): v for k, v in (raw.pop("byJurisdiction", {}) or {}).items()}
        for where, value in [("enforcementLevel", level), *by_dc.items(), *by_j.items()]:
            if value not in ENFORCEMENTS:
                raise ValueError(f"{where}: enforcement {value!r} is not one of {', '.join(ENFORCEMENTS)}")
        return cls(level, by_dc, by_j, raw)


@dataclass(frozen=True, slots=True)
class PackConfig:
    """Configuration of the whole pack: settings per rule id (missing rules: mandatory)."""

    rules: Mapping[str, RuleSettings] = field(default_factory=dict)

    def for_rule(self, rule_id: str) -> RuleSettings:
        return self.rules.get(rule_id) or RuleSettings()

    @classmethod
    def from_mapping(cls, raw: Mapping[str, Any] | None) -> PackConfig:
        """From `{"<rule-id>": {...} | "mandatory"|"advisory"|"disabled"}` (the shape of a
        CrossGuard policy-pack config file)."""
        rules: dict[str, RuleSettings] = {}
        for rule_id, value in (raw or {}).items():
            if rule_id == "all":
                continue
            if isinstance(value, str):
                value = {"enforcementLevel": value}
            rules[rule_id] = RuleSettings.from_mapping(value)
        if isinstance((raw or {}).get("all"), str):
            default = (raw or {})["all"]
            from meridian.rules.registry import RULES

            for r in RULES:
                rules.setdefault(r.id, RuleSettings.from_mapping({"enforcementLevel": default}))
        return cls(rules)

"""The CrossGuard policies, built from meridian.rules (one copy of every rule).

Every rule is a StackValidationPolicy named by the rule id (cross-resource rules need the whole
stack: a bucket's key, replicas, logs, a load balancer's pools), enforcement mandatory by default.

Config per policy (`pulumi preview --policy-pack-config`), besides Pulumi's own enforcementLevel:
  byDataClass:    {"public": "disabled", "internal": "advisory", ...}
  byJurisdiction: {"us": "advisory", ...}          precedence: jurisdiction > data class > policy
  residency-cloudflare-steering: residencyHostnames {"api.eu.example.com": "eu"},
                                 poolRegions {"<pool name>": "aws:eu-west-1"}
  lifecycle-*: protectedEnvironments ["prod"]
A CrossGuard policy has one enforcement level, so violations a per-class/jurisdiction override turns
"advisory" are reported by the advisory policy `meridian-advisory`, which runs after all rules in the
same AnalyzeStack call (policies run in list order)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from pulumi_policy import (
    EnforcementLevel,
    PolicyComplianceFramework,
    PolicyConfigSchema,
    ReportViolation,
    Severity,
    StackValidationArgs,
    StackValidationPolicy,
)

from meridian.catalog import jurisdictions
from meridian.rules import RULES, Resource, Rule, RuleSettings, StackView, findings
from meridian.rules.facts import ClassificationOverride
from meridian.rules.registry import CLASSIFICATION_RULE, classifications, level_of, message_of
from meridian.rules.stack import _plain
from meridian.tags import DATA_CLASSES

PACK_NAME = "meridian-residency"
ADVISORY_POLICY = "meridian-advisory"
_LEVELS = ["mandatory", "advisory", "disabled"]
_SEVERITY = {"low": Severity.LOW, "medium": Severity.MEDIUM, "high": Severity.HIGH, "critical": Severity.CRITICAL}

# Findings the rules' overrides made advisory, reported by ADVISORY_POLICY (same process, same call).
_deferred: list[tuple[str, str]] = []
# The residency-classification policy's `classifications` (type/urn pattern -> class, jurisdiction):
# they classify untaggable resources for every rule. That policy runs first in each AnalyzeStack call
# and sets them for the policies after it.
_classifications: list[tuple[ClassificationOverride, ...]] = [()]


def view_from_policy_resources(resources: list[Any]) -> StackView:
    out: list[Resource] = []
    for r in resources:
        out.append(Resource(
            urn=r.urn,
            type=r.resource_type,
            props=_plain(r.props),
            protect=bool(getattr(r.opts, "protect", False)),
            retain_on_delete=None,  # not passed to analyzers
            provider=r.provider.urn if r.provider is not None else None,
            provider_props=_plain(r.provider.props) if r.provider is not None else None,
            parent=r.parent.urn if getattr(r, "parent", None) is not None else getattr(r.opts, "parent", None),
            dependencies=tuple(d.urn for d in (r.dependencies or [])),
            property_dependencies={k: tuple(d.urn for d in v) for k, v in (r.property_dependencies or {}).items()},
        ))
    return StackView(out)


def config_schema(rule: Rule) -> PolicyConfigSchema:
    level = {"type": "string", "enum": _LEVELS}
    props: dict[str, dict[str, Any]] = {
        "byDataClass": {"type": "object", "properties": {dc: level for dc in DATA_CLASSES},
                        "additionalProperties": False},
        "byJurisdiction": {"type": "object", "propertyNames": {"enum": [j.id for j in jurisdictions()]},
                           "additionalProperties": level},
    }
    if rule.id == "residency-cloudflare-steering":
        props["residencyHostnames"] = {"type": "object", "additionalProperties": {"type": "string"}}
        props["poolRegions"] = {"type": "object", "additionalProperties": {
            "type": "string", "pattern": "^(aws|gcp|azure):[A-Za-z0-9-]+$"}}
    if rule.id == CLASSIFICATION_RULE:
        props["classifications"] = {"type": "array", "items": {
            "type": "object", "required": ["dataClass", "jurisdiction"], "additionalProperties": False,
            "properties": {"type": {"type": "string"}, "urn": {"type": "string"},
                           "dataClass": {"type": "string", "enum": list(DATA_CLASSES)},
                           "jurisdiction": {"type": "string", "enum": [j.id for j in jurisdictions()]}}}}
    if rule.id.startswith("lifecycle-"):
        props["protectedEnvironments"] = {"type": "array", "items": {"type": "string"}}
    return PolicyConfigSchema(properties=props)


def _settings(config: Mapping[str, Any] | None) -> RuleSettings:
    raw = dict(config or {})
    raw.pop("enforcementLevel", None)  # the engine applies the policy's own level
    return RuleSettings.from_mapping(raw)


def make_validate(rule: Rule):  # type: ignore[no-untyped-def]
    def validate(args: StackValidationArgs, report_violation: ReportViolation) -> None:
        settings = _settings(args.get_config())
        view = view_from_policy_resources(list(args.resources))
        from meridian.rules.model import PackConfig

        config = PackConfig({rule.id: settings})
        preview = os.environ.get("PULUMI_DRY_RUN") == "true"  # set by the CLI for `pulumi preview`
        if rule.id == CLASSIFICATION_RULE:
            _classifications[0] = classifications(config)
        view.classifications = _classifications[0]
        for res in view.of_type(*sorted(rule.types)):
            for f in findings(rule, res, view, config):
                level = level_of(f, settings, preview)
                if level == "mandatory":
                    report_violation(message_of(f, preview), res.urn)
                elif level == "advisory":
                    _deferred.append((f"{rule.id}: {message_of(f, preview)}", res.urn))

    return validate


def report_deferred(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    while _deferred:
        message, urn = _deferred.pop(0)
        report_violation(message, urn)


def build_policies() -> list[StackValidationPolicy]:
    policies = [
        StackValidationPolicy(
            name=rule.id,
            description=rule.description,
            validate=make_validate(rule),
            enforcement_level=EnforcementLevel.MANDATORY,
            config_schema=config_schema(rule),
            display_name=rule.name,
            severity=_SEVERITY[rule.severity],
            framework=PolicyComplianceFramework(name=", ".join(rule.frameworks)),
            tags=list(rule.tags),
            remediation_steps=rule.remediation,
        )
        for rule in RULES
    ]
    policies.append(StackValidationPolicy(
        name=ADVISORY_POLICY,
        description="Violations of Meridian rules that the pack config made advisory for a data class or jurisdiction.",
        validate=report_deferred,
        enforcement_level=EnforcementLevel.ADVISORY,
    ))
    return policies

"""Meridian's own plans audit clean, through the offline runner and through the CrossGuard pack."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from pulumi_policy import StackValidationArgs

from meridian.audit.report import build_report
from meridian.policy_runner import evaluate
from meridian.rules import RULES


def _document(stack: str) -> dict[str, Any]:
    """The AWS part of a stack's offline plan (the real program under the mock runtime). A program
    that cannot plan fails these tests: "the plan audits clean" never passes without a plan."""
    from tests.infra.aws.helpers import aws_plan

    return copy.deepcopy(aws_plan(stack).document)  # the session's shared plan; link() edits documents


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_full_plan_audits_clean(stack, request):
    violations = evaluate(request.getfixturevalue(f"{stack}_plan").document)  # the session's plan
    assert not violations, "\n".join(f"{v.rule} {v.urn}: {v.message}" for v in violations)


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_aws_plan_audits_clean_with_full_inventory(stack):
    report = build_report(_document(stack))
    assert report.violations == []
    assert report.stores and all(s["region"] and s["jurisdiction"] and s["data_class"] for s in report.stores)
    lakes = [s for s in report.stores if s["key"]]
    assert lakes and all(s["key"]["region"] for s in lakes)


def test_aws_prod_plan_passes_the_pack():
    from tests.policies.test_pack import POLICIES, policy_resources
    from tests.rules.exports import link

    # The engine gives a policy the property dependencies of every reference; the offline plan
    # does not record them, so derive them the way the engine would (input value == an id/arn).
    doc = link(_document("prod"))

    for rule in RULES:
        reported: list = []
        POLICIES[rule.id].validate(StackValidationArgs(policy_resources(doc), {}),
                                   lambda m, u=None, r=reported: r.append((m, u)))
        assert reported == [], f"{rule.id}: {reported}"

"""The policy pack as the Pulumi CLI runs it (analyzer gRPC protocol, tests/policies/analyzer.py), on
the dev and prod plans at a first preview and on update: the compliant plans give no mandatory
violation, an injected residency violation gives exactly one in both modes, and the diagnostics are
exactly what the offline evaluator (`meridian plan`) reports for the same document."""

from __future__ import annotations

import copy

import pytest

from meridian.policy_runner import evaluate
from meridian.rules import RULES
from tests.conftest import ROOT
from tests.policies.analyzer import as_json, expected_diagnostics, running_pack

PACK = ROOT / "policies"
ADVISORY = "meridian-advisory"


@pytest.fixture(scope="module")
def update_pack():  # type: ignore[no-untyped-def]
    with running_pack(PACK, preview=False) as analyzer:
        analyzer.configure({})
        yield analyzer


@pytest.fixture(scope="module")
def preview_pack():  # type: ignore[no-untyped-def]
    with running_pack(PACK, preview=True) as analyzer:
        analyzer.configure({})
        yield analyzer


def test_the_pack_describes_every_rule(update_pack):
    info = update_pack.info()
    assert info.name == "meridian-residency"
    names = {p.name for p in info.policies}
    assert names == {r.id for r in RULES} | {ADVISORY}
    assert all(p.enforcementLevel == 1 for p in info.policies if p.name != ADVISORY)  # mandatory


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_compliant_plan_on_update(stack, update_pack, request):
    doc = request.getfixturevalue(f"{stack}_plan").document
    online = update_pack.analyze_stack(doc, preview=False)
    assert [d for d in online if d.level == "mandatory"] == []
    assert as_json(online) == as_json(expected_diagnostics(evaluate(doc), ADVISORY))


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_compliant_plan_at_first_preview(stack, preview_pack, request):
    """Values computed from other resources are unknown: checks needing them are deferred (advisory,
    'deferred to update'), nothing fails the preview, and the offline evaluator agrees."""
    doc = request.getfixturevalue(f"{stack}_preview_plan").document
    online = preview_pack.analyze_stack(doc, preview=True)
    assert [d for d in online if d.level == "mandatory"] == []
    assert as_json(online) == as_json(expected_diagnostics(evaluate(doc, preview=True), ADVISORY))
    if stack == "prod":  # the bucket policies are built from bucket ARNs: deferred, not failed
        assert any("deferred to update" in d.message for d in online)


def _eu_bucket(doc):  # type: ignore[no-untyped-def]
    """An EU lake's own bucket (not a replica or log target: those would rightly break their source's
    replication / logging rule too)."""
    return next(r for r in doc["deployment"]["resources"]
                if r["type"] == "aws:s3/bucket:Bucket" and (r["inputs"].get("tags") or {}).get("jurisdiction") == "eu"
                and r["urn"].endswith("-lake-bucket") and "replica" not in r["urn"])


def _us_provider(doc):  # type: ignore[no-untyped-def]
    p = next(r for r in doc["deployment"]["resources"]
             if r["type"] == "pulumi:providers:aws" and (r.get("inputs") or {}).get("region") == "us-east-1")
    return f"{p['urn']}::{p['id']}"


@pytest.mark.parametrize("preview", [False, True], ids=["update", "preview"])
def test_injected_residency_violation_is_one_mandatory_violation(preview, update_pack, preview_pack, request):
    """An EU lake bucket moved to a us-east-1 provider: one residency-location violation, online and offline."""
    doc = copy.deepcopy(request.getfixturevalue("prod_preview_plan" if preview else "prod_plan").document)
    bucket = _eu_bucket(doc)
    bucket["provider"] = _us_provider(doc)
    bucket.get("outputs", {}).pop("region", None)
    offline = [v for v in evaluate(doc, preview=preview) if v.enforcement == "mandatory"]
    assert [(v.rule, v.urn) for v in offline] == [("residency-location", bucket["urn"])]
    online = (preview_pack if preview else update_pack).analyze_stack(doc, preview=preview)
    assert [(d.policy, d.urn) for d in online if d.level == "mandatory"] == [("residency-location", bucket["urn"])]
    assert as_json(online) == as_json(expected_diagnostics(evaluate(doc, preview=preview), ADVISORY))

"""The CrossGuard pack: its policy objects run the shared rules when called the way the Pulumi engine
calls them (StackValidationArgs of PolicyResources, a report_violation callback)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from typing import Any

import pytest
from pulumi_policy import (
    EnforcementLevel,
    PolicyCustomTimeouts,
    PolicyProviderResource,
    PolicyResource,
    PolicyResourceOptions,
    StackValidationArgs,
    StackValidationPolicy,
)

from meridian.rules import RULES
from meridian.rules.stack import provider_urn, urn_name
from tests.rules.exports import DELETE, aws_stack, azure_stack, cloudflare_stack, edit, gcp_stack

ROOT = Path(__file__).resolve().parents[2]


def _load_pack():
    spec = importlib.util.spec_from_file_location("meridian_policy_pack", ROOT / "policies" / "pack.py")
    mod = importlib.util.module_from_spec(spec)
    sys.modules["meridian_policy_pack"] = mod
    spec.loader.exec_module(mod)
    return mod


pack = _load_pack()
POLICIES = {p.name: p for p in pack.build_policies()}


def policy_resources(doc: dict[str, Any], *, preview: bool = False) -> list[PolicyResource]:
    """What the engine hands a stack policy: props (outputs; inputs at preview), options, provider."""
    raw = doc["deployment"]["resources"]
    by_urn = {r["urn"]: r for r in raw}
    out: dict[str, PolicyResource] = {}
    for r in raw:
        prov = None
        if r.get("provider"):
            p = by_urn[provider_urn(r["provider"])]
            prov = PolicyProviderResource(p["type"], p.get("inputs", {}), p["urn"], urn_name(p["urn"]))
        opts = PolicyResourceOptions(bool(r.get("protect")), [], None, [], PolicyCustomTimeouts(0, 0, 0), [],
                                     r.get("parent"))
        props = r.get("inputs" if preview else "outputs") or {}
        out[r["urn"]] = PolicyResource(r["type"], props, r["urn"], urn_name(r["urn"]), opts, prov, None, [], {})
    for r in raw:
        out[r["urn"]].dependencies.extend(out[u] for u in r.get("dependencies") or [] if u in out)
        for k, urns in (r.get("propertyDependencies") or {}).items():
            out[r["urn"]].property_dependencies[k] = [out[u] for u in urns if u in out]
    return list(out.values())


def run(policy: str, doc: dict[str, Any], config: dict[str, Any] | None = None, **kw: Any) -> list[tuple[str, str]]:
    reported: list[tuple[str, str]] = []
    args = StackValidationArgs(policy_resources(doc, **kw), config)
    POLICIES[policy].validate(args, lambda msg, urn=None: reported.append((msg, urn)))
    return reported


def test_pack_has_one_mandatory_stack_policy_per_rule():
    for rule in RULES:
        p = POLICIES[rule.id]
        assert isinstance(p, StackValidationPolicy)
        assert p.enforcement_level == EnforcementLevel.MANDATORY
        assert p.description == rule.description and p.remediation_steps == rule.remediation
    assert POLICIES[pack.ADVISORY_POLICY].enforcement_level == EnforcementLevel.ADVISORY


@pytest.mark.parametrize("build", [aws_stack, gcp_stack, azure_stack, cloudflare_stack])
@pytest.mark.parametrize("policy", [r.id for r in RULES])
def test_compliant_stacks_pass_every_policy(build, policy):
    assert run(policy, build()) == []


def test_location_policy_reports_the_resource_urn():
    doc = edit(gcp_stack(), "acme-gcs-lake", "location", "EUROPE-WEST2")
    [(msg, urn)] = run("residency-location", doc)
    assert urn.endswith("::acme-gcs-lake") and "GB" in msg


def test_aws_region_comes_from_the_provider_at_preview():
    doc = edit(aws_stack(), "ireland", "region", "us-east-1")
    reported = run("residency-location", doc, preview=True)
    assert {urn_name(u) for _, u in reported} >= {"acme-lake", "lake-key"}


def test_fallback_pool_violation_through_the_pack():
    doc = edit(cloudflare_stack(), "eu-api", "fallbackPoolId", "pool-aws-use1")
    [(msg, urn)] = run("residency-cloudflare-steering", doc)
    assert "fallback" in msg and urn.endswith("::eu-api")


def test_protection_uses_protect_since_retain_on_delete_is_not_passed():
    doc = edit(aws_stack(), "acme-lake", "@protect", DELETE)
    [(_, urn)] = run("lifecycle-prod-protection", doc)
    assert urn.endswith("::acme-lake")


def test_by_data_class_disabled_in_pack_config():
    doc = edit(azure_stack(), "lake", "allowBlobPublicAccess", True)
    assert run("security-no-public-access", doc, {"byDataClass": {"pii": "disabled"}}) == []


def test_by_jurisdiction_advisory_is_reported_by_the_advisory_policy():
    doc = edit(azure_stack(), "lake", "allowBlobPublicAccess", True)
    assert run("security-no-public-access", doc, {"byJurisdiction": {"eu": "advisory"}}) == []
    [(msg, urn)] = run(pack.ADVISORY_POLICY, doc)
    assert msg.startswith("security-no-public-access:") and urn.endswith("::lake")
    assert run(pack.ADVISORY_POLICY, doc) == []


UNKNOWN_KEY = ("acme-lake-sse", "rules.0.applyServerSideEncryptionByDefault.kmsMasterKeyId",
               "04da6b54-80e4-46f7-96ec-b56ff0331ba9")


def test_a_value_unknown_at_preview_is_deferred_not_failed(monkeypatch):
    """`pulumi preview` (PULUMI_DRY_RUN=true): the key the bucket will use is computed from another
    resource, so the check is deferred - reported by the advisory policy, naming what it waits for."""
    monkeypatch.setenv("PULUMI_DRY_RUN", "true")
    doc = edit(aws_stack(), *UNKNOWN_KEY)
    assert run("residency-customer-key", doc, preview=True) == []
    [(msg, urn)] = run(pack.ADVISORY_POLICY, doc)
    assert msg.startswith("residency-customer-key: deferred to update:") and "key is not known" in msg
    assert urn.endswith("::acme-lake")


def test_a_value_still_unknown_on_update_is_enforced(monkeypatch):
    monkeypatch.setenv("PULUMI_DRY_RUN", "false")
    doc = edit(aws_stack(), *UNKNOWN_KEY)
    [(msg, _)] = run("residency-customer-key", doc, preview=True)
    assert "not known until the update" in msg and not msg.startswith("deferred")


def test_config_schema_offers_per_class_and_jurisdiction_levels():
    schema = POLICIES["residency-location"].config_schema.properties
    assert schema["byDataClass"]["properties"]["pii"]["enum"] == ["mandatory", "advisory", "disabled"]
    assert "residencyHostnames" in POLICIES["residency-cloudflare-steering"].config_schema.properties


def test_main_module_builds_the_pack_without_starting_it():
    src = (ROOT / "policies" / "__main__.py").read_text()
    assert "PolicyPack(" in src and 'if __name__ == "__main__"' in src
    assert (ROOT / "policies" / "PulumiPolicy.yaml").read_text().startswith("runtime: python")


def test_pack_process_starts_like_pulumi_runs_it():
    """`pulumi preview --policy-pack policies` runs policies/__main__.py from the pack directory;
    the analyzer prints its gRPC port on stdout once every policy is built."""
    import subprocess

    proc = subprocess.Popen([sys.executable, "__main__.py"], cwd=ROOT / "policies",
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline().strip()
        assert line.isdigit(), proc.stderr.read() if proc.poll() is not None else line
    finally:
        proc.terminate()
        proc.wait(timeout=10)

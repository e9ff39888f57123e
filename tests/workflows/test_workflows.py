"""The GitHub workflows cannot run here; check what can be checked: they parse, they call the
commands this repo really has, and the gates are where they must be."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
WORKFLOWS = ROOT / ".github" / "workflows"


def load(name: str) -> dict[str, Any]:
    doc = yaml.safe_load((WORKFLOWS / name).read_text())
    assert isinstance(doc, dict)
    # YAML 1.1 reads the key `on` as True.
    doc["on"] = doc.pop(True, doc.get("on"))
    return doc


def steps(doc: dict[str, Any]) -> list[dict[str, Any]]:
    return [s for job in doc["jobs"].values() for s in job.get("steps", [])]


@pytest.mark.parametrize("path", sorted(WORKFLOWS.glob("*.yml")), ids=lambda p: p.name)
def test_workflow_is_valid_yaml_with_jobs(path: Path) -> None:
    doc = load(path.name)
    assert doc["on"], f"{path.name} has no trigger"
    assert doc["jobs"], f"{path.name} has no jobs"
    for job_id, job in doc["jobs"].items():
        assert "uses" in job or job.get("steps"), f"{path.name}:{job_id} neither calls a workflow nor has steps"
        for step in job.get("steps", []):
            assert "uses" in step or "run" in step, f"{path.name}:{job_id} has a step that does nothing"


def test_pull_requests_preview_with_the_policy_pack_and_comment() -> None:
    doc = load("preview.yml")
    assert "pull_request" in doc["on"]
    pulumi = [s for s in steps(doc) if s.get("uses", "").startswith("pulumi/actions@")]
    assert pulumi and all(s["with"]["command"] == "preview" for s in pulumi)
    assert all(s["with"]["policyPacks"] == "policies" and s["with"]["comment-on-pr"] for s in pulumi)
    assert (ROOT / "policies" / "PulumiPolicy.yaml").exists()


def test_prod_deploy_waits_for_dev_and_the_approval_gate() -> None:
    deploy = load("deploy.yml")
    assert deploy["jobs"]["prod"]["needs"] == "dev"
    assert deploy["jobs"]["prod"]["with"]["environment"] == "production"
    reusable = load(deploy["jobs"]["prod"]["uses"].rsplit("/", 1)[1])
    (job,) = reusable["jobs"].values()
    assert job["environment"] == "${{ inputs.environment }}"
    up = [s for s in steps(reusable) if s.get("uses", "").startswith("pulumi/actions@")]
    assert up and up[0]["with"]["command"] == "up" and up[0]["with"]["policyPacks"] == "policies"


def test_nightly_audit_runs_on_a_schedule_and_uploads_sarif() -> None:
    doc = load("audit.yml")
    assert doc["on"]["schedule"]
    assert any(s.get("uses", "").startswith("github/codeql-action/upload-sarif") for s in steps(doc))
    runs = " ".join(s.get("run", "") for s in steps(doc))
    assert "meridian audit --state state.json --format sarif" in runs


def test_commands_named_in_workflows_exist() -> None:
    makefile = (ROOT / "Makefile").read_text()
    for path in WORKFLOWS.glob("*.yml"):
        for target in re.findall(r"\bmake (\w+)", path.read_text()):
            assert re.search(rf"^{target}:", makefile, re.M), f"{path.name} calls `make {target}`, not in Makefile"
        for sub in re.findall(r"meridian (plan|audit|\w+) ", path.read_text()):
            assert sub in ("plan", "audit"), f"{path.name} calls unknown `meridian {sub}`"


def _uses(path: Path) -> list[tuple[int, str]]:
    return [(n, line.strip()) for n, line in enumerate(path.read_text().splitlines(), 1)
            if re.match(r"^\s*(-\s*)?uses:", line)]


@pytest.mark.parametrize("path", sorted(WORKFLOWS.glob("*.yml")), ids=lambda p: p.name)
def test_third_party_actions_are_pinned_by_commit_with_their_tag(path: Path) -> None:
    """A tag can be moved; a commit cannot: `owner/action@<40 hex> # vX.Y.Z` (the comment is what a
    reviewer and Renovate read)."""
    for n, line in _uses(path):
        ref = line.split("uses:", 1)[1].strip()
        if ref.startswith("./"):
            continue  # a reusable workflow of this repository
        assert re.match(r"^[\w.-]+/[\w./-]+@[0-9a-f]{40} # v?\d+\.\d+\.\d+", ref), f"{path.name}:{n}: {ref}"


@pytest.mark.parametrize("name", ["preview.yml", "pulumi-up.yml"])
def test_azure_native_gets_everything_oidc_needs(name: str) -> None:
    for step in steps(load(name)):
        env = step.get("env") or {}
        if env.get("ARM_USE_OIDC"):
            assert {"ARM_CLIENT_ID", "ARM_TENANT_ID", "ARM_SUBSCRIPTION_ID"} <= set(env), step
            assert all(env[k].startswith("${{ vars.AZURE_") for k in ("ARM_CLIENT_ID", "ARM_TENANT_ID",
                                                                        "ARM_SUBSCRIPTION_ID"))


def test_pull_requests_get_the_plan_diff() -> None:
    runs = " ".join(s.get("run", "") for s in steps(load("preview.yml")))
    assert "meridian plan" in runs and "--diff" in runs and "gh pr comment" in runs

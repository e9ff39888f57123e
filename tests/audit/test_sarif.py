"""The audit's SARIF as GitHub code scanning takes it: valid against the SARIF 2.1.0 JSON schema (the
copy Microsoft's SARIF Multitool ships) and clean under the Multitool's own `validate` (npm package
@microsoft/sarif-multitool, installed by `make setup`); results located at the source line that
declared the resource, relative to the repository root; fingerprints stable across runs."""

from __future__ import annotations

import copy
import json
import os
import subprocess
from pathlib import Path

import jsonschema
import pytest

from meridian.audit.cli import audit_main
from tests.conftest import ROOT

TOOL_DIR = ROOT / "node_modules" / "@microsoft"
MULTITOOL = ROOT / "node_modules" / ".bin" / "sarif-multitool"
SCHEMA = TOOL_DIR / "sarif-multitool-linux" / "sarif-2.1.0.json"


def _needs(path: Path) -> None:
    if not path.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{path} is missing: `make setup` installs it (npm ci)")
        pytest.skip(f"{path} not installed here (run `make setup`)")


@pytest.fixture(scope="module")
def violating_plan(dev_plan):  # type: ignore[no-untyped-def]
    """The dev plan with a US lake bucket tagged for the EU: one location violation."""
    doc = copy.deepcopy(dev_plan.document)
    bucket = next(r for r in doc["deployment"]["resources"] if r["type"] == "aws:s3/bucket:Bucket"
                  and r["urn"].endswith("-lake-bucket"))
    for side in ("inputs", "outputs"):
        bucket[side]["tags"] = {**bucket[side].get("tags", {}), "jurisdiction": "eu"}
        if "tagsAll" in bucket[side]:
            bucket[side]["tagsAll"] = {**bucket[side]["tagsAll"], "jurisdiction": "eu"}
    return doc, bucket


def _sarif(tmp_path: Path, doc: dict, name: str = "audit.sarif", *extra: str) -> tuple[Path, dict]:
    state = tmp_path / "state.json"
    state.write_text(json.dumps(doc))
    out = tmp_path / name
    audit_main(["--state", str(state), "--format", "sarif", "--out", str(out), *extra])
    return out, json.loads(out.read_text())


def test_valid_against_the_sarif_schema(tmp_path, violating_plan):
    _needs(SCHEMA)
    _, sarif = _sarif(tmp_path, violating_plan[0])
    jsonschema.Draft7Validator(json.loads(SCHEMA.read_text())).validate(sarif)
    assert sarif["runs"][0]["results"], "the violating plan must produce a result"


def test_the_multitool_validates_it_without_errors_or_warnings(tmp_path, violating_plan):
    _needs(MULTITOOL)
    path, _ = _sarif(tmp_path, violating_plan[0])
    run = subprocess.run([str(MULTITOOL), "validate", str(path)], capture_output=True, text=True, timeout=120)
    findings = [line for line in run.stdout.splitlines() if ": error " in line or ": warning " in line]
    assert run.returncode == 0 and not findings, run.stdout


def test_results_point_at_the_code_that_declared_the_resource(tmp_path, violating_plan):
    doc, bucket = violating_plan
    _, sarif = _sarif(tmp_path, doc)
    [result] = [r for r in sarif["runs"][0]["results"] if r["ruleId"] == "residency-location"]
    loc = result["locations"][0]["physicalLocation"]
    path, _, line = bucket["sourcePosition"].removeprefix("project:///").partition("#")
    assert loc["artifactLocation"] == {"uri": path, "uriBaseId": "%SRCROOT%", "index": 0}
    assert loc["region"]["startLine"] == int(line) and (ROOT / path).is_file()
    _, nested = _sarif(tmp_path, doc, "nested.sarif", "--source-root", "platform/meridian")
    uri = nested["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert uri == f"platform/meridian/{path}"


def test_without_source_positions_results_fall_back_to_the_stack_file(tmp_path, violating_plan):
    doc = copy.deepcopy(violating_plan[0])
    for r in doc["deployment"]["resources"]:
        r.pop("sourcePosition", None)
    _, sarif = _sarif(tmp_path, doc)
    loc = sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
    assert loc["artifactLocation"]["uri"] == "Pulumi.dev.yaml" and loc["region"]["startLine"] == 1


def test_fingerprints_are_stable_while_the_finding_stands(tmp_path, violating_plan):
    doc = violating_plan[0]
    _, first = _sarif(tmp_path, doc, "a.sarif")
    changed = copy.deepcopy(doc)  # tomorrow's export: same finding, another unrelated change
    changed["deployment"]["manifest"]["time"] = "2027-01-01T00:00:00Z"
    _, second = _sarif(tmp_path, changed, "b.sarif")
    fps = [[r["partialFingerprints"] for r in s["runs"][0]["results"]] for s in (first, second)]
    assert fps[0] == fps[1] and fps[0]


def test_rule_tags_are_unique():
    from meridian.audit.render import render_sarif
    from meridian.audit.report import Report

    for rule in json.loads(render_sarif(Report("s.json", 0)))["runs"][0]["tool"]["driver"]["rules"]:
        assert len(rule["properties"]["tags"]) == len(set(rule["properties"]["tags"])), rule["id"]

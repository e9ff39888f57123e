"""The plan document records what the engine records and is deterministic, so plans diff cleanly."""

from __future__ import annotations

import copy
import json

from meridian.cli import main as cli_main
from meridian.plan.diff import diff_documents, render_diff
from meridian.plan.runner import dumps, run_plan
from tests.conftest import ROOT


def test_two_plans_of_one_commit_are_byte_identical(dev_plan):
    again = run_plan("dev", ROOT)
    assert dumps(again.document) == dumps(dev_plan.document)


def test_resources_come_in_engine_order(dev_plan):
    seen: set[str] = set()
    for r in dev_plan.resources:
        before = {*(r.get("dependencies") or ()), *([r["parent"]] if r.get("parent") else []),
                  *([r["provider"].rsplit("::", 1)[0]] if r.get("provider") else [])}
        assert before <= seen, f"{r['urn']} comes before {sorted(before - seen)}"
        seen.add(r["urn"])


def test_the_plan_records_property_dependencies_and_source_positions(dev_plan):
    policy = next(r for r in dev_plan.resources if r["type"] == "aws:s3/bucketPolicy:BucketPolicy")
    bucket = policy["propertyDependencies"]["bucket"][0]
    assert bucket.endswith("-bucket") and bucket in policy["dependencies"]
    for r in dev_plan.resources:
        if r["custom"] and not r["type"].startswith("pulumi:providers:"):
            path, _, line = r["sourcePosition"].removeprefix("project:///").partition("#")
            assert (ROOT / path).is_file() and int(line) <= len((ROOT / path).read_text().splitlines())
            assert path.startswith("infra/"), r["sourcePosition"]  # the program's code, not the SDK's


def test_bridged_providers_return_the_id_among_outputs(dev_plan):
    key = next(r for r in dev_plan.resources if r["type"] == "aws:kms/key:Key")
    assert key["outputs"]["id"] == key["id"]


def test_diff_names_added_removed_replaced_and_changed(dev_plan):
    old = dev_plan.document
    new = copy.deepcopy(old)
    res = new["deployment"]["resources"]
    key = next(r for r in res if r["type"] == "aws:kms/key:Key")
    key["inputs"]["enableKeyRotation"] = False
    key["inputs"]["policy"] = {"4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270",
                               "ciphertext": "v1:new"}
    group = next(r for r in res if r["type"] == "aws:cloudwatch/logGroup:LogGroup")
    group["urn"] = group["urn"].rsplit("::", 1)[0] + "::renamed-logs"
    vpc = next(r for r in res if r["type"] == "aws:ec2/vpc:Vpc")
    res.remove(vpc)
    d = diff_documents(old, new)
    assert d.removed == [vpc["urn"]] and not d.added
    [(_, now, why)] = d.replaced
    assert now == group["urn"] and why.endswith("-> renamed-logs")
    [change] = [c for c in d.changed if c.urn == key["urn"]]
    props = {p: (a, b) for p, a, b in change.properties}
    assert props["enableKeyRotation"] == (True, False) and props["policy"][1] == "[secret]"
    text = render_diff(d)
    assert "v1:new" not in text and "renamed-logs" in text


def test_a_type_change_is_a_replacement():
    def doc(typ: str) -> dict:
        return {"deployment": {"resources": [{"urn": f"urn:pulumi:s::p::{typ}::x", "type": typ, "inputs": {}}]}}

    d = diff_documents(doc("aws:s3/bucketV2:BucketV2"), doc("aws:s3/bucket:Bucket"))
    assert d.replaced and "type aws:s3/bucketV2:BucketV2 -> aws:s3/bucket:Bucket" in d.replaced[0][2]


def test_plan_diff_against_itself_is_empty(tmp_path, capsys, dev_plan):
    old = tmp_path / "old.json"
    old.write_text(dumps(dev_plan.document))
    assert cli_main(["plan", "dev", "--root", str(ROOT), "--quiet", "--diff", str(old)]) == 0
    assert "Plan diff: no changes." in capsys.readouterr().out


def test_plan_diff_of_a_bad_file_is_a_clear_error(tmp_path, capsys):
    bad = tmp_path / "old.json"
    bad.write_text(json.dumps({"resources": 3}))
    assert cli_main(["plan", "dev", "--root", str(ROOT), "--quiet", "--diff", str(bad)]) == 2
    assert f"--diff {bad}" in capsys.readouterr().err

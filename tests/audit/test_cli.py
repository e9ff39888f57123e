"""`meridian audit`: formats, exit codes, malformed input, a foreign program's export, 10k resources."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from meridian.audit.cli import audit_main
from meridian.audit.synthetic import synthetic_export
from tests.rules.exports import aws_stack, azure_stack, cloudflare_stack, edit, gcp_stack


def write(tmp_path: Path, doc, name: str = "state.json") -> Path:
    p = tmp_path / name
    p.write_text(json.dumps(doc, indent=2))
    return p


def merged():
    docs = [aws_stack(), gcp_stack(), azure_stack(), cloudflare_stack()]
    out = docs[0]
    for d in docs[1:]:
        out["deployment"]["resources"] += d["deployment"]["resources"][1:]
    return out


def test_clean_export_exits_0_with_inventory(tmp_path, capsys):
    assert audit_main(["--state", str(write(tmp_path, merged())), "--format", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["violations"] == []
    stores = {s["name"]: s for s in report["stores"]}
    lake = stores["acme-lake"]
    assert (lake["cloud"], lake["region"], lake["country"], lake["jurisdiction"], lake["data_class"]) == (
        "aws", "eu-west-1", "IE", "eu", "pii")
    assert lake["key"]["region"] == "eu-west-1"
    assert [(r["target"], r["region"], r["jurisdictions"]) for r in lake["replication"]] == [
        ("acme-lake-replica", "eu-central-1", ["eu"])]
    assert stores["acmelake"]["replication"][0]["region"] == "northeurope"
    [host] = report["hostnames"]
    assert host["hostname"] == "eu.api.acme.example" and host["jurisdiction"] == "eu"
    assert [p["pool"] for p in host["per_country"]["DE"]] == ["azure-weu", "gcp-euw1"]
    assert {p["pool"] for p in host["per_country"]["FR"]} == {"aws-euw1", "gcp-euw1", "azure-weu"}


def test_violations_exit_1_and_json_shape(tmp_path, capsys):
    doc = edit(gcp_stack(), "acme-gcs-lake", "location", "EUROPE-WEST2")
    assert audit_main(["--state", str(write(tmp_path, doc)), "--format", "json"]) == 1
    [v] = json.loads(capsys.readouterr().out)["violations"]
    assert {"rule", "urn", "type", "message", "jurisdiction"} <= set(v)
    assert (v["rule"], v["type"], v["jurisdiction"]) == ("residency-location", "gcp:storage/bucket:Bucket", "eu")


def test_sarif_is_code_scanning_shaped(tmp_path):
    doc = edit(azure_stack(), "lake", "location", "brazilsouth")
    out = tmp_path / "audit.sarif"
    assert audit_main(["--state", str(write(tmp_path, doc)), "--format", "sarif", "--out", str(out)]) == 1
    sarif = json.loads(out.read_text())
    assert sarif["version"] == "2.1.0" and sarif["$schema"].endswith("sarif-schema-2.1.0.json")
    run = sarif["runs"][0]
    rule_ids = [r["id"] for r in run["tool"]["driver"]["rules"]]
    assert run["results"]
    for res in run["results"]:
        assert rule_ids[res["ruleIndex"]] == res["ruleId"]
        assert res["level"] in ("error", "warning", "note") and res["message"]["text"]
        loc = res["locations"][0]["physicalLocation"]
        # no sourcePosition in this export: the stack's file in the repository, not the state file
        assert loc["artifactLocation"]["uri"] == "Pulumi.prod.yaml" and loc["region"]["startLine"] == 1
        assert res["partialFingerprints"]
    for r in run["tool"]["driver"]["rules"]:
        float(r["properties"]["security-severity"])


def test_html_escapes_everything_and_puts_violations_first(tmp_path):
    doc = edit(aws_stack(), "acme-lake", "region", "us-east-1")
    doc = edit(doc, "acme-lake-replica", "bucket", "<script>alert(1)</script>")
    out = tmp_path / "r.html"
    assert audit_main(["--state", str(write(tmp_path, doc)), "--format", "html", "--out", str(out)]) == 1
    page = out.read_text()
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert page.index("<h2>Violations") < page.index("<h2>Data stores by jurisdiction")
    assert "<h3>eu (" in page


def test_markdown_default(tmp_path, capsys):
    assert audit_main(["--state", str(write(tmp_path, merged()))]) == 0
    out = capsys.readouterr().out
    assert out.startswith("# Residency audit") and "### eu" in out and "eu.api.acme.example" in out


@pytest.mark.parametrize(("content", "expected"), [
    (None, "no such file"),
    ("{not json", "not valid JSON"),
    ("[1, 2]", "not a stack export"),
    ('{"version": 3}', "not a stack export"),
    ('{"version": 3, "deployment": {"resources": {"a": 1}}}', "not a list"),
    ('{"version": 3, "deployment": {"resources": [{"type": "x"}]}}', "no valid urn"),
])
def test_malformed_state_exits_2_with_one_line(tmp_path, capsys, content, expected):
    p = tmp_path / "bad.json"
    if content is not None:
        p.write_text(content)
    assert audit_main(["--state", str(p)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and str(p) in err and expected in err and "Traceback" not in err


def test_binary_file_exits_2(tmp_path, capsys):
    p = tmp_path / "state.bin"
    p.write_bytes(b"\xff\xfe\x00garbage")
    assert audit_main(["--state", str(p)]) == 2
    assert "cannot read" in capsys.readouterr().err


def test_missing_state_argument_exits_2(capsys):
    assert audit_main([]) == 2


def test_meridian_console_script_routes_audit(tmp_path, capsys):
    from meridian.cli import main

    assert main(["audit", "--state", str(write(tmp_path, gcp_stack())), "--format", "json"]) == 0


def test_ten_thousand_resource_export(tmp_path, capsys):
    p = write(tmp_path, synthetic_export(10_000))
    started = time.perf_counter()
    code = audit_main(["--state", str(p), "--format", "json", "--out", str(tmp_path / "r.json")])
    elapsed = time.perf_counter() - started
    with capsys.disabled():
        print(f"\naudit of a 10,000-resource export: {elapsed:.2f}s")
    assert code == 0
    assert len(json.loads((tmp_path / "r.json").read_text())["stores"]) > 2000


def test_policy_config_file_applies(tmp_path, capsys):
    doc = edit(azure_stack(), "lake", "allowBlobPublicAccess", True)
    cfg = tmp_path / "cfg.json"
    cfg.write_text(json.dumps({"security-no-public-access": {"byDataClass": {"pii": "disabled"}}}))
    assert audit_main(["--state", str(write(tmp_path, doc)), "--policy-config", str(cfg)]) == 0
    cfg.write_text(json.dumps({"security-no-public-access": {"enforcementLevel": "sometimes"}}))
    assert audit_main(["--state", str(write(tmp_path, doc)), "--policy-config", str(cfg)]) == 2

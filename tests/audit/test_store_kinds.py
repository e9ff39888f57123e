"""The new user's scenario from the residency-coverage issue: EU pii in an RDS instance in us-east-1, a
DynamoDB table replicating to us-west-2, a BigQuery dataset in US, a Cloud SQL instance in
us-central1, a Cosmos DB account in eastus and an untagged RDS instance used to audit clean."""

from __future__ import annotations

import json

from meridian.audit.cli import audit_main
from tests.rules.exports import document, provider, resource, tags

_, US = provider("aws", "virginia", "us-east-1")
_, GP = provider("gcp", "gcp")
_, AP = provider("azure-native", "azure")


def scenario() -> dict:
    eu = tags("pii", "eu")
    return document([
        provider("aws", "virginia", "us-east-1")[0], provider("gcp", "gcp")[0], provider("azure-native", "azure")[0],
        resource("aws:rds/instance:Instance", "eu-customers", {"identifier": "eu-customers", "tags": eu,
                 "storageEncrypted": True}, {"tagsAll": eu}, provider=US, protect=True),
        resource("aws:dynamodb/table:Table", "eu-sessions", {"name": "eu-sessions", "tags": eu,
                 "replicas": [{"regionName": "us-west-2"}]}, {"tagsAll": eu, "region": "eu-west-1"}, provider=US,
                 protect=True),
        resource("gcp:bigquery/dataset:Dataset", "eu_events", {"datasetId": "eu_events", "location": "US",
                 "labels": eu}, provider=GP, protect=True),
        resource("gcp:sql/databaseInstance:DatabaseInstance", "eu-orders", {"name": "eu-orders",
                 "region": "us-central1", "settings": {"userLabels": eu}}, provider=GP, protect=True),
        resource("azure-native:documentdb:DatabaseAccount", "eu-profiles", {"accountName": "eu-profiles",
                 "resourceGroupName": "rg", "location": "eastus", "locations": [{"locationName": "eastus"}],
                 "tags": eu}, provider=AP, protect=True),
        resource("aws:rds/instance:Instance", "shadow-db", {"identifier": "shadow-db", "storageEncrypted": True},
                 provider=US, protect=True),
    ])


def test_every_misplaced_store_is_reported(tmp_path, capsys):
    state = tmp_path / "state.json"
    state.write_text(json.dumps(scenario()))
    out = tmp_path / "audit.json"
    assert audit_main(["--state", str(state), "--format", "json", "--out", str(out)]) == 1
    report = json.loads(out.read_text())
    located = {v["urn"].rsplit("::", 1)[-1] for v in report["violations"] if v["rule"] == "residency-location"}
    assert {"eu-customers", "eu_events", "eu-orders", "eu-profiles"} <= located
    replicated = {v["urn"].rsplit("::", 1)[-1] for v in report["violations"] if v["rule"] == "residency-replication"}
    assert "eu-sessions" in replicated
    unclassified = {v["urn"].rsplit("::", 1)[-1] for v in report["violations"] if v["rule"] == "residency-classification"}
    assert unclassified == {"shadow-db"}
    kinds = {s["kind"] for s in report["stores"]}
    assert {"aws-rds-instance", "aws-dynamodb-table", "gcp-bigquery-dataset", "gcp-sql-instance",
            "azure-cosmosdb-account"} <= kinds


def test_html_groups_by_jurisdiction_then_kind(tmp_path):
    state = tmp_path / "state.json"
    state.write_text(json.dumps(scenario()))
    out = tmp_path / "audit.html"
    audit_main(["--state", str(state), "--format", "html", "--out", str(out)])
    page = out.read_text()
    eu = page.index("<h3>eu (")
    assert page.index("<h4>RDS DB instance (1)</h4>", eu) > eu
    assert "<h3>unclassified (1)</h3>" in page


def test_removing_a_hostnames_regional_entry_is_caught(prod_plan):
    """The prod plan regionalizes eu./us.; without the EU entry, the pack and the audit both report it."""
    import copy

    from meridian.audit.report import build_report

    doc = copy.deepcopy(prod_plan.document)
    report = build_report(doc)
    eu = next(h for h in report.hostnames if h["hostname"].startswith("eu."))
    assert eu["regional_services"] == "eu" == eu["regional_services_expected"]
    assert not [v for v in report.violations if v.rule == "residency-cloudflare-steering"]
    doc["deployment"]["resources"] = [r for r in doc["deployment"]["resources"]
                                      if not (r["type"].endswith(":RegionalHostname") and
                                              r["inputs"]["hostname"].startswith("eu."))]
    report = build_report(doc)
    [v] = [v for v in report.violations if v.rule == "residency-cloudflare-steering"]
    assert "not regionalized" in v.message and v.enforcement == "mandatory"
    assert next(h for h in report.hostnames if h["hostname"].startswith("eu."))["regional_services"] is None

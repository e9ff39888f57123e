"""`observability.collection: managed`: every router cluster gets its cloud's managed Prometheus, with
its metrics workspace in the cluster's jurisdiction, the alerts as that service's rule group, and a
collector the router's NetworkPolicy lets in. The prod topology, planned by the real program."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import yaml

from infra.observability.alerts import alerts
from meridian.audit.report import build_report
from meridian.config import AlertThresholds
from meridian.plan.runner import Plan, run_plan
from meridian.policy_runner import evaluate
from tests.conftest import ROOT, platform_config

NAMES = [a.name for a in alerts(AlertThresholds())]


@pytest.fixture(scope="module")
def managed(tmp_path_factory) -> Iterator[Plan]:
    raw = platform_config("prod")
    raw["observability"] = {"collection": "managed"}
    d = tmp_path_factory.mktemp("managed")
    (d / "Pulumi.yaml").write_text((ROOT / "Pulumi.yaml").read_text())
    (d / "Pulumi.managed.yaml").write_text(yaml.safe_dump(
        {"config": {"pulumi:disable-default-providers": ["*"], "meridian:platform": raw}}))
    yield run_plan("managed", d)


def of(plan: Plan, typ: str) -> list[dict[str, Any]]:
    return [r for r in plan.document["deployment"]["resources"] if r["type"] == typ]


def clusters(plan: Plan, cloud: str) -> list[Any]:
    return [c for c in plan.config.clusters if c.cloud == cloud]


def test_the_managed_plan_passes_the_pack_and_audits_every_workspace(managed):
    assert evaluate(managed.document) == []
    report = build_report(managed.document)
    stores = {(s["type"], s["name"]): s for s in report.stores}
    for c in clusters(managed, "aws"):
        ws = stores[("aws:amp/workspace:Workspace", f"meridian-prod-{c.name}")]
        assert (ws["region"], ws["jurisdiction"], ws["data_class"]) == (c.region, c.jurisdiction, "internal")
    for c in clusters(managed, "azure"):
        ws = stores[("azure-native:monitor:AzureMonitorWorkspace", f"meridian-prod-{c.name}-metrics")]
        assert (ws["region"], ws["jurisdiction"], ws["data_class"]) == (c.region, c.jurisdiction, "internal")
    gmp = [s for s in report.stores if s["type"] == "kubernetes:monitoring.googleapis.com/v1:PodMonitoring"]
    assert sorted((s["region"], s["jurisdiction"]) for s in gmp) == sorted(
        (c.region, c.jurisdiction) for c in clusters(managed, "gcp"))


def test_aws_workspace_rules_and_collector(managed):
    aws = clusters(managed, "aws")
    assert len(of(managed, "aws:amp/workspace:Workspace")) == len(of(managed, "aws:amp/scraper:Scraper")) == len(aws)
    for ns in of(managed, "aws:amp/ruleGroupNamespace:RuleGroupNamespace"):
        rules = yaml.safe_load(ns["inputs"]["data"])["groups"][0]["rules"]
        assert [r["alert"] for r in rules] == NAMES
    jobs = {}
    for s in of(managed, "aws:amp/scraper:Scraper"):
        assert len(s["inputs"]["source"]["eks"]["subnetIds"]) >= 2  # AWS wants two AZs at least
        cfg = yaml.safe_load(s["inputs"]["scrapeConfiguration"])
        assert cfg["scrape_configs"][0]["kubernetes_sd_configs"][0]["namespaces"]["names"] == ["meridian-router"]
        jobs[s["inputs"]["alias"]] = [j["job_name"] for j in cfg["scrape_configs"]]
    assert jobs["meridian-aws-use1"] == ["meridian-router", "vault"]  # the Vault cluster
    assert jobs["meridian-aws-euw1"] == ["meridian-router"]
    entries = of(managed, "aws:eks/accessEntry:AccessEntry")
    assert [e["inputs"]["userName"] for e in entries if e["inputs"].get("userName") == "aps-collector-user"]


def test_azure_workspace_collection_rule_and_alerts(managed):
    for dcr in of(managed, "azure-native:monitor:DataCollectionRule"):
        assert dcr["inputs"]["dataFlows"][0]["streams"] == ["Microsoft-PrometheusMetrics"]
    groups = of(managed, "azure-native:alertsmanagement:PrometheusRuleGroup")
    assert len(groups) == len(clusters(managed, "azure"))
    for g in groups:
        assert [r["alert"] for r in g["inputs"]["rules"]] == NAMES
        assert all(r["for"].startswith("PT") for r in g["inputs"]["rules"])
    for mc in of(managed, "azure-native:containerservice:ManagedCluster"):
        assert mc["inputs"]["azureMonitorProfile"]["metrics"]["enabled"] is True


def test_gcp_pod_monitoring_and_rules(managed):
    gcp = clusters(managed, "gcp")
    assert len(of(managed, "kubernetes:monitoring.googleapis.com/v1:PodMonitoring")) == len(gcp)
    for r in of(managed, "kubernetes:monitoring.googleapis.com/v1:Rules"):
        assert [x["alert"] for x in r["inputs"]["spec"]["groups"][0]["rules"]] == NAMES


def test_the_router_lets_each_managed_collector_in(managed):
    policies = [p for p in of(managed, "kubernetes:networking.k8s.io/v1:NetworkPolicy")
                if p["inputs"]["metadata"]["name"] == "router"]
    assert len(policies) == len(managed.config.clusters)
    peers = set()
    for p in policies:
        for rule in p["inputs"]["spec"]["ingress"]:
            for peer in rule.get("from") or []:
                if "namespaceSelector" in peer:
                    peers.add(peer["namespaceSelector"]["matchLabels"]["kubernetes.io/metadata.name"])
        assert all(rule.get("from") for rule in p["inputs"]["spec"]["ingress"])  # no rule admits everyone
    assert {"gmp-system", "kube-system"} <= peers

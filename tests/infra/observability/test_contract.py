"""Across components: every metric an alert or a dashboard panel reads is one the router exports
(with the labels it groups by), and every router cluster of the prod plan gets its collection, its
alerts and its dashboard (the real program under the mock runtime)."""

from __future__ import annotations

import json
import re

from meridian_router.metrics import Counter, Histogram, Metrics

from infra.observability.alerts import alerts, rule_groups
from infra.observability.cluster import DASHBOARD, dashboard_json
from meridian.config import AlertThresholds

METRIC = re.compile(r"\bmeridian_router_[a-z_]+\b")
BY = re.compile(r"\b(?:by|without)\s*\(([^)]*)\)")
SELECTOR = re.compile(r"\{([^}]*)\}")


def exported() -> dict[str, frozenset[str]]:
    """Series names the router exports -> the label names each carries."""
    out: dict[str, frozenset[str]] = {}
    for m in vars(Metrics()).values():
        if isinstance(m, Histogram):
            labels = frozenset(m.labelnames)
            out[m.name + "_bucket"] = labels | {"le"}
            out[m.name + "_sum"] = out[m.name + "_count"] = labels
        elif isinstance(m, Counter):  # and Gauge
            out[m.name] = frozenset(m.labelnames)
    return out


def dashboard_exprs() -> list[str]:
    dash = json.loads(dashboard_json())
    return [t["expr"] for p in dash["panels"] for t in p["targets"]]


def alert_exprs() -> list[str]:
    return [a.expr for a in alerts(AlertThresholds())]


def check(expr: str, known: dict[str, frozenset[str]]) -> list[str]:
    problems = []
    names = METRIC.findall(expr)
    if not names:
        problems.append(f"{expr}: reads no router metric")
    for n in names:
        if n not in known:
            problems.append(f"{expr}: {n} is not exported by the router")
    labels = set(known.get(names[0], frozenset())) if names else set()
    for n in names:
        labels |= known.get(n, frozenset())
    used = {x.strip() for grp in BY.findall(expr) for x in grp.split(",") if x.strip()}
    used |= {kv.split("=")[0].strip().rstrip("!~") for sel in SELECTOR.findall(expr) for kv in sel.split(",") if kv}
    missing = used - labels - {"instance", "job", "le"}
    if missing:
        problems.append(f"{expr}: groups or filters by {sorted(missing)}, which its metrics do not carry")
    return problems


def test_every_alert_reads_exported_metrics_and_labels():
    known = exported()
    assert [p for e in alert_exprs() for p in check(e, known)] == []


def test_every_panel_reads_exported_metrics_and_labels():
    known = exported()
    exprs = dashboard_exprs()
    assert len(exprs) >= 15
    assert [p for e in exprs for p in check(e, known)] == []


def test_the_dashboard_covers_what_the_issue_asks():
    dash = json.loads(DASHBOARD.read_text())
    assert dash["uid"] == "meridian-router" and dash["templating"]["list"][0]["type"] == "datasource"
    text = " ".join(dashboard_exprs())
    for metric in ("requests_total", "upstream_attempts_total", "routing_decisions_total", "failovers_total",
                   "breaker_state", "request_duration_seconds_bucket", "added_latency_seconds_bucket",
                   "spend_usd_total", "tokens_total", "budget_spent_usd", "budget_limit_usd"):
        assert f"meridian_router_{metric}" in text, metric
    ids = [p["id"] for p in dash["panels"]]
    assert len(ids) == len(set(ids))


def test_a_checker_that_cannot_fail_is_not_one():
    known = exported()
    assert check("sum(rate(meridian_router_nonexistent_total[5m]))", known)
    assert check("sum by (pool) (rate(meridian_router_requests_total[5m]))", known)


def test_every_router_cluster_gets_collection_alerts_and_dashboard(prod_plan):
    resources = prod_plan.document["deployment"]["resources"]
    router_clusters = {c.name for c in prod_plan.config.clusters}
    monitors = [r for r in resources if r["type"] == "kubernetes:monitoring.coreos.com/v1:PodMonitor"]
    rules = [r for r in resources if r["type"] == "kubernetes:monitoring.coreos.com/v1:PrometheusRule"]
    dashboards = [r for r in resources if r["type"] == "kubernetes:core/v1:ConfigMap"
                  and r["inputs"]["metadata"]["name"] == "meridian-router-dashboard"]
    assert len(rules) == len(dashboards) == len(router_clusters)
    by_name: dict[str, list] = {}
    for m in monitors:
        by_name.setdefault(m["inputs"]["metadata"]["name"], []).append(m)
    # prod: every router, no in-cluster Redis (managed), Vault on aws-use1
    assert {k: len(v) for k, v in by_name.items()} == {"meridian-router": len(router_clusters), "vault": 1}
    names = [a["alert"] for a in rule_groups(prod_plan.config.observability.alerts)[0]["rules"]]
    for rule in rules:
        assert [r["alert"] for r in rule["inputs"]["spec"]["groups"][0]["rules"]] == names
        assert rule["inputs"]["metadata"]["labels"]["release"] == "prometheus"  # prod's selectorLabels
    for m in by_name["meridian-router"]:
        spec = m["inputs"]["spec"]
        assert spec["podMetricsEndpoints"] == [{"port": "http", "path": "/metrics", "interval": "30s", "scheme": "http"}]
        assert spec["selector"]["matchLabels"]["app.kubernetes.io/name"] == "meridian-router"
    (vault,) = by_name["vault"]
    ep = vault["inputs"]["spec"]["podMetricsEndpoints"][0]
    assert (vault["inputs"]["metadata"]["namespace"], ep["port"], ep["path"], ep["scheme"], ep["params"]) == (
        "vault", "https", "/v1/sys/metrics", "https", {"format": ["prometheus"]})
    assert ep["tlsConfig"]["ca"]["secret"] == {"name": "vault-tls", "key": "ca.crt"}
    deployments = [r for r in resources if r["type"] == "kubernetes:apps/v1:Deployment"
                   and r["inputs"]["metadata"].get("name") == "router"]
    assert len(deployments) == len(router_clusters)
    for d in deployments:  # the port the PodMonitor scrapes is the router container's
        ports = d["inputs"]["spec"]["template"]["spec"]["containers"][0]["ports"]
        assert any(p["name"] == "http" for p in ports)
    assert json.loads(dashboards[0]["inputs"]["data"]["meridian-router.json"])["uid"] == "meridian-router"


def test_vault_serves_prometheus_metrics_to_the_collector(prod_plan):
    (release,) = [r for r in prod_plan.document["deployment"]["resources"]
                  if r["type"] == "kubernetes:helm.sh/v3:Release" and r["urn"].endswith("::vault-server-release")]
    hcl = release["inputs"]["values"]["server"]["ha"]["raft"]["config"]
    assert "unauthenticated_metrics_access = true" in hcl and 'prometheus_retention_time = "30s"' in hcl


def test_the_in_cluster_redis_is_scraped_through_its_exporter(dev_plan):
    resources = dev_plan.document["deployment"]["resources"]
    monitors = [r for r in resources if r["type"] == "kubernetes:monitoring.coreos.com/v1:PodMonitor"
                and r["inputs"]["metadata"]["name"] == "router-redis"]
    redis = [r for r in resources if r["type"] == "kubernetes:apps/v1:Deployment"
             and r["inputs"]["metadata"]["name"] == "router-redis"]
    assert len(monitors) == len(redis) >= 2
    for d in redis:
        containers = {c["name"]: c for c in d["inputs"]["spec"]["template"]["spec"]["containers"]}
        assert containers["exporter"]["ports"] == [{"name": "metrics", "containerPort": 9121}]
    for m in monitors:
        assert m["inputs"]["spec"]["podMetricsEndpoints"][0]["port"] == "metrics"
    policies = [r for r in resources if r["type"] == "kubernetes:networking.k8s.io/v1:NetworkPolicy"
                and r["inputs"]["metadata"]["name"] == "router-redis"]
    for p in policies:  # the collector reaches the exporter's port, and only that one
        rules = p["inputs"]["spec"]["ingress"]
        scrape = [r for r in rules if any("namespaceSelector" in f for f in r["from"])]
        assert [x["port"] for r in scrape for x in r["ports"]] == [9121]

"""RouterObservability: what collects and alerts on the router of one cluster, with the Prometheus
Operator's CRDs (`observability.collection: operator`):

  PodMonitor      one per scrape target (infra/observability/targets.py: the router pods, the in-cluster
                  Redis' exporter, Vault's servers), every 30 s (PodMonitors, not ServiceMonitors:
                  three Services select the router's pods and would scrape them thrice)
  PrometheusRule  the alerts of infra/observability/alerts.py, thresholds from `observability.alerts`
  ConfigMap       the router dashboard (dashboards/router.json), labelled `grafana_dashboard: "1"` for
                  the Grafana sidecar (`observability.dashboardConfigMap`)

The rule and the dashboard live in the router's namespace, each PodMonitor in its target's (next to the
CA Secret it verifies with); `observability.selectorLabels` are added to each, for a Prometheus whose
podMonitorSelector / ruleSelector need them (kube-prometheus-stack: `release: <its release name>`)."""

from __future__ import annotations

import json
from pathlib import Path

import pulumi
import pulumi_kubernetes.apiextensions as apiextensions
import pulumi_kubernetes.core.v1 as core
import pulumi_kubernetes.meta.v1 as meta
from pulumi import ResourceOptions

from infra.observability.alerts import rule_groups
from infra.observability.scrape import Target, pod_monitor_spec
from meridian.config import Observability

DASHBOARD = Path(__file__).parent / "dashboards" / "router.json"


def dashboard_json() -> str:
    return DASHBOARD.read_text()


def dashboard_config_map(name: str, config: Observability, namespace: str, labels: dict[str, str],
                         opts: ResourceOptions) -> core.ConfigMap | None:
    """The router dashboard for the Grafana sidecar (`observability.dashboardConfigMap`)."""
    if not config.dashboard_config_map:
        return None
    return core.ConfigMap(
        f"{name}-dashboard",
        metadata=meta.ObjectMetaArgs(name="meridian-router-dashboard", namespace=namespace,
                                     labels={**labels, "grafana_dashboard": "1"}),
        data={"meridian-router.json": dashboard_json()},
        opts=opts,
    )


class RouterObservability(pulumi.ComponentResource):
    """Public attributes: pod_monitors (one per target), rule (CustomResource); dashboard (ConfigMap | None)."""

    def __init__(
        self, name: str, *, config: Observability, namespace: str, targets: list[Target],
        k8s_provider: pulumi.ProviderResource, depends_on: list[pulumi.Resource] | None = None,
        opts: ResourceOptions | None = None,
    ) -> None:
        super().__init__("meridian:observability:RouterObservability", name, None, opts)
        child = ResourceOptions(parent=self, provider=k8s_provider, depends_on=depends_on or [])
        labels = {"app.kubernetes.io/part-of": "meridian-router", **config.selector_labels}
        groups = rule_groups(config.alerts)
        self.pod_monitors = [
            apiextensions.CustomResource(
                f"{name}-{t.name}",
                api_version="monitoring.coreos.com/v1",
                kind="PodMonitor",
                metadata=meta.ObjectMetaArgs(name=t.name, namespace=t.namespace, labels=labels),
                spec=pod_monitor_spec(t),
                opts=child,
            )
            for t in targets
        ]
        self.rule = apiextensions.CustomResource(
            f"{name}-alerts",
            api_version="monitoring.coreos.com/v1",
            kind="PrometheusRule",
            metadata=meta.ObjectMetaArgs(name="meridian-router", namespace=namespace, labels=labels),
            spec={"groups": groups},
            opts=child,
        )
        self.dashboard = dashboard_config_map(name, config, namespace, labels, child)
        self.register_outputs({"alerts": [r["alert"] for g in groups for r in g["rules"]],
                               "dashboard": json.loads(dashboard_json())["uid"]})

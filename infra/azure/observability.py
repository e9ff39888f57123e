"""AzureMonitorCollection: Azure Monitor managed Prometheus for one AKS cluster's router
(`observability.collection: managed`; the cluster runs the ama-metrics agents: its
azureMonitorProfile has metrics enabled, infra/azure/cluster.py).

  AzureMonitorWorkspace   in the cluster's region, classified `internal` in its jurisdiction (the
                          router's series carry tenant ids), prod: protected
  DataCollectionEndpoint  + DataCollectionRule (Microsoft-PrometheusMetrics -> the workspace) +
                          DataCollectionRuleAssociation on the cluster: where the agents send
  PodMonitor              azmonitoring.coreos.com/v1: the agents scrape the router pods
  PrometheusRuleGroup     the alerts of infra/observability/alerts.py on the workspace, for this cluster
                          (attach an action group to route them)."""

from __future__ import annotations

import re

import pulumi
import pulumi_azure_native.alertsmanagement as alerts
import pulumi_azure_native.monitor as monitor
import pulumi_kubernetes.apiextensions as apiextensions
import pulumi_kubernetes.meta.v1 as meta
from pulumi import ResourceOptions

from infra.observability.alerts import alerts as alert_list
from infra.observability.scrape import Target, pod_monitor_spec
from infra.regional import metrics_store_tags
from meridian.config import Cluster, StackConfig

STREAM = "Microsoft-PrometheusMetrics"
SEVERITY = {"critical": 1, "warning": 2}  # Azure: 0 critical ... 4 verbose


def iso_duration(duration: str) -> str:
    """Prometheus `5m` / `0m` / `1h` as ISO 8601 (`PT5M`, `PT0M`, `PT1H`)."""
    m = re.fullmatch(r"(\d+)([smh])", duration)
    if not m:
        raise ValueError(f"not a Prometheus duration: {duration!r}")
    return f"PT{m.group(1)}{m.group(2).upper()}"


class AzureMonitorCollection(pulumi.ComponentResource):
    """Public attributes: workspace (monitor.AzureMonitorWorkspace)."""

    def __init__(
        self, name: str, *, cluster: Cluster, stack: StackConfig, resource_group_name: pulumi.Input[str],
        cluster_id: pulumi.Input[str], cluster_name: pulumi.Input[str], k8s_provider: pulumi.ProviderResource,
        tags: dict[str, str], targets: list[Target],
        depends_on: list[pulumi.Resource] | None = None, opts: ResourceOptions | None = None,
    ) -> None:
        super().__init__("meridian:azure:AzureMonitorCollection", name, None, opts)
        child = ResourceOptions(parent=self)
        metric_tags = metrics_store_tags(tags)
        base = f"meridian-{stack.environment}-{cluster.name}"
        self.workspace = monitor.AzureMonitorWorkspace(
            f"{name}-workspace", azure_monitor_workspace_name=f"{base}-metrics", resource_group_name=resource_group_name,
            location=cluster.region, tags=metric_tags, opts=ResourceOptions(parent=self, protect=stack.protect_data),
        )
        endpoint = monitor.DataCollectionEndpoint(
            f"{name}-dce", data_collection_endpoint_name=f"{base}-metrics", resource_group_name=resource_group_name,
            location=cluster.region, kind="Linux", tags=metric_tags, opts=child,
        )
        rule = monitor.DataCollectionRule(
            f"{name}-dcr", data_collection_rule_name=f"{base}-metrics", resource_group_name=resource_group_name,
            location=cluster.region, kind="Linux", data_collection_endpoint_id=endpoint.id,
            data_sources=monitor.DataCollectionRuleDataSourcesArgs(prometheus_forwarder=[
                monitor.PrometheusForwarderDataSourceArgs(name="PrometheusDataSource", streams=[STREAM])]),
            destinations=monitor.DataCollectionRuleDestinationsArgs(monitoring_accounts=[
                monitor.MonitoringAccountDestinationArgs(account_resource_id=self.workspace.id, name="workspace")]),
            data_flows=[monitor.DataFlowArgs(streams=[STREAM], destinations=["workspace"])],
            tags=metric_tags, opts=child,
        )
        monitor.DataCollectionRuleAssociation(
            f"{name}-dcra", association_name=f"{base}-metrics", resource_uri=cluster_id,
            data_collection_rule_id=rule.id, opts=child,
        )
        for t in targets:
            apiextensions.CustomResource(
                f"{name}-{t.name}", api_version="azmonitoring.coreos.com/v1", kind="PodMonitor",
                metadata=meta.ObjectMetaArgs(name=t.name, namespace=t.namespace), spec=pod_monitor_spec(t),
                opts=ResourceOptions(parent=self, provider=k8s_provider, depends_on=depends_on or []),
            )
        alerts.PrometheusRuleGroup(
            f"{name}-alerts", rule_group_name=f"{base}-router", resource_group_name=resource_group_name,
            location=cluster.region, scopes=[self.workspace.id], cluster_name=cluster_name, interval="PT1M",
            rules=[alerts.PrometheusRuleArgs(
                alert=a.name, expression=a.expr, for_=iso_duration(a.for_), severity=SEVERITY[a.severity],
                labels={"severity": a.severity, "component": "meridian-router"},
                annotations={"summary": a.summary, "description": a.description}, enabled=True,
            ) for a in alert_list(stack.observability.alerts)],
            tags=metric_tags, opts=child,
        )
        self.register_outputs({"workspaceId": self.workspace.id})

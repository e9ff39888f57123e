"""GmpCollection: Google Cloud Managed Service for Prometheus for one GKE cluster's router
(`observability.collection: managed`; managed collection is on by default on GKE 1.27 and later).

  PodMonitoring  monitoring.googleapis.com/v1: the managed collectors scrape the router pods
  Rules          monitoring.googleapis.com/v1: the alerts of infra/observability/alerts.py, evaluated by
                 the managed rule evaluator (its Alertmanager is set in the cluster's OperatorConfig)

Where the series live: Cloud Monitoring (Monarch) stores a time series in the region of its monitored
resource's `location` label (cloud.google.com/monitoring/docs/region-support); the managed collectors
write `prometheus_target` series with the cluster's location, so the router's metrics stay in the
cluster's region. There is no workspace resource to classify: the collection itself carries the
classification labels and the cluster's region (the residency rules place it by them)."""

from __future__ import annotations

import pulumi
import pulumi_kubernetes.apiextensions as apiextensions
import pulumi_kubernetes.meta.v1 as meta
from pulumi import ResourceOptions

from infra.observability.alerts import rule_groups
from infra.observability.scrape import Target, pod_monitoring_spec
from meridian.config import Cluster, StackConfig
from meridian.rules.facts import K8S_CLOUD_LABEL, K8S_REGION_LABEL
from meridian.tags import gcp_labels, residency_tags


class GmpCollection(pulumi.ComponentResource):
    def __init__(
        self, name: str, *, cluster: Cluster, stack: StackConfig, k8s_provider: pulumi.ProviderResource,
        namespace: str, targets: list[Target], depends_on: list[pulumi.Resource] | None = None,
        opts: ResourceOptions | None = None,
    ) -> None:
        super().__init__("meridian:gcp:GmpCollection", name, None, opts)
        labels = {**gcp_labels(residency_tags("internal", cluster.jurisdiction, stack.environment,
                                              purpose="router-metrics")),
                  K8S_REGION_LABEL: cluster.region, K8S_CLOUD_LABEL: "gcp"}
        k8s = ResourceOptions(parent=self, provider=k8s_provider, depends_on=depends_on or [])
        for t in targets:  # a PodMonitoring selects pods of its own namespace
            apiextensions.CustomResource(
                f"{name}-{t.name}", api_version="monitoring.googleapis.com/v1", kind="PodMonitoring",
                metadata=meta.ObjectMetaArgs(name=t.name, namespace=t.namespace, labels=labels),
                spec=pod_monitoring_spec(t), opts=k8s,
            )
        apiextensions.CustomResource(
            f"{name}-alerts", api_version="monitoring.googleapis.com/v1", kind="Rules",
            metadata=meta.ObjectMetaArgs(name="meridian-router", namespace=namespace,
                                         labels={"app.kubernetes.io/part-of": "meridian-router"}),
            spec={"groups": rule_groups(stack.observability.alerts)}, opts=k8s,
        )
        self.register_outputs({})

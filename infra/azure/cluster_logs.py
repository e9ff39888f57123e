"""AksLogs: an AKS cluster's control-plane logs in a Log Analytics workspace in the cluster's region.

The workspace is a log store like any other: tagged `internal` (audit logs name users and service
accounts; router logs carry tenant ids) in the cluster's jurisdiction, retained as the platform's
operational logs, protected in prod. A diagnostic setting on the managed cluster sends the API
server, audit, controller and autoscaler logs there (resource-specific tables)."""

from __future__ import annotations

import pulumi
import pulumi_azure_native.monitor as monitor
import pulumi_azure_native.operationalinsights as operationalinsights
from pulumi import ResourceOptions

from infra.regional import data_store_options, operational_log_days, operational_log_tags
from meridian.config import Cluster, StackConfig

CONTROL_PLANE_LOGS = ("kube-apiserver", "kube-audit-admin", "kube-controller-manager", "kube-scheduler",
                      "cluster-autoscaler", "guard")


class AksLogs(pulumi.ComponentResource):
    """Public attributes: workspace (operationalinsights.Workspace)."""

    def __init__(
        self, name: str, *, cluster: Cluster, stack: StackConfig, resource_group_name: pulumi.Input[str],
        cluster_id: pulumi.Input[str], tags: dict[str, str], opts: ResourceOptions | None = None,
    ) -> None:
        super().__init__("meridian:azure:ClusterLogs", name, None, opts)
        self.workspace = operationalinsights.Workspace(
            f"{name}-logs",
            resource_group_name=resource_group_name,
            location=cluster.region,
            sku=operationalinsights.WorkspaceSkuArgs(name="PerGB2018"),
            retention_in_days=min(operational_log_days(stack), 730),
            tags=operational_log_tags(tags),
            opts=data_store_options(stack, ResourceOptions(parent=self)),
        )
        monitor.DiagnosticSetting(
            f"{name}-control-plane-logs",
            name=f"{cluster.name}-control-plane",
            resource_uri=cluster_id,
            workspace_id=self.workspace.id,
            log_analytics_destination_type="Dedicated",
            logs=[monitor.DiagnosticsLogSettingsArgs(category=c, enabled=True) for c in CONTROL_PLANE_LOGS],
            opts=ResourceOptions(parent=self),
        )
        self.register_outputs({"workspaceId": self.workspace.id})

"""AmpCollection: Amazon Managed Service for Prometheus for one EKS cluster's router
(`observability.collection: managed`).

  Workspace           in the cluster's region, classified `internal` in its jurisdiction (the router's
                      series carry tenant ids), prod: protected
  RuleGroupNamespace  the alerts of infra/observability/alerts.py (route them with the workspace's
                      alert manager definition: an SNS topic of yours)
  Scraper             the AWS managed (agentless) collector: ENIs in the cluster's private subnets with
                      the cluster security group, scraping the router pods (scrape.prometheus_config)
  RBAC + access entry what the collector may read through the Kubernetes API, as the user
                      `aps-collector-user` (AWS: "Configuring your Amazon EKS cluster" for managed
                      collectors); the cluster uses access entries (authentication mode API)."""

from __future__ import annotations

import pulumi
import pulumi_aws.amp as amp
import pulumi_aws.eks as eks
import pulumi_kubernetes.meta.v1 as meta
import pulumi_kubernetes.rbac.v1 as rbac
import yaml
from pulumi import ResourceOptions

from infra.aws.cluster import EksCluster
from infra.aws.network import AwsNetwork
from infra.observability.alerts import rule_groups
from infra.observability.scrape import Target, prometheus_config
from infra.regional import metrics_store_tags
from meridian.config import Cluster, StackConfig

COLLECTOR_USER = "aps-collector-user"


def collector_role_rules() -> list[rbac.PolicyRuleArgs]:
    """The ClusterRole AWS documents for its managed collector (service discovery and /metrics)."""
    return [
        rbac.PolicyRuleArgs(api_groups=[""], verbs=["describe", "get", "list", "watch"],
                            resources=["nodes", "nodes/proxy", "nodes/metrics", "services", "endpoints", "pods",
                                       "ingresses", "configmaps"]),
        rbac.PolicyRuleArgs(api_groups=["extensions", "networking.k8s.io"], verbs=["get", "list", "watch"],
                            resources=["ingresses/status", "ingresses"]),
        rbac.PolicyRuleArgs(api_groups=["metrics.eks.amazonaws.com"], verbs=["get"],
                            resources=["kcm/metrics", "ksh/metrics"]),
        rbac.PolicyRuleArgs(non_resource_urls=["/metrics"], verbs=["get"]),
    ]


def role_arn_without_path(arn: str | None) -> str | None:
    """`arn:aws:iam::<acct>:role/aws-service-role/scraper.aps.amazonaws.com/<name>` -> `...:role/<name>`:
    EKS access entries and aws-auth take the role without its path."""
    if not arn:
        return arn
    head, _, rest = arn.partition(":role/")
    return f"{head}:role/{rest.rsplit('/', 1)[-1]}" if rest else arn


class AmpCollection(pulumi.ComponentResource):
    """Public attributes: workspace (amp.Workspace); scraper (amp.Scraper)."""

    def __init__(
        self, name: str, *, cluster: Cluster, stack: StackConfig, eks_cluster: EksCluster, network: AwsNetwork,
        tags: dict[str, str], targets: list[Target],
        depends_on: list[pulumi.Resource] | None = None, opts: ResourceOptions | None = None,
    ) -> None:
        super().__init__("meridian:aws:AmpCollection", name, None, opts)
        child = ResourceOptions(parent=self)
        metric_tags = metrics_store_tags(tags)
        self.workspace = amp.Workspace(
            f"{name}-workspace", alias=f"meridian-{stack.environment}-{cluster.name}", tags=metric_tags,
            opts=ResourceOptions(parent=self, protect=stack.protect_data),
        )
        amp.RuleGroupNamespace(
            f"{name}-rules", name="meridian-router", workspace_id=self.workspace.id,
            data=yaml.safe_dump({"groups": rule_groups(stack.observability.alerts)}, sort_keys=False),
            opts=child,
        )
        k8s = ResourceOptions(parent=self, provider=eks_cluster.k8s_provider, depends_on=depends_on or [])
        role = rbac.ClusterRole(f"{name}-collector", metadata=meta.ObjectMetaArgs(name="aps-collector-role"),
                                rules=collector_role_rules(), opts=k8s)
        binding = rbac.ClusterRoleBinding(
            f"{name}-collector",
            metadata=meta.ObjectMetaArgs(name="aps-collector-user-role-binding"),
            role_ref=rbac.RoleRefArgs(api_group="rbac.authorization.k8s.io", kind="ClusterRole", name="aps-collector-role"),
            subjects=[rbac.SubjectArgs(kind="User", name=COLLECTOR_USER, api_group="rbac.authorization.k8s.io")],
            opts=ResourceOptions.merge(k8s, ResourceOptions(depends_on=[role])),
        )
        self.scraper = amp.Scraper(
            f"{name}-scraper",
            alias=f"meridian-{cluster.name}",
            source=amp.ScraperSourceArgs(eks=amp.ScraperSourceEksArgs(
                cluster_arn=eks_cluster.arn,
                subnet_ids=network.private_subnet_ids,
                security_group_ids=[eks_cluster.cluster_security_group_id.apply(lambda sg: sg or "")],
            )),
            destination=amp.ScraperDestinationArgs(amp=amp.ScraperDestinationAmpArgs(workspace_arn=self.workspace.arn)),
            scrape_configuration=prometheus_config(targets),
            tags=metric_tags,
            opts=ResourceOptions(parent=self, depends_on=[binding]),
        )
        eks.AccessEntry(
            f"{name}-collector",
            cluster_name=eks_cluster.cluster_name,
            principal_arn=self.scraper.role_arn.apply(role_arn_without_path),
            user_name=COLLECTOR_USER,
            type="STANDARD",
            tags=tags,
            opts=child,
        )
        self.register_outputs({"workspaceArn": self.workspace.arn, "scraperArn": self.scraper.arn})

"""ClusterAutoscaler: what makes the EKS node groups' min..max an autoscaling range (GKE and AKS
scale their pools themselves; EKS managed node groups only hold a size).

The upstream Kubernetes cluster-autoscaler (official Helm chart) on the system pool, discovering
the cluster's managed node groups by the tags EKS puts on their Auto Scaling groups
(`k8s.io/cluster-autoscaler/enabled`, `k8s.io/cluster-autoscaler/<cluster>`), with an IRSA role
that may only resize groups tagged as owned by this cluster. The image's minor version follows
the cluster's Kubernetes version, as the autoscaler requires. GPU pools scale from zero: the
autoscaler reads GPU counts of the instance type and the node group's labels and taints
(eks:DescribeNodegroup)."""

from __future__ import annotations

import json

import pulumi
from pulumi import ResourceOptions

from infra.aws import helm_addon
from infra.aws.cluster import EksCluster
from infra.aws.nodepools import EksNodePools
from infra.regional import POOL_LABEL
from meridian.config import Cluster

CHART = helm_addon.Chart(
    repo="https://kubernetes.github.io/autoscaler", name="cluster-autoscaler", version="9.59.0",
    service_account="cluster-autoscaler",
)


def image_tag(kubernetes_version: str) -> str:
    """cluster-autoscaler vX.Y.0 for Kubernetes X.Y (the autoscaler's minor must match the cluster's)."""
    parts = kubernetes_version.split(".")
    if len(parts) < 2 or not all(p.isdigit() for p in parts[:2]):
        raise ValueError(f"kubernetes version {kubernetes_version!r}: expected MAJOR.MINOR")
    return f"v{parts[0]}.{parts[1]}.0"


def iam_policy(cluster_name: str) -> str:
    """Read what it needs to decide; resize and terminate only in this cluster's groups."""
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "Discover",
                    "Effect": "Allow",
                    "Action": [
                        "autoscaling:DescribeAutoScalingGroups",
                        "autoscaling:DescribeAutoScalingInstances",
                        "autoscaling:DescribeLaunchConfigurations",
                        "autoscaling:DescribeScalingActivities",
                        "autoscaling:DescribeTags",
                        "ec2:DescribeImages",
                        "ec2:DescribeInstanceTypes",
                        "ec2:DescribeLaunchTemplateVersions",
                        "ec2:GetInstanceTypesFromInstanceRequirements",
                        "eks:DescribeNodegroup",
                    ],
                    "Resource": "*",
                },
                {
                    "Sid": "ResizeOwnGroups",
                    "Effect": "Allow",
                    "Action": ["autoscaling:SetDesiredCapacity", "autoscaling:TerminateInstanceInAutoScalingGroup"],
                    "Resource": "*",
                    "Condition": {
                        "StringEquals": {f"aws:ResourceTag/k8s.io/cluster-autoscaler/{cluster_name}": "owned"}
                    },
                },
            ],
        }
    )


def helm_values(cluster: Cluster, kubernetes_version: str, role_arn: str) -> dict:
    return {
        "cloudProvider": "aws",
        "awsRegion": cluster.region,
        "autoDiscovery": {"clusterName": cluster.name},
        "image": {"tag": image_tag(kubernetes_version)},
        "rbac": {
            "serviceAccount": {
                "create": True,
                "name": CHART.service_account,
                "annotations": {"eks.amazonaws.com/role-arn": role_arn},
            }
        },
        "extraArgs": {
            "balance-similar-node-groups": True,
            "expander": "least-waste",
            "skip-nodes-with-local-storage": False,
            "scale-down-unneeded-time": "10m",
        },
        "nodeSelector": {POOL_LABEL: "system"},
        "tolerations": [{"key": "CriticalAddonsOnly", "operator": "Exists"}],
        "priorityClassName": "system-cluster-critical",
        "resources": {"requests": {"cpu": "100m", "memory": "300Mi"}, "limits": {"memory": "600Mi"}},
        "podDisruptionBudget": {"maxUnavailable": 1},
    }


class ClusterAutoscaler(pulumi.ComponentResource):
    """Public attributes: role_arn (Output[str]); release (helm.Release)."""

    def __init__(
        self,
        name: str,
        *,
        cluster: Cluster,
        control_plane: EksCluster,
        node_pools: EksNodePools,
        tags: dict[str, str],
        opts: ResourceOptions | None = None,
    ) -> None:
        super().__init__("meridian:aws:ClusterAutoscaler", name, None, opts)
        version = control_plane.version
        self.role_arn, self.release = helm_addon.install(
            self, name, chart=CHART, cluster=cluster, control_plane=control_plane, node_pools=node_pools,
            policy=iam_policy(cluster.name), tags=tags, values=lambda arn: helm_values(cluster, version, arn),
        )
        self.register_outputs({"roleArn": self.role_arn, "imageTag": image_tag(version)})

"""EKS managed node groups: system (fixed size), workload (autoscaled) and GPU (autoscaled from zero,
tainted), all in the private subnets, sharing one node IAM role."""

from __future__ import annotations

from collections.abc import Sequence

import pulumi
import pulumi_aws.eks as eks
from pulumi import ResourceOptions

from infra.aws.cluster import EksCluster
from infra.aws.identity import service_role
from infra.regional import GPU_PRESENT_LABEL, POOL_LABEL, formerly
from meridian.config import Cluster, NodePool, StackConfig

DEFAULT_INSTANCE_TYPES = {"system": "m6i.large", "workload": "m6i.2xlarge", "gpu": "g5.xlarge"}
AMI_TYPES = {"system": "AL2023_x86_64_STANDARD", "workload": "AL2023_x86_64_STANDARD", "gpu": "AL2023_x86_64_NVIDIA"}
# EKS publishes no Amazon Linux 2 AMIs for Kubernetes 1.33+: GPU nodes run the AL2023 NVIDIA AMI
# (driver and container toolkit included; the device plugin comes from infra/gpu_plugin.py).
_EFFECTS = {"NoSchedule": "NO_SCHEDULE", "NoExecute": "NO_EXECUTE", "PreferNoSchedule": "PREFER_NO_SCHEDULE"}


def eks_taint(taint: str) -> eks.NodeGroupTaintArgs:
    """'key=value:NoSchedule' (config form, validated there) -> the EKS API form."""
    key_value, effect = taint.rsplit(":", 1)
    key, value = key_value.split("=", 1)
    return eks.NodeGroupTaintArgs(key=key, value=value or None, effect=_EFFECTS[effect])


class EksNodePools(pulumi.ComponentResource):
    """The three node pools of a cluster. Public attributes:
      node_role_arn (Output[str]); node_groups (dict[str, eks.NodeGroup], keys system/workload/gpu)."""

    def __init__(
        self, name: str, *, cluster: Cluster, stack: StackConfig, control_plane: EksCluster,
        subnet_ids: Sequence[pulumi.Input[str]], tags: dict[str, str], opts: ResourceOptions | None = None,
    ) -> None:
        super().__init__("meridian:aws:NodePools", name, None, formerly("meridian:aws:EksNodePools", opts))
        role = service_role(
            f"{name}-nodes",
            services=["ec2.amazonaws.com"],
            region=cluster.region,
            # No CNI policy here: the VPC CNI uses its own IRSA role.
            managed_policies=["AmazonEKSWorkerNodePolicy", "AmazonEC2ContainerRegistryReadOnly",
                              "AmazonSSMManagedInstanceCore"],
            tags=tags,
            parent=self,
            description=f"EKS worker nodes of {cluster.name}",
        )
        self.node_role_arn: pulumi.Output[str] = role.arn
        pools: dict[str, NodePool] = {
            "system": cluster.node_pools.system,
            "workload": cluster.node_pools.workload,
            "gpu": cluster.node_pools.gpu,
        }
        self.node_groups: dict[str, eks.NodeGroup] = {}
        for kind, pool in pools.items():
            taints = [eks_taint(t) for t in pool.taints]
            if kind == "system" and not taints:
                # Keep application pods off the system pool; critical add-ons tolerate this.
                taints = [eks.NodeGroupTaintArgs(key="CriticalAddonsOnly", value="true", effect="PREFER_NO_SCHEDULE")]
            self.node_groups[kind] = eks.NodeGroup(
                f"{name}-{kind}",
                cluster_name=control_plane.cluster_name,
                node_group_name=f"{cluster.name}-{kind}",
                node_role_arn=role.arn,
                subnet_ids=list(subnet_ids),
                version=control_plane.version,
                ami_type=AMI_TYPES[kind],
                capacity_type="ON_DEMAND",
                instance_types=[pool.instance_type or DEFAULT_INSTANCE_TYPES[kind]],
                disk_size=pool.disk_size_gb,
                scaling_config=eks.NodeGroupScalingConfigArgs(
                    min_size=pool.min_size, max_size=pool.max_size, desired_size=pool.min_size
                ),
                update_config=eks.NodeGroupUpdateConfigArgs(max_unavailable=1),
                labels={POOL_LABEL: kind, **({GPU_PRESENT_LABEL: "true"} if kind == "gpu" else {})},
                taints=taints,
                tags={**tags, "k8s.io/cluster-autoscaler/enabled": "true",
                      f"k8s.io/cluster-autoscaler/{cluster.name}": "owned"},
                opts=ResourceOptions(
                    parent=self,
                    depends_on=control_plane.network_addons,
                    # The cluster autoscaler owns the current size between min and max.
                    ignore_changes=["scalingConfig.desiredSize"],
                ),
            )
        self.register_outputs(
            {"nodeRoleArn": self.node_role_arn, "nodeGroups": {k: g.node_group_name for k, g in self.node_groups.items()}}
        )

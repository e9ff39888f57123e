"""AKS node pools: the system pool (inline in the managed cluster: AKS needs it at creation) and the
user pools workload (autoscaling) and gpu (autoscaling from zero, tainted) as AgentPool resources."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import pulumi
import pulumi_azure_native.containerservice as containerservice
from pulumi import ResourceOptions

from infra.regional import GPU_PRESENT_LABEL, POOL_LABEL, formerly
from meridian.config import Cluster, NodePool

PoolKind = Literal["system", "workload", "gpu"]
DEFAULT_VM_SIZES: dict[PoolKind, str] = {
    "system": "Standard_D4ds_v5",
    "workload": "Standard_D8ds_v5",
    "gpu": "Standard_NC4as_T4_v3",
}
# Keeps application pods off the system pool (AKS's own add-ons tolerate it).
SYSTEM_TAINT = "CriticalAddonsOnly=true:NoSchedule"


def zones(cluster: Cluster) -> list[str]:
    return [str(i) for i in range(1, cluster.network.azs + 1)]


@dataclass(frozen=True)
class Scaling:
    count: int
    autoscale: bool
    min_count: int | None = None
    max_count: int | None = None


def _scaling(pool: NodePool) -> Scaling:
    """Fixed size when min == max, otherwise the cluster autoscaler between min and max (the pool
    starts at min: 0 for the GPU pool)."""
    if pool.min_size == pool.max_size:
        return Scaling(count=pool.min_size, autoscale=False)
    return Scaling(count=pool.min_size, autoscale=True, min_count=pool.min_size, max_count=pool.max_size)


def system_pool_profile(
    cluster: Cluster, *, version: str, subnet_id: pulumi.Input[str], tags: dict[str, str]
) -> containerservice.ManagedClusterAgentPoolProfileArgs:
    pool = cluster.node_pools.system
    scaling = _scaling(pool)
    return containerservice.ManagedClusterAgentPoolProfileArgs(
        name="system",
        mode="System",
        type="VirtualMachineScaleSets",
        os_type="Linux",
        os_sku="AzureLinux",
        vm_size=pool.instance_type or DEFAULT_VM_SIZES["system"],
        os_disk_size_gb=pool.disk_size_gb,
        os_disk_type="Managed",
        count=scaling.count,
        enable_auto_scaling=scaling.autoscale,
        min_count=scaling.min_count,
        max_count=scaling.max_count,
        availability_zones=zones(cluster),
        vnet_subnet_id=subnet_id,
        orchestrator_version=version,
        node_labels={POOL_LABEL: "system"},
        node_taints=[SYSTEM_TAINT, *pool.taints],
        enable_node_public_ip=False,
        upgrade_settings=containerservice.AgentPoolUpgradeSettingsArgs(max_surge="33%"),
        tags=tags,
    )


class AksNodePools(pulumi.ComponentResource):
    """The user pools of an AKS cluster. Public attributes: agent_pools (dict[str, AgentPool]:
    "workload", "gpu"), pool_names (dict[str, str]: every pool, system included)."""

    def __init__(
        self,
        name: str,
        *,
        cluster: Cluster,
        version: str,
        resource_group_name: pulumi.Input[str],
        cluster_resource_name: pulumi.Input[str],
        subnet_id: pulumi.Input[str],
        tags: dict[str, str],
        opts: ResourceOptions | None = None,
    ) -> None:
        super().__init__("meridian:azure:NodePools", name, None, formerly("meridian:azure:AksNodePools", opts))
        child = ResourceOptions(parent=self)
        self.agent_pools: dict[str, containerservice.AgentPool] = {}
        kinds: tuple[PoolKind, ...] = ("workload", "gpu")
        for kind in kinds:
            pool: NodePool = getattr(cluster.node_pools, kind)
            scaling = _scaling(pool)
            gpu = kind == "gpu"
            self.agent_pools[kind] = containerservice.AgentPool(
                f"{name}-{kind}",
                agent_pool_name=kind,
                resource_group_name=resource_group_name,
                resource_name_=cluster_resource_name,
                mode="User",
                type="VirtualMachineScaleSets",
                os_type="Linux",
                os_sku="Ubuntu" if gpu else "AzureLinux",  # Ubuntu: AKS's managed NVIDIA driver image
                vm_size=pool.instance_type or DEFAULT_VM_SIZES[kind],
                os_disk_size_gb=pool.disk_size_gb,
                os_disk_type="Managed",
                count=scaling.count,
                enable_auto_scaling=scaling.autoscale,
                min_count=scaling.min_count,
                max_count=scaling.max_count,
                # GPU SKUs are not offered in every zone of a region: the GPU pool stays regional.
                availability_zones=None if gpu else zones(cluster),
                vnet_subnet_id=subnet_id,
                orchestrator_version=version,
                node_labels={POOL_LABEL: kind, **({GPU_PRESENT_LABEL: "true"} if gpu else {})},
                node_taints=list(pool.taints) or None,
                enable_node_public_ip=False,
                scale_down_mode="Delete",
                upgrade_settings=containerservice.AgentPoolUpgradeSettingsArgs(
                    max_surge="1" if gpu else "33%"
                ),
                tags=tags,
                opts=child,
            )
        self.pool_names = {"system": "system", "workload": "workload", "gpu": "gpu"}
        self.register_outputs({"pools": self.pool_names})

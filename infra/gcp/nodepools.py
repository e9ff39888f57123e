"""The three node pools of a GKE cluster: system (fixed size), workload (autoscaled) and GPU
(autoscaled from zero, NVIDIA L4, tainted). Sizes in config are cluster totals: autoscaled pools use
GKE's total_min/total_max limits; a fixed pool is spread evenly over as many of the cluster's zones
as divide its size (3 nodes over 3 zones: one per zone; 1 node: one zone)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import pulumi
import pulumi_gcp.container as container
from pulumi import ResourceOptions

from infra.gcp.identity import NodeServiceAccount
from infra.regional import POOL_LABEL
from meridian.catalog.machines import gcp_zones_offering
from meridian.config import Cluster, NodePool
from meridian.config.checks_gcp import DEFAULT_GPU_MACHINE

DEFAULT_MACHINE = {"system": "e2-standard-4", "workload": "n2-standard-8", "gpu": DEFAULT_GPU_MACHINE}
GPU_ACCELERATOR = "nvidia-l4"  # g2 machines carry L4s: one per g2-standard-4/8/12/16/32
_EFFECT = {"NoSchedule": "NO_SCHEDULE", "PreferNoSchedule": "PREFER_NO_SCHEDULE", "NoExecute": "NO_EXECUTE"}


def gke_taint(taint: str) -> container.NodePoolNodeConfigTaintArgs:
    """'key=value:NoSchedule' -> a GKE taint (effect NO_SCHEDULE)."""
    kv, effect = taint.rsplit(":", 1)
    key, value = kv.split("=", 1)
    return container.NodePoolNodeConfigTaintArgs(key=key, value=value, effect=_EFFECT[effect])


@dataclass(frozen=True)
class FixedLayout:
    zones: list[str]
    per_zone: int


def fixed_layout(size: int, zones: list[str]) -> FixedLayout:
    """The most zones (at most all of them) over which `size` nodes spread evenly."""
    if size == 0 or not zones:
        return FixedLayout(zones[:1], 0)
    k = max(d for d in range(1, len(zones) + 1) if size % d == 0)
    return FixedLayout(zones[:k], size // k)


class GkeNodePools(pulumi.ComponentResource):
    """Public attributes: pools (dict[str, container.NodePool], keys system/workload/gpu);
    pool_names (dict[str, Output[str]])."""

    def __init__(
        self,
        name: str,
        *,
        cluster: Cluster,
        cluster_id: pulumi.Input[str],
        zones: pulumi.Output[list[str]],
        service_account: NodeServiceAccount,
        labels: Mapping[str, str],
        opts: ResourceOptions | None = None,
    ) -> None:
        super().__init__("meridian:gcp:NodePools", name, None, opts)
        pools = cluster.node_pools
        self.pools: dict[str, container.NodePool] = {
            kind: self._pool(name, kind, spec, cluster, cluster_id, zones, service_account, labels)
            for kind, spec in (("system", pools.system), ("workload", pools.workload), ("gpu", pools.gpu))
        }
        self.pool_names: dict[str, pulumi.Output[str]] = {k: p.name for k, p in self.pools.items()}
        self.register_outputs({"pools": self.pool_names})

    def _pool(
        self,
        name: str,
        kind: str,
        spec: NodePool,
        cluster: Cluster,
        cluster_id: pulumi.Input[str],
        zones: pulumi.Output[list[str]],
        sa: NodeServiceAccount,
        labels: Mapping[str, str],
    ) -> container.NodePool:
        machine = spec.instance_type or DEFAULT_MACHINE[kind]
        accelerators = (
            [
                container.NodePoolNodeConfigGuestAcceleratorArgs(
                    type=GPU_ACCELERATOR,
                    count=1,
                    gpu_driver_installation_config=container.NodePoolNodeConfigGuestAcceleratorGpuDriverInstallationConfigArgs(
                        gpu_driver_version="LATEST"
                    ),
                )
            ]
            if kind == "gpu"
            else None
        )
        node_config = container.NodePoolNodeConfigArgs(
            machine_type=machine,
            disk_size_gb=spec.disk_size_gb,
            disk_type="pd-balanced",
            image_type="COS_CONTAINERD",
            service_account=sa.email,
            oauth_scopes=["https://www.googleapis.com/auth/cloud-platform"],  # access is decided by IAM
            workload_metadata_config=container.NodePoolNodeConfigWorkloadMetadataConfigArgs(mode="GKE_METADATA"),
            shielded_instance_config=container.NodePoolNodeConfigShieldedInstanceConfigArgs(
                enable_secure_boot=True, enable_integrity_monitoring=True
            ),
            metadata={"disable-legacy-endpoints": "true"},
            labels={POOL_LABEL: kind},
            resource_labels=dict(labels),
            taints=[gke_taint(t) for t in spec.taints],
            guest_accelerators=accelerators,
        )
        if kind == "gpu":  # only the zones that offer the machine family (catalog data; config-checked)
            offered = gcp_zones_offering(cluster.region, machine) or ()
            zones = zones.apply(lambda zs: [z for z in zs if z in offered] or list(offered))
        fixed = spec.min_size == spec.max_size
        if fixed:
            layout = zones.apply(lambda zs: fixed_layout(spec.max_size, zs))
            node_locations: pulumi.Input[list[str]] = layout.apply(lambda lay: lay.zones)
            node_count: pulumi.Input[int] | None = layout.apply(lambda lay: lay.per_zone)
            initial: pulumi.Input[int] | None = None
            autoscaling = None
        else:
            node_locations = zones
            node_count = None
            # initial_node_count is per zone; the autoscaler then holds the total within the limits.
            initial = zones.apply(lambda zs: math.ceil(spec.min_size / max(len(zs), 1)))
            autoscaling = container.NodePoolAutoscalingArgs(
                total_min_node_count=spec.min_size,
                total_max_node_count=spec.max_size,
                # GPUs: take capacity in whichever zone has it; others: keep zones balanced.
                location_policy="ANY" if kind == "gpu" else "BALANCED",
            )
        return container.NodePool(
            f"{name}-{kind}",
            name=kind,
            cluster=cluster_id,
            location=cluster.region,
            node_locations=node_locations,
            node_count=node_count,
            initial_node_count=initial,
            autoscaling=autoscaling,
            management=container.NodePoolManagementArgs(auto_repair=True, auto_upgrade=True),
            upgrade_settings=container.NodePoolUpgradeSettingsArgs(max_surge=1, max_unavailable=0),
            node_config=node_config,
            opts=ResourceOptions(
                parent=self,
                depends_on=[*sa.roles],
                # Changing initial_node_count replaces a pool; after creation the autoscaler owns the size.
                ignore_changes=["initialNodeCount"] if not fixed else None,
            ),
        )

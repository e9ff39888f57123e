"""GCP-specific config checks: what GKE would refuse (or silently cap) at deploy time, refused here
instead, before any resource exists, with the key path and the bad value."""

from __future__ import annotations

from typing import TYPE_CHECKING

from meridian.catalog.machines import gcp_family, gcp_zones_offering
from meridian.config.problems import FULL_KEY

if TYPE_CHECKING:
    from meridian.config.stack import StackConfig

# GKE gives every node a /24 of the pod range by default (110 pods per node).
POD_BLOCK_PER_NODE = 256
GPU_MACHINE_PREFIX = "g2-"  # the GPU pool attaches NVIDIA L4s, which only g2 machines carry
DEFAULT_GPU_MACHINE = "g2-standard-8"  # infra/gcp/nodepools.py DEFAULT_MACHINE["gpu"]


def check_gcp(cfg: StackConfig) -> list[str]:
    problems: list[str] = []
    for i, c in enumerate(cfg.clusters):
        if c.cloud != "gcp":
            continue
        base = f"{FULL_KEY}.clusters[{i}]"
        net = c.network
        if not 8 <= net.cidr.prefixlen <= 24:
            problems.append(
                f"{base}.network.cidr: {net.cidr} ({c.name}): a GKE network range must be /8 to /24 (Meridian uses "
                "its first half for nodes and its last /28 for the private control plane)"
            )
        pools = c.node_pools
        max_nodes = pools.system.max_size + pools.workload.max_size + pools.gpu.max_size
        if net.pod_cidr.num_addresses < max_nodes * POD_BLOCK_PER_NODE:
            problems.append(
                f"{base}.network.podCidr: {net.pod_cidr} ({c.name}) holds {net.pod_cidr.num_addresses // POD_BLOCK_PER_NODE} "
                f"node pod blocks (/24 each) but the node pools may grow to {max_nodes} nodes"
            )
        gpu_type = pools.gpu.instance_type
        if gpu_type and not gpu_type.startswith(GPU_MACHINE_PREFIX):
            problems.append(
                f"{base}.nodePools.gpu.instanceType: {gpu_type!r} ({c.name}): the GKE GPU pool attaches NVIDIA L4 "
                f"GPUs, which need a g2 machine type (e.g. g2-standard-8)"
            )
        elif pools.gpu.max_size > 0 and not gcp_zones_offering(c.region, gpu_type or DEFAULT_GPU_MACHINE):
            problems.append(
                f"{base}.nodePools.gpu ({c.name}): region {c.region} offers no {gcp_family(gpu_type or DEFAULT_GPU_MACHINE)} "
                "(NVIDIA L4) machines in any zone (meridian/catalog/machines.py): set nodePools.gpu.maxSize 0 or "
                "choose a region that offers them"
            )
    return problems

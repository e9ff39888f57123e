"""Azure-specific config checks: what Azure would refuse at deploy time (or silently do differently),
refused here instead, before any resource exists, with the key path and the bad value."""

from __future__ import annotations

from typing import TYPE_CHECKING

from meridian import catalog
from meridian.config.problems import FULL_KEY, is_private

if TYPE_CHECKING:
    from meridian.config.stack import StackConfig

# Meridian gives AKS nodes the first half of the VNet and the GatewaySubnet its last /27.
MAX_VNET_PREFIX = 24
# AKS agent pool / cluster names and the node resource group are derived from the cluster name.
MAX_AKS_NAME = 63


def check_azure(cfg: StackConfig) -> list[str]:
    problems: list[str] = []
    for i, c in enumerate(cfg.clusters):
        if c.cloud != "azure":
            continue
        base = f"{FULL_KEY}.clusters[{i}].network"
        if c.network.cidr.prefixlen > MAX_VNET_PREFIX:
            problems.append(
                f"{base}.cidr: {c.network.cidr} ({c.name}): an Azure VNet needs /{MAX_VNET_PREFIX} or larger "
                "(half for AKS nodes, a /27 GatewaySubnet for the interconnect)"
            )
        svc = c.network.service_cidr
        if not is_private(svc) or svc.prefixlen > 28:
            problems.append(
                f"{base}.serviceCidr: {svc} ({c.name}): AKS needs a private service range (10/8, 172.16/12 or "
                "192.168/16) of /28 or larger; its 10th address becomes the cluster DNS service"
            )
        if c.network.azs > 3:
            problems.append(
                f"{base}.azs: {c.network.azs} ({c.name}): Azure regions have at most 3 availability zones"
            )
    for i, lake in enumerate(cfg.data_lakes):
        if lake.cloud != "azure" or not lake.replication:
            continue
        base = f"{FULL_KEY}.dataLakes[{i}].replication"
        try:
            pair = catalog.region("azure", lake.region).geo_pair
        except catalog.UnknownRegionError:
            continue  # reported by the region check
        targets = [r.region for r in lake.replication]
        if pair is None:
            problems.append(
                f"{base}: lake {lake.name!r} is in {lake.region}, which has no Azure geo pair: Azure storage "
                f"cannot replicate it (got {targets}); remove replication"
            )
        elif targets != [pair]:
            problems.append(
                f"{base}: lake {lake.name!r} in {lake.region} can only geo-replicate to its pair region "
                f"{pair!r} (Azure GRS), got {targets}; allowed: [{{region: {pair}}}]"
            )
    return problems

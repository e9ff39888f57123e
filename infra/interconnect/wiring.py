"""From the regional components to the mesh's typed network handles.

Fails with a clear message when a regional component does not (yet) expose what the mesh needs:
  aws    region.network.vpc_id, region.network.private_route_table_ids
  gcp    region.network.network_id (VPC network id / self link)
  azure  region.network.resource_group_name, region.network.gateway_subnet_id, region.network.vnet_name,
         region.network.vnet_id"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from infra.interconnect.gateways import AwsNetwork, AzureNetwork, ClusterNetwork, GcpNetwork

_NEEDS = {
    "aws": ("vpc_id", "private_route_table_ids"),
    "gcp": ("network_id",),
    "azure": ("resource_group_name", "gateway_subnet_id", "vnet_name", "vnet_id"),
}


def network_of(region: Any) -> ClusterNetwork:
    cloud = region.config.cloud
    net = getattr(region, "network", None)
    missing = [a for a in _NEEDS[cloud] if not hasattr(net, a)]
    if missing:
        raise TypeError(
            f"interconnect: the {cloud} regional stack of {region.config.name!r} does not expose "
            f"region.network.{', region.network.'.join(missing)}"
        )
    assert net is not None
    if cloud == "aws":
        return AwsNetwork(vpc_id=net.vpc_id, route_table_ids=list(net.private_route_table_ids))
    if cloud == "gcp":
        return GcpNetwork(network=net.network_id)
    return AzureNetwork(
        resource_group_name=net.resource_group_name,
        gateway_subnet_id=net.gateway_subnet_id,
        vnet_name=net.vnet_name,
        vnet_id=net.vnet_id,
    )


def networks_of(regions: Mapping[str, Any]) -> dict[str, ClusterNetwork]:
    return {name: network_of(r) for name, r in regions.items()}

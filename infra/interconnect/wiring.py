"""From the regional components to the mesh's typed network handles: each cluster's region says what
the interconnect attaches to (RegionalCluster.network_handle, implemented per cloud)."""

from __future__ import annotations

from collections.abc import Mapping

from infra.interconnect.gateways import NetworkHandle
from infra.regional import RegionalCluster


def networks_of(regions: Mapping[str, RegionalCluster]) -> dict[str, NetworkHandle]:
    return {name: r.network_handle() for name, r in regions.items()}

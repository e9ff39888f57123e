"""What each cloud's end of the mesh offers (implemented in infra/<cloud>/interconnect.py): a
network handle (RegionalCluster.network_handle) that makes the cluster's gateway and peers with a
network of its own cloud, and a gateway every link of that cluster attaches to."""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from typing import TYPE_CHECKING, Protocol

import pulumi
from pulumi import ResourceOptions

from meridian.config import Cluster

if TYPE_CHECKING:
    from infra.interconnect.plan import LinkPlan


class Gateway(Protocol):
    """A cluster's end of the mesh (AwsGateway, GcpGateway, AzureGateway)."""

    cluster: Cluster
    asn: int

    def dedicated_attachment(
        self, name: str, *, plan: LinkPlan, partner_asn: int, slash30: Sequence[ipaddress.IPv4Network],
        opts: ResourceOptions,
    ) -> pulumi.Input[object]:
        """This end of a partner circuit (`plan`, a dedicated link), its resources made with `opts`;
        what the partner order needs from this cloud (VIF ids, pairing keys, a service key)."""
        ...


class NetworkHandle(Protocol):
    """What the interconnect attaches to on one cluster (AwsNetworkHandle, GcpNetworkHandle,
    AzureNetworkHandle)."""

    def gateway(
        self, name: str, *, cluster: Cluster, asn: int, vpn: Sequence[LinkPlan], opts: ResourceOptions
    ) -> Gateway:
        """The cluster's gateway; `vpn`: the stack's VPN links (which of them end here decides
        whether a VPN gateway is needed and the BGP addresses it answers on)."""
        ...

    def peer_with(
        self, other: NetworkHandle, name: str, *, plan: LinkPlan, one: ResourceOptions, two: ResourceOptions
    ) -> pulumi.Output[str]:
        """The cloud's own peering between this network (`plan.first`, made with `one`) and `other`
        (`plan.second`, with `two`), which must be of the same cloud; the first side's peering id."""
        ...

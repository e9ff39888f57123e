"""The GCP end of the interconnect (infra/interconnect): what a VPC network offers the mesh, its
gateway, and the GCP resources of each kind of link.

  network   GcpNetworkHandle: the VPC network
  gateway   GcpGateway: an HA VPN gateway (two interfaces) and a Cloud Router advertising the
            cluster's network and pod ranges (when the cluster has a VPN link); a Cloud Router with
            ASN 16550 for Partner Interconnect with its first dedicated link
  vpn       an external VPN gateway naming the peer's addresses, a tunnel per plan tunnel with its
            router interface and BGP peer
  dedicated two PARTNER attachments, one per edge availability domain
  peering   VPC Network Peering both ways, exchanging custom routes (so routes learned over the other
            network's VPN/interconnect and subnet secondary ranges - GKE pods - come across)"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_gcp.compute as compute
from pulumi import ResourceOptions

from infra.interconnect.gateways import NetworkHandle
from infra.interconnect.plan import LinkPlan, Tunnel
from meridian.config import Cluster

GCP_PARTNER_ASN = 16550  # Partner Interconnect requires it on the Cloud Router


class GcpGateway(pulumi.ComponentResource):
    """Public attributes: cluster (Cluster); asn (int); network (Input[str]); with a VPN link also
    ha_vpn (compute.HaVpnGateway), router (compute.Router), interface_ips (Output[list[str]])."""

    def __init__(
        self,
        name: str,
        *,
        cluster: Cluster,
        network: GcpNetworkHandle,
        asn: int,
        vpn: bool = True,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        """`vpn`: False for a cluster with dedicated links only (no HA VPN gateway, no VPN router)."""
        super().__init__("meridian:interconnect:GcpGateway", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        self.cluster = cluster
        self.asn = asn
        self.network = network.network
        if vpn:
            self.ha_vpn = compute.HaVpnGateway(
                name, name=f"{cluster.name}-ha-vpn", region=cluster.region, network=network.network, opts=child
            )
            self.router = compute.Router(
                f"{name}-router",
                name=f"{cluster.name}-vpn-router",
                region=cluster.region,
                network=network.network,
                bgp=compute.RouterBgpArgs(
                    asn=asn,
                    advertise_mode="CUSTOM",
                    advertised_groups=["ALL_SUBNETS"],
                    advertised_ip_ranges=[
                        compute.RouterBgpAdvertisedIpRangeArgs(range=str(r), description=f"{cluster.name} {what}")
                        for what, r in (("network", cluster.network.cidr), ("pods", cluster.network.pod_cidr))
                    ],
                    keepalive_interval=20,
                ),
                opts=child,
            )
            self.interface_ips = self.ha_vpn.vpn_interfaces.apply(
                lambda ifs: [i.ip_address or "" for i in sorted(ifs or [], key=lambda i: i.id or 0)]
            )
        self._name = name
        self._child = child
        self._partner_router: compute.Router | None = None
        self.register_outputs({})

    def partner_router(self) -> pulumi.Output[str]:
        """The Cloud Router for Partner Interconnect attachments (ASN 16550, as Google requires)."""
        if self._partner_router is None:
            self._partner_router = compute.Router(
                f"{self._name}-partner-router",
                name=f"{self.cluster.name}-partner-router",
                region=self.cluster.region,
                network=self.network,
                bgp=compute.RouterBgpArgs(
                    asn=GCP_PARTNER_ASN,
                    advertise_mode="CUSTOM",
                    advertised_groups=["ALL_SUBNETS"],
                    advertised_ip_ranges=[compute.RouterBgpAdvertisedIpRangeArgs(range=str(self.cluster.network.pod_cidr))],
                ),
                opts=self._child,
            )
        return self._partner_router.id

    def vpn_addresses(self) -> list[pulumi.Output[str]]:
        """The HA VPN gateway's two interface addresses (the peer's tunnels end there)."""
        return [self.interface_ips.apply(lambda x, i=i: x[i]) for i in range(2)]

    def external_gateway(
        self, name: str, *, gateway_name: str, addresses: Sequence[pulumi.Input[str]], opts: ResourceOptions
    ) -> compute.ExternalVpnGateway:
        """The peer's gateway as GCP sees it: its 2 or 4 outside addresses."""
        return compute.ExternalVpnGateway(
            name,
            name=gateway_name,
            redundancy_type="FOUR_IPS_REDUNDANCY" if len(addresses) == 4 else "TWO_IPS_REDUNDANCY",
            interfaces=[compute.ExternalVpnGatewayInterfaceArgs(id=i, ip_address=ip) for i, ip in enumerate(addresses)],
            opts=opts,
        )

    def vpn_tunnel(
        self, name: str, *, plan: LinkPlan, psks: Sequence[pulumi.Output[str]], peer: compute.ExternalVpnGateway,
        t: Tunnel, gcp_interface: int, peer_interface: int, local_ip: str, peer_ip: str, peer_asn: int,
        opts: ResourceOptions,
    ) -> None:
        """One tunnel of `plan` from interface `gcp_interface` to the peer's `peer_interface`, with
        its router interface (`local_ip`/30) and BGP session to `peer_ip`."""
        region = self.cluster.region
        tunnel = compute.VPNTunnel(
            f"{name}-tun{t.index}",
            name=f"{plan.name}-{t.index}",
            region=region,
            vpn_gateway=self.ha_vpn.id,
            vpn_gateway_interface=gcp_interface,
            peer_external_gateway=peer.id,
            peer_external_gateway_interface=peer_interface,
            shared_secret=psks[t.index],
            router=self.router.id,
            ike_version=2,
            opts=opts,
        )
        iface = compute.RouterInterface(
            f"{name}-if{t.index}",
            name=f"{plan.name}-if{t.index}",
            region=region,
            router=self.router.name,
            ip_range=f"{local_ip}/30",
            vpn_tunnel=tunnel.name,
            opts=opts,
        )
        compute.RouterPeer(
            f"{name}-bgp{t.index}",
            name=f"{plan.name}-bgp{t.index}",
            region=region,
            router=self.router.name,
            interface=iface.name,
            peer_ip_address=peer_ip,
            peer_asn=peer_asn,
            advertised_route_priority=100,
            opts=opts,
        )

    def dedicated_attachment(
        self, name: str, *, plan: LinkPlan, partner_asn: int, slash30: Sequence[ipaddress.IPv4Network],
        opts: ResourceOptions,
    ) -> pulumi.Input[object]:
        """Two PARTNER attachments on the partner router; their pairing keys (for the partner order)."""
        router_id = self.partner_router()
        keys = []
        for k, domain in enumerate(("AVAILABILITY_DOMAIN_1", "AVAILABILITY_DOMAIN_2")):
            att = compute.InterconnectAttachment(
                f"{name}-att{k}",
                name=f"{plan.name}-{k}",
                region=self.cluster.region,
                router=router_id,
                type="PARTNER",
                edge_availability_domain=domain,
                admin_enabled=True,
                mtu="1500",
                description=f"{plan.link.partner} circuit {plan.name}",
                opts=opts,
            )
            keys.append(att.pairing_key)
        return {"pairingKeys": keys}


@dataclass(frozen=True)
class GcpNetworkHandle:
    network: pulumi.Input[str]  # VPC network self link or id

    def gateway(
        self, name: str, *, cluster: Cluster, asn: int, vpn: Sequence[LinkPlan], opts: ResourceOptions
    ) -> GcpGateway:
        ends = {c.name for p in vpn for c in (p.first, p.second)}
        return GcpGateway(name, cluster=cluster, network=self, asn=asn, vpn=cluster.name in ends, opts=opts)

    def peer_with(
        self, other: NetworkHandle, name: str, *, plan: LinkPlan, one: ResourceOptions, two: ResourceOptions
    ) -> pulumi.Output[str]:
        if not isinstance(other, GcpNetworkHandle):
            raise TypeError(f"link {plan.name}: VPC Network Peering needs two GCP networks")
        made: list[compute.NetworkPeering] = []
        for net, peer, here, there, opts in ((self, other, plan.first, plan.second, one),
                                             (other, self, plan.second, plan.first, two)):
            made.append(
                compute.NetworkPeering(
                    f"{name}-{'ab'[len(made)]}",
                    name=f"{here.name}-to-{there.name}"[:63],
                    network=net.network,
                    peer_network=peer.network,
                    export_custom_routes=True,
                    import_custom_routes=True,
                    # GCP refuses concurrent peering changes on one network: the second waits for the first.
                    opts=ResourceOptions.merge(opts, ResourceOptions(depends_on=made[:1])),
                )
            )
        return made[0].id

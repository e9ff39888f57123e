"""The AWS end of the interconnect (infra/interconnect): what a VPC offers the mesh, its gateway, and
the AWS resources of each kind of link.

  network   AwsNetworkHandle: the VPC and its private route tables (peers' ranges land there)
  gateway   AwsGateway: a virtual private gateway (BGP ASN from config) attached to the VPC, with
            route propagation into the private route tables; a Direct Connect gateway with its first
            dedicated link
  vpn       two VPN connections (one per peer address) x two tunnels, towards customer gateways at
            the peer's addresses; AWS assigns the outside addresses the peer then points at
  dedicated confirmed hosted connections and private VIFs to the Direct Connect gateway
  peering   inter-region VPC peering: the requester in the first VPC's region, the accepter in the
            second's, a route to the other VPC's range in every private route table of each side"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws.directconnect as dx
import pulumi_aws.ec2 as ec2
from pulumi import ResourceOptions

from infra.interconnect.gateways import NetworkHandle
from infra.interconnect.plan import LinkPlan
from meridian.config import Cluster


class AwsGateway(pulumi.ComponentResource):
    """Public attributes: cluster (Cluster); asn (int); vpn_gateway (ec2.VpnGateway);
    route_propagations (list[ec2.VpnGatewayRoutePropagation])."""

    def __init__(
        self, name: str, *, cluster: Cluster, network: AwsNetworkHandle, asn: int,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("meridian:interconnect:AwsGateway", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        self.cluster = cluster
        self.asn = asn
        self._name = name
        self.vpn_gateway = ec2.VpnGateway(
            name,
            vpc_id=network.vpc_id,
            amazon_side_asn=str(asn),
            tags={"Name": f"{cluster.name}-vgw", "cluster": cluster.name},
            opts=child,
        )
        self.route_propagations = [
            ec2.VpnGatewayRoutePropagation(f"{name}-rt{i}", vpn_gateway_id=self.vpn_gateway.id, route_table_id=rt, opts=child)
            for i, rt in enumerate(network.route_table_ids)
        ]
        self._child = child
        self._dx_gateway: dx.Gateway | None = None
        self.register_outputs({"vpnGatewayId": self.vpn_gateway.id})

    def dx_gateway(self) -> pulumi.Output[str]:
        """The Direct Connect gateway of this VPC (created with its first dedicated link)."""
        if self._dx_gateway is None:
            gw = dx.Gateway(
                f"{self._name}-dxgw", name=f"{self.cluster.name}-dxgw", amazon_side_asn=str(self.asn), opts=self._child
            )
            dx.GatewayAssociation(
                f"{self._name}-dxgw-assoc",
                dx_gateway_id=gw.id,
                associated_gateway_id=self.vpn_gateway.id,
                allowed_prefixes=[str(self.cluster.network.cidr)],
                opts=self._child,
            )
            self._dx_gateway = gw
        return self._dx_gateway.id

    def vpn_connections(
        self, name: str, *, plan: LinkPlan, psks: Sequence[pulumi.Output[str]], peer_ips: Sequence[pulumi.Input[str]],
        peer_asn: int, opts: ResourceOptions,
    ) -> list[tuple[pulumi.Output[str], pulumi.Output[str]]]:
        """A customer gateway at each of the two peer addresses and a VPN connection to each (two
        tunnels: plan.tunnels 2c and 2c+1); the outside addresses (tunnel 1, tunnel 2) AWS assigns to
        each connection."""
        out = []
        for c in range(2):
            cgw = ec2.CustomerGateway(
                f"{name}-cgw{c}",
                bgp_asn=str(peer_asn),
                ip_address=peer_ips[c],
                type="ipsec.1",
                tags={"Name": f"{plan.name}-cgw{c}"},
                opts=opts,
            )
            t1, t2 = plan.tunnels[2 * c], plan.tunnels[2 * c + 1]
            conn = ec2.VpnConnection(
                f"{name}-vpn{c}",
                vpn_gateway_id=self.vpn_gateway.id,
                customer_gateway_id=cgw.id,
                type="ipsec.1",
                static_routes_only=False,
                tunnel1_inside_cidr=str(t1.inside),
                tunnel2_inside_cidr=str(t2.inside),
                tunnel1_preshared_key=psks[t1.index],
                tunnel2_preshared_key=psks[t2.index],
                tunnel1_ike_versions=["ikev2"],
                tunnel2_ike_versions=["ikev2"],
                tags={"Name": f"{plan.name}-vpn{c}"},
                opts=opts,
            )
            out.append((conn.tunnel1_address, conn.tunnel2_address))
        return out

    def dedicated_attachment(
        self, name: str, *, plan: LinkPlan, partner_asn: int, slash30: Sequence[ipaddress.IPv4Network],
        opts: ResourceOptions,
    ) -> pulumi.Input[object]:
        """The partner's hosted connections confirmed, a private VIF on each to the Direct Connect
        gateway (/30s 0 and 1 of the link's block); what the partner order needs."""
        dxgw_id = self.dx_gateway()
        vifs = []
        for k, conn_id in enumerate(plan.link.aws_connection_ids[:2]):
            confirmed = dx.ConnectionConfirmation(f"{name}-dxcon{k}", connection_id=conn_id, opts=opts)
            net = slash30[k]
            vifs.append(
                dx.PrivateVirtualInterface(
                    f"{name}-vif{k}",
                    name=f"{plan.name}-{k}",
                    connection_id=confirmed.connection_id,
                    dx_gateway_id=dxgw_id,
                    vlan=100 + 2 * plan.index + k,
                    address_family="ipv4",
                    bgp_asn=partner_asn,
                    amazon_address=f"{net[1]}/30",
                    customer_address=f"{net[2]}/30",
                    mtu=1500,
                    opts=opts,
                ).id
            )
        return {"virtualInterfaces": vifs}


@dataclass(frozen=True)
class AwsNetworkHandle:
    vpc_id: pulumi.Input[str]
    route_table_ids: Sequence[pulumi.Input[str]]  # private route tables: peers' ranges land here

    def gateway(
        self, name: str, *, cluster: Cluster, asn: int, vpn: Sequence[LinkPlan], opts: ResourceOptions
    ) -> AwsGateway:
        return AwsGateway(name, cluster=cluster, network=self, asn=asn, opts=opts)

    def peer_with(
        self, other: NetworkHandle, name: str, *, plan: LinkPlan, one: ResourceOptions, two: ResourceOptions
    ) -> pulumi.Output[str]:
        if not isinstance(other, AwsNetworkHandle):
            raise TypeError(f"link {plan.name}: VPC peering needs two AWS networks")
        tags = {"Name": plan.name, "meridian-link": plan.name}
        request = ec2.VpcPeeringConnection(
            f"{name}-request",
            vpc_id=self.vpc_id,
            peer_vpc_id=other.vpc_id,
            peer_region=plan.second.region,  # same account; cross-region needs an explicit accept
            auto_accept=False,
            tags=tags,
            opts=one,
        )
        accept = ec2.VpcPeeringConnectionAccepter(
            f"{name}-accept",
            vpc_peering_connection_id=request.id,
            auto_accept=True,
            tags=tags,
            opts=two,
        )
        for side, net, peer, opts in ((0, self, plan.second, one), (1, other, plan.first, two)):
            for i, table in enumerate(net.route_table_ids):
                ec2.Route(
                    f"{name}-rt{side}-{i}",
                    route_table_id=table,
                    destination_cidr_block=str(peer.network.cidr),
                    vpc_peering_connection_id=accept.vpc_peering_connection_id,
                    opts=ResourceOptions.merge(opts, ResourceOptions(depends_on=[accept])),
                )
        return request.id

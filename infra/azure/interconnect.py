"""The Azure end of the interconnect (infra/interconnect): what a VNet offers the mesh, its gateway,
and the Azure resources of each kind of link.

  network   AzureNetworkHandle: the VNet, its GatewaySubnet and resource group
  gateway   AzureGateway: an active-active, BGP-enabled virtual network gateway (two zone-redundant
            public IPs) answering BGP on the APIPA addresses of every tunnel that ends on it (when the
            cluster has a VPN link); an ExpressRoute gateway with its first dedicated link
  vpn       a local network gateway per peer address and an IPsec connection to it, with the
            tunnel's custom BGP addresses
  dedicated an ExpressRoute provider circuit with private peering, connected to the ExpressRoute gateway
  peering   global VNet peering both ways, forwarded traffic allowed, no gateway transit"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_azure_native.network as azn
from pulumi import ResourceOptions

from infra.interconnect.gateways import NetworkHandle
from infra.interconnect.plan import LinkPlan, Tunnel, azure_custom_bgp_addresses
from meridian.config import Cluster


class AzureGateway(pulumi.ComponentResource):
    """Public attributes: cluster (Cluster); asn (int); resource_group_name, gateway_subnet_id
    (Input[str]); with a VPN link also public_ips, ip_configuration_ids, gateway, instance_ips."""

    def __init__(
        self,
        name: str,
        *,
        cluster: Cluster,
        network: AzureNetworkHandle,
        asn: int,
        custom_bgp_addresses: tuple[list[str], list[str]],
        sku: str = "VpnGw2AZ",
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("meridian:interconnect:AzureGateway", name, None, opts)
        vpn = any(custom_bgp_addresses)  # False: dedicated links only, no VPN gateway
        child = pulumi.ResourceOptions(parent=self)
        self.cluster = cluster
        self.asn = asn
        self.resource_group_name = network.resource_group_name
        gateway_name = f"{cluster.name}-vpn-gw"
        if vpn:
            self.public_ips = [
                azn.PublicIPAddress(
                    f"{name}-pip{i}",
                    public_ip_address_name=f"{gateway_name}-pip{i}",
                    resource_group_name=network.resource_group_name,
                    location=cluster.region,
                    sku=azn.PublicIPAddressSkuArgs(name="Standard", tier="Regional"),
                    public_ip_allocation_method="Static",
                    zones=["1", "2", "3"],
                    opts=child,
                )
                for i in range(2)
            ]
            # The gateway's own ip configuration ids (BGP settings refer to them before it exists).
            self.ip_configuration_ids = [
                pulumi.Output.all(network.gateway_subnet_id, network.resource_group_name).apply(
                    lambda a, i=i: a[0].split("/resourceGroups/")[0]
                    + f"/resourceGroups/{a[1]}/providers/Microsoft.Network/virtualNetworkGateways/{gateway_name}"
                    + f"/ipConfigurations/ipconfig{i}"
                )
                for i in range(2)
            ]
            self.gateway = azn.VirtualNetworkGateway(
                name,
                virtual_network_gateway_name=gateway_name,
                resource_group_name=network.resource_group_name,
                location=cluster.region,
                gateway_type="Vpn",
                vpn_type="RouteBased",
                vpn_gateway_generation="Generation2",
                sku=azn.VirtualNetworkGatewaySkuArgs(name=sku, tier=sku),
                active_active=True,
                enable_bgp=True,
                ip_configurations=[
                    azn.VirtualNetworkGatewayIPConfigurationArgs(
                        name=f"ipconfig{i}",
                        private_ip_allocation_method="Dynamic",
                        subnet=azn.SubResourceArgs(id=network.gateway_subnet_id),
                        public_ip_address=azn.SubResourceArgs(id=self.public_ips[i].id),
                    )
                    for i in range(2)
                ],
                bgp_settings=azn.BgpSettingsArgs(
                    asn=asn,
                    bgp_peering_addresses=[
                        azn.IPConfigurationBgpPeeringAddressArgs(
                            ipconfiguration_id=self.ip_configuration_ids[i], custom_bgp_ip_addresses=custom_bgp_addresses[i]
                        )
                        for i in range(2)
                    ],
                ),
                opts=child,
            )
            self.instance_ips = [p.ip_address.apply(lambda ip: ip or "") for p in self.public_ips]
        self.gateway_subnet_id = network.gateway_subnet_id
        self._name = name
        self._child = child
        self._er_gateway: azn.VirtualNetworkGateway | None = None
        self.register_outputs({})

    def express_route_gateway(self) -> pulumi.Output[str]:
        """The VNet's ExpressRoute gateway (beside the VPN gateway in GatewaySubnet), created once."""
        if self._er_gateway is None:
            pip = azn.PublicIPAddress(
                f"{self._name}-er-pip",
                public_ip_address_name=f"{self.cluster.name}-er-gw-pip",
                resource_group_name=self.resource_group_name,
                location=self.cluster.region,
                sku=azn.PublicIPAddressSkuArgs(name="Standard", tier="Regional"),
                public_ip_allocation_method="Static",
                zones=["1", "2", "3"],
                opts=self._child,
            )
            self._er_gateway = azn.VirtualNetworkGateway(
                f"{self._name}-er",
                virtual_network_gateway_name=f"{self.cluster.name}-er-gw",
                resource_group_name=self.resource_group_name,
                location=self.cluster.region,
                gateway_type="ExpressRoute",
                sku=azn.VirtualNetworkGatewaySkuArgs(name="ErGw1AZ", tier="ErGw1AZ"),
                ip_configurations=[
                    azn.VirtualNetworkGatewayIPConfigurationArgs(
                        name="default",
                        private_ip_allocation_method="Dynamic",
                        subnet=azn.SubResourceArgs(id=self.gateway_subnet_id),
                        public_ip_address=azn.SubResourceArgs(id=pip.id),
                    )
                ],
                opts=self._child,
            )
        return self._er_gateway.id

    def vpn_addresses(self) -> list[pulumi.Output[str]]:
        """The public addresses of the two gateway instances (the peer's tunnels end there)."""
        return list(self.instance_ips)

    def vpn_tunnel(
        self, name: str, *, plan: LinkPlan, psks: Sequence[pulumi.Output[str]], t: Tunnel,
        peer_public_ip: pulumi.Input[str], peer_bgp_ip: str, peer_asn: int, other_instance_ip: str,
        opts: ResourceOptions,
    ) -> None:
        """One tunnel of `plan` to `peer_public_ip`: a local network gateway for the peer (BGP at
        `peer_bgp_ip`) and the IPsec connection, answering BGP on the tunnel's address on its own
        instance and `other_instance_ip` on the other."""
        lng = azn.LocalNetworkGateway(
            f"{name}-lng{t.index}",
            local_network_gateway_name=f"{plan.name}-{t.index}",
            resource_group_name=self.resource_group_name,
            location=self.cluster.region,
            gateway_ip_address=peer_public_ip,
            bgp_settings=azn.BgpSettingsArgs(asn=peer_asn, bgp_peering_address=peer_bgp_ip),
            local_network_address_space=azn.AddressSpaceArgs(address_prefixes=[]),
            opts=opts,
        )
        mine = t.second_instance
        custom = {mine: t.second_ip, 1 - mine: other_instance_ip}
        azn.VirtualNetworkGatewayConnection(
            f"{name}-conn{t.index}",
            virtual_network_gateway_connection_name=f"{plan.name}-{t.index}",
            resource_group_name=self.resource_group_name,
            location=self.cluster.region,
            connection_type="IPsec",
            connection_protocol="IKEv2",
            enable_bgp=True,
            shared_key=psks[t.index],
            virtual_network_gateway1=azn.VirtualNetworkGatewayArgs(id=self.gateway.id),
            local_network_gateway2=azn.LocalNetworkGatewayArgs(id=lng.id),
            gateway_custom_bgp_ip_addresses=[
                azn.GatewayCustomBgpIpAddressIpConfigurationArgs(
                    ip_configuration_id=self.ip_configuration_ids[i], custom_bgp_ip_address=custom[i]
                )
                for i in range(2)
            ],
            opts=opts,
        )

    def dedicated_attachment(
        self, name: str, *, plan: LinkPlan, partner_asn: int, slash30: Sequence[ipaddress.IPv4Network],
        opts: ResourceOptions,
    ) -> pulumi.Input[object]:
        """An ExpressRoute circuit from the partner with private peering (/30s 2 and 3 of the link's
        block), connected to the ExpressRoute gateway; its service key (for the partner order)."""
        link = plan.link
        circuit = azn.ExpressRouteCircuit(
            f"{name}-er",
            circuit_name=f"{plan.name}-er",
            resource_group_name=self.resource_group_name,
            location=self.cluster.region,
            sku=azn.ExpressRouteCircuitSkuArgs(name="Standard_MeteredData", tier="Standard", family="MeteredData"),
            service_provider_properties=azn.ExpressRouteCircuitServiceProviderPropertiesArgs(
                service_provider_name=(link.partner or "").capitalize(),
                peering_location=link.azure_peering_location,
                bandwidth_in_mbps=link.bandwidth_mbps,
            ),
            allow_classic_operations=False,
            opts=opts,
        )
        azn.ExpressRouteCircuitPeering(
            f"{name}-er-private",
            circuit_name=circuit.name,
            resource_group_name=self.resource_group_name,
            peering_name="AzurePrivatePeering",
            peering_type="AzurePrivatePeering",
            peer_asn=partner_asn,
            primary_peer_address_prefix=str(slash30[2]),
            secondary_peer_address_prefix=str(slash30[3]),
            vlan_id=200 + plan.index,
            opts=opts,
        )
        ergw_id = self.express_route_gateway()
        azn.VirtualNetworkGatewayConnection(
            f"{name}-er-conn",
            virtual_network_gateway_connection_name=f"{plan.name}-er",
            resource_group_name=self.resource_group_name,
            location=self.cluster.region,
            connection_type="ExpressRoute",
            virtual_network_gateway1=azn.VirtualNetworkGatewayArgs(id=ergw_id),
            peer=azn.SubResourceArgs(id=circuit.id),
            routing_weight=10,
            opts=opts,
        )
        return {"serviceKey": circuit.service_key}


@dataclass(frozen=True)
class AzureNetworkHandle:
    resource_group_name: pulumi.Input[str]
    gateway_subnet_id: pulumi.Input[str]  # the VNet's "GatewaySubnet" (/27 or larger)
    vnet_name: pulumi.Input[str]
    vnet_id: pulumi.Input[str]

    def gateway(
        self, name: str, *, cluster: Cluster, asn: int, vpn: Sequence[LinkPlan], opts: ResourceOptions
    ) -> AzureGateway:
        return AzureGateway(
            name, cluster=cluster, network=self, asn=asn,
            custom_bgp_addresses=azure_custom_bgp_addresses(list(vpn), cluster.name), opts=opts,
        )

    def peer_with(
        self, other: NetworkHandle, name: str, *, plan: LinkPlan, one: ResourceOptions, two: ResourceOptions
    ) -> pulumi.Output[str]:
        if not isinstance(other, AzureNetworkHandle):
            raise TypeError(f"link {plan.name}: VNet peering needs two Azure networks")
        out = []
        for side, (net, peer, peer_cluster, opts) in enumerate(((self, other, plan.second, one),
                                                                (other, self, plan.first, two))):
            out.append(
                azn.VirtualNetworkPeering(
                    f"{name}-{'ab'[side]}",
                    resource_group_name=net.resource_group_name,
                    virtual_network_name=net.vnet_name,
                    virtual_network_peering_name=f"to-{peer_cluster.name}",
                    remote_virtual_network=azn.SubResourceArgs(id=peer.vnet_id),
                    allow_virtual_network_access=True,
                    allow_forwarded_traffic=True,
                    allow_gateway_transit=False,
                    use_remote_gateways=False,
                    opts=opts,
                )
            )
        return out[0].id

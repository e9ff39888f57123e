"""One gateway per cluster end of the mesh: the thing every link of that cluster attaches to.

  AwsGateway    virtual private gateway (BGP ASN from config) attached to the VPC, with route
                propagation into the VPC's route tables (BGP-learned peer ranges land there)
  GcpGateway    HA VPN gateway (2 interfaces) + Cloud Router advertising the cluster's ranges
  AzureGateway  active-active, BGP-enabled virtual network gateway (2 zone-redundant public IPs),
                answering BGP on the APIPA addresses of every tunnel that ends on it"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi

from meridian.config import Cluster

GCP_PARTNER_ASN = 16550  # Partner Interconnect requires it on the Cloud Router


@dataclass(frozen=True)
class AwsNetwork:
    vpc_id: pulumi.Input[str]
    route_table_ids: Sequence[pulumi.Input[str]]  # private route tables: peers' ranges land here


@dataclass(frozen=True)
class GcpNetwork:
    network: pulumi.Input[str]  # VPC network self link or id


@dataclass(frozen=True)
class AzureNetwork:
    resource_group_name: pulumi.Input[str]
    gateway_subnet_id: pulumi.Input[str]  # the VNet's "GatewaySubnet" (/27 or larger)
    vnet_name: pulumi.Input[str] | None = None  # VNet peering (mode "peering") needs both
    vnet_id: pulumi.Input[str] | None = None


ClusterNetwork = AwsNetwork | GcpNetwork | AzureNetwork


class AwsGateway(pulumi.ComponentResource):
    def __init__(
        self, name: str, *, cluster: Cluster, network: AwsNetwork, asn: int, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("meridian:interconnect:AwsGateway", name, None, opts)
        import pulumi_aws.ec2 as ec2

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
        self._dx_gateway: pulumi.Resource | None = None
        self.register_outputs({"vpnGatewayId": self.vpn_gateway.id})

    def dx_gateway(self) -> pulumi.Output[str]:
        """The Direct Connect gateway of this VPC (created with its first dedicated link)."""
        import pulumi_aws.directconnect as dx

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
        return self._dx_gateway.id  # type: ignore[attr-defined]


class GcpGateway(pulumi.ComponentResource):
    def __init__(
        self,
        name: str,
        *,
        cluster: Cluster,
        network: GcpNetwork,
        asn: int,
        vpn: bool = True,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        """`vpn`: False for a cluster with dedicated links only (no HA VPN gateway, no VPN router)."""
        super().__init__("meridian:interconnect:GcpGateway", name, None, opts)
        import pulumi_gcp.compute as compute

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
        self._partner_router: pulumi.Resource | None = None
        self.register_outputs({})

    def partner_router(self) -> pulumi.Output[str]:
        """The Cloud Router for Partner Interconnect attachments (ASN 16550, as Google requires)."""
        import pulumi_gcp.compute as compute

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
        return self._partner_router.id  # type: ignore[attr-defined]


class AzureGateway(pulumi.ComponentResource):
    def __init__(
        self,
        name: str,
        *,
        cluster: Cluster,
        network: AzureNetwork,
        asn: int,
        custom_bgp_addresses: tuple[list[str], list[str]],
        sku: str = "VpnGw2AZ",
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("meridian:interconnect:AzureGateway", name, None, opts)
        vpn = any(custom_bgp_addresses)  # False: dedicated links only, no VPN gateway
        import pulumi_azure_native.network as azn

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
        self._er_gateway: pulumi.Resource | None = None
        self.register_outputs({})

    def express_route_gateway(self) -> pulumi.Output[str]:
        """The VNet's ExpressRoute gateway (beside the VPN gateway in GatewaySubnet), created once."""
        import pulumi_azure_native.network as azn

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
        return self._er_gateway.id  # type: ignore[attr-defined]

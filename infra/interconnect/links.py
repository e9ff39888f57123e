"""One component per link of the mesh.

VpnLink: IPsec with BGP over redundant tunnels; a pre-shared key per tunnel from pulumi-random,
only ever handled as a Pulumi secret. DedicatedLink: a partner circuit (e.g. Megaport) into each
end's dedicated service - AWS Direct Connect (confirm the partner's hosted connections, private VIFs
to a Direct Connect gateway associated with the VPC's virtual private gateway), GCP Partner
Interconnect (two PARTNER attachments in both edge availability domains on a Cloud Router with ASN
16550) and Azure ExpressRoute (a provider circuit with private peering, an ExpressRoute gateway and
connection). The partner's own cloud router that joins the two ends is ordered with the pairing
and service keys exported here (as secrets); no provider package for it is installed."""

from __future__ import annotations

import pulumi
import pulumi_random as random

from infra.interconnect.gateways import AwsGateway, AzureGateway, GcpGateway
from infra.interconnect.plan import LinkPlan, Tunnel

Gateway = AwsGateway | GcpGateway | AzureGateway


def _psk(name: str, parent: pulumi.Resource) -> pulumi.Output[str]:
    pw = random.RandomPassword(name, length=40, special=False, opts=pulumi.ResourceOptions(parent=parent))
    # AWS: 8-64 of [A-Za-z0-9._], not starting with "0"; a letter prefix satisfies every cloud.
    return pulumi.Output.secret(pw.result.apply(lambda s: "k" + s))


class VpnLink(pulumi.ComponentResource):
    tunnel_count: int
    psks: list[pulumi.Output[str]]  # secrets

    def __init__(
        self, name: str, *, plan: LinkPlan, first: Gateway, second: Gateway, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("meridian:interconnect:VpnLink", name, None, opts)
        self.plan = plan
        self._child = pulumi.ResourceOptions(parent=self)
        self.psks = [_psk(f"{name}-psk{t.index}", self) for t in plan.tunnels]
        self.tunnel_count = len(plan.tunnels)
        pair = plan.pair
        if pair == ("aws", "gcp"):
            assert isinstance(first, AwsGateway) and isinstance(second, GcpGateway)
            self._aws_gcp(name, first, second)
        elif pair == ("aws", "azure"):
            assert isinstance(first, AwsGateway) and isinstance(second, AzureGateway)
            self._aws_azure(name, first, second)
        elif pair == ("gcp", "azure"):
            assert isinstance(first, GcpGateway) and isinstance(second, AzureGateway)
            self._gcp_azure(name, first, second)
        else:
            raise ValueError(f"link {plan.name}: no VPN layout for {pair} (same-cloud links are refused by config)")
        self.register_outputs({"tunnels": self.tunnel_count, "insideCidr": str(plan.block)})

    # ------------------------------------------------------------------ aws side
    def _aws_connections(
        self, name: str, aws: AwsGateway, peer_ips: list[pulumi.Input[str]], peer_asn: int
    ) -> list[object]:
        import pulumi_aws.ec2 as ec2

        conns = []
        for c in range(2):
            cgw = ec2.CustomerGateway(
                f"{name}-cgw{c}",
                bgp_asn=str(peer_asn),
                ip_address=peer_ips[c],
                type="ipsec.1",
                tags={"Name": f"{self.plan.name}-cgw{c}"},
                opts=self._child,
            )
            t1, t2 = self.plan.tunnels[2 * c], self.plan.tunnels[2 * c + 1]
            conns.append(
                ec2.VpnConnection(
                    f"{name}-vpn{c}",
                    vpn_gateway_id=aws.vpn_gateway.id,
                    customer_gateway_id=cgw.id,
                    type="ipsec.1",
                    static_routes_only=False,
                    tunnel1_inside_cidr=str(t1.inside),
                    tunnel2_inside_cidr=str(t2.inside),
                    tunnel1_preshared_key=self.psks[t1.index],
                    tunnel2_preshared_key=self.psks[t2.index],
                    tunnel1_ike_versions=["ikev2"],
                    tunnel2_ike_versions=["ikev2"],
                    tags={"Name": f"{self.plan.name}-vpn{c}"},
                    opts=self._child,
                )
            )
        return conns

    # ------------------------------------------------------------------ gcp side
    def _gcp_tunnel(
        self, name: str, gcp: GcpGateway, ext: pulumi.Resource, t: Tunnel, *, gcp_interface: int, peer_interface: int,
        local_ip: str, peer_ip: str, peer_asn: int,
    ) -> None:
        import pulumi_gcp.compute as compute

        region = gcp.cluster.region
        tunnel = compute.VPNTunnel(
            f"{name}-tun{t.index}",
            name=f"{self.plan.name}-{t.index}",
            region=region,
            vpn_gateway=gcp.ha_vpn.id,
            vpn_gateway_interface=gcp_interface,
            peer_external_gateway=ext.id,  # type: ignore[attr-defined]
            peer_external_gateway_interface=peer_interface,
            shared_secret=self.psks[t.index],
            router=gcp.router.id,
            ike_version=2,
            opts=self._child,
        )
        iface = compute.RouterInterface(
            f"{name}-if{t.index}",
            name=f"{self.plan.name}-if{t.index}",
            region=region,
            router=gcp.router.name,
            ip_range=f"{local_ip}/30",
            vpn_tunnel=tunnel.name,
            opts=self._child,
        )
        compute.RouterPeer(
            f"{name}-bgp{t.index}",
            name=f"{self.plan.name}-bgp{t.index}",
            region=region,
            router=gcp.router.name,
            interface=iface.name,
            peer_ip_address=peer_ip,
            peer_asn=peer_asn,
            advertised_route_priority=100,
            opts=self._child,
        )

    # ------------------------------------------------------------------ azure side
    def _azure_tunnel(
        self, name: str, az: AzureGateway, t: Tunnel, *, peer_public_ip: pulumi.Input[str], peer_bgp_ip: str,
        peer_asn: int, other_instance_ip: str,
    ) -> None:
        import pulumi_azure_native.network as azn

        lng = azn.LocalNetworkGateway(
            f"{name}-lng{t.index}",
            local_network_gateway_name=f"{self.plan.name}-{t.index}",
            resource_group_name=az.resource_group_name,
            location=az.cluster.region,
            gateway_ip_address=peer_public_ip,
            bgp_settings=azn.BgpSettingsArgs(asn=peer_asn, bgp_peering_address=peer_bgp_ip),
            local_network_address_space=azn.AddressSpaceArgs(address_prefixes=[]),
            opts=self._child,
        )
        mine = t.second_instance
        custom = {mine: t.second_ip, 1 - mine: other_instance_ip}
        azn.VirtualNetworkGatewayConnection(
            f"{name}-conn{t.index}",
            virtual_network_gateway_connection_name=f"{self.plan.name}-{t.index}",
            resource_group_name=az.resource_group_name,
            location=az.cluster.region,
            connection_type="IPsec",
            connection_protocol="IKEv2",
            enable_bgp=True,
            shared_key=self.psks[t.index],
            virtual_network_gateway1=azn.VirtualNetworkGatewayArgs(id=az.gateway.id),
            local_network_gateway2=azn.LocalNetworkGatewayArgs(id=lng.id),
            gateway_custom_bgp_ip_addresses=[
                azn.GatewayCustomBgpIpAddressIpConfigurationArgs(
                    ip_configuration_id=az.ip_configuration_ids[i], custom_bgp_ip_address=custom[i]
                )
                for i in range(2)
            ],
            opts=self._child,
        )

    # ------------------------------------------------------------------ pairs
    def _aws_gcp(self, name: str, aws: AwsGateway, gcp: GcpGateway) -> None:
        import pulumi_gcp.compute as compute

        ifs = gcp.interface_ips
        conns = self._aws_connections(name, aws, [ifs.apply(lambda x: x[0]), ifs.apply(lambda x: x[1])], gcp.asn)
        outside = [getattr(c, f"tunnel{t}_address") for c in conns for t in (1, 2)]
        ext = compute.ExternalVpnGateway(
            f"{name}-peer",
            name=f"{self.plan.name}-aws",
            redundancy_type="FOUR_IPS_REDUNDANCY",
            interfaces=[compute.ExternalVpnGatewayInterfaceArgs(id=i, ip_address=ip) for i, ip in enumerate(outside)],
            opts=self._child,
        )
        for t in self.plan.tunnels:
            self._gcp_tunnel(
                name, gcp, ext, t, gcp_interface=t.second_instance, peer_interface=t.index,
                local_ip=t.second_ip, peer_ip=t.first_ip, peer_asn=aws.asn,
            )

    def _aws_azure(self, name: str, aws: AwsGateway, az: AzureGateway) -> None:
        conns = self._aws_connections(name, aws, list(az.instance_ips), az.asn)
        for t in self.plan.tunnels:
            other = self.plan.tunnels[(t.index + 2) % 4]  # same tunnel number on the other connection
            self._azure_tunnel(
                name, az, t, peer_public_ip=getattr(conns[t.first_instance], f"tunnel{t.first_tunnel}_address"),
                peer_bgp_ip=t.first_ip, peer_asn=aws.asn, other_instance_ip=other.second_ip,
            )

    def _gcp_azure(self, name: str, gcp: GcpGateway, az: AzureGateway) -> None:
        import pulumi_gcp.compute as compute

        ext = compute.ExternalVpnGateway(
            f"{name}-peer",
            name=f"{self.plan.name}-azure",
            redundancy_type="TWO_IPS_REDUNDANCY",
            interfaces=[compute.ExternalVpnGatewayInterfaceArgs(id=i, ip_address=az.instance_ips[i]) for i in range(2)],
            opts=self._child,
        )
        for t in self.plan.tunnels:
            self._gcp_tunnel(
                name, gcp, ext, t, gcp_interface=t.first_instance, peer_interface=t.second_instance,
                local_ip=t.first_ip, peer_ip=t.second_ip, peer_asn=az.asn,
            )
            other = self.plan.tunnels[1 - t.index]
            self._azure_tunnel(
                name, az, t, peer_public_ip=gcp.interface_ips.apply(lambda x, i=t.first_instance: x[i]),
                peer_bgp_ip=t.first_ip, peer_asn=gcp.asn, other_instance_ip=other.second_ip,
            )


class DedicatedLink(pulumi.ComponentResource):
    """Both ends of a partner circuit. `partner_keys` (secret) is what the partner order needs."""

    partner_keys: pulumi.Output[dict[str, object]]

    def __init__(
        self,
        name: str,
        *,
        plan: LinkPlan,
        first: Gateway,
        second: Gateway,
        partner_asn: int,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("meridian:interconnect:DedicatedLink", name, None, opts)
        self.plan = plan
        self._child = pulumi.ResourceOptions(parent=self)
        self._slash30 = list(plan.block.subnets(new_prefix=30))
        keys: dict[str, pulumi.Input[object]] = {}
        for gw in (first, second):
            if isinstance(gw, AwsGateway):
                keys["aws"] = self._aws(name, gw, partner_asn)
            elif isinstance(gw, GcpGateway):
                keys["gcp"] = self._gcp(name, gw)
            else:
                keys["azure"] = self._azure(name, gw, partner_asn)
        self.partner_keys = pulumi.Output.secret(keys)  # type: ignore[arg-type]
        self.register_outputs({"partner": plan.link.partner, "bandwidthMbps": plan.link.bandwidth_mbps})

    def _aws(self, name: str, aws: AwsGateway, partner_asn: int) -> pulumi.Input[object]:
        import pulumi_aws.directconnect as dx

        dxgw_id = aws.dx_gateway()
        vifs = []
        for k, conn_id in enumerate(self.plan.link.aws_connection_ids[:2]):
            confirmed = dx.ConnectionConfirmation(f"{name}-dxcon{k}", connection_id=conn_id, opts=self._child)
            net = self._slash30[k]
            vifs.append(
                dx.PrivateVirtualInterface(
                    f"{name}-vif{k}",
                    name=f"{self.plan.name}-{k}",
                    connection_id=confirmed.connection_id,
                    dx_gateway_id=dxgw_id,
                    vlan=100 + 2 * self.plan.index + k,
                    address_family="ipv4",
                    bgp_asn=partner_asn,
                    amazon_address=f"{net[1]}/30",
                    customer_address=f"{net[2]}/30",
                    mtu=1500,
                    opts=self._child,
                ).id
            )
        return {"virtualInterfaces": vifs}

    def _gcp(self, name: str, gcp: GcpGateway) -> pulumi.Input[object]:
        import pulumi_gcp.compute as compute

        router_id = gcp.partner_router()
        keys = []
        for k, domain in enumerate(("AVAILABILITY_DOMAIN_1", "AVAILABILITY_DOMAIN_2")):
            att = compute.InterconnectAttachment(
                f"{name}-att{k}",
                name=f"{self.plan.name}-{k}",
                region=gcp.cluster.region,
                router=router_id,
                type="PARTNER",
                edge_availability_domain=domain,
                admin_enabled=True,
                mtu="1500",
                description=f"{self.plan.link.partner} circuit {self.plan.name}",
                opts=self._child,
            )
            keys.append(att.pairing_key)
        return {"pairingKeys": keys}

    def _azure(self, name: str, az: AzureGateway, partner_asn: int) -> pulumi.Input[object]:
        import pulumi_azure_native.network as azn

        link = self.plan.link
        circuit = azn.ExpressRouteCircuit(
            f"{name}-er",
            circuit_name=f"{self.plan.name}-er",
            resource_group_name=az.resource_group_name,
            location=az.cluster.region,
            sku=azn.ExpressRouteCircuitSkuArgs(name="Standard_MeteredData", tier="Standard", family="MeteredData"),
            service_provider_properties=azn.ExpressRouteCircuitServiceProviderPropertiesArgs(
                service_provider_name=(link.partner or "").capitalize(),
                peering_location=link.azure_peering_location,
                bandwidth_in_mbps=link.bandwidth_mbps,
            ),
            allow_classic_operations=False,
            opts=self._child,
        )
        azn.ExpressRouteCircuitPeering(
            f"{name}-er-private",
            circuit_name=circuit.name,
            resource_group_name=az.resource_group_name,
            peering_name="AzurePrivatePeering",
            peering_type="AzurePrivatePeering",
            peer_asn=partner_asn,
            primary_peer_address_prefix=str(self._slash30[2]),
            secondary_peer_address_prefix=str(self._slash30[3]),
            vlan_id=200 + self.plan.index,
            opts=self._child,
        )
        ergw_id = az.express_route_gateway()
        azn.VirtualNetworkGatewayConnection(
            f"{name}-er-conn",
            virtual_network_gateway_connection_name=f"{self.plan.name}-er",
            resource_group_name=az.resource_group_name,
            location=az.cluster.region,
            connection_type="ExpressRoute",
            virtual_network_gateway1=azn.VirtualNetworkGatewayArgs(id=ergw_id),
            peer=azn.SubResourceArgs(id=circuit.id),
            routing_weight=10,
            opts=self._child,
        )
        return {"serviceKey": circuit.service_key}

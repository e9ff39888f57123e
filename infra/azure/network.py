"""The VNet of an Azure cluster region: node subnet with NSG and NAT gateway egress, and the
GatewaySubnet the interconnect's virtual network gateway goes into."""

from __future__ import annotations

import ipaddress

import pulumi
import pulumi_azure_native.network as network
from pulumi import ResourceOptions

from meridian.config import Cluster

GATEWAY_SUBNET_PREFIX = 27  # the smallest GatewaySubnet a VpnGw*AZ / ExpressRoute gateway accepts


def subnet_plan(cidr: ipaddress.IPv4Network) -> dict[str, ipaddress.IPv4Network]:
    """nodes: the first half of the VNet (Azure CNI overlay gives pods their own range, so nodes only
    need one address each); GatewaySubnet: the last /27 of the VNet. The rest stays free for private
    endpoints and later subnets. Needs a VNet of /24 or larger (checked in config)."""
    return {
        "nodes": next(cidr.subnets(new_prefix=cidr.prefixlen + 1)),
        "GatewaySubnet": list(cidr.subnets(new_prefix=GATEWAY_SUBNET_PREFIX))[-1],
    }


class AzureNetwork(pulumi.ComponentResource):
    """Public attributes (for AKS and the interconnect):
      resource_group_name (Output[str]); location (str); cidr (str);
      vnet_id, vnet_name (Output[str]); node_subnet_id (Output[str]);
      gateway_subnet_id (Output[str]: the "GatewaySubnet"); nsg_id, nat_gateway_id (Output[str]);
      egress_ip (Output[str]: the NAT gateway's public address, for allow lists elsewhere).

    Routes: Azure has no route table to maintain for the mesh; a virtual network gateway with BGP
    propagates the peers' prefixes to every subnet of the VNet."""

    def __init__(
        self,
        name: str,
        *,
        cluster: Cluster,
        resource_group_name: pulumi.Input[str],
        tags: dict[str, str],
        opts: ResourceOptions | None = None,
    ) -> None:
        super().__init__("meridian:azure:Network", name, None, opts)
        child = ResourceOptions(parent=self)
        location = cluster.region
        plan = subnet_plan(cluster.network.cidr)
        self.location = location
        self.cidr = str(cluster.network.cidr)
        self.resource_group_name = pulumi.Output.from_input(resource_group_name)

        nsg = network.NetworkSecurityGroup(
            f"{name}-nodes-nsg",
            resource_group_name=resource_group_name,
            location=location,
            security_rules=[
                # Public ingress (the cluster's load balancer, fronted by Cloudflare) on HTTPS only.
                # VNet, peer (gateway-learned) and Azure load balancer traffic is allowed by the
                # default rules; everything else inbound is denied by DenyAllInBound.
                network.SecurityRuleArgs(
                    name="allow-https-inbound",
                    priority=200,
                    direction="Inbound",
                    access="Allow",
                    protocol="Tcp",
                    source_address_prefix="Internet",
                    source_port_range="*",
                    destination_address_prefix="VirtualNetwork",
                    destination_port_range="443",
                ),
            ],
            tags=tags,
            opts=child,
        )
        egress_ip = network.PublicIPAddress(
            f"{name}-nat-ip",
            resource_group_name=resource_group_name,
            location=location,
            sku=network.PublicIPAddressSkuArgs(name="Standard", tier="Regional"),
            public_ip_allocation_method="Static",
            public_ip_address_version="IPv4",
            tags=tags,
            opts=child,
        )
        nat = network.NatGateway(
            f"{name}-nat",
            resource_group_name=resource_group_name,
            location=location,
            sku=network.NatGatewaySkuArgs(name="Standard"),
            idle_timeout_in_minutes=10,
            public_ip_addresses=[network.SubResourceArgs(id=egress_ip.id)],
            tags=tags,
            opts=child,
        )
        vnet = network.VirtualNetwork(
            f"{name}-vnet",
            resource_group_name=resource_group_name,
            location=location,
            address_space=network.AddressSpaceArgs(address_prefixes=[self.cidr]),
            tags=tags,
            # Subnets are separate resources below; the provider keeps them on VNet updates.
            opts=child,
        )
        nodes = network.Subnet(
            f"{name}-nodes",
            subnet_name="nodes",
            resource_group_name=resource_group_name,
            virtual_network_name=vnet.name,
            address_prefix=str(plan["nodes"]),
            network_security_group=network.NetworkSecurityGroupArgs(id=nsg.id),
            nat_gateway=network.SubResourceArgs(id=nat.id),
            service_endpoints=[
                network.ServiceEndpointPropertiesFormatArgs(service="Microsoft.Storage"),
                network.ServiceEndpointPropertiesFormatArgs(service="Microsoft.KeyVault"),
            ],
            private_endpoint_network_policies="Enabled",
            opts=child,
        )
        # No NSG and no NAT on the GatewaySubnet: Azure refuses both for virtual network gateways.
        # Created after the node subnet: Azure serialises subnet writes on one VNet.
        gateway = network.Subnet(
            f"{name}-gateway",
            subnet_name="GatewaySubnet",
            resource_group_name=resource_group_name,
            virtual_network_name=vnet.name,
            address_prefix=str(plan["GatewaySubnet"]),
            opts=ResourceOptions(parent=self, depends_on=[nodes]),
        )
        self.vnet_id: pulumi.Output[str] = vnet.id
        self.vnet_name: pulumi.Output[str] = vnet.name
        self.node_subnet_id: pulumi.Output[str] = nodes.id
        self.node_subnet_cidr = str(plan["nodes"])
        self.gateway_subnet_id: pulumi.Output[str] = gateway.id
        self.gateway_subnet_cidr = str(plan["GatewaySubnet"])
        self.nsg_id: pulumi.Output[str] = nsg.id
        self.nat_gateway_id: pulumi.Output[str] = nat.id
        self.egress_ip: pulumi.Output[str] = egress_ip.ip_address.apply(lambda ip: ip or "")
        self.register_outputs(
            {
                "vnetId": self.vnet_id,
                "vnetName": self.vnet_name,
                "cidr": self.cidr,
                "nodeSubnetId": self.node_subnet_id,
                "gatewaySubnetId": self.gateway_subnet_id,
                "egressIp": self.egress_ip,
            }
        )

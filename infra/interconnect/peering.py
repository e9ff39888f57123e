"""PeeringLink: two cluster networks of the same cloud joined by that cloud's own peering (link mode
`peering`). No tunnels, no BGP, no gateways:

  aws    inter-region VPC peering: the requester in the first VPC's region, the accepter in the
         second's; a route to the other VPC's range in every private route table of each side
  gcp    VPC Network Peering both ways, exchanging custom routes (so routes learned over the other
         network's VPN/interconnect and subnet secondary ranges - GKE pods - come across)
  azure  global VNet peering both ways, forwarded traffic allowed, no gateway transit

Peering is not transitive: a network peered with two others does not join them to each other, and a
GKE control plane (itself reached through a peering) is reachable only from its own network and
over VPN/interconnect, not from a peered network."""

from __future__ import annotations

import pulumi
from pulumi import ResourceOptions

from infra.interconnect.gateways import AwsNetwork, AzureNetwork, ClusterNetwork, GcpNetwork
from infra.interconnect.plan import LinkPlan


class PeeringLink(pulumi.ComponentResource):
    """Public attributes: plan (LinkPlan); peering_id (Output[str]: the AWS peering connection, the
    first side's GCP peering or Azure VNet peering)."""

    def __init__(
        self,
        name: str,
        *,
        plan: LinkPlan,
        first: ClusterNetwork,
        second: ClusterNetwork,
        first_provider: pulumi.ProviderResource,
        second_provider: pulumi.ProviderResource,
        opts: ResourceOptions | None = None,
    ) -> None:
        super().__init__("meridian:interconnect:PeeringLink", name, None, opts)
        if plan.first.cloud != plan.second.cloud:
            raise ValueError(f"link {plan.name}: peering joins networks of one cloud, not {plan.pair}")
        self.plan = plan
        # Both ends use the same provider package (one per region), so each child names its own.
        one = ResourceOptions(parent=self, provider=first_provider)
        two = ResourceOptions(parent=self, provider=second_provider)
        if isinstance(first, AwsNetwork) and isinstance(second, AwsNetwork):
            self.peering_id = self._aws(name, first, second, one, two)
        elif isinstance(first, GcpNetwork) and isinstance(second, GcpNetwork):
            self.peering_id = self._gcp(name, first, second, one, two)
        elif isinstance(first, AzureNetwork) and isinstance(second, AzureNetwork):
            self.peering_id = self._azure(name, first, second, one, two)
        else:
            raise TypeError(f"link {plan.name}: network handles of different clouds")
        self.register_outputs({"cloud": plan.first.cloud, "peeringId": self.peering_id})

    def _aws(
        self, name: str, a: AwsNetwork, b: AwsNetwork, one: ResourceOptions, two: ResourceOptions
    ) -> pulumi.Output[str]:
        import pulumi_aws.ec2 as ec2

        p = self.plan
        tags = {"Name": p.name, "meridian-link": p.name}
        request = ec2.VpcPeeringConnection(
            f"{name}-request",
            vpc_id=a.vpc_id,
            peer_vpc_id=b.vpc_id,
            peer_region=p.second.region,  # same account; cross-region needs an explicit accept
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
        for side, net, peer, opts in ((0, a, p.second, one), (1, b, p.first, two)):
            for i, table in enumerate(net.route_table_ids):
                ec2.Route(
                    f"{name}-rt{side}-{i}",
                    route_table_id=table,
                    destination_cidr_block=str(peer.network.cidr),
                    vpc_peering_connection_id=accept.vpc_peering_connection_id,
                    opts=ResourceOptions.merge(opts, ResourceOptions(depends_on=[accept])),
                )
        return request.id

    def _gcp(
        self, name: str, a: GcpNetwork, b: GcpNetwork, one: ResourceOptions, two: ResourceOptions
    ) -> pulumi.Output[str]:
        import pulumi_gcp.compute as compute

        p = self.plan
        made: list[compute.NetworkPeering] = []
        for net, peer, here, there, opts in ((a, b, p.first, p.second, one), (b, a, p.second, p.first, two)):
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

    def _azure(
        self, name: str, a: AzureNetwork, b: AzureNetwork, one: ResourceOptions, two: ResourceOptions
    ) -> pulumi.Output[str]:
        import pulumi_azure_native.network as network

        p = self.plan
        if a.vnet_name is None or a.vnet_id is None or b.vnet_name is None or b.vnet_id is None:
            raise ValueError(f"link {p.name}: VNet peering needs both VNets' names and ids")
        out = []
        for side, (net, peer, peer_cluster, opts) in enumerate(((a, b, p.second, one), (b, a, p.first, two))):
            out.append(
                network.VirtualNetworkPeering(
                    f"{name}-{'ab'[side]}",
                    resource_group_name=net.resource_group_name,
                    virtual_network_name=net.vnet_name,
                    virtual_network_peering_name=f"to-{peer_cluster.name}",
                    remote_virtual_network=network.SubResourceArgs(id=peer.vnet_id),
                    allow_virtual_network_access=True,
                    allow_forwarded_traffic=True,
                    allow_gateway_transit=False,
                    use_remote_gateways=False,
                    opts=opts,
                )
            )
        return out[0].id

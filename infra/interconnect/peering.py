"""PeeringLink: two cluster networks of the same cloud joined by that cloud's own peering (link mode
`peering`). No tunnels, no BGP, no gateways:

Each cloud's peering is its network handle's `peer_with` (infra/<cloud>/interconnect.py):

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

from infra.interconnect.gateways import NetworkHandle
from infra.interconnect.plan import LinkPlan


class PeeringLink(pulumi.ComponentResource):
    """Public attributes: plan (LinkPlan); peering_id (Output[str]: the AWS peering connection, the
    first side's GCP peering or Azure VNet peering)."""

    def __init__(
        self,
        name: str,
        *,
        plan: LinkPlan,
        first: NetworkHandle,
        second: NetworkHandle,
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
        self.peering_id = first.peer_with(second, name, plan=plan, one=one, two=two)
        self.register_outputs({"cloud": plan.first.cloud, "peeringId": self.peering_id})

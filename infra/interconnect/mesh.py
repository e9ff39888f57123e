"""Interconnect: the private mesh between the stack's clouds, as config names it per link."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pulumi

from infra.interconnect.gateways import Gateway, NetworkHandle
from infra.interconnect.links import DedicatedLink, VpnLink
from infra.interconnect.peering import PeeringLink
from infra.interconnect.plan import link_plans
from meridian.config import StackConfig

MEGAPORT_ASN = 133937  # the partner cloud router's ASN facing the clouds (Megaport MCR default)


class Interconnect(pulumi.ComponentResource):
    gateways: dict[str, Gateway]  # cluster name -> its gateway (only clusters with a private link)
    vpn_links: dict[str, VpnLink]  # "<first>--<second>" -> link
    dedicated_links: dict[str, DedicatedLink]
    peering_links: dict[str, PeeringLink]

    def __init__(
        self,
        name: str,
        *,
        stack: StackConfig,
        networks: Mapping[str, NetworkHandle],
        providers: Mapping[str, pulumi.ProviderResource],
        partner_asn: int = MEGAPORT_ASN,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        """`networks` / `providers`: cluster name -> its network handles / its regional provider."""
        super().__init__("meridian:interconnect:Interconnect", name, None, opts)
        import pulumi_random as random

        ic = stack.interconnect
        # Default providers are disabled for every package, pulumi-random included.
        self.random_provider = random.Provider(f"{name}-random", opts=pulumi.ResourceOptions(parent=self))
        vpn = link_plans(stack, "vpn")
        dedicated = link_plans(stack, "dedicated")
        linked = sorted({c.name for p in vpn + dedicated for c in (p.first, p.second)})
        self.gateways = {}
        for cluster_name in linked:
            cl = stack.cluster(cluster_name)
            asn = ic.asn_of(cl.name, cl.cloud) if ic else 0
            self.gateways[cluster_name] = networks[cluster_name].gateway(
                f"{cluster_name}-gw", cluster=cl, asn=asn, vpn=vpn,
                opts=pulumi.ResourceOptions(parent=self, provider=providers[cluster_name]),
            )
        # A link's resources live on both clouds: each child resource inherits the provider of its
        # cloud from the component's `providers` map.
        self.vpn_links = {}
        for p in vpn:
            lopts = pulumi.ResourceOptions(parent=self, providers=[providers[p.first.name], providers[p.second.name], self.random_provider])
            self.vpn_links[p.name] = VpnLink(
                p.name, plan=p, first=self.gateways[p.first.name], second=self.gateways[p.second.name], opts=lopts
            )
        self.dedicated_links = {}
        for p in dedicated:
            lopts = pulumi.ResourceOptions(parent=self, providers=[providers[p.first.name], providers[p.second.name], self.random_provider])
            self.dedicated_links[p.name] = DedicatedLink(
                p.name,
                plan=p,
                first=self.gateways[p.first.name],
                second=self.gateways[p.second.name],
                partner_asn=partner_asn,
                opts=lopts,
            )
        self.peering_links = {
            p.name: PeeringLink(
                p.name,
                plan=p,
                first=networks[p.first.name],
                second=networks[p.second.name],
                first_provider=providers[p.first.name],
                second_provider=providers[p.second.name],
                opts=pulumi.ResourceOptions(parent=self),
            )
            for p in link_plans(stack, "peering")
        }
        self.register_outputs(self.stack_outputs())

    def stack_outputs(self) -> dict[str, Any]:
        """Plain facts only; the partner keys are secrets."""
        return {
            "vpn": {
                n: {"tunnels": link.tunnel_count, "insideCidr": str(link.plan.block)} for n, link in self.vpn_links.items()
            },
            "dedicated": {
                n: {"partner": link.plan.link.partner, "partnerKeys": link.partner_keys}
                for n, link in self.dedicated_links.items()
            },
            "peering": {n: {"cloud": link.plan.first.cloud} for n, link in self.peering_links.items()},
        }

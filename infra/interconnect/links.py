"""One component per link of the mesh; each cloud's resources come from its end
(infra/<cloud>/interconnect.py).

VpnLink: IPsec with BGP over redundant tunnels; a pre-shared key per tunnel from pulumi-random,
only ever handled as a Pulumi secret. How the tunnels of a pair of clouds line up (which address
each end points at, who takes which inside address) is a property of the pair, laid out here per
pair (infra.interconnect.plan). DedicatedLink: a partner circuit (e.g. Megaport) into each end's
dedicated service - AWS Direct Connect, GCP Partner Interconnect, Azure ExpressRoute. The partner's
own cloud router that joins the two ends is ordered with the pairing and service keys exported here
(as secrets); no provider package for it is installed."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pulumi
import pulumi_random as random

from infra.interconnect.gateways import Gateway
from infra.interconnect.plan import LinkPlan

if TYPE_CHECKING:
    from infra.aws.interconnect import AwsGateway
    from infra.azure.interconnect import AzureGateway
    from infra.gcp.interconnect import GcpGateway


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
        layouts = {("aws", "gcp"): self._aws_gcp, ("aws", "azure"): self._aws_azure, ("gcp", "azure"): self._gcp_azure}
        layout = layouts.get(plan.pair)
        if layout is None:
            raise ValueError(f"link {plan.name}: no VPN layout for {plan.pair} (same-cloud links are refused by config)")
        layout(name, first, second)
        self.register_outputs({"tunnels": self.tunnel_count, "insideCidr": str(plan.block)})

    def _aws_gcp(self, name: str, first: Gateway, second: Gateway) -> None:
        """2 VPN connections (one per HA VPN interface) x 2 tunnels; GCP points at AWS's 4 outside
        addresses."""
        aws, gcp = _aws(first), _gcp(second)
        p, child = self.plan, self._child
        conns = aws.vpn_connections(name, plan=p, psks=self.psks, peer_ips=gcp.vpn_addresses(), peer_asn=gcp.asn,
                                    opts=child)
        ext = gcp.external_gateway(
            f"{name}-peer", gateway_name=f"{p.name}-aws", addresses=[a for c in conns for a in c], opts=child
        )
        for t in p.tunnels:
            gcp.vpn_tunnel(
                name, plan=p, psks=self.psks, peer=ext, t=t, gcp_interface=t.second_instance, peer_interface=t.index,
                local_ip=t.second_ip, peer_ip=t.first_ip, peer_asn=aws.asn, opts=child,
            )

    def _aws_azure(self, name: str, first: Gateway, second: Gateway) -> None:
        """2 VPN connections (one per Azure instance) x 2 tunnels; a local network gateway per AWS
        outside address."""
        aws, az = _aws(first), _azure(second)
        p, child = self.plan, self._child
        conns = aws.vpn_connections(name, plan=p, psks=self.psks, peer_ips=az.vpn_addresses(), peer_asn=az.asn,
                                    opts=child)
        for t in p.tunnels:
            other = p.tunnels[(t.index + 2) % 4]  # same tunnel number on the other connection
            az.vpn_tunnel(
                name, plan=p, psks=self.psks, t=t, peer_public_ip=conns[t.first_instance][t.first_tunnel - 1],
                peer_bgp_ip=t.first_ip, peer_asn=aws.asn, other_instance_ip=other.second_ip, opts=child,
            )

    def _gcp_azure(self, name: str, first: Gateway, second: Gateway) -> None:
        """GCP interface i <-> Azure instance i: 2 tunnels."""
        gcp, az = _gcp(first), _azure(second)
        p, child = self.plan, self._child
        ext = gcp.external_gateway(f"{name}-peer", gateway_name=f"{p.name}-azure", addresses=az.vpn_addresses(),
                                   opts=child)
        gcp_ips = gcp.vpn_addresses()
        for t in p.tunnels:
            gcp.vpn_tunnel(
                name, plan=p, psks=self.psks, peer=ext, t=t, gcp_interface=t.first_instance,
                peer_interface=t.second_instance, local_ip=t.first_ip, peer_ip=t.second_ip, peer_asn=az.asn, opts=child,
            )
            other = p.tunnels[1 - t.index]
            az.vpn_tunnel(
                name, plan=p, psks=self.psks, t=t, peer_public_ip=gcp_ips[t.first_instance], peer_bgp_ip=t.first_ip,
                peer_asn=gcp.asn, other_instance_ip=other.second_ip, opts=child,
            )


def _aws(gw: Gateway) -> AwsGateway:
    from infra.aws.interconnect import AwsGateway

    if not isinstance(gw, AwsGateway):
        raise TypeError(f"{gw.cluster.name}: expected the AWS end of the link")
    return gw


def _gcp(gw: Gateway) -> GcpGateway:
    from infra.gcp.interconnect import GcpGateway

    if not isinstance(gw, GcpGateway):
        raise TypeError(f"{gw.cluster.name}: expected the GCP end of the link")
    return gw


def _azure(gw: Gateway) -> AzureGateway:
    from infra.azure.interconnect import AzureGateway

    if not isinstance(gw, AzureGateway):
        raise TypeError(f"{gw.cluster.name}: expected the Azure end of the link")
    return gw


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
        child = pulumi.ResourceOptions(parent=self)
        slash30 = list(plan.block.subnets(new_prefix=30))
        keys: dict[str, pulumi.Input[object]] = {
            gw.cluster.cloud: gw.dedicated_attachment(name, plan=plan, partner_asn=partner_asn, slash30=slash30,
                                                      opts=child)
            for gw in (first, second)
        }
        self.partner_keys = pulumi.Output.secret(keys)  # type: ignore[arg-type]
        self.register_outputs({"partner": plan.link.partner, "bandwidthMbps": plan.link.bandwidth_mbps})

"""The mesh's address and tunnel plan, computed from config alone (pure, no Pulumi).

Every VPN link owns one /28 of `interconnect.insideCidrPool` (or its own `insideCidr`) = four /30s.
Tunnel layout per cloud pair (redundant everywhere: two gateway instances on each side):

  aws <-> gcp    2 VPN connections (one per GCP HA VPN interface) x 2 tunnels = 4 tunnels, 4 BGP sessions
  aws <-> azure  2 VPN connections (one per Azure active-active instance) x 2 tunnels = 4 tunnels
  gcp <-> azure  GCP interface i <-> Azure instance i = 2 tunnels

In each /30 the AWS end takes .1 (as AWS assigns it) and the peer .2; on gcp<->azure GCP takes .1 and
Azure .2 (Azure's end must be an APIPA address in 169.254.21.0-169.254.22.255)."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from meridian.catalog import Cloud
from meridian.config import Cluster, Link, StackConfig

CLOUD_ORDER: dict[str, int] = {"aws": 0, "gcp": 1, "azure": 2}
_NO_BLOCK = ipaddress.IPv4Network("169.254.0.0/32")  # LinkPlan.block of a peering: never used


@dataclass(frozen=True)
class Tunnel:
    index: int  # 0..3 within the link: also the /30 number inside the link's /28
    inside: ipaddress.IPv4Network  # the /30
    # first end (lower in CLOUD_ORDER) and second end: gateway instance / interface numbers
    first_instance: int  # aws: VPN connection number; gcp: HA VPN interface
    first_tunnel: int  # aws: tunnel 1 or 2 of the connection; others: 0
    second_instance: int  # gcp: HA VPN interface; azure: gateway instance (ip configuration)

    @property
    def first_ip(self) -> str:
        return str(self.inside[1])

    @property
    def second_ip(self) -> str:
        return str(self.inside[2])


@dataclass(frozen=True)
class LinkPlan:
    index: int  # position in interconnect.links
    link: Link
    first: Cluster
    second: Cluster
    first_asn: int
    second_asn: int
    block: ipaddress.IPv4Network
    tunnels: tuple[Tunnel, ...]

    @property
    def name(self) -> str:
        return f"{self.first.name}--{self.second.name}"

    @property
    def pair(self) -> tuple[Cloud, Cloud]:
        return (self.first.cloud, self.second.cloud)


def _two_connections(slash30: list[ipaddress.IPv4Network]) -> tuple[Tunnel, ...]:
    """aws<->gcp and aws<->azure: 2 VPN connections x 2 tunnels."""
    return tuple(
        Tunnel(index=2 * c + t, inside=slash30[2 * c + t], first_instance=c, first_tunnel=t + 1, second_instance=c)
        for c in range(2)
        for t in range(2)
    )


def _interface_pairs(slash30: list[ipaddress.IPv4Network]) -> tuple[Tunnel, ...]:
    """gcp<->azure: interface i <-> instance i."""
    return tuple(Tunnel(index=i, inside=slash30[i], first_instance=i, first_tunnel=0, second_instance=i) for i in range(2))


# The tunnel layout of each pair of clouds (ends in CLOUD_ORDER).
LAYOUTS = {("aws", "gcp"): _two_connections, ("aws", "azure"): _two_connections, ("gcp", "azure"): _interface_pairs}


def _tunnels(pair: tuple[str, str], block: ipaddress.IPv4Network) -> tuple[Tunnel, ...]:
    layout = LAYOUTS.get(pair)
    if layout is None:
        raise ValueError(f"no VPN tunnel layout for {pair[0]} <-> {pair[1]} (same-cloud links use peering)")
    return layout(list(block.subnets(new_prefix=30)))


def link_plans(stack: StackConfig, mode: str) -> list[LinkPlan]:
    """The links of one mode ('vpn', 'dedicated' or 'peering'), ends ordered aws < gcp < azure (a
    peering's ends keep their config order)."""
    ic = stack.interconnect
    if ic is None:
        return []
    out: list[LinkPlan] = []
    for i, link in enumerate(ic.links):
        if link.mode != mode:
            continue
        a, b = stack.cluster(link.a), stack.cluster(link.b)
        first, second = sorted((a, b), key=lambda c: CLOUD_ORDER[c.cloud])
        # A peering has no tunnels: it takes no inside addresses (its /28 of the pool stays unused).
        block = ic.link_block(i) if mode != "peering" else _NO_BLOCK
        out.append(
            LinkPlan(
                index=i,
                link=link,
                first=first,
                second=second,
                first_asn=ic.asn_of(first.name, first.cloud),
                second_asn=ic.asn_of(second.name, second.cloud),
                block=block,
                tunnels=_tunnels((first.cloud, second.cloud), block) if mode == "vpn" else (),
            )
        )
    return out


def azure_custom_bgp_addresses(plans: list[LinkPlan], cluster_name: str) -> tuple[list[str], list[str]]:
    """The APIPA addresses an Azure gateway answers BGP on, per instance (ip configuration 0 and 1)."""
    per_instance: tuple[list[str], list[str]] = ([], [])
    for p in plans:
        if p.second.name != cluster_name:
            continue
        for t in p.tunnels:
            per_instance[t.second_instance].append(t.second_ip)
    return per_instance

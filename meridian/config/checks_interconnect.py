"""Cross-section checks of `interconnect`: link ends, ASNs, tunnel inside addresses, dedicated circuits.

Every problem names the key path and the bad value; nothing is registered when any is found."""

from __future__ import annotations

import ipaddress
import itertools
from typing import TYPE_CHECKING

from meridian.config.problems import FULL_KEY
from meridian.config.sections import LINK_BLOCK_PREFIX

if TYPE_CHECKING:
    from meridian.config.stack import StackConfig

_KEY = f"{FULL_KEY}.interconnect"
LINK_LOCAL = ipaddress.IPv4Network("169.254.0.0/16")
# AWS refuses these /30s as tunnel inside CIDRs.
AWS_RESERVED_INSIDE = tuple(
    ipaddress.IPv4Network(n)
    for n in (
        "169.254.0.0/30",
        "169.254.1.0/30",
        "169.254.2.0/30",
        "169.254.3.0/30",
        "169.254.4.0/30",
        "169.254.5.0/30",
        "169.254.169.252/30",
    )
)
AZURE_APIPA_USABLE = (ipaddress.IPv4Network("169.254.21.0/24"), ipaddress.IPv4Network("169.254.22.0/24"))
AZURE_RESERVED_ASNS = frozenset({8074, 8075, 12076, 65517, 65518, 65519, 65520})


def check_interconnect(cfg: StackConfig) -> list[str]:
    ic = cfg.interconnect
    if ic is None:
        return []
    problems: list[str] = []
    clusters = {c.name: c for c in cfg.clusters}
    known = ", ".join(clusters)

    pool = ic.inside_cidr_pool
    if not pool.subnet_of(LINK_LOCAL):
        problems.append(
            f"{_KEY}.insideCidrPool: {pool} is not inside {LINK_LOCAL} (tunnel inside addresses are link-local)"
        )

    for name, asn in ic.cluster_asns.items():
        key = f"{_KEY}.clusterAsns.{name}"
        if name not in clusters:
            problems.append(f"{key}: {name!r} is not a cluster name (known: {known})")
            continue
        cl = clusters[name]
        for cloud, cloud_asn in ic.asns.items():
            if cloud != cl.cloud and cloud_asn == asn:
                problems.append(f"{key}: ASN {asn} clashes with {_KEY}.asns.{cloud} = {cloud_asn}")
        if cl.cloud == "azure" and asn in AZURE_RESERVED_ASNS:
            problems.append(f"{key}: ASN {asn} is reserved by Azure and cannot be used on a VPN gateway")
    for cloud, asn in ic.asns.items():
        if cloud == "azure" and asn in AZURE_RESERVED_ASNS:
            problems.append(
                f"{_KEY}.asns.azure: ASN {asn} is reserved by Azure and cannot be used on a VPN gateway"
            )

    pairs = [frozenset((link.a, link.b)) for link in ic.links]
    blocks: list[tuple[str, ipaddress.IPv4Network]] = []
    pool_blocks = ic.pool_blocks()
    for i, link in enumerate(ic.links):
        base = f"{_KEY}.links[{i}]"
        ends_ok = True
        for end in ("a", "b"):
            value = getattr(link, end)
            if value not in clusters:
                problems.append(f"{base}.{end}: {value!r} is not a cluster name (known: {known})")
                ends_ok = False
        if link.a == link.b:
            problems.append(f"{base}: a link needs two different clusters (got {link.a!r} twice)")
            ends_ok = False
        if pairs.index(pairs[i]) != i:
            problems.append(
                f"{base}: link {sorted(pairs[i])} is listed twice (first at links[{pairs.index(pairs[i])}])"
            )
        if not ends_ok:
            continue
        ca, cb = clusters[link.a], clusters[link.b]
        clouds = {ca.cloud, cb.cloud}
        if ca.cloud == cb.cloud and link.mode in ("vpn", "dedicated"):
            problems.append(
                f"{base}: {link.a!r} and {link.b!r} are both on {ca.cloud}; mode {link.mode!r} joins different "
                f"clouds - use mode 'peering' ({ca.cloud}'s own network peering)"
            )
            continue
        if link.mode == "peering":
            if ca.cloud != cb.cloud:
                problems.append(
                    f"{base}: mode 'peering' joins two networks of one cloud, but {link.a!r} is on {ca.cloud} and "
                    f"{link.b!r} on {cb.cloud} - use 'vpn' or 'dedicated'"
                )
            if link.aws_connection_ids or link.azure_peering_location or link.partner or link.inside_cidr:
                problems.append(
                    f"{base}: partner / awsConnectionIds / azurePeeringLocation / insideCidr do not apply to mode "
                    "'peering' (no tunnels, no BGP)"
                )
            continue
        asn_a, asn_b = ic.asn_of(link.a, ca.cloud), ic.asn_of(link.b, cb.cloud)
        if link.mode != "public" and asn_a == asn_b:
            problems.append(
                f"{base}: both ends have ASN {asn_a} ({link.a!r} and {link.b!r}); BGP peers need distinct ASNs "
                f"(see {_KEY}.asns / clusterAsns)"
            )

        if link.mode == "dedicated":
            if not link.partner:
                problems.append(
                    f"{base}.partner: a dedicated link needs the partner providing the circuit (e.g. 'megaport')"
                )
            if "aws" in clouds and len(set(link.aws_connection_ids)) < 2:
                problems.append(
                    f"{base}.awsConnectionIds: a dedicated link with an AWS end needs the partner's two hosted "
                    f"connections (dxcon-...) for redundancy, got {link.aws_connection_ids}"
                )
            if "azure" in clouds and not link.azure_peering_location:
                problems.append(
                    f"{base}.azurePeeringLocation: a dedicated link with an Azure end needs the ExpressRoute peering location"
                )
        else:
            if link.aws_connection_ids or link.azure_peering_location or link.partner:
                problems.append(
                    f"{base}: partner / awsConnectionIds / azurePeeringLocation only apply to mode 'dedicated' (mode is {link.mode!r})"
                )

        if link.mode == "public":
            continue
        if link.inside_cidr is not None:
            key, block = f"{base}.insideCidr", link.inside_cidr
            if block.prefixlen != LINK_BLOCK_PREFIX or not block.subnet_of(LINK_LOCAL):
                problems.append(f"{key}: {block} must be a /{LINK_BLOCK_PREFIX} inside {LINK_LOCAL}")
                continue
        else:
            key = f"{_KEY}.insideCidrPool (block {i} for links[{i}] {link.a}<->{link.b})"
            if i >= len(pool_blocks):
                problems.append(
                    f"{_KEY}.insideCidrPool: {pool} holds {len(pool_blocks)} /{LINK_BLOCK_PREFIX} link blocks but "
                    f"links[{i}] ({link.a}<->{link.b}) needs block {i}: the pool overflows; use a larger pool or "
                    f"give the link an insideCidr"
                )
                continue
            block = pool_blocks[i]
        for reserved in AWS_RESERVED_INSIDE:
            if "aws" in clouds and block.overlaps(reserved):
                problems.append(f"{key}: {block} overlaps {reserved}, which AWS reserves")
        if (
            "azure" in clouds
            and link.mode == "vpn"
            and not any(block.subnet_of(r) for r in AZURE_APIPA_USABLE)
        ):
            problems.append(
                f"{key}: {block} is outside 169.254.21.0-169.254.22.255, the only APIPA BGP addresses Azure "
                f"VPN gateways accept (links[{i}] has an Azure end)"
            )
        blocks.append((key, block))

    for (ka, na), (kb, nb) in itertools.combinations(blocks, 2):
        if na.overlaps(nb):
            problems.append(f"tunnel inside addresses clash: {ka} = {na} and {kb} = {nb}")
    return problems

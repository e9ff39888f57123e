"""Small helpers every config check uses: look a value up in the catalog and, when it is unknown,
record a problem that names the key path (residency fails closed)."""

from __future__ import annotations

import ipaddress

from meridian import catalog

CONFIG_NAMESPACE = "meridian"
CONFIG_KEY = "platform"
FULL_KEY = f"{CONFIG_NAMESPACE}:{CONFIG_KEY}"
"""The one structured Pulumi config key: every problem path starts from it."""

PRIVATE_RANGES = tuple(ipaddress.IPv4Network(n) for n in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"))
"""RFC 1918: where cluster, service and VPN-inside ranges must come from."""


def is_private(net: ipaddress.IPv4Network) -> bool:
    return any(net.subnet_of(p) for p in PRIVATE_RANGES)


def check_region(problems: list[str], path: str, cloud: str, region_id: str) -> catalog.Region | None:
    try:
        return catalog.region(cloud, region_id)
    except catalog.UnknownRegionError as e:
        problems.append(f"{path}: {e}")
        return None


def check_jurisdiction(problems: list[str], path: str, jid: str) -> bool:
    try:
        catalog.jurisdiction(jid)
        return True
    except catalog.UnknownJurisdictionError as e:
        problems.append(f"{path}: {e}")
        return False

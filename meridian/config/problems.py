"""Small helpers every config check uses: look a value up in the catalog and, when it is unknown,
record a problem that names the key path (residency fails closed)."""

from __future__ import annotations

from meridian import catalog


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

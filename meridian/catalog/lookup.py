"""Lookups over the catalog. Every function fails closed on unknown input."""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache

from meridian.catalog.data import (
    AWS_PARTITIONS,
    AWS_REGIONS,
    AZURE_REGIONS,
    CLOUDFLARE_REGIONAL_SERVICES,
    GCP_REGIONS,
    GCP_SERVICE_LOCATIONS,
    JURISDICTIONS,
)
from meridian.catalog.model import (
    CLOUDS,
    Cloud,
    Jurisdiction,
    Region,
    UnknownJurisdictionError,
    UnknownRegionError,
)

_TABLES: dict[str, tuple[Region, ...]] = {"aws": AWS_REGIONS, "gcp": GCP_REGIONS, "azure": AZURE_REGIONS}


def normalize_region_id(cloud: str, region_id: str) -> str:
    """Canonical form of a region id as the providers spell it in different places.

    GCS writes locations in upper case ("EUROPE-WEST1", "EU"); Azure accepts display names
    ("West Europe") as well as names ("westeurope"). AWS ids are already canonical.
    """
    rid = region_id.strip().lower()
    if cloud == "azure":
        rid = rid.replace(" ", "")
    return rid


@cache
def _index() -> dict[tuple[str, str], Region]:
    index: dict[tuple[str, str], Region] = {}
    for cloud, table in _TABLES.items():
        for reg in table:
            key = (cloud, reg.id)
            if key in index:
                raise RuntimeError(f"region catalog: {cloud} region {reg.id!r} is listed twice")
            index[key] = reg
    return index


@cache
def _country_index() -> dict[str, frozenset[str]]:
    out: dict[str, set[str]] = {}
    for j in JURISDICTIONS:
        for country in j.countries:
            out.setdefault(country, set()).add(j.id)
    return {c: frozenset(js) for c, js in out.items()}


def region(cloud: str, region_id: str) -> Region:
    """The catalog entry of a region. Raises UnknownRegionError (fail closed)."""
    if cloud not in CLOUDS:
        raise UnknownRegionError(cloud, region_id)
    try:
        return _index()[(cloud, normalize_region_id(cloud, region_id))]
    except KeyError:
        raise UnknownRegionError(cloud, region_id) from None


def all_regions(cloud: Cloud | None = None) -> tuple[Region, ...]:
    if cloud is None:
        return AWS_REGIONS + GCP_REGIONS + AZURE_REGIONS
    return _TABLES[cloud]


def jurisdictions() -> tuple[Jurisdiction, ...]:
    return JURISDICTIONS


def jurisdiction(jurisdiction_id: str) -> Jurisdiction:
    """The jurisdiction with this id (case-insensitive). Raises UnknownJurisdictionError."""
    jid = jurisdiction_id.strip().lower()
    for j in JURISDICTIONS:
        if j.id == jid:
            return j
    known = ", ".join(j.id for j in JURISDICTIONS)
    raise UnknownJurisdictionError(f"{jurisdiction_id!r} is not a known jurisdiction (known: {known})")


def country_jurisdictions(country: str) -> frozenset[str]:
    """Jurisdictions a country belongs to (ISO alpha-2). Raises for an unknown country."""
    cc = country.strip().upper()
    try:
        return _country_index()[cc]
    except KeyError:
        raise UnknownJurisdictionError(
            f"country {country!r} belongs to no jurisdiction in the Meridian region catalog"
        ) from None


def region_in_jurisdiction(cloud: str, region_id: str, jurisdiction_id: str) -> bool:
    """True when every place data in this location may sit is inside the jurisdiction."""
    jurisdiction(jurisdiction_id)  # unknown jurisdiction -> error, not False
    return region(cloud, region_id).within(jurisdiction_id)


def regions_in(jurisdiction_id: str, cloud: Cloud | None = None) -> tuple[Region, ...]:
    jurisdiction(jurisdiction_id)
    return tuple(r for r in all_regions(cloud) if r.within(jurisdiction_id))


def geo_pair(region_id: str) -> Region | None:
    """Azure: the paired region a geo-redundant (GRS/RA-GRS/GZRS/RA-GZRS) account replicates to."""
    reg = region("azure", region_id)
    return region("azure", reg.geo_pair) if reg.geo_pair else None


def replication_regions(cloud: str, region_id: str) -> tuple[Region, ...]:
    """Every physical region data stored at this location may sit in (members of multi/dual
    regions, or the region itself)."""
    reg = region(cloud, region_id)
    if reg.members:
        return tuple(region(cloud, m) for m in reg.members)
    return (reg,)


def aws_partition(region_id: str) -> str:
    """The AWS partition of a region ("aws", "aws-us-gov", "aws-cn", "aws-eusc"): regions outside
    "aws" need accounts and credentials of their own partition. Raises UnknownRegionError."""
    return AWS_PARTITIONS[region("aws", region_id).id]


def all_within(regions: Iterable[Region], jurisdiction_id: str) -> bool:
    return all(r.within(jurisdiction_id) for r in regions)


def service_location(service: str, location_id: str) -> Region | None:
    """A GCP service's own multi-region configuration (Spanner "eur3", Firestore "nam5"), with the
    regions that hold its replicas; None when the service names no such configuration (callers
    then look the id up as a region, which fails closed when it is not one)."""
    lid = location_id.strip().lower()
    for reg in GCP_SERVICE_LOCATIONS.get(service, ()):
        if reg.id == lid:
            return reg
    return None


def cloudflare_region(jurisdiction_id: str) -> str | None:
    """The Cloudflare Regional Services region key that keeps a jurisdiction's TLS termination inside it,
    or None when the catalog has none (callers refuse a bound hostname there)."""
    return CLOUDFLARE_REGIONAL_SERVICES.get(jurisdiction(jurisdiction_id).id)


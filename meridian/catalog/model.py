"""Types of the region catalog. Pure data, no I/O, stdlib only (the router imports this too)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Cloud = Literal["aws", "gcp", "azure"]
CLOUDS: tuple[Cloud, ...] = ("aws", "gcp", "azure")

# region: one physical region. multi-region / dual-region: a GCS location spanning several
# regions (members list them). geography: an Azure geography-level location (e.g. "europe"),
# used by some services, never a place to put data without knowing its members.
RegionKind = Literal["region", "dual-region", "multi-region"]


class UnknownRegionError(KeyError):
    """A region id that is not in the catalog. Residency fails closed on it."""

    def __init__(self, cloud: str, region_id: str) -> None:
        super().__init__(f"{region_id!r} is not a known {cloud} region in the Meridian region catalog")
        self.cloud = cloud
        self.region_id = region_id

    def __str__(self) -> str:  # KeyError quotes its message otherwise
        return str(self.args[0])


class UnknownJurisdictionError(KeyError):
    """A jurisdiction id or country code that the catalog does not know."""

    def __init__(self, what: str) -> None:
        super().__init__(what)

    def __str__(self) -> str:
        return str(self.args[0])


@dataclass(frozen=True, slots=True)
class Jurisdiction:
    """A legal area data may be bound to, e.g. "eu" (EU/EEA), "uk", "us"."""

    id: str  # lowercase, as used in tags/labels and config
    name: str
    countries: frozenset[str]  # ISO 3166-1 alpha-2, uppercase


@dataclass(frozen=True, slots=True)
class Region:
    """One cloud location with its country and the jurisdictions it belongs to."""

    cloud: Cloud
    id: str  # canonical id: aws "eu-west-1", gcp "europe-west1" / "eu", azure "westeurope"
    name: str  # human name, e.g. "Europe (Ireland)"
    country: str  # ISO 3166-1 alpha-2 of the (first) member region; "" never allowed
    jurisdictions: frozenset[str]
    kind: RegionKind = "region"
    # For multi/dual regions: the member region ids (data may be stored in any of them).
    members: tuple[str, ...] = field(default=())
    # Azure: the paired region a GRS/RA-GRS/GZRS account replicates to (None: no pair).
    geo_pair: str | None = None

    def within(self, jurisdiction_id: str) -> bool:
        return jurisdiction_id.lower() in self.jurisdictions

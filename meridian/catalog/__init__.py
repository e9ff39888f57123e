"""The region catalog: the one place that decides where every cloud region is and which
jurisdictions it belongs to. Everything residency-related (infra placement, Cloudflare steering,
router backends, the policy pack and the audit) derives from here.

Residency fails closed: an unknown region, country or jurisdiction raises, never defaults.
"""

from meridian.catalog.lookup import (
    all_regions,
    aws_partition,
    cloudflare_region,
    country_jurisdictions,
    geo_pair,
    jurisdiction,
    jurisdictions,
    normalize_region_id,
    region,
    region_in_jurisdiction,
    regions_in,
    replication_regions,
    service_location,
)
from meridian.catalog.model import (
    CLOUDS,
    Cloud,
    Jurisdiction,
    Region,
    RegionKind,
    UnknownJurisdictionError,
    UnknownRegionError,
)

__all__ = [
    "CLOUDS",
    "Cloud",
    "Jurisdiction",
    "Region",
    "RegionKind",
    "UnknownJurisdictionError",
    "UnknownRegionError",
    "all_regions",
    "aws_partition",
    "cloudflare_region",
    "country_jurisdictions",
    "geo_pair",
    "jurisdiction",
    "jurisdictions",
    "normalize_region_id",
    "region",
    "region_in_jurisdiction",
    "regions_in",
    "replication_regions",
    "service_location",
]

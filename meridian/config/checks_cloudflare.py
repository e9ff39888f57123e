"""Cross-section checks of `cloudflare`: pool references, steering shape, and residency.

For a hostname bound to jurisdiction J, every pool a user can reach (pools, defaultPools, fallback,
regionPools, countryPools, popPools, weights) must be a cluster whose region is in J, per the region
catalog. Non-bound hostnames may fail over anywhere."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from meridian import catalog
from meridian.config.problems import FULL_KEY
from meridian.config.sections import CF_REGIONS

if TYPE_CHECKING:
    from meridian.config.stack import StackConfig

_KEY = f"{FULL_KEY}.cloudflare"


def check_cloudflare(cfg: StackConfig) -> list[str]:
    cf = cfg.cloudflare
    if cf is None:
        return []
    problems: list[str] = []
    clusters = {c.name: c for c in cfg.clusters}
    known = ", ".join(clusters)
    names = [h.name for h in cf.hostnames]

    for i, h in enumerate(cf.hostnames):
        base = f"{_KEY}.hostnames[{i}]"
        if cf.metadata_boundary is not None and h.jurisdiction is not None:
            try:
                own = catalog.cloudflare_region(h.jurisdiction)
            except catalog.UnknownJurisdictionError:
                own = None
            if own is not None and own != cf.metadata_boundary:
                problems.append(
                    f"{_KEY}.metadataBoundary: {cf.metadata_boundary!r} keeps the whole account's logs and "
                    f"analytics there, but hostname {h.name} ({base}) is bound to {h.jurisdiction!r} (Cloudflare "
                    f"region {own!r}): its request logs would leave the jurisdiction; use one Cloudflare account "
                    "per jurisdiction, or leave metadataBoundary unset")
        if h.jurisdiction is not None:
            try:
                if catalog.cloudflare_region(h.jurisdiction) is None:
                    problems.append(f"{base}.jurisdiction: hostname {h.name} is bound to {h.jurisdiction!r}, which "
                                    "has no Cloudflare Regional Services region in the catalog: its TLS could be "
                                    "terminated outside the jurisdiction")
            except catalog.UnknownJurisdictionError:
                pass  # reported with the other jurisdiction checks
        if names.count(h.name) > 1:
            problems.append(f"{base}.name: hostname {h.name!r} is listed more than once")
        reachable = h.reachable_pools()
        for key, pool in reachable:
            if pool not in clusters:
                problems.append(f"{base}.{key}: {pool!r} is not a cluster name (known: {known})")

        for code, pools in h.region_pools.items():
            if code not in CF_REGIONS:
                problems.append(
                    f"{base}.regionPools.{code}: not a Cloudflare region code ({', '.join(CF_REGIONS)})"
                )
            if not pools:
                problems.append(f"{base}.regionPools.{code}: needs at least one pool")
        for cc, pools in h.country_pools.items():
            if not re.fullmatch(r"[A-Z]{2}", cc):
                problems.append(f"{base}.countryPools.{cc}: country codes are ISO 3166-1 alpha-2, upper case")
            else:
                try:
                    catalog.country_jurisdictions(cc)
                except catalog.UnknownJurisdictionError as e:
                    problems.append(f"{base}.countryPools.{cc}: {e}")
            if not pools:
                problems.append(f"{base}.countryPools.{cc}: needs at least one pool")
        for pop, pools in h.pop_pools.items():
            if not re.fullmatch(r"[A-Z]{3}", pop):
                problems.append(
                    f"{base}.popPools.{pop}: PoP codes are 3-letter IATA codes, upper case (e.g. FRA)"
                )
            if not pools:
                problems.append(f"{base}.popPools.{pop}: needs at least one pool")
        if h.default_pools is not None and not h.default_pools:
            problems.append(f"{base}.defaultPools: needs at least one pool (or leave it out to use pools)")

        geo_maps = bool(h.region_pools or h.country_pools or h.pop_pools)
        if h.steering == "geo" and not geo_maps:
            problems.append(f"{base}.steering: 'geo' needs regionPools, countryPools or popPools")
        if geo_maps and h.steering != "geo":
            problems.append(
                f"{base}.steering: regionPools / countryPools / popPools only steer with 'geo' (got {h.steering!r})"
            )
        if h.weights and h.steering != "random":
            problems.append(
                f"{base}.weights: pool weights only apply to steering 'random' (got {h.steering!r})"
            )
        for pool in h.weights:
            if pool not in h.pools:
                problems.append(
                    f"{base}.weights.{pool}: {pool!r} is not one of the hostname's pools {h.pools}"
                )
        if h.session_affinity == "header" and not h.session_affinity_headers:
            problems.append(
                f"{base}.sessionAffinityHeaders: session affinity 'header' needs the header names"
            )

        if h.jurisdiction is None:
            continue
        try:
            catalog.jurisdiction(h.jurisdiction)
        except catalog.UnknownJurisdictionError as e:
            problems.append(f"{base}.jurisdiction: {e}")
            continue
        for key, pool in reachable:
            cl = clusters.get(pool)
            if cl is None:
                continue
            try:
                reg = catalog.region(cl.cloud, cl.region)
            except catalog.UnknownRegionError:
                continue  # reported under clusters[]
            if not reg.within(h.jurisdiction):
                problems.append(
                    f"{base}.{key}: hostname {h.name!r} is bound to {h.jurisdiction!r} but pool {pool!r} is in "
                    f"{cl.cloud} {cl.region} ({reg.country}); every pool a user can reach, fallback included, "
                    f"must be in {h.jurisdiction!r}"
                )
    return problems

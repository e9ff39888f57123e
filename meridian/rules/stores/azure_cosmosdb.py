"""Cosmos DB accounts: every entry of `locations[]` holds a full copy; a periodic backup with Geo
redundancy (the default) copies backups to the write region's pair. CMEK: `keyVaultKeyUri`."""

from __future__ import annotations

from meridian.rules.facts import (
    Placement,
    Target,
    azure_diagnostic_targets,
    azure_key_use,
    azure_location,
    dig,
    place,
    place_all,
)
from meridian.rules.stack import Resource, StackView
from meridian.rules.stores.azure_common import NOVER, kind, public_network, tls12
from meridian.rules.stores.azure_storage import geo_pair_target

COSMOS = "azure-native:documentdb:DatabaseAccount"  # azure-native 2
COSMOS_V3 = "azure-native:cosmosdb:DatabaseAccount"  # azure-native 3


def _cosmos_locations(res: Resource) -> list[object]:
    return [dig(loc, "locationName") for loc in res.props.get("locations") or [] if isinstance(loc, dict)]


def cosmos_locate(res: Resource, view: StackView) -> Placement:
    locs = _cosmos_locations(res) or [azure_location(res, view)]
    return place_all("azure", locs, f"locations of {res.name}")


def cosmos_replicas(res: Resource, view: StackView) -> list[Target]:
    locs = _cosmos_locations(res)
    home = azure_location(res, view)
    out = [
        Target("replica", str(loc), place("azure", loc, f"location of {res.name}"), "locations[]")
        for loc in locs
        if str(loc).replace(" ", "").lower() != str(home).replace(" ", "").lower()
    ]
    policy = res.props.get("backupPolicy") or {}
    periodic = str(dig(policy, "type") or "Periodic").lower() == "periodic"
    red = str(dig(policy, "periodicModeProperties.backupStorageRedundancy") or "Geo")
    if periodic and red.lower() == "geo":
        out.append(
            geo_pair_target(
                place("azure", locs[0] if locs else home, f"write region of {res.name}"),
                "periodic backup with Geo redundancy (the default)",
            )
        )
    return out


COSMOS_KIND = kind(
    "azure-cosmosdb-account",
    "Cosmos DB account",
    (COSMOS, COSMOS_V3),
    locate=cosmos_locate,
    replicas=cosmos_replicas,
    key=azure_key_use("keyVaultKeyUri"),
    logs_backups=azure_diagnostic_targets,
    public_access=public_network(),
    tls_only=tls12("minimalTlsVersion"),
    versioning=NOVER,
    doc=__doc__ or "",
)

KINDS = (COSMOS_KIND,)

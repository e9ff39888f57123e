"""The catalog's data: jurisdictions and every public region of AWS, GCP and Azure.

SEED ONLY: the full region tables are being completed (see tests/catalog)."""

from __future__ import annotations

from meridian.catalog.model import Jurisdiction, Region

_EU = frozenset(
    "AT BE BG HR CY CZ DK EE FI FR DE GR HU IE IT LV LT LU MT NL PL PT RO SK SI ES SE".split()
)
_EEA = _EU | {"NO", "IS", "LI"}

JURISDICTIONS: tuple[Jurisdiction, ...] = (
    Jurisdiction("eu", "European Union / European Economic Area (GDPR)", frozenset(_EEA)),
    Jurisdiction("uk", "United Kingdom (UK GDPR)", frozenset({"GB"})),
    Jurisdiction("ch", "Switzerland (revFADP)", frozenset({"CH"})),
    Jurisdiction("us", "United States", frozenset({"US"})),
    Jurisdiction("ca", "Canada (PIPEDA)", frozenset({"CA"})),
)


def _r(cloud, rid, name, country, *js, kind="region", members=(), pair=None) -> Region:  # type: ignore[no-untyped-def]
    return Region(cloud, rid, name, country, frozenset(js), kind, tuple(members), pair)


AWS_REGIONS: tuple[Region, ...] = (
    _r("aws", "us-east-1", "US East (N. Virginia)", "US", "us"),
    _r("aws", "us-west-2", "US West (Oregon)", "US", "us"),
    _r("aws", "eu-west-1", "Europe (Ireland)", "IE", "eu"),
    _r("aws", "eu-central-1", "Europe (Frankfurt)", "DE", "eu"),
)
GCP_REGIONS: tuple[Region, ...] = (
    _r("gcp", "us-central1", "Iowa", "US", "us"),
    _r("gcp", "europe-west1", "Belgium", "BE", "eu"),
    _r("gcp", "europe-west2", "London", "GB", "uk"),
)
AZURE_REGIONS: tuple[Region, ...] = (
    _r("azure", "eastus", "East US", "US", "us", pair="westus"),
    _r("azure", "westus", "West US", "US", "us", pair="eastus"),
    _r("azure", "westeurope", "West Europe", "NL", "eu", pair="northeurope"),
    _r("azure", "northeurope", "North Europe", "IE", "eu", pair="westeurope"),
)

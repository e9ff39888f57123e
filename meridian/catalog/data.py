"""The catalog's data: jurisdictions and every public region of AWS, GCP and Azure.

Every row states its country *and* its jurisdictions explicitly (double entry): the tests in
tests/catalog check that the two agree, so a typo in either is caught rather than silently
moving a region into or out of a jurisdiction.

Choices (each one matters for residency, so they are written down here):

Jurisdictions
  * One jurisdiction per country. "eu" is the EU plus the EEA states (NO, IS, LI): GDPR applies
    to all 30 through the EEA agreement, so Norway is in "eu", not in a jurisdiction of its own.
    "uk" (UK GDPR) and "ch" (revFADP) are separate from "eu" despite adequacy decisions: adequacy
    permits transfers, it does not make London or Zurich part of the EU.
  * Hong Kong ("hk", PDPO) and Taiwan ("tw") are their own jurisdictions, not part of "cn":
    PIPL does not apply in Hong Kong, which has its own data protection law.
  * Bahrain ("bh") exists because AWS me-south-1 is there; every region's country must belong to
    a jurisdiction, otherwise residency would have nowhere to put it (and lookups fail closed).

AWS (cross-checked against botocore's endpoints.json in tests/catalog)
  * Commercial partition "aws": every region. GovCloud (partition "aws-us-gov") is in "us".
  * China (partition "aws-cn", operated by Sinnet / NWCD) is in "cn", and the European Sovereign
    Cloud (partition "aws-eusc", Germany) is in "eu". They are separate partitions: separate
    accounts, credentials and ARNs (arn:aws-cn:..., arn:aws-us-gov:...). AWS_PARTITIONS records
    which partition each region is in (lookup.aws_partition) so that nothing assumes a region of
    the commercial partition can be reached with commercial credentials.
  * The isolated partitions (aws-iso*, classified) are not public and are not listed.

GCP
  * Every public region as of the catalog's last review. Announced-but-not-open regions are not
    listed; an unlisted region fails closed (UnknownRegionError), it is never guessed.
  * GCS multi-regions "us", "eu", "asia": GCS documents them as "data centers in the United
    States / in member states of the European Union / in Asia". Their members are the catalog's
    regions in that area (derived below, so they follow the region table). "eu" excludes
    europe-west2 (London) and europe-west6 (Zurich), as GCS documents. "asia" spans several
    countries, so its jurisdictions set is empty: it is inside no jurisdiction.
  * GCS predefined dual-regions: a dual-region is within a jurisdiction only when both members
    are. eur5 (Belgium + London), eur7 (London + Frankfurt) and eur8 (Frankfurt + Zurich) straddle
    two jurisdictions and are therefore inside none.
  * A multi/dual region's country is the country of its first member.

Azure
  * Every public region of the Azure public cloud, including access-restricted ones that serve
    as geo pairs (e.g. germanynorth, switzerlandwest, norwaywest). Azure Government and Azure
    operated by 21Vianet (China) are separate clouds with their own endpoints and are not listed.
    Logical/EUAP/staging locations (eastus2euap, eastusstg, ...) are not places to put data.
  * geo_pair is Azure's documented region pair, i.e. where a GRS/RA-GRS/GZRS/RA-GZRS account
    replicates to. Some pairs are one-way (brazilsouth -> southcentralus, brazilsoutheast ->
    brazilsouth, westindia -> southindia, westus3 -> eastus). brazilsouth's pair is in the US:
    a Brazil South GRS account replicates out of Brazil. Likewise eastasia (Hong Kong) and
    southeastasia (Singapore) are paired across two jurisdictions. Regions without a pair (the newer
    "3+0" regions such as polandcentral, italynorth, spaincentral) have geo_pair None.
  * Geography-level locations ("europe", "unitedstates", "global", ...) are not regions and
    are not listed: a resource placed there fails closed.
"""

from __future__ import annotations

from meridian.catalog.model import Cloud, Jurisdiction, Region, RegionKind

_EU = frozenset("AT BE BG HR CY CZ DK EE FI FR DE GR HU IE IT LV LT LU MT NL PL PT RO SK SI ES SE".split())
_EEA = _EU | {"NO", "IS", "LI"}


def _j(jid: str, name: str, *countries: str) -> Jurisdiction:
    return Jurisdiction(jid, name, frozenset(countries))


JURISDICTIONS: tuple[Jurisdiction, ...] = (
    Jurisdiction("eu", "European Union / European Economic Area (GDPR)", frozenset(_EEA)),
    _j("uk", "United Kingdom (UK GDPR, Data Protection Act 2018)", "GB"),
    _j("ch", "Switzerland (revFADP)", "CH"),
    _j("us", "United States", "US"),
    _j("ca", "Canada (PIPEDA)", "CA"),
    _j("mx", "Mexico (LFPDPPP)", "MX"),
    _j("br", "Brazil (LGPD)", "BR"),
    _j("cl", "Chile (Law 19.628 / Law 21.719)", "CL"),
    _j("jp", "Japan (APPI)", "JP"),
    _j("kr", "South Korea (PIPA)", "KR"),
    _j("tw", "Taiwan (Personal Data Protection Act)", "TW"),
    _j("hk", "Hong Kong (PDPO)", "HK"),
    _j("cn", "China (PIPL)", "CN"),
    _j("sg", "Singapore (PDPA)", "SG"),
    _j("my", "Malaysia (PDPA 2010)", "MY"),
    _j("th", "Thailand (PDPA 2019)", "TH"),
    _j("id", "Indonesia (PDP Law 27/2022)", "ID"),
    _j("in", "India (DPDP Act 2023)", "IN"),
    _j("au", "Australia (Privacy Act 1988)", "AU"),
    _j("nz", "New Zealand (Privacy Act 2020)", "NZ"),
    _j("za", "South Africa (POPIA)", "ZA"),
    _j("ae", "United Arab Emirates (PDPL, Federal Decree-Law 45/2021)", "AE"),
    _j("sa", "Saudi Arabia (PDPL)", "SA"),
    _j("qa", "Qatar (PDPPL, Law 13/2016)", "QA"),
    _j("bh", "Bahrain (PDPL, Law 30/2018)", "BH"),
    _j("il", "Israel (Protection of Privacy Law)", "IL"),
)


def _r(
    cloud: Cloud,
    rid: str,
    name: str,
    country: str,
    *js: str,
    kind: RegionKind = "region",
    members: tuple[str, ...] = (),
    pair: str | None = None,
) -> Region:
    return Region(cloud, rid, name, country, frozenset(js), kind, tuple(members), pair)


# --------------------------------------------------------------------------------------------- AWS
# Names are botocore's region descriptions (checked by tests/catalog/test_aws_botocore.py).

AWS_REGIONS: tuple[Region, ...] = (
    # commercial partition "aws"
    _r("aws", "us-east-1", "US East (N. Virginia)", "US", "us"),
    _r("aws", "us-east-2", "US East (Ohio)", "US", "us"),
    _r("aws", "us-west-1", "US West (N. California)", "US", "us"),
    _r("aws", "us-west-2", "US West (Oregon)", "US", "us"),
    _r("aws", "ca-central-1", "Canada (Central)", "CA", "ca"),
    _r("aws", "ca-west-1", "Canada West (Calgary)", "CA", "ca"),
    _r("aws", "mx-central-1", "Mexico (Central)", "MX", "mx"),
    _r("aws", "sa-east-1", "South America (Sao Paulo)", "BR", "br"),
    _r("aws", "eu-west-1", "Europe (Ireland)", "IE", "eu"),
    _r("aws", "eu-west-2", "Europe (London)", "GB", "uk"),
    _r("aws", "eu-west-3", "Europe (Paris)", "FR", "eu"),
    _r("aws", "eu-central-1", "Europe (Frankfurt)", "DE", "eu"),
    _r("aws", "eu-central-2", "Europe (Zurich)", "CH", "ch"),
    _r("aws", "eu-north-1", "Europe (Stockholm)", "SE", "eu"),
    _r("aws", "eu-south-1", "Europe (Milan)", "IT", "eu"),
    _r("aws", "eu-south-2", "Europe (Spain)", "ES", "eu"),
    _r("aws", "il-central-1", "Israel (Tel Aviv)", "IL", "il"),
    _r("aws", "me-central-1", "Middle East (UAE)", "AE", "ae"),
    _r("aws", "me-south-1", "Middle East (Bahrain)", "BH", "bh"),
    _r("aws", "af-south-1", "Africa (Cape Town)", "ZA", "za"),
    _r("aws", "ap-east-1", "Asia Pacific (Hong Kong)", "HK", "hk"),
    _r("aws", "ap-east-2", "Asia Pacific (Taipei)", "TW", "tw"),
    _r("aws", "ap-northeast-1", "Asia Pacific (Tokyo)", "JP", "jp"),
    _r("aws", "ap-northeast-2", "Asia Pacific (Seoul)", "KR", "kr"),
    _r("aws", "ap-northeast-3", "Asia Pacific (Osaka)", "JP", "jp"),
    _r("aws", "ap-south-1", "Asia Pacific (Mumbai)", "IN", "in"),
    _r("aws", "ap-south-2", "Asia Pacific (Hyderabad)", "IN", "in"),
    _r("aws", "ap-southeast-1", "Asia Pacific (Singapore)", "SG", "sg"),
    _r("aws", "ap-southeast-2", "Asia Pacific (Sydney)", "AU", "au"),
    _r("aws", "ap-southeast-3", "Asia Pacific (Jakarta)", "ID", "id"),
    _r("aws", "ap-southeast-4", "Asia Pacific (Melbourne)", "AU", "au"),
    _r("aws", "ap-southeast-5", "Asia Pacific (Malaysia)", "MY", "my"),
    _r("aws", "ap-southeast-6", "Asia Pacific (New Zealand)", "NZ", "nz"),
    _r("aws", "ap-southeast-7", "Asia Pacific (Thailand)", "TH", "th"),
    # GovCloud partition "aws-us-gov"
    _r("aws", "us-gov-east-1", "AWS GovCloud (US-East)", "US", "us"),
    _r("aws", "us-gov-west-1", "AWS GovCloud (US-West)", "US", "us"),
    # China partition "aws-cn"
    _r("aws", "cn-north-1", "China (Beijing)", "CN", "cn"),
    _r("aws", "cn-northwest-1", "China (Ningxia)", "CN", "cn"),
    # European Sovereign Cloud partition "aws-eusc"
    _r("aws", "eusc-de-east-1", "AWS European Sovereign Cloud (Germany)", "DE", "eu"),
)

# The AWS partition of every AWS region (botocore's partition ids). Regions outside "aws" need
# accounts and credentials of their own partition.
AWS_PARTITIONS: dict[str, str] = {
    r.id: (
        "aws-us-gov"
        if r.id.startswith("us-gov-")
        else "aws-cn"
        if r.id.startswith("cn-")
        else "aws-eusc"
        if r.id.startswith("eusc-")
        else "aws"
    )
    for r in AWS_REGIONS
}

# --------------------------------------------------------------------------------------------- GCP

_GCP_PHYSICAL: tuple[Region, ...] = (
    # North America
    _r("gcp", "us-central1", "Iowa", "US", "us"),
    _r("gcp", "us-east1", "South Carolina", "US", "us"),
    _r("gcp", "us-east4", "Northern Virginia", "US", "us"),
    _r("gcp", "us-east5", "Columbus", "US", "us"),
    _r("gcp", "us-south1", "Dallas", "US", "us"),
    _r("gcp", "us-west1", "Oregon", "US", "us"),
    _r("gcp", "us-west2", "Los Angeles", "US", "us"),
    _r("gcp", "us-west3", "Salt Lake City", "US", "us"),
    _r("gcp", "us-west4", "Las Vegas", "US", "us"),
    _r("gcp", "northamerica-northeast1", "Montréal", "CA", "ca"),
    _r("gcp", "northamerica-northeast2", "Toronto", "CA", "ca"),
    _r("gcp", "northamerica-south1", "Querétaro", "MX", "mx"),
    # South America
    _r("gcp", "southamerica-east1", "São Paulo", "BR", "br"),
    _r("gcp", "southamerica-west1", "Santiago", "CL", "cl"),
    # Europe
    _r("gcp", "europe-west1", "Belgium", "BE", "eu"),
    _r("gcp", "europe-west2", "London", "GB", "uk"),
    _r("gcp", "europe-west3", "Frankfurt", "DE", "eu"),
    _r("gcp", "europe-west4", "Netherlands", "NL", "eu"),
    _r("gcp", "europe-west6", "Zurich", "CH", "ch"),
    _r("gcp", "europe-west8", "Milan", "IT", "eu"),
    _r("gcp", "europe-west9", "Paris", "FR", "eu"),
    _r("gcp", "europe-west10", "Berlin", "DE", "eu"),
    _r("gcp", "europe-west12", "Turin", "IT", "eu"),
    _r("gcp", "europe-north1", "Finland", "FI", "eu"),
    _r("gcp", "europe-north2", "Stockholm", "SE", "eu"),
    _r("gcp", "europe-central2", "Warsaw", "PL", "eu"),
    _r("gcp", "europe-southwest1", "Madrid", "ES", "eu"),
    # Middle East and Africa
    _r("gcp", "me-central1", "Doha", "QA", "qa"),
    _r("gcp", "me-central2", "Dammam", "SA", "sa"),
    _r("gcp", "me-west1", "Tel Aviv", "IL", "il"),
    _r("gcp", "africa-south1", "Johannesburg", "ZA", "za"),
    # Asia Pacific
    _r("gcp", "asia-east1", "Taiwan", "TW", "tw"),
    _r("gcp", "asia-east2", "Hong Kong", "HK", "hk"),
    _r("gcp", "asia-northeast1", "Tokyo", "JP", "jp"),
    _r("gcp", "asia-northeast2", "Osaka", "JP", "jp"),
    _r("gcp", "asia-northeast3", "Seoul", "KR", "kr"),
    _r("gcp", "asia-south1", "Mumbai", "IN", "in"),
    _r("gcp", "asia-south2", "Delhi", "IN", "in"),
    _r("gcp", "asia-southeast1", "Singapore", "SG", "sg"),
    _r("gcp", "asia-southeast2", "Jakarta", "ID", "id"),
    _r("gcp", "australia-southeast1", "Sydney", "AU", "au"),
    _r("gcp", "australia-southeast2", "Melbourne", "AU", "au"),
)


def _gcp_members(*, countries: frozenset[str] | None = None, prefix: str | None = None) -> tuple[str, ...]:
    return tuple(
        r.id
        for r in _GCP_PHYSICAL
        if (countries is None or r.country in countries) and (prefix is None or r.id.startswith(prefix))
    )


_GCS_US = _gcp_members(countries=frozenset({"US"}))
_GCS_EU = _gcp_members(countries=_EU)  # GCS: "member states of the European Union"
_GCS_ASIA = _gcp_members(prefix="asia-")  # GCS: "data centers in Asia"

GCP_REGIONS: tuple[Region, ...] = (
    *_GCP_PHYSICAL,
    # GCS multi-regions
    _r("gcp", "us", "United States (GCS multi-region)", "US", "us", kind="multi-region", members=_GCS_US),
    _r("gcp", "eu", "European Union (GCS multi-region)", "BE", "eu", kind="multi-region", members=_GCS_EU),
    _r("gcp", "asia", "Asia (GCS multi-region)", "TW", kind="multi-region", members=_GCS_ASIA),
    # GCS predefined dual-regions
    _r("gcp", "asia1", "Tokyo and Osaka (GCS dual-region)", "JP", "jp",
       kind="dual-region", members=("asia-northeast1", "asia-northeast2")),
    _r("gcp", "eur4", "Finland and Netherlands (GCS dual-region)", "FI", "eu",
       kind="dual-region", members=("europe-north1", "europe-west4")),
    _r("gcp", "eur5", "Belgium and London (GCS dual-region)", "BE",
       kind="dual-region", members=("europe-west1", "europe-west2")),
    _r("gcp", "eur7", "London and Frankfurt (GCS dual-region)", "GB",
       kind="dual-region", members=("europe-west2", "europe-west3")),
    _r("gcp", "eur8", "Frankfurt and Zurich (GCS dual-region)", "DE",
       kind="dual-region", members=("europe-west3", "europe-west6")),
    _r("gcp", "nam4", "Iowa and South Carolina (GCS dual-region)", "US", "us",
       kind="dual-region", members=("us-central1", "us-east1")),
)  # fmt: skip

# ------------------------------------------------------------------------------------------- Azure
# name: Azure's display name; id: Azure's location name (display name, lower case, no spaces).

AZURE_REGIONS: tuple[Region, ...] = (
    # United States
    _r("azure", "eastus", "East US", "US", "us", pair="westus"),
    _r("azure", "eastus2", "East US 2", "US", "us", pair="centralus"),
    _r("azure", "centralus", "Central US", "US", "us", pair="eastus2"),
    _r("azure", "northcentralus", "North Central US", "US", "us", pair="southcentralus"),
    _r("azure", "southcentralus", "South Central US", "US", "us", pair="northcentralus"),
    _r("azure", "westcentralus", "West Central US", "US", "us", pair="westus2"),
    _r("azure", "westus", "West US", "US", "us", pair="eastus"),
    _r("azure", "westus2", "West US 2", "US", "us", pair="westcentralus"),
    _r("azure", "westus3", "West US 3", "US", "us", pair="eastus"),
    # Canada, Latin America
    _r("azure", "canadacentral", "Canada Central", "CA", "ca", pair="canadaeast"),
    _r("azure", "canadaeast", "Canada East", "CA", "ca", pair="canadacentral"),
    _r("azure", "mexicocentral", "Mexico Central", "MX", "mx"),
    _r("azure", "brazilsouth", "Brazil South", "BR", "br", pair="southcentralus"),
    _r("azure", "brazilsoutheast", "Brazil Southeast", "BR", "br", pair="brazilsouth"),
    _r("azure", "chilecentral", "Chile Central", "CL", "cl"),
    # Europe
    _r("azure", "northeurope", "North Europe", "IE", "eu", pair="westeurope"),
    _r("azure", "westeurope", "West Europe", "NL", "eu", pair="northeurope"),
    _r("azure", "francecentral", "France Central", "FR", "eu", pair="francesouth"),
    _r("azure", "francesouth", "France South", "FR", "eu", pair="francecentral"),
    _r("azure", "germanywestcentral", "Germany West Central", "DE", "eu", pair="germanynorth"),
    _r("azure", "germanynorth", "Germany North", "DE", "eu", pair="germanywestcentral"),
    _r("azure", "norwayeast", "Norway East", "NO", "eu", pair="norwaywest"),
    _r("azure", "norwaywest", "Norway West", "NO", "eu", pair="norwayeast"),
    _r("azure", "swedencentral", "Sweden Central", "SE", "eu", pair="swedensouth"),
    _r("azure", "swedensouth", "Sweden South", "SE", "eu", pair="swedencentral"),
    _r("azure", "polandcentral", "Poland Central", "PL", "eu"),
    _r("azure", "italynorth", "Italy North", "IT", "eu"),
    _r("azure", "spaincentral", "Spain Central", "ES", "eu"),
    _r("azure", "belgiumcentral", "Belgium Central", "BE", "eu"),
    _r("azure", "uksouth", "UK South", "GB", "uk", pair="ukwest"),
    _r("azure", "ukwest", "UK West", "GB", "uk", pair="uksouth"),
    _r("azure", "switzerlandnorth", "Switzerland North", "CH", "ch", pair="switzerlandwest"),
    _r("azure", "switzerlandwest", "Switzerland West", "CH", "ch", pair="switzerlandnorth"),
    # Middle East, Africa
    _r("azure", "uaenorth", "UAE North", "AE", "ae", pair="uaecentral"),
    _r("azure", "uaecentral", "UAE Central", "AE", "ae", pair="uaenorth"),
    _r("azure", "qatarcentral", "Qatar Central", "QA", "qa"),
    _r("azure", "israelcentral", "Israel Central", "IL", "il"),
    _r("azure", "southafricanorth", "South Africa North", "ZA", "za", pair="southafricawest"),
    _r("azure", "southafricawest", "South Africa West", "ZA", "za", pair="southafricanorth"),
    # Asia Pacific
    _r("azure", "eastasia", "East Asia", "HK", "hk", pair="southeastasia"),
    _r("azure", "southeastasia", "Southeast Asia", "SG", "sg", pair="eastasia"),
    _r("azure", "japaneast", "Japan East", "JP", "jp", pair="japanwest"),
    _r("azure", "japanwest", "Japan West", "JP", "jp", pair="japaneast"),
    _r("azure", "koreacentral", "Korea Central", "KR", "kr", pair="koreasouth"),
    _r("azure", "koreasouth", "Korea South", "KR", "kr", pair="koreacentral"),
    _r("azure", "centralindia", "Central India", "IN", "in", pair="southindia"),
    _r("azure", "southindia", "South India", "IN", "in", pair="centralindia"),
    _r("azure", "westindia", "West India", "IN", "in", pair="southindia"),
    _r("azure", "jioindiawest", "Jio India West", "IN", "in", pair="jioindiacentral"),
    _r("azure", "jioindiacentral", "Jio India Central", "IN", "in", pair="jioindiawest"),
    _r("azure", "indonesiacentral", "Indonesia Central", "ID", "id"),
    _r("azure", "malaysiawest", "Malaysia West", "MY", "my"),
    _r("azure", "australiaeast", "Australia East", "AU", "au", pair="australiasoutheast"),
    _r("azure", "australiasoutheast", "Australia Southeast", "AU", "au", pair="australiaeast"),
    _r("azure", "australiacentral", "Australia Central", "AU", "au", pair="australiacentral2"),
    _r("azure", "australiacentral2", "Australia Central 2", "AU", "au", pair="australiacentral"),
    _r("azure", "newzealandnorth", "New Zealand North", "NZ", "nz"),
)

# -------------------------------------------------------------------- GCP service-specific locations
# Multi-region configurations some GCP services name differently from GCS. Members include every
# replica that holds data, witnesses too (a witness keeps the write-ahead log). Sources: Spanner
# "Regional and multi-region configurations" and Firestore "Locations" documentation. A configuration
# not listed here fails closed (its members are not guessed): nam6, nam-eur-asia1 and the other
# multi-continent configs included. eur5/eur6/asia1 straddle two jurisdictions and are inside none.
_SPANNER = (
    _r("gcp", "eur3", "Spanner eur3 (Belgium, Netherlands; witness Finland)", "BE", "eu",
       kind="multi-region", members=("europe-west1", "europe-west4", "europe-north1")),
    _r("gcp", "eur5", "Spanner eur5 (London, Belgium; witness Netherlands)", "GB",
       kind="multi-region", members=("europe-west2", "europe-west1", "europe-west4")),
    _r("gcp", "eur6", "Spanner eur6 (Netherlands, Frankfurt; witness Zurich)", "NL",
       kind="multi-region", members=("europe-west4", "europe-west3", "europe-west6")),
    _r("gcp", "nam3", "Spanner nam3 (N. Virginia, S. Carolina; witness Iowa)", "US", "us",
       kind="multi-region", members=("us-east4", "us-east1", "us-central1")),
    _r("gcp", "asia1", "Spanner asia1 (Tokyo, Osaka; witness Seoul)", "JP",
       kind="multi-region", members=("asia-northeast1", "asia-northeast2", "asia-northeast3")),
)
_FIRESTORE = (
    _r("gcp", "eur3", "Firestore eur3 (Belgium, Netherlands)", "BE", "eu",
       kind="multi-region", members=("europe-west1", "europe-west4")),
    _r("gcp", "nam5", "Firestore nam5 (United States)", "US", "us", kind="multi-region", members=_GCS_US),
    _r("gcp", "nam7", "Firestore nam7 (United States)", "US", "us", kind="multi-region", members=_GCS_US),
)
GCP_SERVICE_LOCATIONS: dict[str, tuple[Region, ...]] = {"spanner": _SPANNER, "firestore": _FIRESTORE}

# ---------------------------------------------------------------- Cloudflare Data Localization Suite
# Regional Services: TLS is terminated and requests inspected only in Cloudflare data centres inside
# the region (RegionalHostname `region_key`). Source: Cloudflare Data Localization Suite "Region
# support" and the Regional Services API (region keys as `GET /accounts/{id}/addressing/regional_hostnames/regions`
# returns them), read 2026-12-01. Only keys confirmed there are mapped: a jurisdiction without an
# entry has no Cloudflare region in the catalog (a bound hostname there is a config error), even where
# Cloudflare may offer one - add it with its key from that endpoint.
CLOUDFLARE_REGIONAL_SERVICES: dict[str, str] = {"eu": "eu", "us": "us", "ca": "ca"}

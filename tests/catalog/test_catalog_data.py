"""Consistency of the catalog's data and the residency facts everything else relies on."""

from __future__ import annotations

import re

import pytest

from meridian import catalog
from meridian.catalog import lookup
from meridian.catalog.data import JURISDICTIONS

REQUIRED_JURISDICTIONS = "eu uk ch us ca jp sg au in br kr tw hk id za ae il qa sa mx cl nz my th cn".split()
# Azure pairs documented as one-way (the pair's own pair is another region).
AZURE_ONE_WAY_PAIRS = {"brazilsouth", "brazilsoutheast", "westindia", "westus3"}


def _multi(cloud: str | None = None) -> list[catalog.Region]:
    return [r for r in catalog.all_regions(cloud) if r.kind != "region"]  # type: ignore[arg-type]


# ------------------------------------------------------------------------------- jurisdictions


def test_jurisdiction_ids_and_countries_are_well_formed() -> None:
    ids = [j.id for j in JURISDICTIONS]
    assert len(ids) == len(set(ids)), "a jurisdiction id is listed twice"
    for j in JURISDICTIONS:
        assert re.fullmatch(r"[a-z]{2,}", j.id), j.id
        assert j.name and j.countries, j.id
        for cc in j.countries:
            assert re.fullmatch(r"[A-Z]{2}", cc), f"{j.id}: {cc!r} is not an ISO alpha-2 code"


def test_required_jurisdictions_exist() -> None:
    for jid in REQUIRED_JURISDICTIONS:
        assert catalog.jurisdiction(jid).id == jid


def test_no_country_is_in_two_jurisdictions() -> None:
    seen: dict[str, str] = {}
    for j in JURISDICTIONS:
        for cc in j.countries:
            assert cc not in seen, f"{cc} is in both {seen[cc]!r} and {j.id!r}"
            seen[cc] = j.id


def test_eu_is_the_eu_plus_the_eea() -> None:
    eu = catalog.jurisdiction("eu").countries
    assert len(eu) == 30
    assert {"NO", "IS", "LI", "IE", "DE", "FR", "SE", "PL"} <= eu
    assert not {"GB", "CH"} & eu
    assert catalog.country_jurisdictions("NO") == {"eu"}
    assert catalog.country_jurisdictions("gb") == {"uk"}
    assert catalog.country_jurisdictions("HK") == {"hk"}  # PIPL does not apply in Hong Kong


def test_every_jurisdiction_has_a_region() -> None:
    empty = [j.id for j in JURISDICTIONS if not catalog.regions_in(j.id)]
    assert not empty, f"jurisdictions no region belongs to: {empty}"


# --------------------------------------------------------------------------------- all regions


def test_region_ids_are_canonical_and_unique() -> None:
    lookup._index.cache_clear()
    lookup._index()  # raises on a duplicate id
    for r in catalog.all_regions():
        assert r.id == catalog.normalize_region_id(r.cloud, r.id), f"{r.cloud} {r.id!r} is not canonical"
        assert r.name, r.id
    for cloud in catalog.CLOUDS:
        names = [r.name for r in catalog.all_regions(cloud)]
        assert len(names) == len(set(names)), f"{cloud}: two regions share a name"


def test_physical_region_jurisdictions_are_exactly_those_of_its_country() -> None:
    problems = []
    for r in catalog.all_regions():
        if r.kind != "region":
            continue
        assert not r.members, f"{r.cloud} {r.id}: a single region has members"
        expected = catalog.country_jurisdictions(r.country)  # raises for a country in no jurisdiction
        if r.jurisdictions != expected:
            problems.append(
                f"{r.cloud} {r.id} ({r.country}): {sorted(r.jurisdictions)} != {sorted(expected)}"
            )
    assert not problems, "\n".join(problems)


def test_multi_and_dual_regions_are_within_only_what_all_members_are_within() -> None:
    assert not _multi("aws") and not _multi("azure"), "only GCS has multi/dual regions in the catalog"
    for r in _multi("gcp"):
        assert len(r.members) >= 2 and len(set(r.members)) == len(r.members), r.id
        if r.kind == "dual-region":
            assert len(r.members) == 2, r.id
        members = [catalog.region("gcp", m) for m in r.members]
        assert all(m.kind == "region" for m in members), f"{r.id}: a member is not a region"
        assert r.country == members[0].country, f"{r.id}: country is not the first member's"
        common = frozenset.intersection(*(m.jurisdictions for m in members))
        assert r.jurisdictions == common, f"{r.id}: {sorted(r.jurisdictions)} != members' {sorted(common)}"
        for jid in r.jurisdictions:
            assert r.country in catalog.jurisdiction(jid).countries


def test_catalog_size() -> None:
    # Guards against a table being truncated by an edit.
    assert len(catalog.all_regions("aws")) >= 38
    assert len([r for r in catalog.all_regions("gcp") if r.kind == "region"]) >= 42
    assert len(catalog.all_regions("azure")) >= 57


# ------------------------------------------------------------------------------------------ GCP


def test_gcp_london_is_uk_not_eu() -> None:
    london = catalog.region("gcp", "europe-west2")
    assert london.country == "GB"
    assert london.jurisdictions == {"uk"}
    assert not catalog.region_in_jurisdiction("gcp", "europe-west2", "eu")
    assert catalog.region("gcp", "europe-west6").jurisdictions == {"ch"}


def test_gcs_multi_regions() -> None:
    us, eu, asia = (catalog.region("gcp", x) for x in ("US", "EU", "Asia"))
    assert us.kind == eu.kind == asia.kind == "multi-region"
    assert us.jurisdictions == {"us"} and not us.within("eu")
    assert eu.jurisdictions == {"eu"}
    assert "europe-west2" not in eu.members and "europe-west6" not in eu.members
    assert {"europe-west1", "europe-west3", "europe-west4"} <= set(eu.members)
    assert {"us-central1", "us-east1", "us-west1"} <= set(us.members)
    assert asia.jurisdictions == frozenset()  # spans TW, HK, JP, KR, IN, SG, ID
    assert not catalog.regions_in("tw", "gcp").__contains__(asia)
    assert len({catalog.region("gcp", m).country for m in asia.members}) > 1


@pytest.mark.parametrize(
    ("dual", "members", "jurisdictions"),
    [
        ("asia1", ("asia-northeast1", "asia-northeast2"), {"jp"}),
        ("eur4", ("europe-north1", "europe-west4"), {"eu"}),
        ("eur5", ("europe-west1", "europe-west2"), set()),
        ("eur7", ("europe-west2", "europe-west3"), set()),
        ("eur8", ("europe-west3", "europe-west6"), set()),
        ("nam4", ("us-central1", "us-east1"), {"us"}),
    ],
)
def test_gcs_dual_regions(dual: str, members: tuple[str, ...], jurisdictions: set[str]) -> None:
    r = catalog.region("gcp", dual.upper())
    assert r.kind == "dual-region"
    assert r.members == members
    assert r.jurisdictions == jurisdictions
    assert tuple(x.id for x in catalog.replication_regions("gcp", dual)) == members


def test_eur5_replicates_to_london() -> None:
    countries = {r.country for r in catalog.replication_regions("gcp", "eur5")}
    assert countries == {"BE", "GB"}
    assert not catalog.region_in_jurisdiction("gcp", "eur5", "eu")
    assert not catalog.region_in_jurisdiction("gcp", "eur5", "uk")


# ---------------------------------------------------------------------------------------- Azure


def test_azure_display_names_resolve_to_their_region() -> None:
    for r in catalog.all_regions("azure"):
        assert catalog.region("azure", r.name).id == r.id, f"{r.name!r} does not resolve to {r.id}"
        assert catalog.region("azure", f"  {r.name.upper()} ").id == r.id


def test_azure_geo_pairs_exist_and_are_symmetric_unless_documented_one_way() -> None:
    problems = []
    for r in catalog.all_regions("azure"):
        if r.geo_pair is None:
            continue
        pair = catalog.geo_pair(r.id)  # raises if the pair is not in the table
        assert pair is not None
        if pair.id == r.id:
            problems.append(f"{r.id} is paired with itself")
        if (pair.geo_pair == r.id) == (r.id in AZURE_ONE_WAY_PAIRS):
            problems.append(f"{r.id} -> {pair.id} -> {pair.geo_pair}: symmetry does not match the docs")
    assert not problems, "\n".join(problems)


def test_azure_pairs_that_leave_their_jurisdiction() -> None:
    # A GRS account in these regions replicates to another jurisdiction: Brazil South -> US,
    # East Asia (Hong Kong) <-> Southeast Asia (Singapore).
    leaving = {
        r.id
        for r in catalog.all_regions("azure")
        if r.geo_pair and catalog.region("azure", r.geo_pair).jurisdictions != r.jurisdictions
    }
    assert leaving == {"brazilsouth", "eastasia", "southeastasia"}


def test_azure_known_pairs() -> None:
    def pair(x: str) -> str | None:
        p = catalog.geo_pair(x)
        return p.id if p else None

    assert pair("brazilsouth") == "southcentralus"
    assert catalog.geo_pair("Brazil South").within("us")  # type: ignore[union-attr]
    assert not catalog.geo_pair("brazilsouth").within("br")  # type: ignore[union-attr]
    assert pair("westeurope") == "northeurope" and pair("northeurope") == "westeurope"
    assert pair("uksouth") == "ukwest" and pair("ukwest") == "uksouth"
    assert pair("switzerlandnorth") == "switzerlandwest"
    assert pair("eastus") == "westus" and pair("eastus2") == "centralus"
    for newer in (
        "polandcentral",
        "italynorth",
        "israelcentral",
        "qatarcentral",
        "mexicocentral",
        "spaincentral",
        "newzealandnorth",
    ):
        assert pair(newer) is None, newer


def test_azure_facts() -> None:
    assert catalog.region("azure", "westeurope").country == "NL"
    assert catalog.region("azure", "norwayeast").within("eu")
    assert catalog.region("azure", "uksouth").jurisdictions == {"uk"}
    assert catalog.region("azure", "switzerlandnorth").jurisdictions == {"ch"}
    assert catalog.region("azure", "eastasia").country == "HK"


# -------------------------------------------------------------------------------- fail closed


@pytest.mark.parametrize(
    ("cloud", "rid"),
    [
        ("aws", "eu-west-9"),
        ("aws", "us-iso-east-1"),
        ("gcp", "europe-west5"),
        ("gcp", "eur6"),
        ("azure", "europe"),  # a geography, not a region
        ("azure", "global"),
        ("azure", "chinanorth"),  # Azure operated by 21Vianet: a separate cloud
        ("oracle", "us-ashburn-1"),
        ("aws", ""),
    ],
)
def test_unknown_region_raises(cloud: str, rid: str) -> None:
    with pytest.raises(catalog.UnknownRegionError) as exc:
        catalog.region(cloud, rid)
    assert rid in str(exc.value)


def test_unknown_jurisdiction_raises() -> None:
    with pytest.raises(catalog.UnknownJurisdictionError):
        catalog.jurisdiction("europe")
    with pytest.raises(catalog.UnknownJurisdictionError):
        catalog.regions_in("no")  # Norway is in "eu", there is no "no" jurisdiction
    with pytest.raises(catalog.UnknownJurisdictionError):
        catalog.region_in_jurisdiction("aws", "eu-west-1", "emea")
    with pytest.raises(catalog.UnknownJurisdictionError):
        catalog.country_jurisdictions("XX")


def test_case_insensitive_lookups() -> None:
    assert catalog.region("gcp", "EUROPE-WEST1").id == "europe-west1"
    assert catalog.region("gcp", "EU").id == "eu"
    assert catalog.region("azure", "West Europe").id == "westeurope"
    assert catalog.region("azure", "west europe ").id == "westeurope"
    assert catalog.jurisdiction(" EU ").id == "eu"

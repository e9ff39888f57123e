"""Bad interconnect / cloudflare config fails with a clear message, before anything registers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from meridian.config import ConfigError, parse_stack_config
from tests.conftest import platform_config


def problems_of(raw: dict[str, Any]) -> str:
    with pytest.raises(ConfigError) as err:
        parse_stack_config(raw, "Pulumi.test.yaml")
    return str(err.value)


def _eu_host(raw: dict[str, Any]) -> dict[str, Any]:
    return next(h for h in raw["cloudflare"]["hostnames"] if h["name"].startswith("eu."))


def test_eu_hostname_with_us_pool_in_country_pools() -> None:
    raw = platform_config("prod")
    _eu_host(raw)["countryPools"]["DE"].append("aws-use1")
    msg = problems_of(raw)
    assert "cloudflare.hostnames[1].countryPools.DE" in msg and "'aws-use1'" in msg and "bound to 'eu'" in msg


def test_eu_hostname_with_us_fallback() -> None:
    raw = platform_config("prod")
    _eu_host(raw)["fallback"] = "gcp-usc1"
    msg = problems_of(raw)
    assert "cloudflare.hostnames[1].fallback" in msg and "'gcp-usc1'" in msg and "fallback included" in msg


@pytest.mark.parametrize("key,value", [("popPools", {"FRA": ["az-eus"]}), ("defaultPools", ["gcp-euw1", "aws-usw2"])])
def test_eu_hostname_pop_and_default_pools(key: str, value: Any) -> None:
    raw = platform_config("prod")
    _eu_host(raw)[key] = value
    assert f"cloudflare.hostnames[1].{key}" in problems_of(raw)


def test_us_hostname_cannot_reach_eu() -> None:
    raw = platform_config("prod")
    raw["cloudflare"]["hostnames"][2]["pools"].append("az-weu")
    assert "hostnames[2].pools" in problems_of(raw)


def test_unknown_country_and_region_codes() -> None:
    raw = platform_config("prod")
    _eu_host(raw)["countryPools"]["XX"] = ["gcp-euw1"]
    _eu_host(raw)["regionPools"]["MARS"] = ["gcp-euw1"]
    msg = problems_of(raw)
    assert "countryPools.XX" in msg and "regionPools.MARS" in msg


def test_asn_clash_names_both_keys() -> None:
    raw = platform_config("dev")
    raw["interconnect"]["clusterAsns"] = {"gcp-dev-euw1": 64512}
    msg = problems_of(raw)
    assert "interconnect.clusterAsns.gcp-dev-euw1: ASN 64512 clashes with meridian:platform.interconnect.asns.aws" in msg
    assert "both ends have ASN 64512" in msg


def test_inside_cidr_clash_and_overflow() -> None:
    raw = platform_config("dev")
    raw["interconnect"]["links"][2]["insideCidr"] = "169.254.21.0/28"  # link 0's block
    msg = problems_of(raw)
    assert "tunnel inside addresses clash" in msg and "links[2].insideCidr = 169.254.21.0/28" in msg
    raw = platform_config("dev")
    raw["interconnect"]["insideCidrPool"] = "169.254.21.0/27"  # two /28s for three links
    assert "pool overflows" in problems_of(raw)
    raw = platform_config("dev")
    raw["interconnect"]["insideCidrPool"] = "169.254.100.0/24"  # Azure only accepts 169.254.21-22
    assert "Azure" in problems_of(raw)


def test_link_to_unknown_cluster() -> None:
    raw = platform_config("dev")
    raw["interconnect"]["links"].append({"a": "aws-dev-use1", "b": "gcp-nowhere"})
    assert "interconnect.links[3].b: 'gcp-nowhere' is not a cluster name" in problems_of(raw)


def test_dedicated_link_needs_its_partner_details() -> None:
    raw = platform_config("prod")
    raw["interconnect"]["links"][1].pop("azurePeeringLocation")
    raw["interconnect"]["links"][0]["awsConnectionIds"] = ["dxcon-ffa1b2c3"]
    msg = problems_of(raw)
    assert "links[1].azurePeeringLocation" in msg and "links[0].awsConnectionIds" in msg


def test_bad_config_registers_nothing(write_stack) -> None:  # type: ignore[no-untyped-def]
    from meridian.plan.runner import run_plan

    raw = platform_config("dev")
    raw["interconnect"]["clusterAsns"] = {"gcp-dev-euw1": 64512}
    root: Path = write_stack("bad", raw)
    registered: list[str] = []

    def program() -> None:
        registered.append("ran")

    with pytest.raises(ConfigError):
        run_plan("bad", root, program=program)
    assert registered == []

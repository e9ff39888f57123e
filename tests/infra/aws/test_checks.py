"""AWS-specific config checks refuse what the AWS APIs would refuse, before anything registers."""

from __future__ import annotations

from typing import Any

import pytest

from meridian.config import ConfigError, parse_stack_config
from tests.conftest import platform_config


def core(stack: str) -> dict[str, Any]:
    full = platform_config(stack)
    raw = {k: full[k] for k in ("environment", "gcpProject", "kubernetesVersion", "clusters", "dataLakes")}
    return raw


def problems_of(raw: dict[str, Any]) -> str:
    with pytest.raises(ConfigError) as err:
        parse_stack_config(raw, "Pulumi.test.yaml")
    return str(err.value)


def test_shipped_aws_config_passes() -> None:
    parse_stack_config(core("prod"), "Pulumi.prod.yaml")


def test_vpc_range_too_small() -> None:
    raw = core("prod")
    raw["clusters"][0]["network"]["cidr"] = "10.10.0.0/24"
    msg = problems_of(raw)
    assert "clusters[0].network.cidr: 10.10.0.0/24 (aws-use1)" in msg and "/16 to /22" in msg


def test_service_range_must_be_private() -> None:
    raw = core("prod")
    raw["clusters"][0]["network"]["serviceCidr"] = "100.64.0.0/20"
    assert "clusters[0].network.serviceCidr: 100.64.0.0/20" in problems_of(raw)


def test_warm_tier_before_30_days_is_refused() -> None:
    raw = core("prod")
    raw["dataLakes"][0]["tiers"] = {"warmAfterDays": 7, "coldAfterDays": 90, "archiveAfterDays": 180}
    assert "dataLakes[0].tiers.warmAfterDays: 7 (us-primary)" in problems_of(raw)


def test_cold_tier_needs_30_days_in_ia() -> None:
    raw = core("prod")
    raw["dataLakes"][0]["tiers"] = {"warmAfterDays": 30, "coldAfterDays": 45, "archiveAfterDays": 180}
    assert "coldAfterDays must be at least warmAfterDays + 30 = 60" in problems_of(raw)

"""Azure config checks: refused before any resource exists, naming the key and the allowed value."""

from __future__ import annotations

from typing import Any

import pytest

from meridian.config import ConfigError, parse_stack_config
from tests.conftest import platform_config


def problems_of(raw: dict[str, Any]) -> str:
    with pytest.raises(ConfigError) as err:
        parse_stack_config(raw, "Pulumi.test.yaml")
    return str(err.value)


def _azure_lake(raw: dict[str, Any], name: str) -> tuple[int, dict[str, Any]]:
    return next((i, lake) for i, lake in enumerate(raw["dataLakes"]) if lake["name"] == name)


def test_replica_other_than_the_geo_pair_is_refused_naming_the_pair() -> None:
    raw = platform_config("prod")
    i, lake = _azure_lake(raw, "us-enterprise")
    lake["replication"] = [{"region": "eastus2"}]  # same jurisdiction, but not eastus's pair
    msg = problems_of(raw)
    assert f"meridian:platform.dataLakes[{i}].replication" in msg
    assert "'westus'" in msg and "eastus2" in msg


def test_two_replicas_are_refused() -> None:
    raw = platform_config("prod")
    i, lake = _azure_lake(raw, "eu-enterprise")
    lake["replication"] = [{"region": "northeurope"}, {"region": "northeurope"}]
    assert f"dataLakes[{i}].replication" in problems_of(raw)


def test_the_pair_is_accepted() -> None:
    raw = platform_config("prod")
    _, lake = _azure_lake(raw, "us-enterprise")
    lake["replication"] = [{"region": "westus"}]
    parse_stack_config(raw, "Pulumi.test.yaml")


def test_vnet_too_small_for_nodes_and_gateway_subnet() -> None:
    raw = platform_config("prod")
    i, cluster = next((i, c) for i, c in enumerate(raw["clusters"]) if c["cloud"] == "azure")
    cluster["network"]["cidr"] = "10.30.0.0/26"
    msg = problems_of(raw)
    assert f"clusters[{i}].network.cidr: 10.30.0.0/26" in msg and "/24" in msg

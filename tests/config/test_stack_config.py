"""The typed stack config refuses bad input with a message naming the key and the bad value."""

from __future__ import annotations

from typing import Any

import pytest

from meridian.config import ConfigError, parse_stack_config
from tests.conftest import platform_config


def problems_of(raw: dict[str, Any]) -> str:
    with pytest.raises(ConfigError) as err:
        parse_stack_config(raw, "Pulumi.test.yaml")
    return str(err.value)


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_shipped_stacks_are_valid(stack: str) -> None:
    cfg = parse_stack_config(platform_config(stack), f"Pulumi.{stack}.yaml")
    assert cfg.environment == stack


def test_prod_has_the_design_topology() -> None:
    cfg = parse_stack_config(platform_config("prod"), "Pulumi.prod.yaml")
    got = {(c.cloud, c.region) for c in cfg.clusters}
    assert got == {
        ("aws", "us-east-1"), ("aws", "us-west-2"), ("aws", "eu-west-1"),
        ("gcp", "us-central1"), ("gcp", "europe-west1"), ("gcp", "asia-east1"),
        ("azure", "eastus"), ("azure", "westeurope"),
    }
    assert cfg.protect_data
    for c in cfg.clusters:
        assert (c.node_pools.system.min_size, c.node_pools.system.max_size) == (3, 3)
        assert (c.node_pools.workload.min_size, c.node_pools.workload.max_size) == (5, 50)
        assert (c.node_pools.gpu.min_size, c.node_pools.gpu.max_size) == (0, 10)


def test_dev_is_one_region_per_cloud_and_small() -> None:
    cfg = parse_stack_config(platform_config("dev"), "Pulumi.dev.yaml")
    assert sorted(c.cloud for c in cfg.clusters) == ["aws", "azure", "gcp"]
    assert all(c.node_pools.workload.max_size <= 5 for c in cfg.clusters)
    assert not cfg.protect_data


def test_overlapping_cidrs_name_both_ranges() -> None:
    raw = platform_config("prod")
    raw["clusters"][1]["network"]["cidr"] = "10.10.128.0/17"  # inside aws-use1's 10.10.0.0/16
    msg = problems_of(raw)
    assert "overlap" in msg
    assert "clusters[0].network.cidr (aws-use1) = 10.10.0.0/16" in msg
    assert "clusters[1].network.cidr (aws-usw2) = 10.10.128.0/17" in msg


def test_unknown_region_is_an_error_naming_key_and_value() -> None:
    raw = platform_config("dev")
    raw["clusters"][0]["region"] = "eu-west-9"
    msg = problems_of(raw)
    assert "meridian:platform.clusters[0].region" in msg and "'eu-west-9'" in msg


def test_pii_replica_outside_jurisdiction_is_refused() -> None:
    raw = platform_config("prod")
    lake = next(lake for lake in raw["dataLakes"] if lake["name"] == "eu-pii")
    lake["replication"] = [{"region": "us-east-1"}]
    msg = problems_of(raw)
    assert "replication[0].region" in msg and "'us-east-1'" in msg and "pii never replicates" in msg


def test_internal_data_may_replicate_elsewhere() -> None:
    raw = platform_config("prod")
    lake = next(lake for lake in raw["dataLakes"] if lake["name"] == "us-primary")
    lake["replication"] = [{"region": "eu-central-1"}]
    parse_stack_config(raw, "Pulumi.prod.yaml")


def test_missing_data_class_is_an_error() -> None:
    raw = platform_config("dev")
    del raw["dataLakes"][0]["dataClass"]
    msg = problems_of(raw)
    assert "meridian:platform.dataLakes[0].dataClass" in msg and "Field required" in msg


def test_bad_data_class_value_is_named() -> None:
    raw = platform_config("dev")
    raw["dataLakes"][0]["dataClass"] = "secret"
    msg = problems_of(raw)
    assert "dataLakes[0].dataClass" in msg and "'secret'" in msg


def test_lake_outside_its_jurisdiction_is_refused() -> None:
    raw = platform_config("dev")
    raw["dataLakes"][1]["region"] = "europe-west2"  # London: UK, not EU
    msg = problems_of(raw)
    assert "dataLakes[1].region" in msg and "'europe-west2'" in msg


def test_unknown_jurisdiction_fails_closed() -> None:
    raw = platform_config("dev")
    raw["dataLakes"][0]["jurisdiction"] = "atlantis"
    assert "dataLakes[0].jurisdiction: 'atlantis' is not a known jurisdiction" in problems_of(raw)


def test_unknown_key_is_refused() -> None:
    raw = platform_config("dev")
    raw["clusters"][0]["regoin"] = "us-east-1"
    assert "clusters[0].regoin" in problems_of(raw)


def test_cluster_region_must_be_in_its_jurisdiction() -> None:
    raw = platform_config("dev")
    raw["clusters"][0]["jurisdiction"] = "eu"  # us-east-1
    assert "clusters[0].region" in problems_of(raw)


def test_tiers_must_be_ordered() -> None:
    raw = platform_config("dev")
    raw["dataLakes"][0]["tiers"] = {"warmAfterDays": 90, "coldAfterDays": 30}
    assert "dataLakes[0].tiers" in problems_of(raw)


def test_missing_platform_key() -> None:
    with pytest.raises(ConfigError, match="meridian:platform: missing"):
        parse_stack_config(None, "Pulumi.x.yaml")

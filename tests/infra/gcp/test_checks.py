"""GCP config checks: refused before any resource exists, naming the key and the value."""

from __future__ import annotations

from typing import Any

import pytest

from meridian.config import ConfigError, parse_stack_config
from tests.conftest import platform_config


def gcp_cluster(raw: dict[str, Any], name: str = "gcp-euw1") -> dict[str, Any]:
    return next(c for c in raw["clusters"] if c["name"] == name)


def problems(raw: dict[str, Any]) -> str:
    with pytest.raises(ConfigError) as e:
        parse_stack_config(raw, "test")
    return str(e.value)


def test_shipped_stacks_pass() -> None:
    for stack in ("dev", "prod"):
        parse_stack_config(platform_config(stack), stack)


def test_network_range_too_small_for_nodes_and_control_plane() -> None:
    raw = platform_config("prod")
    gcp_cluster(raw)["network"]["cidr"] = "10.21.0.0/25"
    assert "clusters[4].network.cidr: 10.21.0.0/25 (gcp-euw1): a GKE network range must be /8 to /24" in problems(raw)


def test_pod_range_must_hold_every_node() -> None:
    raw = platform_config("prod")
    gcp_cluster(raw)["network"]["podCidr"] = "10.121.0.0/20"  # 16 node blocks, pools may grow to 63 nodes
    assert "podCidr: 10.121.0.0/20 (gcp-euw1) holds 16 node pod blocks (/24 each) but the node pools may grow to 63" in problems(raw)


def test_gpu_pool_needs_a_g2_machine() -> None:
    raw = platform_config("prod")
    gcp_cluster(raw)["nodePools"] = {"gpu": {"minSize": 0, "maxSize": 10, "instanceType": "n2-standard-8"}}
    assert "nodePools.gpu.instanceType: 'n2-standard-8' (gcp-euw1): the GKE GPU pool attaches NVIDIA L4" in problems(raw)


def test_a_gpu_pool_in_a_region_without_l4_machines_is_refused() -> None:
    raw = platform_config("prod")
    cluster = gcp_cluster(raw)
    cluster["region"] = "europe-north1"  # offers no G2 (L4) machines in any zone
    text = problems(raw)
    assert "nodePools.gpu" in text and "europe-north1" in text and "g2" in text
    cluster["nodePools"] = {**cluster.get("nodePools", {}), "gpu": {"minSize": 0, "maxSize": 0}}
    assert "offers no g2" not in _problems_or_none(raw)


def _problems_or_none(raw: dict[str, Any]) -> str:
    try:
        parse_stack_config(raw, "test")
    except ConfigError as e:
        return str(e)
    return ""

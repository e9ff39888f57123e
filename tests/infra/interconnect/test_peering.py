"""Link mode `peering`: networks of one cloud joined by that cloud's own peering (config rules, and
the resources on each cloud under the mock runtime)."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from meridian.config import ConfigError
from meridian.config.stack import parse_stack_config
from meridian.plan.runner import Plan
from tests.conftest import ROOT, platform_config
from tests.infra.interconnect.conftest import VNET, plan_mesh

PEERING = "meridian:interconnect:PeeringLink"


def _twin(cfg: dict[str, Any], name: str, new: str, region: str, octet: int) -> dict[str, Any]:
    """A second cluster of the same cloud as `name`, in `region`, with its own address ranges."""
    c = copy.deepcopy(next(x for x in cfg["clusters"] if x["name"] == name))
    c["name"], c["region"] = new, region
    c["network"] = {
        "cidr": f"10.{octet}.0.0/16",
        "podCidr": f"10.{octet + 100}.0.0/16",
        "serviceCidr": f"10.{octet + 200}.0.0/20",
        "azs": 2,
    }
    return c


def _peered_dev() -> dict[str, Any]:
    """Dev plus a second GCP and a second Azure cluster, each peered with its first."""
    cfg = platform_config("dev")
    cfg["clusters"] += [
        _twin(cfg, "gcp-dev-euw1", "gcp-dev-euw4", "europe-west4", 51),
        _twin(cfg, "az-dev-weu", "az-dev-neu", "northeurope", 52),
    ]
    cfg["interconnect"]["links"] += [
        {"a": "gcp-dev-euw1", "b": "gcp-dev-euw4", "mode": "peering"},
        {"a": "az-dev-weu", "b": "az-dev-neu", "mode": "peering"},
    ]
    return cfg


def _error(cfg: dict[str, Any]) -> str:
    with pytest.raises(ConfigError) as e:
        parse_stack_config(cfg, source="test")
    return str(e.value)


def test_same_cloud_needs_peering_and_peering_needs_one_cloud() -> None:
    cfg = _peered_dev()
    parse_stack_config(cfg, source="test")  # the compliant case
    vpn = copy.deepcopy(cfg)
    vpn["interconnect"]["links"][-1]["mode"] = "vpn"
    assert "are both on azure; mode 'vpn' joins different clouds - use mode 'peering'" in _error(vpn)
    cross = copy.deepcopy(cfg)
    cross["interconnect"]["links"][0]["mode"] = "peering"  # aws <-> gcp
    assert "mode 'peering' joins two networks of one cloud" in _error(cross)
    tunnels = copy.deepcopy(cfg)
    tunnels["interconnect"]["links"][-1]["insideCidr"] = "169.254.30.0/28"
    assert "do not apply to mode 'peering'" in _error(tunnels)


@pytest.fixture(scope="module")
def peered(tmp_path_factory: pytest.TempPathFactory) -> Plan:
    import yaml

    root: Path = tmp_path_factory.mktemp("peered")
    (root / "Pulumi.yaml").write_text((ROOT / "Pulumi.yaml").read_text())
    doc = {"config": {"pulumi:disable-default-providers": ["*"], "meridian:platform": _peered_dev()}}
    (root / "Pulumi.peered.yaml").write_text(yaml.safe_dump(doc, sort_keys=False))
    return plan_mesh(root, "peered")


def _children(plan: Plan, link: str) -> list[dict[str, Any]]:
    parent = next(r["urn"] for r in plan.of_type(PEERING) if r["urn"].endswith(f"::{link}"))
    return [r for r in plan.resources if r.get("parent") == parent]


def _region(plan: Plan, r: dict[str, Any]) -> str:
    urn = r["provider"].rsplit("::", 1)[0]
    p = next(x for x in plan.resources if x["urn"] == urn)["inputs"]
    return p.get("region") or p.get("location")


def test_gcp_peering_is_both_ways_with_custom_routes(peered: Plan) -> None:
    kids = _children(peered, "gcp-dev-euw1--gcp-dev-euw4")
    peerings = {
        r["inputs"]["name"]: r for r in kids if r["type"] == "gcp:compute/networkPeering:NetworkPeering"
    }
    assert set(peerings) == {"gcp-dev-euw1-to-gcp-dev-euw4", "gcp-dev-euw4-to-gcp-dev-euw1"}
    a, b = peerings["gcp-dev-euw1-to-gcp-dev-euw4"], peerings["gcp-dev-euw4-to-gcp-dev-euw1"]
    assert (a["inputs"]["network"], a["inputs"]["peerNetwork"]) == (
        "projects/p/global/networks/gcp-dev-euw1",
        "projects/p/global/networks/gcp-dev-euw4",
    )
    assert (b["inputs"]["network"], b["inputs"]["peerNetwork"]) == (
        a["inputs"]["peerNetwork"],
        a["inputs"]["network"],
    )
    for r in (a, b):
        assert r["inputs"]["exportCustomRoutes"] and r["inputs"]["importCustomRoutes"]
    assert a["urn"] in b["dependencies"]  # GCP refuses concurrent peering changes
    assert (_region(peered, a), _region(peered, b)) == ("europe-west1", "europe-west4")


def test_azure_peering_is_both_ways_without_gateway_transit(peered: Plan) -> None:
    kids = [
        r
        for r in _children(peered, "az-dev-weu--az-dev-neu")
        if r["type"] == "azure-native:network:VirtualNetworkPeering"
    ]
    sides = {r["inputs"]["virtualNetworkName"]: r["inputs"] for r in kids}
    assert set(sides) == {"az-dev-weu-vnet", "az-dev-neu-vnet"}
    weu, neu = sides["az-dev-weu-vnet"], sides["az-dev-neu-vnet"]
    assert weu["remoteVirtualNetwork"] == {"id": VNET.format(rg="rg-az-dev-neu", c="az-dev-neu")}
    assert neu["remoteVirtualNetwork"] == {"id": VNET.format(rg="rg-az-dev-weu", c="az-dev-weu")}
    for side in (weu, neu):
        assert side["allowVirtualNetworkAccess"] and side["allowForwardedTraffic"]
        assert not side["allowGatewayTransit"] and not side["useRemoteGateways"]
    assert {_region(peered, r) for r in kids} == {"westeurope", "northeurope"}


def test_a_peering_takes_no_tunnels_or_gateways(peered: Plan) -> None:
    for link in ("gcp-dev-euw1--gcp-dev-euw4", "az-dev-weu--az-dev-neu"):
        types = {r["type"] for r in _children(peered, link)}
        assert not any("vpn" in t.lower() or "Gateway" in t or "random" in t for t in types), types
    assert set(peered.stack_outputs["interconnect"]["peering"]) == {
        "gcp-dev-euw1--gcp-dev-euw4",
        "az-dev-weu--az-dev-neu",
    }


def test_prod_aws_peering_requests_accepts_and_routes_both_sides(prod_plan: Plan) -> None:
    stack = prod_plan.config
    route_tables: Callable[[str], set[str]] = lambda c: {  # noqa: E731
        r["id"]
        for r in prod_plan.of_type("aws:ec2/routeTable:RouteTable")
        if r["urn"].rsplit("::", 1)[-1].startswith(f"{c}-private")
    }
    for a, b in (("aws-use1", "aws-usw2"), ("aws-use1", "aws-euw1")):
        kids = _children(prod_plan, f"{a}--{b}")
        req = next(r for r in kids if r["type"] == "aws:ec2/vpcPeeringConnection:VpcPeeringConnection")
        acc = next(
            r
            for r in kids
            if r["type"] == "aws:ec2/vpcPeeringConnectionAccepter:VpcPeeringConnectionAccepter"
        )
        assert _region(prod_plan, req) == stack.cluster(a).region
        assert req["inputs"]["peerRegion"] == _region(prod_plan, acc) == stack.cluster(b).region
        assert req["inputs"]["autoAccept"] is False and acc["inputs"]["autoAccept"] is True
        routes = [r for r in kids if r["type"] == "aws:ec2/route:Route"]
        for here, there in ((a, b), (b, a)):
            mine = [r for r in routes if r["inputs"]["routeTableId"] in route_tables(here)]
            assert {r["inputs"]["routeTableId"] for r in mine} == route_tables(here)  # every private table
            assert {r["inputs"]["destinationCidrBlock"] for r in mine} == {
                str(stack.cluster(there).network.cidr)
            }
            assert {_region(prod_plan, r) for r in mine} == {stack.cluster(here).region}

"""The VPN mesh and dedicated links, built alone under the mock runtime."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from meridian.plan.monitor import SECRET_SIG, SECRET_SIG_KEY
from meridian.plan.runner import Plan
from tests.conftest import ROOT
from tests.infra.interconnect.conftest import children_of, plan_mesh

VPN_LINK = "meridian:interconnect:VpnLink"


@pytest.fixture(scope="module")
def dev_mesh() -> Plan:
    return plan_mesh(ROOT, "dev")


@pytest.fixture(scope="module")
def prod_mesh() -> Plan:
    return plan_mesh(ROOT, "prod")


def _types(plan: Plan, link: str) -> Counter[str]:
    return Counter(r["type"] for r in children_of(plan, VPN_LINK, link))


def test_aws_gcp_has_two_connections_of_two_tunnels_and_four_bgp_sessions(dev_mesh: Plan) -> None:
    t = _types(dev_mesh, "aws-dev-use1--gcp-dev-euw1")
    assert t["aws:ec2/vpnConnection:VpnConnection"] == 2  # 2 x 2 tunnels
    assert t["aws:ec2/customerGateway:CustomerGateway"] == 2  # one per HA VPN interface
    assert t["gcp:compute/vPNTunnel:VPNTunnel"] == 4
    assert t["gcp:compute/routerPeer:RouterPeer"] == 4
    assert t["random:index/randomPassword:RandomPassword"] == 4
    tunnels = [r for r in children_of(dev_mesh, VPN_LINK, "aws-dev-use1--gcp-dev-euw1") if r["type"].endswith("VPNTunnel")]
    # redundant: both HA VPN interfaces, all four external peer interfaces
    assert sorted(r["inputs"]["vpnGatewayInterface"] for r in tunnels) == [0, 0, 1, 1]
    assert sorted(r["inputs"]["peerExternalGatewayInterface"] for r in tunnels) == [0, 1, 2, 3]


def test_aws_azure_has_four_tunnels_to_both_gateway_instances(dev_mesh: Plan) -> None:
    t = _types(dev_mesh, "aws-dev-use1--az-dev-weu")
    assert t["aws:ec2/vpnConnection:VpnConnection"] == 2
    assert t["azure-native:network:LocalNetworkGateway"] == 4
    assert t["azure-native:network:VirtualNetworkGatewayConnection"] == 4
    cgws = [r for r in children_of(dev_mesh, VPN_LINK, "aws-dev-use1--az-dev-weu") if r["type"].endswith("CustomerGateway")]
    assert len({r["inputs"]["ipAddress"] for r in cgws}) == 2  # one per active-active instance


def test_gcp_azure_has_one_tunnel_per_instance(dev_mesh: Plan) -> None:
    t = _types(dev_mesh, "gcp-dev-euw1--az-dev-weu")
    assert t["gcp:compute/vPNTunnel:VPNTunnel"] == 2
    assert t["azure-native:network:VirtualNetworkGatewayConnection"] == 2
    assert t["gcp:compute/externalVpnGateway:ExternalVpnGateway"] == 1


def test_inside_addresses_are_distinct_30s_and_azure_answers_on_apipa(dev_mesh: Plan) -> None:
    cidrs = [
        r["inputs"][k]
        for r in dev_mesh.of_type("aws:ec2/vpnConnection:VpnConnection")
        for k in ("tunnel1InsideCidr", "tunnel2InsideCidr")
    ]
    cidrs += [r["inputs"]["ipRange"] for r in dev_mesh.of_type("gcp:compute/routerInterface:RouterInterface")]
    assert all(c.startswith("169.254.21.") and c.endswith("/30") for c in cidrs)
    assert len(cidrs) == len(set(cidrs)) == 8 + 6
    (gw,) = [r for r in dev_mesh.of_type("azure-native:network:VirtualNetworkGateway")]
    assert gw["inputs"]["activeActive"] is True and gw["inputs"]["enableBgp"] is True
    custom = [a for p in gw["inputs"]["bgpSettings"]["bgpPeeringAddresses"] for a in p["customBgpIpAddresses"]]
    assert len(custom) == 6 == len(set(custom))  # 4 tunnels from AWS + 2 from GCP
    assert all(a.startswith("169.254.21.") for a in custom)


def test_every_cluster_asn_comes_from_config(dev_mesh: Plan) -> None:
    (vgw,) = dev_mesh.of_type("aws:ec2/vpnGateway:VpnGateway")
    assert vgw["inputs"]["amazonSideAsn"] == "64512"
    routers = dev_mesh.of_type("gcp:compute/router:Router")
    assert {r["inputs"]["bgp"]["asn"] for r in routers} == {64513}
    peers = {r["inputs"]["peerAsn"] for r in dev_mesh.of_type("gcp:compute/routerPeer:RouterPeer")}
    assert peers == {64512, 65515}


def test_peer_ranges_reach_the_vpc_route_tables(dev_mesh: Plan) -> None:
    props = dev_mesh.of_type("aws:ec2/vpnGatewayRoutePropagation:VpnGatewayRoutePropagation")
    assert {p["inputs"]["routeTableId"] for p in props} == {"rtb-aws-dev-use1-a", "rtb-aws-dev-use1-b"}
    (router,) = dev_mesh.of_type("gcp:compute/router:Router")
    ranges = {r["range"] for r in router["inputs"]["bgp"]["advertisedIpRanges"]}
    assert ranges == {"10.41.0.0/16", "10.141.0.0/16"}


def test_psks_are_secret_envelopes_everywhere(dev_mesh: Plan) -> None:
    keyed = [
        (r, r["inputs"][k])
        for r in dev_mesh.resources
        for k in ("tunnel1PresharedKey", "tunnel2PresharedKey", "sharedSecret", "sharedKey")
        if k in r["inputs"]
    ]
    assert len(keyed) == 8 + 6 + 6  # aws: 2 links x 2 conns x 2 tunnels; gcp: 6 tunnels; azure: 6 connections
    for r, value in keyed:
        assert value == {SECRET_SIG_KEY: SECRET_SIG, "ciphertext": "v1:offline-plan:redacted"}, r["urn"]
    for r in dev_mesh.of_type("random:index/randomPassword:RandomPassword"):
        assert r["outputs"]["result"][SECRET_SIG_KEY] == SECRET_SIG
    # and no plaintext key anywhere in the document (the mock passwords are deterministic)
    from meridian.plan.mock_state.other import _password

    doc = json.dumps(dev_mesh.document)
    for r in dev_mesh.of_type("random:index/randomPassword:RandomPassword"):
        name = r["urn"].rsplit("::", 1)[1]
        assert _password(name, {"length": 40})["result"] not in doc
    assert set(dev_mesh.stack_outputs["interconnect"]["vpn"]) == {
        "aws-dev-use1--gcp-dev-euw1", "aws-dev-use1--az-dev-weu", "gcp-dev-euw1--az-dev-weu",
    }


def test_prod_dedicated_links_use_partner_services_and_vpn_in_the_eu(prod_mesh: Plan) -> None:
    assert len(prod_mesh.of_type(VPN_LINK)) == 6  # 3 between the EU clusters, 3 to the Vault cluster
    assert len(prod_mesh.of_type("meridian:interconnect:DedicatedLink")) == 5
    atts = prod_mesh.of_type("gcp:compute/interconnectAttachment:InterconnectAttachment")
    assert len(atts) == 6 and {a["inputs"]["type"] for a in atts} == {"PARTNER"}
    assert {a["inputs"]["edgeAvailabilityDomain"] for a in atts} == {"AVAILABILITY_DOMAIN_1", "AVAILABILITY_DOMAIN_2"}
    circuits = prod_mesh.of_type("azure-native:network:ExpressRouteCircuit")
    assert len(circuits) == 3
    assert {c["inputs"]["serviceProviderProperties"]["serviceProviderName"] for c in circuits} == {"Megaport"}
    assert len(prod_mesh.of_type("aws:directconnect/privateVirtualInterface:PrivateVirtualInterface")) == 8
    assert len(prod_mesh.of_type("aws:directconnect/gateway:Gateway")) == 2  # one per AWS VPC
    gateways = Counter(g["inputs"]["gatewayType"] for g in prod_mesh.of_type("azure-native:network:VirtualNetworkGateway"))
    assert gateways == {"Vpn": 1, "ExpressRoute": 1}  # az-weu: VPN; az-eus: one ER gateway for 3 circuits
    partner = prod_mesh.stack_outputs["interconnect"]["dedicated"]
    for link in partner.values():
        assert link["partnerKeys"][SECRET_SIG_KEY] == SECRET_SIG

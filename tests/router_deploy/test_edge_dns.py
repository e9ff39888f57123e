"""Edge DNS: every peer router a cluster's config names resolves, inside that cluster's own network,
to the peer's internal load balancer (the prod plan, mock runtime)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from infra.router_deploy import config_gen
from infra.router_deploy.edge_dns import dns_targets
from meridian.plan.runner import Plan

ZONE = {
    "aws": "aws:route53/zone:Zone",
    "gcp": "gcp:dns/managedZone:ManagedZone",
    "azure": "azure-native:network:PrivateZone",
}
RECORD = {
    "aws": "aws:route53/record:Record",
    "gcp": "gcp:dns/recordSet:RecordSet",
    "azure": "azure-native:network:PrivateRecordSet",
}


def _name(r: dict[str, Any]) -> str:
    return r["urn"].rsplit("::", 1)[-1]


def _under(plan: Plan, component: str) -> list[dict[str, Any]]:
    urn = next(
        r["urn"] for r in plan.resources if r["type"] == "meridian:router:EdgeDns" and _name(r) == component
    )
    return [r for r in plan.resources if r.get("parent") == urn]


def _provider_inputs(plan: Plan, r: dict[str, Any]) -> dict[str, Any]:
    urn = r["provider"].rsplit("::", 1)[0]
    return next(p.get("inputs") or {} for p in plan.resources if p["urn"] == urn)


def _internal_address(plan: Plan, cluster: str) -> str:
    svc = next(
        r for r in plan.of_type("kubernetes:core/v1:Service") if _name(r) == f"router-{cluster}-internal"
    )
    ingress = svc["outputs"]["status"]["loadBalancer"]["ingress"][0]
    return ingress.get("hostname") or ingress["ip"]


def _record(r: dict[str, Any], cloud: str, domain: str) -> tuple[str, str, str]:
    """(fully qualified host, type, target) of a record in any cloud's shape."""
    i = r["inputs"]
    if cloud == "aws":
        return i["name"], i["type"], i["records"][0]
    if cloud == "gcp":
        return i["name"].rstrip("."), i["type"], i["rrdatas"][0].rstrip(".")
    target = i["cnameRecord"]["cname"] if i["recordType"] == "CNAME" else i["aRecords"][0]["ipv4Address"]
    return f"{i['relativeRecordSetName']}.{domain}", i["recordType"], target


def test_every_edge_backend_resolves_in_its_clusters_network_to_the_peers_internal_lb(
    prod_plan: Plan,
) -> None:
    stack = prod_plan.config
    domain = config_gen.router_section(stack).internal_domain
    checked = 0
    for cluster in stack.clusters:
        edge = config_gen.edge_backends(stack, cluster)
        if not edge:
            continue
        children = _under(prod_plan, f"router-{cluster.name}-dns")
        zones = [r for r in children if r["type"] == ZONE[cluster.cloud]]
        assert len(zones) == 1, cluster.name
        # the zone is private to this cluster's region and network
        provider = _provider_inputs(prod_plan, zones[0])
        assert (provider.get("region") or provider.get("location")) == cluster.region
        records = {
            host: (kind, target)
            for host, kind, target in (
                _record(r, cluster.cloud, domain) for r in children if r["type"] == RECORD[cluster.cloud]
            )
        }
        wanted = {cluster.name} | {b["name"].removeprefix("edge-") for b in edge}
        assert set(records) == {config_gen.peer_host(stack, stack.cluster(n)) for n in wanted}, cluster.name
        for b in edge:
            peer = stack.cluster(b["name"].removeprefix("edge-"))
            host = urlsplit(b["base_url"]).hostname
            kind, target = records[host]
            assert target == _internal_address(prod_plan, peer.name), (cluster.name, host)
            assert kind == ("CNAME" if peer.cloud == "aws" else "A"), (cluster.name, host)
            checked += 1
    assert checked >= 8


def test_zones_are_attached_to_the_clusters_own_network(prod_plan: Plan) -> None:
    ids = {  # the cluster networks by name: <cluster>-vpc (AWS, GCP), <cluster>-vnet (Azure)
        _name(r): r["id"]
        for r in prod_plan.resources
        if r["type"]
        in ("aws:ec2/vpc:Vpc", "gcp:compute/network:Network", "azure-native:network:VirtualNetwork")
    }
    seen = set()
    for zone in prod_plan.of_type("aws:route53/zone:Zone"):
        cluster = _name(zone).removeprefix("router-").removesuffix("-dns-zone")
        region = prod_plan.config.cluster(cluster).region
        assert zone["inputs"]["vpcs"] == [{"vpcId": ids[f"{cluster}-vpc"], "vpcRegion": region}]
        seen.add("aws")
    for zone in prod_plan.of_type("gcp:dns/managedZone:ManagedZone"):
        cluster = _name(zone).removeprefix("router-").removesuffix("-dns-zone")
        assert zone["inputs"]["visibility"] == "private"
        nets = zone["inputs"]["privateVisibilityConfig"]["networks"]
        assert nets == [{"networkUrl": ids[f"{cluster}-vpc"]}]
        seen.add("gcp")
    for link in prod_plan.of_type("azure-native:network:VirtualNetworkLink"):
        cluster = _name(link).removeprefix("router-").removesuffix("-dns-link")
        assert link["inputs"]["registrationEnabled"] is False
        assert link["inputs"]["virtualNetwork"] == {"id": ids[f"{cluster}-vnet"]}
        seen.add("azure")
    assert seen == {"aws", "gcp", "azure"}


def test_a_cluster_without_edge_peers_gets_no_zone(prod_plan: Plan) -> None:
    stack = prod_plan.config
    lonely = [c for c in stack.clusters if len(dns_targets(stack, c)) == 1]
    with_peers = [c for c in stack.clusters if len(dns_targets(stack, c)) > 1]
    assert with_peers
    dns = {_name(r) for r in prod_plan.of_type("meridian:router:EdgeDns")}
    assert dns == {f"router-{c.name}-dns" for c in with_peers}
    assert not any(f"router-{c.name}-dns" in dns for c in lonely)


def test_no_router_name_is_published_outside_the_private_zones(prod_plan: Plan) -> None:
    domain = config_gen.router_section(prod_plan.config).internal_domain
    for r in prod_plan.of_type("cloudflare:index/dnsRecord:DnsRecord") + prod_plan.of_type(
        "cloudflare:index/record:Record"
    ):
        assert domain not in str(r["inputs"].get("name", "")), r["urn"]

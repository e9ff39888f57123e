"""Edge DNS: every peer router a cluster's config names resolves, inside that cluster's own network,
to the peer's internal load balancer (the prod plan, mock runtime)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from infra.router_contract import config_gen
from infra.router_contract.vault import vault_hostname
from infra.router_deploy.edge_dns import dns_targets
from infra.vault.dns import reaches_vault
from meridian.config import load_stack_file
from meridian.plan.runner import Plan
from tests.conftest import ROOT

ZONE = {
    "aws": "aws:route53/zone:Zone",
    "gcp": "gcp:dns/managedZone:ManagedZone",
    "azure": "azure-native:privatedns:PrivateZone",
}
RECORD = {
    "aws": "aws:route53/record:Record",
    "gcp": "gcp:dns/recordSet:RecordSet",
    "azure": "azure-native:privatedns:PrivateRecordSet",
}


def _name(r: dict[str, Any]) -> str:
    return r["urn"].rsplit("::", 1)[-1]


def _under(plan: Plan, component: str) -> list[dict[str, Any]]:
    urn = next(
        r["urn"] for r in plan.resources if r["type"] == "meridian:dns:PrivateDns" and _name(r) == component
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


def _zone_domain(zone: dict[str, Any]) -> str:
    i = zone["inputs"]
    return (i.get("dnsName") or "").rstrip(".") or i.get("name") or i.get("privateZoneName")


def _records_in(children: list[dict[str, Any]], cloud: str, domain: str) -> list[tuple[str, str, str]]:
    """The records of one zone (by its domain) among a PrivateDns component's children."""
    zone = next(z for z in children if z["type"] == ZONE[cloud] and _zone_domain(z) == domain)
    out = []
    for r in children:
        if r["type"] != RECORD[cloud]:
            continue
        i = r["inputs"]
        if (
            (cloud == "aws" and i["zoneId"] == zone["outputs"]["zoneId"])
            or (cloud == "gcp" and i["managedZone"] == zone["inputs"]["name"])
            or (cloud == "azure" and i["privateZoneName"] == domain)
        ):
            out.append(_record(r, cloud, domain))
    return out


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
        children = _under(prod_plan, f"{cluster.name}-dns")
        zones = [r for r in children if r["type"] == ZONE[cluster.cloud] and _zone_domain(r) == domain]
        assert len(zones) == 1, cluster.name
        # the zone is private to this cluster's region and network
        provider = _provider_inputs(prod_plan, zones[0])
        assert (provider.get("region") or provider.get("location")) == cluster.region
        records = {
            host: (kind, target) for host, kind, target in _records_in(children, cluster.cloud, domain)
        }
        wanted = {cluster.name} | {b.name.removeprefix("edge-") for b in edge}
        assert set(records) == {config_gen.peer_host(stack, stack.cluster(n)) for n in wanted}, cluster.name
        for b in edge:
            peer = stack.cluster(b.name.removeprefix("edge-"))
            host = urlsplit(b.base_url).hostname
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
        cluster = _name(zone).split("-dns-")[0]
        region = prod_plan.config.cluster(cluster).region
        assert zone["inputs"]["vpcs"] == [{"vpcId": ids[f"{cluster}-vpc"], "vpcRegion": region}]
        seen.add("aws")
    for zone in prod_plan.of_type("gcp:dns/managedZone:ManagedZone"):
        cluster = _name(zone).split("-dns-")[0]
        assert zone["inputs"]["visibility"] == "private"
        nets = zone["inputs"]["privateVisibilityConfig"]["networks"]
        assert nets == [{"networkUrl": ids[f"{cluster}-vpc"]}]
        seen.add("gcp")
    for link in prod_plan.of_type("azure-native:privatedns:VirtualNetworkLink"):
        if "-dns-" not in _name(link):
            continue  # the router Redis' privatelink zone (test below)
        cluster = _name(link).split("-dns-")[0]
        assert link["inputs"]["registrationEnabled"] is False
        assert link["inputs"]["virtualNetwork"] == {"id": ids[f"{cluster}-vnet"]}
        seen.add("azure")
    assert seen == {"aws", "gcp", "azure"}


def test_zones_exist_exactly_where_there_are_names(prod_plan: Plan) -> None:
    stack = prod_plan.config
    named = [c for c in stack.clusters if len(dns_targets(stack, c)) > 1 or reaches_vault(stack, c)]
    dns = {_name(r) for r in prod_plan.of_type("meridian:dns:PrivateDns")}
    assert dns == {f"{c.name}-dns" for c in named}


def test_an_unlinked_cluster_has_no_names_and_the_plan_says_vault_is_out_of_reach() -> None:
    from infra.vault.dns import unreachable_clients, vault_records

    stack = load_stack_file(ROOT / "Pulumi.prod.yaml")
    assert stack.interconnect is not None
    assert unreachable_clients(stack) == []  # prod: every cluster reaches Vault privately
    cut = stack.model_copy(
        update={
            "interconnect": stack.interconnect.model_copy(
                update={"links": [x for x in stack.interconnect.links if "gcp-ase1" not in (x.a, x.b)]}
            )
        }
    )
    ase1 = cut.cluster("gcp-ase1")
    assert dns_targets(cut, ase1) == [ase1]
    assert vault_records(cut, ase1, "10.0.0.1") == []
    assert unreachable_clients(cut) == ["gcp-ase1"]


def test_no_router_name_is_published_outside_the_private_zones(prod_plan: Plan) -> None:
    domain = config_gen.router_section(prod_plan.config).internal_domain
    for r in prod_plan.of_type("cloudflare:index/dnsRecord:DnsRecord") + prod_plan.of_type(
        "cloudflare:index/record:Record"
    ):
        assert domain not in str(r["inputs"].get("name", "")), r["urn"]


def test_vault_resolves_where_it_is_reachable_and_nowhere_else(prod_plan: Plan) -> None:
    stack = prod_plan.config
    assert stack.vault is not None
    host = vault_hostname(stack.vault)
    zone = host.split(".", 1)[1]
    api = next(
        r
        for r in prod_plan.of_type("kubernetes:core/v1:Service")
        if r["inputs"]["metadata"]["name"] == "vault-api"
    )
    address = api["outputs"]["status"]["loadBalancer"]["ingress"][0]["hostname"]  # Vault runs on EKS: an NLB
    vault_cloud = stack.cluster(stack.vault.cluster).cloud
    reachable = {stack.vault.cluster} | {p.name for p in stack.private_peers(stack.vault.cluster)}
    found = set()
    for r in prod_plan.of_type("meridian:dns:PrivateDns"):
        cluster = stack.cluster(_name(r).removesuffix("-dns"))
        children = _under(prod_plan, _name(r))
        if cluster.name in reachable:
            vault = _records_in(children, cluster.cloud, zone)
            assert vault == [(host, "CNAME" if vault_cloud == "aws" else "A", address)], cluster.name
            found.add(cluster.name)
        else:
            assert not any(x["type"] == ZONE[cluster.cloud] and _zone_domain(x) == zone for x in children)
    assert found == reachable


def test_vault_api_is_an_internal_lb_to_the_active_node_only(prod_plan: Plan) -> None:
    api = next(
        r
        for r in prod_plan.of_type("kubernetes:core/v1:Service")
        if r["inputs"]["metadata"]["name"] == "vault-api"
    )
    spec = api["inputs"]["spec"]
    assert spec["type"] == "LoadBalancer"
    assert spec["selector"]["vault-active"] == "true" and spec["selector"]["component"] == "server"
    assert spec["ports"] == [{"name": "https", "port": 8200, "targetPort": 8200, "protocol": "TCP"}]
    ann = api["inputs"]["metadata"]["annotations"]
    assert ann["service.beta.kubernetes.io/aws-load-balancer-scheme"] == "internal"
    release = next(
        r
        for r in prod_plan.of_type("kubernetes:helm.sh/v3:Release")
        if r["inputs"].get("chart") == "vault" and r["inputs"].get("name") == "vault"
    )
    assert release["inputs"]["values"]["server"]["service"]["type"] == "ClusterIP"  # no second, chart-made LB


def test_azure_router_redis_is_private_and_resolves_to_its_endpoint(prod_plan):
    """Azure Cache for Redis holds tenant budgets: no public network access; the router reaches it
    through a private endpoint in its cluster's node subnet, resolved by the privatelink zone."""
    caches = prod_plan.of_type("azure-native:redis:Redis")
    assert caches
    ids = {r["id"] for r in caches}
    for cache in caches:
        assert cache["inputs"]["publicNetworkAccess"] == "Disabled"
        assert cache["inputs"]["tags"]["data-class"] == "internal"
    endpoints = prod_plan.of_type("azure-native:network:PrivateEndpoint")
    targets = {c["privateLinkServiceId"] for e in endpoints for c in e["inputs"]["privateLinkServiceConnections"]
               if c["groupIds"] == ["redisCache"]}
    assert ids and ids <= targets
    zones = [z for z in prod_plan.of_type("azure-native:privatedns:PrivateZone")
             if z["inputs"]["privateZoneName"] == "privatelink.redis.cache.windows.net"]
    assert len(zones) == len(caches)
    assert all("jurisdiction" not in z["inputs"].get("tags", {}) for z in zones)  # global: no jurisdiction
    assert len(prod_plan.of_type("azure-native:network:PrivateDnsZoneGroup")) == len(caches)

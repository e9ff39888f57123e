"""Private Kubernetes APIs admit exactly their privately linked peers (Vault's token reviews and
operators over the interconnect), on every cloud (the prod plan, mock runtime)."""

from __future__ import annotations

from typing import Any

from infra.regional import peer_ranges
from meridian.plan.runner import Plan


def _name(r: dict[str, Any]) -> str:
    return r["urn"].rsplit("::", 1)[-1]


def _eks_rules(plan: Plan) -> dict[str, set[str]]:
    """cluster name -> CIDRs its EKS cluster security group admits on 443."""
    sgs = {
        r["outputs"]["vpcConfig"]["clusterSecurityGroupId"]: r["inputs"]["name"]
        for r in plan.of_type("aws:eks/cluster:Cluster")
    }
    out: dict[str, set[str]] = {name: set() for name in sgs.values()}
    for rule in plan.of_type("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"):
        i = rule["inputs"]
        if i["securityGroupId"] in sgs:
            assert (i["fromPort"], i["toPort"], i["ipProtocol"]) == (443, 443, "tcp"), _name(rule)
            out[sgs[i["securityGroupId"]]].add(i["cidrIpv4"])
    return out


def test_each_private_api_admits_its_linked_peers_and_no_one_else(prod_plan: Plan) -> None:
    stack = prod_plan.config
    eks = _eks_rules(prod_plan)
    gke = {
        r["inputs"]["name"]: {
            b["cidrBlock"] for b in r["inputs"]["masterAuthorizedNetworksConfig"].get("cidrBlocks", [])
        }
        for r in prod_plan.of_type("gcp:container/cluster:Cluster")
    }
    checked = 0
    for cluster in stack.clusters:
        wanted = {cidr for _peer, cidr in peer_ranges(stack, cluster)}
        if cluster.cloud == "aws":
            assert eks[cluster.name] == wanted, cluster.name
        elif cluster.cloud == "gcp":
            assert gke[cluster.name] == wanted | {str(n) for n in cluster.authorized_networks}, cluster.name
        checked += len(wanted)
    assert checked > 0
    # ... and not everyone: some cluster pairs are not linked, so the equalities above exclude them
    assert any(
        {p.name for p in stack.private_peers(c.name)} | {c.name} != {x.name for x in stack.clusters}
        for c in stack.clusters
    )


def test_peer_ranges_cover_network_and_gke_pod_ranges() -> None:
    from meridian.config import load_stack_file
    from tests.conftest import ROOT

    stack = load_stack_file(ROOT / "Pulumi.prod.yaml")
    ranges = dict(peer_ranges(stack, stack.cluster("aws-use1")))
    gcp = stack.cluster("gcp-usc1")
    assert ranges["gcp-usc1"] == str(gcp.network.cidr)
    assert ranges["gcp-usc1-pods"] == str(gcp.network.pod_cidr)  # GKE pods are not masqueraded
    assert "az-eus-pods" not in ranges  # AKS overlay pods leave as their node


def test_private_aks_is_named_by_a_fqdn_its_peers_resolve(prod_plan: Plan) -> None:
    stack = prod_plan.config
    outputs = prod_plan.stack_outputs["clusters"]
    for mc in prod_plan.of_type("azure-native:containerservice:ManagedCluster"):
        name = mc["inputs"]["resourceName"]
        access = mc["inputs"]["apiServerAccessProfile"]
        assert access["enablePrivateCluster"] is True
        linked = bool(stack.private_peers(name))
        assert access["enablePrivateClusterPublicFQDN"] is linked, name
        # the endpoint Vault's auth backend and the mesh use: the public FQDN (answers with the private IP)
        endpoint = outputs[name]["endpoint"]
        assert ("privatelink." not in endpoint) is linked, (name, endpoint)
        assert mc["outputs"]["fqdn"] in endpoint if linked else mc["outputs"]["privateFQDN"] in endpoint

"""GCP cluster regions in the offline plan: VPC and ranges, private GKE with Workload Identity and
KMS-encrypted secrets in the cluster's region, node pools sized from config, kubeconfig + provider."""

from __future__ import annotations

import ipaddress
import json
from typing import Any

import pytest

from infra.gcp.cluster import kubeconfig_json, private_endpoint_only
from infra.gcp.network import control_plane_range, node_range
from infra.gcp.nodepools import fixed_layout, gke_taint
from meridian.config import load_stack_file
from tests.conftest import ROOT
from tests.infra.gcp.helpers import GKE, KEY, KEY_RING, NODE_POOL, View, gcp_only, gcp_plan

PROD_CLUSTERS = {"gcp-usc1": "us-central1", "gcp-euw1": "europe-west1", "gcp-ase1": "asia-east1"}


@pytest.fixture(scope="module")
def prod() -> View:
    return View(gcp_plan("prod"))


@pytest.fixture(scope="module")
def dev() -> View:
    return View(gcp_plan("dev"))


def pools_of(view: View, cluster: str) -> dict[str, dict[str, Any]]:
    return {kind: view.named(NODE_POOL, f"{cluster}-{kind}")["inputs"] for kind in ("system", "workload", "gpu")}


def fixed_total(pool: dict[str, Any]) -> int:
    return pool["nodeCount"] * len(pool["nodeLocations"])


def test_prod_has_the_three_gcp_clusters_in_their_regions(prod: View) -> None:
    clusters = {c["inputs"]["name"]: c for c in prod.of_type(GKE)}
    assert set(clusters) == set(PROD_CLUSTERS)
    for name, region in PROD_CLUSTERS.items():
        c = clusters[name]
        assert c["inputs"]["location"] == region
        assert prod.region(c) == region
        assert all(z.startswith(f"{region}-") for z in c["inputs"]["nodeLocations"])


@pytest.mark.parametrize("cluster", sorted(PROD_CLUSTERS))
def test_prod_node_pools(prod: View, cluster: str) -> None:
    pools = pools_of(prod, cluster)
    system, workload, gpu = pools["system"], pools["workload"], pools["gpu"]
    assert "autoscaling" not in system and fixed_total(system) == 3
    assert workload["autoscaling"]["totalMinNodeCount"] == 5 and workload["autoscaling"]["totalMaxNodeCount"] == 50
    assert gpu["autoscaling"]["totalMinNodeCount"] == 0 and gpu["autoscaling"]["totalMaxNodeCount"] == 10
    assert gpu["nodeConfig"]["machineType"] == "g2-standard-8"
    assert gpu["nodeConfig"]["guestAccelerators"][0]["type"] == "nvidia-l4"
    assert gpu["nodeConfig"]["taints"] == [{"key": "nvidia.com/gpu", "value": "present", "effect": "NO_SCHEDULE"}]
    assert system["nodeConfig"]["taints"] == [] and workload["nodeConfig"]["taints"] == []
    sa = prod.named("gcp:serviceaccount/account:Account", f"{cluster}-nodes")
    for pool in pools.values():
        cfg = pool["nodeConfig"]
        assert cfg["workloadMetadataConfig"] == {"mode": "GKE_METADATA"}
        assert cfg["serviceAccount"] == sa["outputs"]["email"]
        assert cfg["resourceLabels"]["data-class"] and cfg["resourceLabels"]["jurisdiction"]
        assert pool["management"] == {"autoRepair": True, "autoUpgrade": True}


def test_dev_is_small(dev: View) -> None:
    (cluster,) = dev.of_type(GKE)
    pools = pools_of(dev, cluster["inputs"]["name"])
    assert fixed_total(pools["system"]) == 1 and len(pools["system"]["nodeLocations"]) == 1
    assert pools["workload"]["autoscaling"]["totalMaxNodeCount"] == 3
    assert pools["gpu"]["autoscaling"]["totalMaxNodeCount"] == 1
    assert len(cluster["inputs"]["nodeLocations"]) == 2  # network.azs: 2
    assert cluster["inputs"]["deletionProtection"] is False


@pytest.mark.parametrize("cluster", sorted(PROD_CLUSTERS))
def test_control_plane_is_private_with_workload_identity_and_encrypted_secrets(prod: View, cluster: str) -> None:
    c = prod.named(GKE, cluster)["inputs"]
    cfg = prod.plan.config.cluster(cluster)
    assert c["privateClusterConfig"]["enablePrivateNodes"] is True
    assert c["privateClusterConfig"]["enablePrivateEndpoint"] is True  # no authorized networks in prod
    master = ipaddress.IPv4Network(c["privateClusterConfig"]["masterIpv4CidrBlock"])
    assert master.prefixlen == 28 and master.subnet_of(cfg.network.cidr)
    assert not master.overlaps(node_range(cfg.network.cidr))
    assert c["masterAuthorizedNetworksConfig"]["gcpPublicCidrsAccessEnabled"] is False
    # the private endpoint is in the control plane /28; the control plane peering exports our routes
    assert ipaddress.IPv4Address(prod.plan.stack_outputs["clusters"][cluster]["endpoint"]) in master
    routes = prod.named("gcp:compute/networkPeeringRoutesConfig:NetworkPeeringRoutesConfig", f"{cluster}-control-plane-routes")
    assert routes["inputs"]["exportCustomRoutes"] is True and routes["inputs"]["importCustomRoutes"] is False
    assert c["workloadIdentityConfig"] == {"workloadPool": "meridian-prod-001.svc.id.goog"}
    assert c["minMasterVersion"] == "1.35" and c["releaseChannel"]["channel"] == "STABLE"
    assert c["removeDefaultNodePool"] is True
    assert c["ipAllocationPolicy"] == {"clusterSecondaryRangeName": "pods", "servicesSecondaryRangeName": "services"}
    assert c["resourceLabels"]["data-class"] == "restricted" and c["resourceLabels"]["jurisdiction"] == cfg.jurisdiction
    # secrets key: in the cluster's region, usable by the GKE service agent, protected in prod
    assert c["databaseEncryption"]["state"] == "ENCRYPTED"
    key = prod.by_id[c["databaseEncryption"]["keyName"]]
    ring = prod.by_id[key["inputs"]["keyRing"]]
    assert ring["type"] == KEY_RING and ring["inputs"]["location"] == cfg.region and prod.region(ring) == cfg.region
    assert key["type"] == KEY and key["protect"] and key["retainOnDelete"]
    (grant,) = [
        g for g in prod.of_type("gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember") if g["inputs"]["cryptoKeyId"] == key["id"]
    ]
    assert grant["inputs"]["member"].endswith("@container-engine-robot.iam.gserviceaccount.com")
    assert grant["inputs"]["role"] == "roles/cloudkms.cryptoKeyEncrypterDecrypter"


def test_authorized_networks_give_a_restricted_public_endpoint() -> None:
    cfg = gcp_only(load_stack_file(ROOT / "Pulumi.dev.yaml"))
    cluster = cfg.clusters[0].model_copy(update={"authorized_networks": [ipaddress.IPv4Network("203.0.113.0/24")]})
    view = View(gcp_plan("dev", cfg.model_copy(update={"clusters": [cluster], "data_lakes": []})))
    c = view.named(GKE, cluster.name)["inputs"]
    assert c["privateClusterConfig"]["enablePrivateEndpoint"] is False
    assert c["masterAuthorizedNetworksConfig"]["cidrBlocks"] == [
        {"cidrBlock": "203.0.113.0/24", "displayName": "authorized-0"}
    ]


@pytest.mark.parametrize("cluster", sorted(PROD_CLUSTERS))
def test_network_ranges_nat_and_private_google_access(prod: View, cluster: str) -> None:
    cfg = prod.plan.config.cluster(cluster)
    net = prod.named("gcp:compute/network:Network", f"{cluster}-vpc")["inputs"]
    assert net["autoCreateSubnetworks"] is False and net["routingMode"] == "REGIONAL"
    sub = prod.named("gcp:compute/subnetwork:Subnetwork", f"{cluster}-nodes")["inputs"]
    assert sub["region"] == cfg.region and sub["privateIpGoogleAccess"] is True
    assert ipaddress.IPv4Network(sub["ipCidrRange"]).subnet_of(cfg.network.cidr)
    assert {r["rangeName"]: r["ipCidrRange"] for r in sub["secondaryIpRanges"]} == {
        "pods": str(cfg.network.pod_cidr),
        "services": str(cfg.network.service_cidr),
    }
    router = prod.named("gcp:compute/router:Router", f"{cluster}-router")
    nat = prod.named("gcp:compute/routerNat:RouterNat", f"{cluster}-nat")["inputs"]
    assert nat["router"] == router["inputs"]["name"] and nat["natIpAllocateOption"] == "AUTO_ONLY"


def test_kubeconfig_is_secret_and_each_cluster_has_a_provider(prod: View) -> None:
    outputs = prod.plan.stack_outputs["clusters"]
    assert set(outputs) == set(PROD_CLUSTERS)
    for name, out in outputs.items():
        assert "ciphertext" in out["kubeconfig"], f"{name}: kubeconfig must be a secret"
        assert out["clusterName"] == name and out["endpoint"]
        assert prod.named(GKE, name)["outputs"]["masterAuth"]["clusterCaCertificate"]  # feeds the kubeconfig
        assert out["workloadPool"] == "meridian-prod-001.svc.id.goog"
        assert out["oidcIssuerUrl"].endswith(f"/locations/{PROD_CLUSTERS[name]}/clusters/{name}")
    providers = [prod.name(p) for p in prod.of_type("pulumi:providers:kubernetes")]
    assert sorted(providers) == sorted(f"{n}-k8s" for n in PROD_CLUSTERS)


def test_every_gcp_resource_is_parented_and_uses_an_explicit_regional_provider(prod: View) -> None:
    # everything below the GCP components (the components themselves are children of the stack)
    mine = [r for r in prod.resources if r["urn"].split("::")[2].startswith("meridian:gcp:") and "$" in r["urn"]]
    assert len(mine) > 100
    for r in mine:
        assert r.get("parent", "").split("::")[2].startswith("meridian:gcp:"), r["urn"]
        if r["type"].startswith("gcp:"):
            assert prod.region(r), f"{r['urn']} has no explicit gcp provider"


def test_private_endpoint_unless_a_public_range_is_authorized() -> None:
    nets = [ipaddress.IPv4Network(n) for n in ("10.0.0.0/8", "192.168.10.0/24", "100.64.0.0/16")]
    assert private_endpoint_only([]) and private_endpoint_only(nets)
    assert not private_endpoint_only([*nets, ipaddress.IPv4Network("198.51.100.0/24")])


def test_helpers() -> None:
    kc = json.loads(kubeconfig_json("ctx", "10.0.0.2", "Q0E="))
    assert kc["clusters"][0]["cluster"]["server"] == "https://10.0.0.2"
    assert kc["users"][0]["user"]["exec"]["command"] == "gke-gcloud-auth-plugin"
    assert fixed_layout(3, ["a", "b", "c"]).per_zone == 1
    assert fixed_layout(1, ["a", "b"]).zones == ["a"]
    assert fixed_layout(4, ["a", "b", "c"]).zones == ["a", "b"]
    assert fixed_layout(6, ["a", "b", "c"]).per_zone == 2
    t = gke_taint("dedicated=gpu:NoExecute")
    assert (t.key, t.value, t.effect) == ("dedicated", "gpu", "NO_EXECUTE")
    cidr = ipaddress.IPv4Network("10.20.0.0/16")
    assert str(node_range(cidr)) == "10.20.0.0/17" and str(control_plane_range(cidr)) == "10.20.255.240/28"


def test_control_plane_reaches_webhooks_on_the_nodes(prod: View) -> None:
    """The Vault Agent injector's webhook (8080) must be reachable from each private control plane,
    and only from it."""
    networks = {v["inputs"]["name"].removesuffix("-vpc"): v["id"] for v in prod.of_type("gcp:compute/network:Network")}
    masters = {c["inputs"]["name"]: c["inputs"]["privateClusterConfig"]["masterIpv4CidrBlock"] for c in prod.of_type(GKE)}
    rules = {r["inputs"]["name"]: r["inputs"] for r in prod.of_type("gcp:compute/firewall:Firewall")}
    for name, master in masters.items():
        rule = rules[f"{name}-control-plane-webhooks"]
        assert rule["network"] == networks[name] and rule["direction"] == "INGRESS"
        assert rule["sourceRanges"] == [master]
        assert rule["allows"] == [{"protocol": "tcp", "ports": ["8080"]}]


def test_gpu_pools_run_only_in_zones_that_offer_their_machine_type(prod: View) -> None:
    """europe-west1-d offers no g2 (L4) machines: the GPU pool of gcp-euw1 must leave it out, while the
    other pools use every zone of the cluster (meridian/catalog/machines.py)."""
    from meridian.catalog.machines import gcp_zones_offering

    seen = 0
    for cluster in ("gcp-euw1", "gcp-usc1", "gcp-ase1"):
        pools = pools_of(prod, cluster)
        gpu = pools["gpu"]
        region = next(c.region for c in load_stack_file(ROOT / "Pulumi.prod.yaml").clusters if c.name == cluster)
        offered = gcp_zones_offering(region, gpu["nodeConfig"]["machineType"])
        assert offered and set(gpu["nodeLocations"]) <= set(offered), (cluster, gpu["nodeLocations"])
        seen += 1
    assert "europe-west1-d" not in pools_of(prod, "gcp-euw1")["gpu"]["nodeLocations"]
    assert "europe-west1-d" in pools_of(prod, "gcp-euw1")["system"]["nodeLocations"]
    assert seen == 3

"""Azure cluster regions in the offline plan: VNet layout, AKS control plane, node pools, KMS,
workload identity, kubeconfig and Kubernetes provider."""

from __future__ import annotations

import ipaddress

import pytest

from meridian.config import StackConfig
from tests.infra.azure.helpers import View, azure_plan

MC = "azure-native:containerservice:ManagedCluster"
POOL = "azure-native:containerservice:AgentPool"
SUBNET = "azure-native:network:Subnet"
PROD_CLUSTERS = {"az-eus": "eastus", "az-weu": "westeurope"}
GPU_TAINT = "nvidia.com/gpu=present:NoSchedule"


def _clusters(view: View) -> dict[str, dict]:
    return {c["inputs"]["resourceName"]: c for c in view.of_type(MC)}


def _pools(view: View, cluster: str) -> dict[str, dict]:
    """Every pool of a cluster by name: the inline system pool and the AgentPool resources."""
    mc = _clusters(view)[cluster]
    pools = {p["name"]: p for p in mc["inputs"]["agentPoolProfiles"]}
    for p in view.of_type(POOL):
        if p["inputs"]["resourceName"] == mc["outputs"]["name"]:
            pools[p["inputs"]["agentPoolName"]] = p["inputs"]
    return pools


def test_prod_has_the_two_azure_clusters_in_their_regions(prod: View) -> None:
    clusters = {name: (prod.region(c), c["inputs"]["location"]) for name, c in _clusters(prod).items()}
    assert clusters == {name: (region, region) for name, region in PROD_CLUSTERS.items()}


@pytest.mark.parametrize("name", sorted(PROD_CLUSTERS))
def test_prod_node_pools_sizes_and_taints(prod: View, name: str) -> None:
    pools = _pools(prod, name)
    assert set(pools) == {"system", "workload", "gpu"}
    system, workload, gpu = pools["system"], pools["workload"], pools["gpu"]
    assert system["mode"] == "System" and system["count"] == 3 and not system["enableAutoScaling"]
    assert "CriticalAddonsOnly=true:NoSchedule" in system["nodeTaints"]
    assert workload["mode"] == "User" and workload["enableAutoScaling"] is True
    assert (workload["minCount"], workload["maxCount"]) == (5, 50)
    assert gpu["mode"] == "User" and gpu["enableAutoScaling"] is True
    assert (gpu["count"], gpu["minCount"], gpu["maxCount"]) == (0, 0, 10)
    assert gpu["nodeTaints"] == [GPU_TAINT] and gpu["vmSize"] == "Standard_NC4as_T4_v3"
    for p in pools.values():
        assert p["orchestratorVersion"] == "1.35"
        assert p["nodeLabels"]["meridian.io/pool"] in ("system", "workload", "gpu")
        assert p["enableNodePublicIP"] is False


def test_dev_is_small_and_unprotected(dev: View) -> None:
    assert set(_clusters(dev)) == {"az-dev-weu"}
    pools = _pools(dev, "az-dev-weu")
    assert pools["system"]["count"] == 1
    assert (pools["workload"]["minCount"], pools["workload"]["maxCount"]) == (1, 3)
    assert (pools["gpu"]["minCount"], pools["gpu"]["maxCount"]) == (0, 1)
    assert _clusters(dev)["az-dev-weu"]["inputs"]["sku"]["tier"] == "Free"
    assert not any(r.get("protect") or r.get("retainOnDelete") for r in dev.resources)


def test_network_layout_from_config(prod: View) -> None:
    vnets = {v["inputs"]["location"]: v for v in prod.of_type("azure-native:network:VirtualNetwork")}
    for cluster in prod.plan.config.clusters:
        vnet = vnets[cluster.region]
        assert vnet["inputs"]["addressSpace"]["addressPrefixes"] == [str(cluster.network.cidr)]
        subnets = {
            s["inputs"]["subnetName"]: s
            for s in prod.of_type(SUBNET)
            if s["inputs"]["virtualNetworkName"] == vnet["outputs"]["name"]
        }
        assert set(subnets) == {"nodes", "GatewaySubnet"}
        gw = ipaddress.IPv4Network(subnets["GatewaySubnet"]["inputs"]["addressPrefix"])
        nodes = ipaddress.IPv4Network(subnets["nodes"]["inputs"]["addressPrefix"])
        assert gw.prefixlen == 27 and gw.subnet_of(cluster.network.cidr)
        assert nodes.subnet_of(cluster.network.cidr) and not nodes.overlaps(gw)
        assert "networkSecurityGroup" not in subnets["GatewaySubnet"]["inputs"]
        assert subnets["nodes"]["inputs"]["networkSecurityGroup"]["id"]
        assert subnets["nodes"]["inputs"]["natGateway"]["id"]
    nats = prod.of_type("azure-native:network:NatGateway")
    assert {n["inputs"]["location"] for n in nats} == set(PROD_CLUSTERS.values())
    assert all(n["inputs"]["publicIpAddresses"] for n in nats)


@pytest.mark.parametrize("name", sorted(PROD_CLUSTERS))
def test_control_plane_private_overlay_workload_identity_kms(prod: View, name: str) -> None:
    mc = _clusters(prod)[name]
    i = mc["inputs"]
    cfg = prod.plan.config.cluster(name)
    assert i["kubernetesVersion"] == "1.35"
    assert i["apiServerAccessProfile"]["enablePrivateCluster"] is True
    net = i["networkProfile"]
    assert (net["networkPlugin"], net["networkPluginMode"]) == ("azure", "overlay")
    assert net["podCidr"] == str(cfg.network.pod_cidr) and net["serviceCidr"] == str(cfg.network.service_cidr)
    assert ipaddress.ip_address(net["dnsServiceIP"]) in cfg.network.service_cidr
    assert net["outboundType"] == "userAssignedNATGateway"
    assert i["oidcIssuerProfile"]["enabled"] is True
    assert i["securityProfile"]["workloadIdentity"]["enabled"] is True
    assert i["identity"]["type"] == "UserAssigned" and len(i["identity"]["userAssignedIdentities"]) == 1
    kms = i["securityProfile"]["azureKeyVaultKms"]
    assert kms["enabled"] is True
    # The etcd key lives in a vault in the cluster's own region.
    vault_host = kms["keyId"].split("/")[2].split(".")[0]
    vault = next(v for v in prod.of_type("azure-native:keyvault:Vault") if v["outputs"]["name"] == vault_host)
    assert vault["inputs"]["location"] == cfg.region and prod.region(vault) == cfg.region
    assert vault["inputs"]["properties"]["enablePurgeProtection"] is True
    assert vault["inputs"]["properties"]["enableRbacAuthorization"] is True
    # Roles the control-plane identity needs exist before the cluster is created.
    role_urns = {r["urn"] for r in prod.of_type("azure-native:authorization:RoleAssignment")}
    assert len(role_urns & set(mc.get("dependencies", []))) == 2
    assert mc["outputs"]["oidcIssuerProfile"]["issuerURL"].startswith("https://")


def test_authorized_networks_make_a_public_api_restricted_to_them() -> None:
    def authorize(cfg: StackConfig) -> StackConfig:
        c = cfg.clusters[0].model_copy(
            update={"authorized_networks": [ipaddress.IPv4Network("198.51.100.0/24")]}
        )
        return cfg.model_copy(update={"clusters": [c], "data_lakes": []})

    view = View(azure_plan("dev", authorize))
    (mc,) = view.of_type(MC)
    access = mc["inputs"]["apiServerAccessProfile"]
    assert access["enablePrivateCluster"] is False and access["authorizedIPRanges"] == ["198.51.100.0/24"]
    assert (
        view.plan.stack_outputs["clusters"]["az-dev-weu"]["endpoint"]
        == f"https://{mc['outputs']['fqdn']}:443"
    )


def test_outputs_kubeconfig_secret_and_a_k8s_provider_per_cluster(prod: View) -> None:
    outputs = prod.plan.stack_outputs["clusters"]
    assert set(outputs) == set(PROD_CLUSTERS)
    for out in outputs.values():
        assert out["endpoint"].startswith("https://") and out["endpoint"].endswith(":443")
        assert "ciphertext" in out["kubeconfig"]  # secret
        assert out["gatewaySubnetId"] and out["vnetId"] and out["resourceGroupName"]
        assert out["oidcIssuerUrl"].startswith("https://")
    assert len(prod.of_type("pulumi:providers:kubernetes")) == len(PROD_CLUSTERS)


def test_prod_keys_and_groups_are_protected_and_tagged(prod: View) -> None:
    for token in (
        "azure-native:keyvault:Vault",
        "azure-native:keyvault:Key",
        "azure-native:resources:ResourceGroup",
    ):
        for r in prod.of_type(token):
            assert r.get("protect") and r.get("retainOnDelete"), f"{token} {prod.name(r)} is not protected"
    for token in (MC, POOL, "azure-native:keyvault:Vault", "azure-native:keyvault:Key"):
        for r in prod.of_type(token):
            tags = r["inputs"]["tags"]
            assert tags["data-class"] and tags["jurisdiction"] in ("us", "eu"), f"{prod.name(r)} untagged"


def test_every_azure_resource_uses_the_explicit_provider_of_its_region(prod: View) -> None:
    for r in prod.resources:
        if r.get("custom") and r["type"].startswith("azure-native:"):
            region = prod.region(r)
            assert region in PROD_CLUSTERS.values(), f"{prod.name(r)}: provider region {region!r}"
            location = r["inputs"].get("location")
            assert location in (None, region), f"{prod.name(r)}: location {location} != provider {region}"

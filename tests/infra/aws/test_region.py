"""AWS cluster regions in the offline plan: VPC layout, EKS control plane, node pools, IRSA, add-ons."""

from __future__ import annotations

import ipaddress
import json

import pytest

from tests.infra.aws.helpers import View, aws_plan

CLUSTER = "aws:eks/cluster:Cluster"
NODE_GROUP = "aws:eks/nodeGroup:NodeGroup"
PROD_CLUSTERS = {"aws-use1": "us-east-1", "aws-usw2": "us-west-2", "aws-euw1": "eu-west-1"}


@pytest.fixture(scope="module")
def prod() -> View:
    return View(aws_plan("prod"))


@pytest.fixture(scope="module")
def dev() -> View:
    return View(aws_plan("dev"))


def test_prod_has_the_three_aws_clusters_in_their_regions(prod: View) -> None:
    clusters = {c["inputs"]["name"]: prod.region(c) for c in prod.of_type(CLUSTER)}
    assert clusters == PROD_CLUSTERS


@pytest.mark.parametrize("name", sorted(PROD_CLUSTERS))
def test_prod_node_pools_sizes_and_taints(prod: View, name: str) -> None:
    groups = {g["inputs"]["nodeGroupName"]: g["inputs"] for g in prod.of_type(NODE_GROUP)}
    system, workload, gpu = (groups[f"{name}-{k}"] for k in ("system", "workload", "gpu"))
    assert (system["scalingConfig"]["minSize"], system["scalingConfig"]["maxSize"]) == (3, 3)
    assert (workload["scalingConfig"]["minSize"], workload["scalingConfig"]["maxSize"]) == (5, 50)
    assert (gpu["scalingConfig"]["minSize"], gpu["scalingConfig"]["maxSize"]) == (0, 10)
    assert gpu["taints"] == [{"key": "nvidia.com/gpu", "value": "present", "effect": "NO_SCHEDULE"}]
    assert gpu["amiType"] == "AL2023_x86_64_NVIDIA" and gpu["instanceTypes"] == ["g5.xlarge"]
    for g in (system, workload, gpu):
        assert g["version"] == "1.35"
        assert g["labels"]["meridian.io/pool"] in ("system", "workload", "gpu")


def test_dev_is_small(dev: View) -> None:
    assert len(dev.of_type(CLUSTER)) == 1
    sizes = {g["inputs"]["nodeGroupName"]: g["inputs"]["scalingConfig"] for g in dev.of_type(NODE_GROUP)}
    assert sizes["aws-dev-use1-system"]["maxSize"] == 1
    assert sizes["aws-dev-use1-workload"]["maxSize"] == 3
    assert sizes["aws-dev-use1-gpu"] == {"minSize": 0, "maxSize": 1, "desiredSize": 0}
    assert len(dev.of_type("aws:ec2/natGateway:NatGateway")) == 1  # one NAT in dev
    assert not any(r.get("protect") for r in dev.resources)


def test_control_plane_private_encrypted_logged_and_versioned(prod: View) -> None:
    keys = {prod.name(k): k for k in prod.of_type("aws:kms/key:Key")}
    for c in prod.of_type(CLUSTER):
        i = c["inputs"]
        assert i["vpcConfig"]["endpointPrivateAccess"] is True
        assert i["vpcConfig"]["endpointPublicAccess"] is False  # no authorizedNetworks in prod
        assert i["version"] == "1.35"
        assert i["encryptionConfig"]["resources"] == ["secrets"]
        key = keys[f"{i['name']}-secrets-key"]
        assert i["encryptionConfig"]["provider"]["keyArn"] == key["outputs"]["arn"]
        assert prod.region(key) == prod.region(c)  # the secrets key lives in the cluster's region
        assert key["protect"] and key["retainOnDelete"]
        assert "audit" in i["enabledClusterLogTypes"]
        assert i["tags"]["data-class"] and i["tags"]["jurisdiction"] == (
            "eu" if i["name"] == "aws-euw1" else "us"
        )


def test_authorized_networks_open_the_public_endpoint_only_to_them(write_stack) -> None:  # type: ignore[no-untyped-def]
    from meridian.plan.runner import run_plan
    from tests.conftest import platform_config
    from tests.infra.aws.helpers import aws_only

    full = platform_config("dev")
    raw = {k: full[k] for k in ("environment", "kubernetesVersion")}
    raw["clusters"] = [c for c in full["clusters"] if c["cloud"] == "aws"]
    raw["clusters"][0]["authorizedNetworks"] = ["203.0.113.0/24"]
    root = write_stack("authz", raw)
    from meridian.config import load_stack_file

    cfg = aws_only(load_stack_file(root / "Pulumi.authz.yaml"))

    def program() -> None:
        from infra.platform import build_platform

        build_platform(cfg)

    vpc = View(run_plan("authz", root, program=program)).of_type(CLUSTER)[0]["inputs"]["vpcConfig"]
    assert vpc["endpointPublicAccess"] is True and vpc["publicAccessCidrs"] == ["203.0.113.0/24"]


@pytest.mark.parametrize("name", sorted(PROD_CLUSTERS))
def test_network_layout(prod: View, name: str) -> None:
    vpc = prod.named("aws:ec2/vpc:Vpc", f"{name}-vpc")
    cidr = ipaddress.ip_network(vpc["inputs"]["cidrBlock"])
    subnets = [s for s in prod.of_type("aws:ec2/subnet:Subnet") if prod.name(s).startswith(f"{name}-")]
    private = [s for s in subnets if s["inputs"]["tags"].get("kubernetes.io/role/internal-elb") == "1"]
    public = [s for s in subnets if s["inputs"]["tags"].get("kubernetes.io/role/elb") == "1"]
    assert len(private) == len(public) == 3
    nets = [ipaddress.ip_network(s["inputs"]["cidrBlock"]) for s in subnets]
    assert all(n.subnet_of(cidr) for n in nets)  # type: ignore[arg-type]
    assert len({n for n in nets}) == 6 and not any(a.overlaps(b) for a in nets for b in nets if a != b)
    region = PROD_CLUSTERS[name]
    assert sorted(s["inputs"]["availabilityZone"] for s in private) == [f"{region}{x}" for x in "abc"]
    nats = [n for n in prod.of_type("aws:ec2/natGateway:NatGateway") if prod.name(n).startswith(f"{name}-")]
    assert len(nats) == 3  # one per AZ in prod
    routes = [r for r in prod.of_type("aws:ec2/route:Route") if prod.name(r).startswith(f"{name}-")]
    assert len(routes) == 3 and all(r["inputs"]["destinationCidrBlock"] == "0.0.0.0/0" for r in routes)
    out = prod.plan.stack_outputs["clusters"][name]
    assert out["vpcCidr"] == str(cidr) and len(out["privateRouteTableIds"]) == 3


def test_irsa_oidc_provider_and_addons(prod: View) -> None:
    oidc = {prod.name(o): o for o in prod.of_type("aws:iam/openIdConnectProvider:OpenIdConnectProvider")}
    issuers = {
        c["inputs"]["name"]: c["outputs"]["identities"][0]["oidcs"][0]["issuer"]
        for c in prod.of_type(CLUSTER)
    }
    for name, issuer in issuers.items():
        provider = oidc[f"{name}-oidc"]["inputs"]
        assert provider["url"] == issuer and provider["clientIdLists"] == ["sts.amazonaws.com"]
    addons = {
        (a["inputs"]["clusterName"], a["inputs"]["addonName"]) for a in prod.of_type("aws:eks/addon:Addon")
    }
    for name in PROD_CLUSTERS:
        for addon in ("vpc-cni", "kube-proxy", "coredns", "aws-ebs-csi-driver"):
            assert (name, addon) in addons
    # The EBS CSI driver assumes its role only as its own service account, through the cluster's OIDC provider.
    roles = [r for r in prod.of_type("aws:iam/role:Role") if prod.name(r) == "aws-use1-ebs-csi-role"]
    trust = json.loads(roles[0]["inputs"]["assumeRolePolicy"])["Statement"][0]
    host = issuers["aws-use1"].removeprefix("https://")
    assert (
        trust["Condition"]["StringEquals"][f"{host}:sub"]
        == "system:serviceaccount:kube-system:ebs-csi-controller-sa"
    )


def test_kubeconfig_is_secret_and_a_k8s_provider_per_cluster(prod: View) -> None:
    for name in PROD_CLUSTERS:
        out = prod.plan.stack_outputs["clusters"][name]
        assert out["kubeconfig"]["ciphertext"]  # secret envelope, never plaintext
        assert out["endpoint"].startswith("https://")
    k8s = [r for r in prod.of_type("pulumi:providers:kubernetes")]
    assert sorted(prod.name(p) for p in k8s) == sorted(f"{n}-k8s" for n in PROD_CLUSTERS)


def test_every_eks_cluster_runs_the_cluster_autoscaler_scoped_to_its_own_groups(prod: View) -> None:
    releases = {
        r["provider"].rsplit("::", 1)[0].rsplit("::", 1)[-1]: r
        for r in prod.of_type("kubernetes:helm.sh/v3:Release")
        if r["inputs"].get("chart") == "cluster-autoscaler"
    }
    assert set(releases) == {f"{n}-k8s" for n in PROD_CLUSTERS}  # one per cluster, on its own provider
    roles = {prod.name(r): r for r in prod.of_type("aws:iam/role:Role")}
    issuers = {
        c["inputs"]["name"]: c["outputs"]["identities"][0]["oidcs"][0]["issuer"]
        for c in prod.of_type(CLUSTER)
    }
    for name, region in PROD_CLUSTERS.items():
        values = releases[f"{name}-k8s"]["inputs"]["values"]
        assert values["autoDiscovery"] == {"clusterName": name} and values["awsRegion"] == region
        assert values["image"]["tag"] == "v1.35.0"  # the cluster's Kubernetes minor
        role = roles[f"{name}-cluster-autoscaler-role"]
        sa = values["rbac"]["serviceAccount"]
        assert sa["annotations"]["eks.amazonaws.com/role-arn"] == role["outputs"]["arn"]
        trust = json.loads(role["inputs"]["assumeRolePolicy"])["Statement"][0]
        host = issuers[name].removeprefix("https://")
        assert (
            trust["Condition"]["StringEquals"][f"{host}:sub"]
            == f"system:serviceaccount:kube-system:{sa['name']}"
        )
    # writes are limited to the Auto Scaling groups EKS tags as this cluster's
    from infra.aws.autoscaler import iam_policy

    write = json.loads(iam_policy("aws-use1"))["Statement"][1]
    assert set(write["Action"]) == {
        "autoscaling:SetDesiredCapacity",
        "autoscaling:TerminateInstanceInAutoScalingGroup",
    }
    assert write["Condition"] == {
        "StringEquals": {"aws:ResourceTag/k8s.io/cluster-autoscaler/aws-use1": "owned"}
    }


def test_autoscaler_image_follows_the_kubernetes_minor() -> None:
    from infra.aws.autoscaler import image_tag

    assert image_tag("1.31") == "v1.31.0" and image_tag("1.29.4") == "v1.29.0"
    with pytest.raises(ValueError, match=r"expected MAJOR\.MINOR"):
        image_tag("latest")


def test_every_vpc_logs_its_flows_in_its_own_region(prod: View, dev: View) -> None:
    vpcs = {r["id"]: prod.region(r) for r in prod.of_type("aws:ec2/vpc:Vpc")}
    groups = {g["outputs"]["arn"]: g for g in prod.of_type("aws:cloudwatch/logGroup:LogGroup")}
    flows = prod.of_type("aws:ec2/flowLog:FlowLog")
    assert {f["inputs"]["vpcId"] for f in flows} == set(vpcs)  # one per VPC
    for f in flows:
        i = f["inputs"]
        assert i["trafficType"] == "ALL" and i["logDestinationType"] == "cloud-watch-logs"
        group = groups[i["logDestination"]]
        assert prod.region(group) == prod.region(f) == vpcs[i["vpcId"]]  # logs stay in the VPC's region
        assert group["inputs"]["retentionInDays"] == 365
    assert {g["inputs"]["retentionInDays"] for g in dev.of_type("aws:cloudwatch/logGroup:LogGroup")} == {30}


def test_every_eks_cluster_runs_the_load_balancer_controller_its_services_need(prod: View) -> None:
    # every LoadBalancer Service on EKS is annotated for the AWS Load Balancer Controller
    from infra.aws.lb_controller import CLUSTER_TAG, iam_policy
    from infra.internal_lb import INTERNAL_LB_ANNOTATIONS

    assert INTERNAL_LB_ANNOTATIONS["aws"]["service.beta.kubernetes.io/aws-load-balancer-type"] == "external"
    releases = {
        r["provider"].rsplit("::", 1)[0].rsplit("::", 1)[-1]: r["inputs"]
        for r in prod.of_type("kubernetes:helm.sh/v3:Release")
        if r["inputs"].get("chart") == "aws-load-balancer-controller"
    }
    assert set(releases) == {f"{n}-k8s" for n in PROD_CLUSTERS}
    vpcs = {prod.name(v).removesuffix("-vpc"): v["id"] for v in prod.of_type("aws:ec2/vpc:Vpc")}
    roles = {prod.name(r): r for r in prod.of_type("aws:iam/role:Role")}
    for name, region in PROD_CLUSTERS.items():
        values = releases[f"{name}-k8s"]["values"]
        assert (values["clusterName"], values["region"], values["vpcId"]) == (name, region, vpcs[name])
        role = roles[f"{name}-aws-load-balancer-controller-role"]
        assert values["serviceAccount"]["annotations"]["eks.amazonaws.com/role-arn"] == role["outputs"]["arn"]
        assert values["enableServiceMutatorWebhook"] is False
    # it may create only what it tags as this cluster's, and change or delete only what carries the tag
    statements = {s["Sid"]: s for s in json.loads(iam_policy("aws-use1"))["Statement"]}
    assert statements["CreateOwned"]["Condition"] == {
        "StringEquals": {f"aws:RequestTag/{CLUSTER_TAG}": "aws-use1"}
    }
    manage = statements["ManageOwned"]
    assert "elasticloadbalancing:DeleteLoadBalancer" in manage["Action"]
    assert manage["Condition"] == {"StringEquals": {f"aws:ResourceTag/{CLUSTER_TAG}": "aws-use1"}}
    unconditioned = {a for s in statements.values() if "Condition" not in s for a in s["Action"]}
    assert not {a for a in unconditioned if a.split(":")[1].startswith(("Delete", "Create"))} - {
        "elasticloadbalancing:CreateListener",
        "elasticloadbalancing:DeleteListener",
        "elasticloadbalancing:CreateRule",
        "elasticloadbalancing:DeleteRule",
    }
    assert len(iam_policy("aws-use1")) < 10_240  # IAM's limit for an inline role policy


def test_eks_has_an_encrypted_default_storage_class_that_keeps_prod_volumes(prod: View, dev: View) -> None:
    for view, reclaim in ((prod, "Retain"), (dev, "Delete")):
        classes = view.plan.of_type("kubernetes:storage.k8s.io/v1:StorageClass")
        providers = {c["provider"].rsplit("::", 1)[0].rsplit("::", 1)[-1] for c in classes}
        assert providers == {f"{c['inputs']['name']}-k8s" for c in view.of_type(CLUSTER)}  # one per EKS cluster
        for c in classes:
            i = c["inputs"]
            assert i["metadata"]["annotations"] == {"storageclass.kubernetes.io/is-default-class": "true"}
            assert i["provisioner"] == "ebs.csi.aws.com" and i["parameters"]["encrypted"] == "true"
            assert i["volumeBindingMode"] == "WaitForFirstConsumer" and i["reclaimPolicy"] == reclaim


def test_eks_enforces_network_policies(prod: View) -> None:
    cni = [a["inputs"] for a in prod.of_type("aws:eks/addon:Addon") if a["inputs"]["addonName"] == "vpc-cni"]
    assert len(cni) == len(PROD_CLUSTERS)
    assert all(json.loads(a["configurationValues"]) == {"enableNetworkPolicy": "true"} for a in cni)


def test_no_node_group_uses_an_amazon_linux_2_ami(prod) -> None:  # type: ignore[no-untyped-def]
    """EKS publishes no AL2 AMIs for Kubernetes 1.33+; GPU nodes run AL2023 NVIDIA."""
    groups = prod.of_type("aws:eks/nodeGroup:NodeGroup")
    assert groups and all(not g["inputs"]["amiType"].startswith("AL2_") for g in groups)
    assert {g["inputs"]["amiType"] for g in groups} <= {"AL2023_x86_64_STANDARD", "AL2023_x86_64_NVIDIA"}

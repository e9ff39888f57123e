"""RouterDeployment under the mock runtime, on small typed inputs (fake clusters with a kubernetes
Provider), plus the platform plan where the regional classes exist."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from infra.router_contract import config_gen
from meridian.config import load_stack_file
from meridian.plan.runner import Plan, run_plan
from tests.conftest import ROOT
from tests.infra.router_deploy.helpers import k8s_objects, plan_routers, stack_with, write_manifests


@pytest.fixture(scope="module")
def dev_routers() -> Plan:
    return plan_routers("dev", stack_with("dev"))


def _by_kind(plan: Plan, kind: str) -> list[dict[str, Any]]:
    return [o for o in k8s_objects(plan) if o["kind"] == kind]


def test_every_cluster_gets_router_with_probes_hpa_pdb_netpol(dev_routers: Plan) -> None:
    cfg = load_stack_file(ROOT / "Pulumi.dev.yaml")
    n = len(cfg.clusters)
    deployments = [d for d in _by_kind(dev_routers, "Deployment") if d["metadata"]["name"] == "router"]
    assert len(deployments) == n
    for d in deployments:
        pod = d["spec"]["template"]["spec"]
        c = pod["containers"][0]
        assert c["readinessProbe"]["httpGet"]["path"] == "/readyz"
        assert c["livenessProbe"]["httpGet"]["path"] == "/healthz"
        assert c["image"] == cfg.router.image and "@sha256:" in c["image"]  # type: ignore[union-attr]
        assert c["resources"]["requests"] and c["resources"]["limits"]
        sc = c["securityContext"]
        assert sc["runAsNonRoot"] and sc["readOnlyRootFilesystem"] and sc["capabilities"]["drop"] == ["ALL"]
        assert sc["allowPrivilegeEscalation"] is False
        assert pod["securityContext"]["seccompProfile"]["type"] == "RuntimeDefault"
        assert pod["automountServiceAccountToken"] is False
        assert pod["serviceAccountName"] == "router"
        assert {t["topologyKey"] for t in pod["topologySpreadConstraints"]} >= {"topology.kubernetes.io/zone"}
        ann = d["spec"]["template"]["metadata"]["annotations"]
        assert ann["vault.hashicorp.com/agent-inject"] == "true"
        assert ann["vault.hashicorp.com/role"] == "router"
        assert ann["vault.hashicorp.com/service"] == "https://vault.aws-dev-use1.meridian.internal:8200"
        assert ann["vault.hashicorp.com/auth-path"].startswith("auth/kubernetes-")
        # the command starts the router directly: credentials are files it re-reads, never sourced env
        assert ". /vault/secrets" not in " ".join(c["command"])
    for kind in ("HorizontalPodAutoscaler", "PodDisruptionBudget", "ConfigMap", "Namespace", "ServiceAccount"):
        assert len(_by_kind(dev_routers, kind)) == n, kind
    assert len([p for p in _by_kind(dev_routers, "NetworkPolicy") if p["metadata"]["name"] == "router"]) == n
    hpa = _by_kind(dev_routers, "HorizontalPodAutoscaler")[0]
    assert hpa["apiVersion"] == "autoscaling/v2" and hpa["spec"]["scaleTargetRef"]["name"] == "router"


def test_each_configmap_is_its_clusters_validated_config(dev_routers: Plan) -> None:
    import yaml
    from meridian_router.config import parse_config

    seen = set()
    for cm in _by_kind(dev_routers, "ConfigMap"):
        rc = yaml.safe_load(cm["data"][config_gen.CONFIG_FILE])
        parse_config(rc)
        prefix = rc["redis"]["key_prefix"]
        seen.add(prefix.split(":")[2])
        assert rc["redis"]["url_env"] == config_gen.REDIS_URL_ENV
    assert seen == {c.name for c in load_stack_file(ROOT / "Pulumi.dev.yaml").clusters}


def test_no_secret_in_any_configmap(dev_routers: Plan) -> None:
    secret_values = {"offline-plan-secret-value", "offline-plan-auth", "offline-plan-key"}
    for r in dev_routers.resources:
        if r["type"] == "random:index/randomPassword:RandomPassword":
            secret_values.add(str((r.get("outputs") or {}).get("result")))
    secret_values.discard("None")
    for cm in _by_kind(dev_routers, "ConfigMap"):
        text = json.dumps(cm)
        for v in secret_values:
            assert v not in text
        for word in ("api_key:", "password", "auth_token", "secret_key", "@"):  # no key, no URL credentials
            assert word not in cm["data"][config_gen.CONFIG_FILE], word
    # upstream keys are files Vault Agent writes
    for cm in _by_kind(dev_routers, "ConfigMap"):
        assert "api_key_file: /vault/secrets/" in cm["data"][config_gen.CONFIG_FILE] or "bedrock" in cm["data"][
            config_gen.CONFIG_FILE
        ]


def test_network_policy_limits_ingress_to_router_port_and_egress(dev_routers: Plan) -> None:
    for pol in _by_kind(dev_routers, "NetworkPolicy"):
        if pol["metadata"]["name"] != "router":
            continue
        spec = pol["spec"]
        assert set(spec["policyTypes"]) == {"Ingress", "Egress"}
        cloudflare = {"173.245.48.0/20", "104.16.0.0/13"}
        for rule in spec["ingress"]:
            ports = [p["port"] for p in rule["ports"]]
            cidrs = {peer.get("ipBlock", {}).get("cidr") for peer in rule["from"]}
            # Cloudflare reaches only the HTTPS listener; the plain port is for the VPC, peers, Prometheus
            assert ports == ([config_gen.TLS_PORT] if cloudflare & cidrs else [8080])
            assert "0.0.0.0/0" not in cidrs
        assert any(cloudflare <= {p.get("ipBlock", {}).get("cidr") for p in rule["from"]} for rule in spec["ingress"])
        egress_ports = {p["port"] for rule in spec["egress"] for p in rule["ports"]}
        assert {53, 6379, 8200, 443} <= egress_ports


def test_airgap_egress_has_no_internet() -> None:
    plan = plan_routers("dev", stack_with("dev", airgap=True), clusters=["aws-dev-use1"])
    pol = next(p for p in _by_kind(plan, "NetworkPolicy") if p["metadata"]["name"] == "router")
    cidrs = {peer.get("ipBlock", {}).get("cidr") for rule in pol["spec"]["egress"] for peer in rule["to"]}
    assert "0.0.0.0/0" not in cidrs


def test_gateway_mode_renders_gateway_api() -> None:
    plan = plan_routers("dev", stack_with("dev", ingress="gateway"), clusters=["gcp-dev-euw1"])
    gw = _by_kind(plan, "Gateway")
    route = _by_kind(plan, "HTTPRoute")
    assert len(gw) == 1 and len(route) == 1
    assert gw[0]["apiVersion"] == "gateway.networking.k8s.io/v1"
    assert gw[0]["spec"]["gatewayClassName"] == "gke-l7-regional-external-managed"
    assert gw[0]["spec"]["listeners"][0]["tls"]["certificateRefs"][0]["name"] == "router-origin-tls"
    assert route[0]["spec"]["rules"][0]["backendRefs"][0]["name"] == "router"
    assert not [s for s in _by_kind(plan, "Service") if s["metadata"]["name"] == "router-public"]


def test_managed_redis_on_aws_is_tls_with_auth_token_secret() -> None:
    """An AWS-only prod plan through the real program (AwsRegion exists)."""
    cfg = load_stack_file(ROOT / "Pulumi.prod.yaml")
    cfg = cfg.model_copy(
        update={"clusters": [c for c in cfg.clusters if c.cloud == "aws"], "data_lakes": [], "interconnect": None,
                "cloudflare": None, "vault": None}
    )
    assert cfg.router is not None  # no Vault in the stack: the router's comes from router.vaultAddress
    cfg = cfg.model_copy(update={"router": cfg.router.model_copy(update={"vault_address": "https://vault.example.com:8200"})})

    def program() -> None:
        from infra.platform import build_platform

        build_platform(cfg)

    plan = run_plan("prod", ROOT, program=program)
    groups = plan.of_type("aws:elasticache/replicationGroup:ReplicationGroup")
    assert len(groups) == 3
    for g in groups:
        assert g["inputs"]["transitEncryptionEnabled"] and g["inputs"]["atRestEncryptionEnabled"]
        assert "authToken" in g["inputs"]
    roles = [r for r in plan.resources if r["type"] == "meridian:aws:IrsaRole" and "router" in r["urn"]]
    assert len(roles) == 3
    sas = [o for o in k8s_objects(plan) if o["kind"] == "ServiceAccount"]
    assert all("eks.amazonaws.com/role-arn" in s["metadata"]["annotations"] for s in sas)
    assert set(plan.stack_outputs["routers"]) == {"aws-use1", "aws-usw2", "aws-euw1"}


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_full_platform_plan_has_a_router_per_cluster(stack: str, request: pytest.FixtureRequest) -> None:
    plan: Plan = request.getfixturevalue(f"{stack}_plan")
    cfg = load_stack_file(ROOT / f"Pulumi.{stack}.yaml")
    assert set(plan.stack_outputs["routers"]) == {c.name for c in cfg.clusters}
    assert len(plan.of_type("meridian:router:RouterDeployment")) == len(cfg.clusters)


# ---------------------------------------------------------------------------- manifest checker

# Checks we fail on purpose, with the reason. Anything else checkov reports fails the test.
ALLOWLIST = {
    # The router only takes the Redis password through an env var (`redis.url_env`), and redis-server
    # its --requirepass from one; both come from the namespace's one Secret (router-redis).
    "CKV_K8S_35": "Redis URL/password from a Secret as env var (router reads redis.url_env)",
    # The in-cluster Redis image is pinned by tag (router.redisImage; put a digest there to clear this);
    # the router image is pinned by digest (config validation refuses anything else).
    "CKV_K8S_43": "in-cluster Redis image pinned by tag",
}


def _checkov() -> list[str] | None:
    if os.environ.get("MERIDIAN_CHECKOV"):
        return [os.environ["MERIDIAN_CHECKOV"]]
    if shutil.which("checkov"):
        return ["checkov"]
    if shutil.which("uv"):
        # Isolated: checkov's own pins (old pulumi/packaging) must not enter the project's lock.
        return ["uv", "tool", "run", "--from", "checkov==3.3.30", "checkov"]
    return None


def test_manifests_pass_checkov(dev_routers: Plan, tmp_path: Path) -> None:
    write_manifests(dev_routers, tmp_path / "manifests")
    cmd = _checkov()
    if cmd is None:
        pytest.skip("checkov is not installed and uv is not available to run it")
    try:
        proc = subprocess.run(
            [*cmd, "-d", str(tmp_path / "manifests"), "--framework", "kubernetes", "-o", "json",
             "--compact", "--skip-download"],
            capture_output=True, text=True, timeout=600,
        )
    except subprocess.TimeoutExpired:
        pytest.fail("checkov did not finish in 10 minutes")
    # checkov is here but gave no report (it crashed, or could not read the manifests): a failed check.
    assert proc.stdout.strip().startswith(("{", "[")), f"checkov gave no report: {proc.stderr[-400:]}"
    report = json.loads(proc.stdout)
    reports = report if isinstance(report, list) else [report]
    failed = [f for r in reports for f in r.get("results", {}).get("failed_checks", [])]
    unexplained = sorted({(f["check_id"], f["check_name"], Path(f["file_path"]).name) for f in failed
                          if f["check_id"] not in ALLOWLIST})
    assert not unexplained, "\n".join(map(str, unexplained))
    passed = sum(len(r.get("results", {}).get("passed_checks", [])) for r in reports)
    assert passed > 50


# ---------------------------------------------------------------------------- CI image workflow


def test_router_image_workflow_builds_scans_pushes_and_prints_digest() -> None:
    import yaml

    doc = yaml.safe_load((ROOT / ".github" / "workflows" / "router-image.yml").read_text())
    steps = [s for job in doc["jobs"].values() for s in job["steps"]]
    builds = [s for s in steps if s.get("uses", "").startswith("docker/build-push-action@")]
    assert builds and all(s["with"]["file"] == "router/Dockerfile" and s["with"]["context"] == "." for s in builds)
    scans = [s for s in steps if s.get("uses", "").startswith("aquasecurity/trivy-action@")]
    gate = [s for s in scans if s["with"].get("exit-code") == "1"]
    assert gate and gate[0]["with"]["severity"] == "HIGH,CRITICAL"
    names = [s.get("name") or s.get("uses") for s in steps]
    assert names.index("scan") < names.index("push")  # nothing is pushed before the scan passes
    assert "digest" in doc["jobs"]["image"]["outputs"]
    assert any("router:" in s.get("run", "") and "@${{ steps.build.outputs.digest }}" in s.get("run", "") for s in steps)


def test_every_edge_caller_is_admitted_by_its_peers_network_policy(prod_plan: Plan) -> None:
    """Edge traffic arrives from the caller's network, or - from GKE, which does not masquerade pod
    traffic to private destinations - from its pod range: the peer's policy must admit both."""
    stack = prod_plan.config
    admitted: dict[str, set[str]] = {}
    for pol in prod_plan.of_type("kubernetes:networking.k8s.io/v1:NetworkPolicy"):
        if pol["inputs"]["metadata"]["name"] != "router":
            continue
        cluster = pol["provider"].rsplit("::", 1)[0].rsplit("::", 1)[-1].removesuffix("-k8s")
        plain = [r for r in pol["inputs"]["spec"]["ingress"] if [p["port"] for p in r["ports"]] == [stack.router.port]]
        admitted[cluster] = {p["ipBlock"]["cidr"] for r in plain for p in r["from"] if "ipBlock" in p}
    checked = 0
    for caller in stack.clusters:
        sources = {str(caller.network.cidr)} | ({str(caller.network.pod_cidr)} if caller.cloud == "gcp" else set())
        for b in config_gen.edge_backends(stack, caller):
            peer = b.name.removeprefix("edge-")
            assert sources <= admitted[peer], (caller.name, peer)
            checked += 1
    assert checked >= 8


def test_internal_load_balancers_admit_the_peers_that_call_them(prod_plan: Plan) -> None:
    """An internal NLB admits only its own VPC unless told otherwise: the router's internal endpoint
    must admit every edge caller, and Vault's API every cluster whose Vault Agent logs in there."""
    stack = prod_plan.config
    services = {
        (s["provider"].rsplit("::", 1)[0].rsplit("::", 1)[-1].removesuffix("-k8s"), s["inputs"]["metadata"]["name"]): s
        for s in prod_plan.of_type("kubernetes:core/v1:Service")
    }

    def sources(c) -> set[str]:  # type: ignore[no-untyped-def]
        return {str(c.network.cidr)} | ({str(c.network.pod_cidr)} if c.cloud == "gcp" else set())

    for caller in stack.clusters:
        for b in config_gen.edge_backends(stack, caller):
            ranges = services[(b.name.removeprefix("edge-"), "router-internal")]["inputs"]["spec"]
            assert sources(caller) <= set(ranges["loadBalancerSourceRanges"]), (caller.name, b.name)
    assert stack.vault is not None
    vault = services[(stack.vault.cluster, "vault-api")]["inputs"]["spec"]["loadBalancerSourceRanges"]
    for c in stack.clusters:  # prod links every cluster to the Vault cluster
        assert sources(c) <= set(vault), c.name
    assert "0.0.0.0/0" not in vault

"""VaultPlatform under the mock runtime, built from small typed inputs (tests.infra.vault.helpers)."""

from __future__ import annotations

import json
from typing import Any

import pytest
import yaml

from meridian import catalog
from meridian.plan.monitor import SECRET_SIG, SECRET_SIG_KEY
from meridian.plan.runner import Plan
from tests.infra.vault.helpers import (
    SECRET_VALUES,
    Secrets,
    can,
    name_of,
    parse_policy,
    stack_config,
    vault_plan,
)

RELEASE = "kubernetes:helm.sh/v3:Release"


@pytest.fixture(scope="module")
def dev() -> Plan:
    return vault_plan("dev", stack_config("dev", databases={"orders": "postgresql://{{username}}:{{password}}@db:5432/orders"}))


@pytest.fixture(scope="module")
def prod() -> Plan:
    return vault_plan("prod")


def server_values(plan: Plan) -> dict[str, Any]:
    (release,) = [r for r in plan.of_type(RELEASE) if "injector" not in name_of(r)]
    return release["inputs"]["values"]


def raft_config(plan: Plan) -> str:
    return server_values(plan)["server"]["ha"]["raft"]["config"]


# --------------------------------------------------------------------------- server


@pytest.mark.parametrize(("stack", "replicas"), [("dev", 3), ("prod", 5)])
def test_helm_values_run_ha_raft_with_the_configured_replicas(stack: str, replicas: int, request) -> None:
    plan: Plan = request.getfixturevalue(stack)
    server = server_values(plan)["server"]
    assert server["ha"]["enabled"] is True and server["standalone"]["enabled"] is False
    assert server["ha"]["replicas"] == replicas
    assert server["ha"]["raft"]["enabled"] is True
    config = raft_config(plan)
    assert 'storage "raft"' in config
    # every peer can join every other, over TLS
    assert config.count("retry_join") == replicas
    assert config.count('leader_api_addr         = "https://') == replicas


def test_tls_is_on_for_the_listener_and_the_chart(dev: Plan) -> None:
    values = server_values(dev)
    assert values["global"]["tlsDisable"] is False
    config = raft_config(dev)
    assert "tls_disable        = false" in config
    assert 'tls_cert_file      = "/vault/userconfig/vault-tls/tls.crt"' in config
    assert {"type": "secret", "name": "vault-tls"} in values["server"]["extraVolumes"]
    (secret,) = [r for r in dev.of_type("kubernetes:core/v1:Secret") if r["inputs"]["metadata"]["name"] == "vault-tls"]
    assert secret["inputs"]["type"] == "kubernetes.io/tls"
    # the server key (and so the whole secret's data) is a secret envelope, never plaintext
    assert secret["inputs"]["stringData"][SECRET_SIG_KEY] == SECRET_SIG


def test_seal_uses_the_unseal_key_created_for_vault(dev: Plan) -> None:
    (key,) = [r for r in dev.of_type("aws:kms/key:Key") if "unseal" in name_of(r)]
    key_id = key["outputs"].get("keyId") or key["id"]
    config = raft_config(dev)
    assert 'seal "awskms"' in config
    assert f'kms_key_id = "{key_id}"' in config
    assert 'region     = "us-east-1"' in config


def test_vault_service_account_is_the_only_identity_that_may_use_the_key(dev: Plan) -> None:
    (role,) = [r for r in dev.of_type("aws:iam/role:Role") if "unseal" in name_of(r)]
    trust = json.loads(role["inputs"]["assumeRolePolicy"])
    conditions = trust["Statement"][0]["Condition"]["StringEquals"]
    assert "system:serviceaccount:vault:vault" in conditions.values()
    sa = server_values(dev)["server"]["serviceAccount"]
    assert sa["name"] == "vault"
    assert sa["annotations"]["eks.amazonaws.com/role-arn"] == role["outputs"]["arn"]


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_unseal_key_lives_in_the_vault_clusters_jurisdiction(stack: str, request) -> None:
    plan: Plan = request.getfixturevalue(stack)
    cluster = plan.config.cluster(plan.config.vault.cluster)  # type: ignore[union-attr]
    (key,) = [r for r in plan.of_type("aws:kms/key:Key") if "unseal" in name_of(r)]
    providers = {r["urn"]: r for r in plan.resources}
    provider_region = providers[key["provider"].rsplit("::", 1)[0]]["inputs"]["region"]
    assert catalog.region("aws", provider_region).within(cluster.jurisdiction)
    assert provider_region == cluster.region
    assert key["inputs"]["tags"]["jurisdiction"] == cluster.jurisdiction
    assert key["inputs"]["tags"]["data-class"] == "restricted"
    assert key["inputs"]["enableKeyRotation"] is True


def test_unseal_key_is_protected_in_prod_only(dev: Plan, prod: Plan) -> None:
    def key(plan: Plan) -> dict[str, Any]:
        return next(r for r in plan.of_type("aws:kms/key:Key") if "unseal" in name_of(r))

    assert key(prod).get("protect") and key(prod).get("retainOnDelete")
    assert not key(dev).get("protect")


def test_replicas_spread_over_nodes_and_zones_with_a_quorum_safe_budget(prod: Plan) -> None:
    server = server_values(prod)["server"]
    anti = server["affinity"]["podAntiAffinity"]
    assert anti["requiredDuringSchedulingIgnoredDuringExecution"][0]["topologyKey"] == "kubernetes.io/hostname"
    (spread,) = server["topologySpreadConstraints"]
    assert spread["topologyKey"] == "topology.kubernetes.io/zone" and spread["whenUnsatisfiable"] == "DoNotSchedule"
    pdb = server["ha"]["disruptionBudget"]
    assert pdb["enabled"] is True
    assert pdb["maxUnavailable"] < server["ha"]["replicas"] // 2 + 1  # quorum survives


def test_audit_volume_and_file_audit_device(dev: Plan) -> None:
    server = server_values(dev)["server"]
    assert server["auditStorage"]["enabled"] is True
    (audit,) = dev.of_type("vault:index/audit:Audit")
    assert audit["inputs"]["type"] == "file"
    assert audit["inputs"]["options"]["file_path"].startswith(server["auditStorage"]["mountPath"] + "/")


def test_agent_injector_on_the_vault_cluster_and_every_other_cluster(dev: Plan) -> None:
    assert server_values(dev)["injector"]["enabled"] is True
    injectors = [r for r in dev.of_type(RELEASE) if "injector" in name_of(r)]
    others = {c.name for c in dev.config.clusters} - {dev.config.vault.cluster}  # type: ignore[union-attr]
    assert {name_of(r).removeprefix("vault-injector-").removesuffix("-release") for r in injectors} == others
    for r in injectors:
        values = r["inputs"]["values"]
        assert values["server"]["enabled"] is False and values["injector"]["enabled"] is True
        assert values["global"]["externalVaultAddr"].startswith("https://")


# --------------------------------------------------------------------------- configuration


def test_vault_provider_address_is_the_installed_servers_and_token_is_secret(dev: Plan) -> None:
    (provider,) = dev.of_type("pulumi:providers:vault")
    assert provider["inputs"]["address"] == "https://vault.aws-dev-use1.meridian.internal:8200"
    assert provider["inputs"]["token"][SECRET_SIG_KEY] == SECRET_SIG
    release = next(r for r in dev.of_type(RELEASE) if "injector" not in name_of(r))
    assert release["urn"] in provider.get("dependencies", [])
    # every Vault resource goes through this provider
    for r in dev.resources:
        if r["type"].startswith("vault:") and r["custom"]:
            assert r["provider"].startswith(provider["urn"])


def test_every_cluster_has_its_kubernetes_auth_backend_and_router_role(prod: Plan) -> None:
    backends = {r["inputs"]["path"]: r for r in prod.of_type("vault:index/authBackend:AuthBackend")}
    configs = prod.of_type("vault:kubernetes/authBackendConfig:AuthBackendConfig")
    roles = prod.of_type("vault:kubernetes/authBackendRole:AuthBackendRole")
    for c in prod.config.clusters:
        path = f"kubernetes-{c.name}"
        assert backends[path]["inputs"]["type"] == "kubernetes"
        (config,) = [r for r in configs if r["inputs"]["backend"] == path]
        assert config["inputs"]["kubernetesHost"] == f"https://api.{c.name}.example.com"
        assert config["inputs"]["kubernetesCaCert"].startswith("-----BEGIN CERTIFICATE-----")
        (role,) = [r for r in roles if r["inputs"]["backend"] == path]
        assert role["inputs"]["roleName"] == "router"
        # the router section's namespace (the one it is deployed into), not a second copy in `vault`
        assert role["inputs"]["boundServiceAccountNames"] == ["router"]
        assert role["inputs"]["boundServiceAccountNamespaces"] == [prod.config.router.namespace]  # type: ignore[union-attr]
        assert role["inputs"]["boundServiceAccountNamespaces"] == ["meridian-router"]
        assert role["inputs"]["tokenPolicies"] == [f"router-{c.name}"]
        assert role["inputs"]["tokenNoDefaultPolicy"] is True
    assert len(backends) == len(prod.config.clusters)


def router_policy(plan: Plan, cluster: str) -> list[tuple[str, list[str]]]:
    (policy,) = [r for r in plan.of_type("vault:index/policy:Policy") if r["inputs"]["name"] == f"router-{cluster}"]
    return parse_policy(policy["inputs"]["policy"])


def expected_router_paths(cluster: str, *, kv: bool, aws: bool, gcp: bool) -> set[str]:
    out = set()
    if kv:
        out |= {f"kv/data/router/{cluster}/azure-openai-api-key", f"kv/data/router/{cluster}/edge-api-key"}
    if aws:
        out.add(f"aws/sts/router-{cluster}")
    if gcp:
        out.add(f"gcp/roleset/router-{cluster}/token")
    return out


def test_router_policy_is_exactly_the_paths_it_reads(prod: Plan) -> None:
    # prod: every US/EU cluster uses Bedrock, Vertex and Azure OpenAI and has edge peers; the Taiwan
    # cluster only Vertex (asia-east1).
    for c in prod.config.clusters:
        rules = router_policy(prod, c.name)
        grants = {p for p, caps in rules}
        assert all(caps == ["read"] for _, caps in rules)
        full = c.jurisdiction in ("us", "eu")
        assert grants == expected_router_paths(c.name, kv=full, aws=full, gcp=True), c.name


def test_router_reads_exactly_its_own_secrets(prod: Plan) -> None:
    names = [c.name for c in prod.config.clusters]
    for cluster in names:
        rules = router_policy(prod, cluster)
        assert can(rules, "read", f"gcp/roleset/router-{cluster}/token")
        assert not can(rules, "update", f"gcp/roleset/router-{cluster}/token")
        assert not can(rules, "list", f"kv/metadata/router/{cluster}/")
        for path in (
            "kv/data/other",
            "kv/data/router",
            f"kv/data/router/{cluster}",
            f"kv/data/router/{cluster}/upstream",
            f"kv/data/router/{cluster}-evil/x",
            f"kv/data/router/{cluster}/azure-openai-api-key/x",
            "sys/mounts",
            "sys/policies/acl/router",
            "pki_int/issue/service",
            "auth/token/create",
            "aws/creds/admin",
            "aws/sts/router",
            "gcp/roleset/router/token",
            f"gcp/roleset/router-{cluster}/key",
            "gcp/token/admin",
            "database/creds/orders-readonly",
        ):
            assert not can(rules, "read", path), (cluster, path)
        for other in names:
            if other != cluster:
                for p in expected_router_paths(other, kv=True, aws=True, gcp=True):
                    assert not can(rules, "read", p), (cluster, p)


def test_router_dynamic_credentials_are_per_cluster_and_least_privilege(prod: Plan) -> None:
    aws_roles = {r["inputs"]["name"]: r["inputs"] for r in prod.of_type("vault:aws/secretBackendRole:SecretBackendRole")}
    rolesets = {r["inputs"]["roleset"]: r["inputs"] for r in prod.of_type("vault:gcp/secretRoleset:SecretRoleset")}
    for c in prod.config.clusters:
        if c.jurisdiction == "tw":
            assert f"router-{c.name}" not in aws_roles  # no Bedrock region in Taiwan's jurisdiction
        else:
            role = aws_roles[f"router-{c.name}"]
            assert role["credentialType"] == "federation_token"
            doc = json.loads(role["policyDocument"])
            (stmt,) = doc["Statement"]
            assert stmt["Action"] == ["bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream"]
            regions = {arn.split(":")[3] for arn in stmt["Resource"]}
            assert regions and all(catalog.region("aws", r).within(c.jurisdiction) for r in regions), (c.name, regions)
        rs = rolesets[f"router-{c.name}"]
        assert rs["secretType"] == "access_token"
        assert [b["roles"] for b in rs["bindings"]] == [["roles/aiplatform.user"]]
    assert len(rolesets) == len(prod.config.clusters)


def test_kv_v2_pki_and_dynamic_engines(dev: Plan) -> None:
    mounts = {r["inputs"]["path"]: r["inputs"] for r in dev.of_type("vault:index/mount:Mount")}
    assert mounts["kv"]["type"] == "kv" and mounts["kv"]["options"] == {"version": "2"}
    assert mounts["pki"]["type"] == "pki" and mounts["pki_int"]["type"] == "pki"
    assert mounts["database"]["type"] == "database"
    (root,) = dev.of_type("vault:pkiSecret/secretBackendRootCert:SecretBackendRootCert")
    assert root["inputs"]["type"] == "internal"  # the root key never leaves Vault
    (role,) = dev.of_type("vault:pkiSecret/secretBackendRole:SecretBackendRole")
    assert role["inputs"]["backend"] == "pki_int" and role["inputs"]["allowAnyName"] is False
    assert dev.of_type("vault:aws/secretBackend:SecretBackend")
    assert dev.of_type("vault:gcp/secretBackend:SecretBackend")
    assert dev.of_type("vault:azure/backend:Backend")
    (conn,) = dev.of_type("vault:database/secretBackendConnection:SecretBackendConnection")
    assert conn["inputs"]["postgresql"]["password"][SECRET_SIG_KEY] == SECRET_SIG


def test_no_secret_value_in_plain_inputs_or_outputs(dev: Plan) -> None:
    text = json.dumps(dev.document)
    for value in SECRET_VALUES:
        assert value not in text
    # private keys minted for TLS appear only as envelopes
    assert "PRIVATE KEY" not in text
    for r in dev.of_type("tls:index/privateKey:PrivateKey"):
        assert r["outputs"]["privateKeyPem"][SECRET_SIG_KEY] == SECRET_SIG


def test_upstream_keys_are_seeded_per_cluster_as_secrets(dev: Plan) -> None:
    seeded = {r["inputs"]["name"]: r for r in dev.of_type("vault:kv/secretV2:SecretV2")}
    # dev: the EU clusters use Azure OpenAI and edge peers; the US cluster only Bedrock (STS) + local.
    expected = {f"router/{c}/{s}" for c in ("gcp-dev-euw1", "az-dev-weu") for s in ("azure-openai-api-key", "edge-api-key")}
    assert set(seeded) == expected
    for r in seeded.values():
        assert r["inputs"]["dataJson"][SECRET_SIG_KEY] == SECRET_SIG


def test_unknown_upstream_secret_name_is_refused_without_its_value() -> None:
    from infra.vault.config import upstream_key_for

    with pytest.raises(ValueError, match="openai") as e:
        upstream_key_for({"openai": "sk-x"}, "edge-api-key", "c1")
    assert "sk-x" not in str(e.value)
    assert upstream_key_for({"edge-api-key": "k"}, "edge-api-key", "c1") == ("edge-api-key",)
    assert upstream_key_for({"azure-openai-api-key": {"c1": "k"}}, "azure-openai-api-key", "c1") == (
        "azure-openai-api-key", "c1")
    assert upstream_key_for({"azure-openai-api-key": {"c2": "k"}}, "azure-openai-api-key", "c1") is None


def test_without_a_token_vault_is_installed_but_not_configured() -> None:
    plan = vault_plan("dev", secrets=Secrets(token=False))
    assert plan.of_type(RELEASE)
    assert not plan.of_type("pulumi:providers:vault")
    assert not [r for r in plan.resources if r["type"].startswith("vault:")]


def test_cloud_engine_without_credentials_is_skipped_not_plaintext() -> None:
    plan = vault_plan("dev", secrets=Secrets(clouds=False))
    assert not plan.of_type("vault:aws/secretBackend:SecretBackend")
    assert plan.of_type("vault:index/authBackend:AuthBackend")


# --------------------------------------------------------------------------- other clouds


@pytest.mark.parametrize(
    ("cluster", "key_type", "seal"),
    [("gcp-dev-euw1", "gcp:kms/cryptoKey:CryptoKey", 'seal "gcpckms"'),
     ("az-dev-weu", "azure-native:keyvault:Key", 'seal "azurekeyvault"')],
)
def test_vault_on_gcp_and_azure_unseals_with_a_key_in_its_jurisdiction(cluster: str, key_type: str, seal: str) -> None:
    plan = vault_plan("dev", stack_config("dev", cluster=cluster))
    (key,) = plan.of_type(key_type)
    labels = key["inputs"].get("labels") or key["inputs"].get("tags")
    assert labels["jurisdiction"] == "eu"
    assert seal in raft_config(plan)


def test_shipped_stacks_configure_vault_as_documented() -> None:
    from tests.conftest import ROOT

    dev_v = yaml.safe_load((ROOT / "Pulumi.dev.yaml").read_text())["config"]["meridian:platform"]["vault"]
    prod_v = yaml.safe_load((ROOT / "Pulumi.prod.yaml").read_text())["config"]["meridian:platform"]["vault"]
    assert (dev_v["cluster"], dev_v["replicas"]) == ("aws-dev-use1", 3)
    assert (prod_v["cluster"], prod_v["replicas"]) == ("aws-use1", 5)


def test_spread_rules_select_the_pods_they_spread(prod: Plan) -> None:
    """Anti-affinity and zone spread must match the labels the chart puts on the pods they place
    (templates/server-statefulset.yaml and injector-deployment.yaml of hashicorp/vault-helm): the
    injector's pods are `vault-agent-injector`, not `vault`; a selector that matches nothing spreads nothing."""
    from infra.vault.server import INJECTOR_POD_LABELS, SERVER_POD_LABELS

    values = server_values(prod)
    for part, labels in (("server", SERVER_POD_LABELS), ("injector", INJECTOR_POD_LABELS)):
        block = values[part]
        anti = block["affinity"]["podAntiAffinity"]
        selectors = [t["labelSelector"] for t in anti["requiredDuringSchedulingIgnoredDuringExecution"]]
        selectors += [t["podAffinityTerm"]["labelSelector"] for t in anti["preferredDuringSchedulingIgnoredDuringExecution"]]
        selectors += [c["labelSelector"] for c in block["topologySpreadConstraints"]]
        assert selectors and all(s == {"matchLabels": labels} for s in selectors), part
    assert INJECTOR_POD_LABELS["app.kubernetes.io/name"] == "vault-agent-injector"
    assert INJECTOR_POD_LABELS["component"] == "webhook" and SERVER_POD_LABELS["component"] == "server"


def test_vault_runs_a_supported_release_with_its_chart(prod: Plan) -> None:
    (release,) = [r for r in prod.of_type(RELEASE) if "injector" not in name_of(r)]
    assert release["inputs"]["version"] == "0.34.1"
    values = release["inputs"]["values"]
    assert values["server"]["image"]["tag"] == values["injector"]["agentImage"]["tag"] == "2.0.4"


@pytest.mark.parametrize(
    ("cloud", "cluster", "key_type", "identity_type"),
    [("aws", "aws-dev-use1", "aws:kms/key:Key", "aws:iam/role:Role"),
     ("gcp", "gcp-dev-euw1", "gcp:kms/cryptoKey:CryptoKey", "gcp:serviceaccount/account:Account"),
     ("azure", "az-dev-weu", "azure-native:keyvault:Key", "azure-native:managedidentity:UserAssignedIdentity")],
)
def test_the_vault_clusters_region_makes_the_unseal_key(cloud: Any, cluster: str, key_type: str,
                                                       identity_type: str) -> None:
    """Through the real program (infra.platform): the Vault cluster's own region builds the key and
    the identity, under VaultUnsealKey, through the provider of that region, and the server's seal
    stanza names that key."""
    from tests.cloud_plan import View, cloud_plan, only

    base = stack_config("dev", cluster=cluster)
    cfg = only(base, cloud).model_copy(update={"vault": base.vault})
    plan = cloud_plan("dev", cloud, cfg=cfg)
    view = View(plan, cloud)
    (unseal,) = plan.of_type("meridian:vault:VaultUnsealKey")
    below = view.under(unseal["urn"])
    (key,) = [r for r in below if r["type"] == key_type]
    assert [r for r in below if r["type"] == identity_type]
    assert view.region(key) == base.cluster(cluster).region
    seal = {"aws": 'seal "awskms"', "gcp": 'seal "gcpckms"', "azure": 'seal "azurekeyvault"'}[cloud]
    (server,) = [r for r in plan.of_type(RELEASE) if "meridian:vault:VaultServer$" in r["urn"]]
    assert seal in server["inputs"]["values"]["server"]["ha"]["raft"]["config"]

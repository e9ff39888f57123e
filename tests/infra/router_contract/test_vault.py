"""The router <-> Vault contract, end to end: the real program (infra.program) for the shipped dev and
prod stacks under the mock runtime, with the Vault token and router upstream keys set so Vault's
configuration is planned too. For every cluster, what the router deployment uses must be exactly
what Vault grants: identity, auth path, address, CA, and the paths its agent templates read."""

from __future__ import annotations

import json
from typing import Any

import pytest
import yaml

from meridian.plan.runner import Plan, run_plan
from tests.conftest import ROOT
from tests.infra.vault.helpers import Secrets, can, name_of, parse_policy, set_secrets

INJECT = "vault.hashicorp.com/agent-inject-secret-"


def _program() -> None:
    from infra.program import main

    set_secrets(Secrets())
    main()


@pytest.fixture(scope="module", params=["dev", "prod"])
def plan(request: pytest.FixtureRequest) -> Plan:
    return run_plan(request.param, ROOT, program=_program)


def _one(plan: Plan, type_token: str, **match: Any) -> dict[str, Any]:
    found = [r for r in plan.of_type(type_token) if all(r["inputs"].get(k) == v for k, v in match.items())]
    assert len(found) == 1, (type_token, match, len(found))
    return found[0]


def _router_deployment(plan: Plan, cluster: str) -> dict[str, Any]:
    (d,) = [r for r in plan.of_type("kubernetes:apps/v1:Deployment") if name_of(r) == f"router-{cluster}-router"]
    return d["inputs"]


def _k8s_named(plan: Plan, type_token: str, cluster: str, suffix: str) -> dict[str, Any]:
    (r,) = [r for r in plan.of_type(type_token) if name_of(r) == f"router-{cluster}-{suffix}"]
    return r["inputs"]


def test_vault_is_configured_in_the_plan(plan: Plan) -> None:
    assert plan.stack_outputs["vault"]["configured"] is True
    assert set(plan.stack_outputs["routers"]) == {c.name for c in plan.config.clusters}


def test_router_identity_is_the_one_vaults_role_binds(plan: Plan) -> None:
    for c in plan.config.clusters:
        dep = _router_deployment(plan, c.name)
        ns = dep["metadata"]["namespace"]
        pod = dep["spec"]["template"]
        sa = pod["spec"]["serviceAccountName"]
        sa_obj = _k8s_named(plan, "kubernetes:core/v1:ServiceAccount", c.name, "identity-sa")
        assert (sa_obj["metadata"]["namespace"], sa_obj["metadata"]["name"]) == (ns, sa)
        role = _one(plan, "vault:kubernetes/authBackendRole:AuthBackendRole", backend=f"kubernetes-{c.name}")
        assert role["inputs"]["boundServiceAccountNamespaces"] == [ns], c.name
        assert role["inputs"]["boundServiceAccountNames"] == [sa], c.name
        assert role["inputs"]["roleName"] == pod["metadata"]["annotations"]["vault.hashicorp.com/role"]
        # the login token's audience is the one the role checks (both: the API server's own)
        (projected,) = [v["projected"] for v in pod["spec"]["volumes"] if "projected" in v]
        token = projected["sources"][0]["serviceAccountToken"]
        assert token.get("audience") == role["inputs"].get("audience"), c.name


def test_remote_clusters_let_the_router_review_its_own_login(plan: Plan) -> None:
    vault_cluster = plan.config.vault.cluster  # type: ignore[union-attr]
    bindings = {name_of(r): r["inputs"] for r in plan.of_type("kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding")}
    for c in plan.config.clusters:
        if c.name == vault_cluster:
            continue
        b = bindings[f"vault-injector-{c.name}-router-review"]
        dep = _router_deployment(plan, c.name)
        assert b["roleRef"]["name"] == "system:auth-delegator"
        assert b["subjects"] == [
            {"kind": "ServiceAccount", "name": dep["spec"]["template"]["spec"]["serviceAccountName"],
             "namespace": dep["metadata"]["namespace"]}
        ]


def test_auth_path_address_and_ca_match_vault(plan: Plan) -> None:
    (provider,) = plan.of_type("pulumi:providers:vault")
    address = provider["inputs"]["address"]
    assert address == plan.stack_outputs["vault"]["address"]
    backends = {r["inputs"]["path"] for r in plan.of_type("vault:index/authBackend:AuthBackend")}
    injectors = {name_of(r): r["inputs"]["values"] for r in plan.of_type("kubernetes:helm.sh/v3:Release")
                 if "injector" in name_of(r)}
    for c in plan.config.clusters:
        ann = _router_deployment(plan, c.name)["spec"]["template"]["metadata"]["annotations"]
        auth = ann["vault.hashicorp.com/auth-path"]
        assert auth.removeprefix("auth/") in backends and auth == f"auth/kubernetes-{c.name}"
        assert ann["vault.hashicorp.com/service"] == address
        values = injectors.get(f"vault-injector-{c.name}-release")
        if values is not None:  # the other clusters' injectors log in to the same backend and Vault
            assert values["global"]["externalVaultAddr"] == address
            assert values["injector"]["authPath"] == auth
        # Vault's private CA, for the agent to verify Vault's TLS
        secret = _k8s_named(plan, "kubernetes:core/v1:Secret", c.name, "vault-ca")
        assert ann["vault.hashicorp.com/tls-secret"] == secret["metadata"]["name"]
        assert ann["vault.hashicorp.com/ca-cert"] == "/vault/tls/ca.crt" and secret["stringData"]


def test_router_reads_exactly_what_its_policy_grants_and_vault_serves(plan: Plan) -> None:
    kv = {f"kv/data/{r['inputs']['name']}" for r in plan.of_type("vault:kv/secretV2:SecretV2")}
    aws = {f"aws/sts/{r['inputs']['name']}" for r in plan.of_type("vault:aws/secretBackendRole:SecretBackendRole")}
    gcp = {f"gcp/roleset/{r['inputs']['roleset']}/token" for r in plan.of_type("vault:gcp/secretRoleset:SecretRoleset")}
    for c in plan.config.clusters:
        pod = _router_deployment(plan, c.name)["spec"]["template"]
        ann = pod["metadata"]["annotations"]
        reads = {k.removeprefix(INJECT): v for k, v in ann.items() if k.startswith(INJECT)}
        assert reads, c.name
        policy = _one(plan, "vault:index/policy:Policy", name=f"router-{c.name}")
        rules = parse_policy(policy["inputs"]["policy"])
        role = _one(plan, "vault:kubernetes/authBackendRole:AuthBackendRole", backend=f"kubernetes-{c.name}")
        assert role["inputs"]["tokenPolicies"] == [f"router-{c.name}"]
        for file, path in reads.items():
            assert can(rules, "read", path), (c.name, path)
            template = ann[f"vault.hashicorp.com/agent-inject-template-{file}"]
            assert f'secret "{path}"' in template and template.count('secret "') == 1
            assert path in kv | aws | gcp, (c.name, path)  # Vault creates what the router reads
        # ... and nothing else: every granted path is one the templates read
        assert {p for p, _ in rules} == set(reads.values()), c.name


def test_every_secret_file_in_the_router_config_is_rendered_by_the_agent(plan: Plan) -> None:
    for c in plan.config.clusters:
        ann = _router_deployment(plan, c.name)["spec"]["template"]["metadata"]["annotations"]
        data = _k8s_named(plan, "kubernetes:core/v1:ConfigMap", c.name, "config")["data"]
        (text,) = data.values()
        cfg = yaml.safe_load(text)
        files = {b[k] for b in cfg["backends"] for k in ("api_key_file", "aws_credentials_file") if b.get(k)}
        rendered = {f"/vault/secrets/{k.removeprefix(INJECT)}" for k in ann if k.startswith(INJECT)}
        assert files == rendered, c.name


def test_no_upstream_key_in_plain_state(plan: Plan) -> None:
    from tests.infra.vault.helpers import SECRET_VALUES

    text = json.dumps(plan.document)
    for value in SECRET_VALUES:
        assert value not in text

"""The generated router config per cluster: residency by the catalog, validated by the router's model."""

from __future__ import annotations

import pytest
from meridian_router.config import ConfigError, parse_config

from infra.router_contract import config_gen
from meridian import catalog
from meridian.config import load_stack_file
from meridian.config.stack import _cross_checks
from tests.conftest import ROOT
from tests.infra.router_deploy.helpers import stack_with

STACKS = ("dev", "prod")
JURISDICTIONS = {j.id for j in catalog.jurisdictions()}


def _all(stack: str):  # type: ignore[no-untyped-def]
    cfg = load_stack_file(ROOT / f"Pulumi.{stack}.yaml")
    for c in cfg.clusters:
        yield cfg, c, config_gen.router_config(cfg, c.name, redis_url="redis://r:6379/0")


@pytest.mark.parametrize("stack", STACKS)
def test_every_backend_allowed_for_a_jurisdiction_is_in_it(stack: str) -> None:
    checked = 0
    for _cfg, cluster, rc in _all(stack):
        for j in sorted(JURISDICTIONS):
            for b in rc.backends:
                if b.jurisdiction != j:  # the router's residency filter: exact jurisdiction match
                    continue
                assert b.cloud is not None and b.region is not None
                reg = catalog.region(b.cloud, b.region)
                assert reg.within(j), f"{cluster.name}: backend {b.name} ({b.region}) is not in {j}"
                checked += 1
        # and nothing outside what the cluster may serve
        allowed = config_gen.allowed_jurisdictions(_cfg, cluster)
        assert {b.jurisdiction for b in rc.backends} <= set(allowed), cluster.name
        for t in rc.tenants.values():
            assert set(t.jurisdictions) <= set(allowed)
    assert checked > 0


def test_eu_cluster_has_only_eu_backends_of_every_tier() -> None:
    cfg = load_stack_file(ROOT / "Pulumi.prod.yaml")
    rc = config_gen.router_config(cfg, "gcp-euw1", redis_url=None)
    tiers = {b.tier for b in rc.backends}
    assert tiers == {"local", "edge", "cloud"}
    for b in rc.backends:
        assert b.jurisdiction == "eu"
        assert catalog.region(b.cloud or "", b.region or "").within("eu"), b
    assert {b.name for b in rc.backends if b.tier == "edge"} == {"edge-aws-euw1", "edge-az-weu"}
    assert list(rc.tenants) == ["enterprise-eu"]


def test_edge_only_over_linked_private_links() -> None:
    cfg = load_stack_file(ROOT / "Pulumi.prod.yaml")
    assert config_gen.edge_backends(cfg.model_copy(update={"interconnect": None}), cfg.cluster("aws-use1")) == []
    assert cfg.interconnect is not None
    public = cfg.interconnect.model_copy(
        update={"links": [lk.model_copy(update={"mode": "public"}) for lk in cfg.interconnect.links]}
    )
    assert config_gen.edge_backends(cfg.model_copy(update={"interconnect": public}), cfg.cluster("aws-use1")) == []
    # gcp-ase1 (tw) has no link: no edge tier, and only Vertex in asia-east1 as cloud
    rc = config_gen.router_config(cfg, "gcp-ase1", redis_url=None)
    assert [b.name for b in rc.backends if b.tier != "local"] == ["vertex-asia-east1"]


def test_airgap_has_no_cloud_backend_and_router_agrees() -> None:
    cfg = stack_with("prod", airgap=True)
    for c in cfg.clusters:
        rc = config_gen.router_config(cfg, c.name, redis_url=None)
        assert rc.airgap is True
        assert all(b.tier != "cloud" for b in rc.backends)


def test_budgets_and_tenants_come_from_stack_config() -> None:
    cfg = stack_with("dev", daily_budget_usd=12.5, monthly_budget_usd=99.0)
    rc = config_gen.router_config(cfg, "aws-dev-use1", redis_url=None)
    assert rc.budgets.global_limits.model_dump() == {"daily_usd": 12.5, "monthly_usd": 99.0}
    assert [k.tenant for k in rc.auth.api_keys] == ["internal-us"]


def test_extra_jurisdiction_widens_cluster_but_not_backends_residency() -> None:
    cfg = stack_with("prod", jurisdictions={"aws-use1": ["eu"]})
    rc = config_gen.router_config(cfg, "aws-use1", redis_url=None)
    assert {"eu", "us"} == {b.jurisdiction for b in rc.backends if b.tier == "cloud"}
    for b in rc.backends:
        assert catalog.region(b.cloud or "", b.region or "").within(b.jurisdiction)
    assert "enterprise-eu" in rc.tenants


def test_a_config_the_router_refuses_fails_generation_naming_the_field() -> None:
    """Built as the router's own model, so the router's validators run at generation: a model group
    named like a model a backend serves (the router would refuse to start) is a ConfigError naming
    the group, with the router's reason."""
    from meridian.config.sections import RouterModelGroup

    cfg = stack_with("dev", model_groups={"llama-3.1-8b-instruct": RouterModelGroup.model_validate({"members": ["llama-3.1-8b-instruct"]})})
    with pytest.raises(ConfigError, match=r"model_groups\.llama-3\.1-8b-instruct: a backend already serves"):
        config_gen.router_config(cfg, "aws-dev-use1", redis_url=None)


@pytest.mark.parametrize("stack", STACKS)
def test_the_rendered_file_is_the_config_the_router_loads(stack: str) -> None:
    """render() writes what the router reads back as the same config object: nothing lost or
    changed between the generator and the router (shorthand model names, unset defaults)."""
    import yaml

    for _cfg, cluster, rc in _all(stack):
        text = config_gen.render(rc)
        data = yaml.safe_load(text)
        assert parse_config(data) == rc, cluster.name
        assert all(isinstance(m, str) for b in data["backends"] for m in b["models"])  # the shorthand


def test_vault_templates_only_for_backends_used() -> None:
    from infra.router_contract.vault import router_reads

    cfg = load_stack_file(ROOT / "Pulumi.dev.yaml")
    assert {r.file for r in router_reads(cfg, "aws-dev-use1")} == {config_gen.SECRET_AWS}
    assert {r.file for r in router_reads(cfg, "gcp-dev-euw1")} == {
        config_gen.SECRET_AZURE_OPENAI, config_gen.SECRET_EDGE, config_gen.SECRET_VERTEX
    }


def test_bedrock_reads_rotating_sts_credentials_from_the_agent_file() -> None:
    cfg = load_stack_file(ROOT / "Pulumi.dev.yaml")
    rc = config_gen.router_config(cfg, "aws-dev-use1", redis_url=None)
    (bedrock,) = [b for b in rc.backends if b.provider == "bedrock"]
    assert bedrock.aws_credentials_file == config_gen.secret_file(config_gen.SECRET_AWS)


@pytest.mark.parametrize(
    ("update", "needle"),
    [
        ({"api_keys": []}, "router.apiKeys"),
        ({"max_replicas": 1, "replicas": 3}, "router.maxReplicas"),
        ({"monthly_budget_usd": 1.0}, "router.monthlyBudgetUsd"),
        ({"jurisdictions": {"nope-cluster": ["eu"]}}, "router.jurisdictions.nope-cluster"),
        ({"airgap": True, "model_servers": []}, "router.airgap"),
        ({"vault_address": "https://vault.elsewhere.example:8200"}, "router.vaultAddress"),
    ],
)
def test_router_config_checks(update: dict, needle: str) -> None:  # type: ignore[type-arg]
    cfg = stack_with("dev", **update)
    problems = _cross_checks(cfg)
    assert any(needle in p for p in problems), problems


def test_shipped_stacks_pass_router_checks() -> None:
    for stack in STACKS:
        assert [p for p in _cross_checks(load_stack_file(ROOT / f"Pulumi.{stack}.yaml")) if "router" in p] == []


def test_rate_limits_and_model_groups_reach_every_router(tmp_path) -> None:
    text = (ROOT / "Pulumi.prod.yaml").read_text()
    text = text.replace(
        "enterprise-eu: {jurisdictions: [eu], dailyBudgetUsd: 500, monthlyBudgetUsd: 10000}",
        "enterprise-eu: {jurisdictions: [eu], dailyBudgetUsd: 500, monthlyBudgetUsd: 10000, "
        "rateLimits: {rpm: 600, tpm: 200000, concurrent: 40}}",
    ).replace(
        "      apiKeys:\n",
        "      keyRateLimits: {rpm: 120}\n"
        "      modelGroups:\n"
        "        chat-large: {members: [{model: llama-3.1-70b-instruct, weight: 3}, llama-3.1-8b-instruct],"
        " fallbacks: [gpt-4o, gemini-1.5-pro]}\n"
        "        chat-cloud: {members: [gpt-4o], fallbacks: [gemini-1.5-pro]}\n"
        "      apiKeys:\n",
    )
    assert "rateLimits" in text and "modelGroups" in text
    path = tmp_path / "Pulumi.prod.yaml"
    path.write_text(text)
    cfg = load_stack_file(path)
    seen = 0
    for c in cfg.clusters:
        parsed = config_gen.router_config(cfg, c.name, redis_url=None)  # the router's model: it accepts it
        assert parsed.auth.key_rate_limits.rpm == 120
        if "enterprise-eu" in parsed.tenants:
            assert parsed.tenants["enterprise-eu"].rate_limits.concurrent == 40
            seen += 1
        served = {m.name for b in parsed.backends for m in b.models}
        for g in parsed.model_groups.values():
            assert {m.model for m in g.members} | set(g.fallbacks) <= served
        if c.name == "gcp-ase1":  # no Azure OpenAI in Taiwan's reach: gpt-4o drops out of both groups
            assert parsed.model_groups["chat-large"].fallbacks == ["gemini-1.5-pro"]
            assert [m.model for m in parsed.model_groups["chat-cloud"].members] == ["gemini-1.5-pro"]
        else:
            assert [m.weight for m in parsed.model_groups["chat-large"].members] == [3, 1]
    assert seen == 3  # the EU clusters
    # and a stack without them renders as before: no new keys
    plain = config_gen.router_config(load_stack_file(ROOT / "Pulumi.prod.yaml"), "aws-euw1", redis_url=None)
    data = config_gen.as_data(plain)
    assert "model_groups" not in data and set(data["auth"]) == {"api_keys"}
    assert all("rate_limits" not in t for t in data["tenants"].values())

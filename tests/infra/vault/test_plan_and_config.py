"""Vault in the real program (infra.platform.build_platform) and the `vault` config checks."""

from __future__ import annotations

from typing import Any

import pytest

from meridian.config import ConfigError
from meridian.config.stack import parse_stack_config
from tests.conftest import platform_config


def test_dev_program_installs_vault_on_the_configured_cluster(dev_plan: Any) -> None:
    vault = dev_plan.stack_outputs["vault"]
    assert vault["cluster"] == "aws-dev-use1"
    assert vault["unsealKeyRegion"] == "us-east-1" and vault["jurisdiction"] == "us"
    (server,) = [r for r in dev_plan.of_type("kubernetes:helm.sh/v3:Release") if r["inputs"].get("name") == "vault"
                 and r["inputs"]["values"]["server"].get("ha", {}).get("enabled")]
    assert server["inputs"]["values"]["server"]["ha"]["replicas"] == 3
    # the release goes to the Vault cluster's own Kubernetes provider
    assert "aws-dev-use1" in server["provider"]


def _with_vault(**vault: Any) -> dict[str, Any]:
    raw = platform_config("dev")
    raw["vault"] = {"cluster": "aws-dev-use1", **vault}
    return raw


@pytest.mark.parametrize(
    ("vault", "message"),
    [
        ({"cluster": "nope"}, "meridian:platform.vault.cluster: 'nope' is not a cluster name"),
        ({"replicas": 4}, "meridian:platform.vault.replicas"),
        ({"awsRegion": "mars-1"}, "meridian:platform.vault.awsRegion"),
        ({"databases": {"orders": "mongodb://x"}}, "meridian:platform.vault.databases.orders: scheme 'mongodb'"),
        ({"databases": {"orders": "postgresql://admin:hunter2@db/orders"}},
         "meridian:platform.vault.databases.orders: the URL carries a password"),
        ({"dynamicCredentials": ["aws", "aws"]}, "meridian:platform.vault.dynamicCredentials"),
        # the router's Bedrock / Vertex backends read their credentials from these engines
        ({"dynamicCredentials": ["gcp", "azure"]}, "meridian:platform.vault.dynamicCredentials: ['gcp', 'azure'] lacks 'aws'"),
    ],
)
def test_bad_vault_config_is_refused_naming_the_key(vault: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError) as e:
        parse_stack_config(_with_vault(**vault), "test")
    assert any(message in p for p in e.value.problems), e.value.problems


def test_templated_database_url_is_accepted() -> None:
    cfg = parse_stack_config(
        _with_vault(databases={"orders": "postgresql://{{username}}:{{password}}@db:5432/orders"}), "test"
    )
    assert cfg.vault is not None and "orders" in cfg.vault.databases

"""Vault policies as data: each workload gets exactly the paths it needs, written once here."""

from __future__ import annotations

from dataclasses import dataclass

KV_MOUNT = "kv"
PKI_ROOT_MOUNT = "pki"
PKI_MOUNT = "pki_int"
SERVICE_CERT_ROLE = "service"


@dataclass(frozen=True)
class Rule:
    path: str
    capabilities: tuple[str, ...]


def to_hcl(rules: list[Rule]) -> str:
    blocks = []
    for r in rules:
        caps = ", ".join(f'"{c}"' for c in r.capabilities)
        blocks.append(f'path "{r.path}" {{\n  capabilities = [{caps}]\n}}\n')
    return "\n".join(blocks)


def router_kv_prefix(cluster: str) -> str:
    """Where the router of one cluster finds its static secrets (upstream API keys): kv/router/<cluster>/."""
    return f"router/{cluster}"


def router_rules(cluster: str) -> list[Rule]:
    """The router of `cluster` may read its own secrets, nothing else (not even list them, nor another
    cluster's, nor sys/)."""
    return [Rule(f"{KV_MOUNT}/data/{router_kv_prefix(cluster)}/*", ("read",))]


def router_policy_name(cluster: str) -> str:
    return f"router-{cluster}"

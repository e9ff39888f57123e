"""Vault policies as data: each workload gets exactly the paths it needs, written once here."""

from __future__ import annotations

from dataclasses import dataclass

from infra.router_contract.vault import KV_MOUNT, SecretRead, policy_name

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


def router_rules(reads: list[SecretRead]) -> list[Rule]:
    """The router of one cluster may read exactly what its agent templates read
    (infra.router_contract.vault.router_reads): not list them, nor another cluster's, nor sys/."""
    return [Rule(r.path, ("read",)) for r in reads]


def router_policy_name(cluster: str) -> str:
    return policy_name(cluster)


__all__ = ["KV_MOUNT", "PKI_MOUNT", "PKI_ROOT_MOUNT", "SERVICE_CERT_ROLE", "Rule", "router_policy_name",
           "router_rules", "to_hcl"]

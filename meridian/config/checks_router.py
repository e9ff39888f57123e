"""Router config checks: what would make a cluster's generated router config invalid, or the router
unsafe, refused before any resource exists, with the key path and the bad value."""

from __future__ import annotations

from typing import TYPE_CHECKING

from meridian.config.problems import FULL_KEY, check_jurisdiction

if TYPE_CHECKING:
    from meridian.config.stack import StackConfig

_KEY = f"{FULL_KEY}.router"


def check_router(cfg: StackConfig) -> list[str]:
    r = cfg.router
    if r is None:
        return []
    problems: list[str] = []
    names = [c.name for c in cfg.clusters]
    if r.max_replicas < r.replicas:
        problems.append(f"{_KEY}.maxReplicas: {r.max_replicas} is below replicas {r.replicas}")
    if r.monthly_budget_usd < r.daily_budget_usd:
        problems.append(
            f"{_KEY}.monthlyBudgetUsd: {r.monthly_budget_usd} is below dailyBudgetUsd {r.daily_budget_usd}"
        )
    if not r.api_keys:
        problems.append(
            f"{_KEY}.apiKeys: at least one API key hash is needed (the router refuses unauthenticated use)"
        )
    for i, k in enumerate(r.api_keys):
        if k.tenant not in r.tenants:
            problems.append(
                f"{_KEY}.apiKeys[{i}].tenant: {k.tenant!r} is not in router.tenants ({', '.join(r.tenants)})"
            )
    for t_name, t in r.tenants.items():
        for j in t.jurisdictions:
            check_jurisdiction(problems, f"{_KEY}.tenants.{t_name}.jurisdictions", j)
    for c_name, js in r.jurisdictions.items():
        if c_name not in names:
            problems.append(f"{_KEY}.jurisdictions.{c_name}: {c_name!r} is not a cluster name")
        for j in js:
            check_jurisdiction(problems, f"{_KEY}.jurisdictions.{c_name}", j)
    served: dict[str, bool] = {n: not r.airgap for n in names}  # cloud backends exist unless airgapped
    for i, ms in enumerate(r.model_servers):
        for c_name in ms.clusters:
            if c_name not in names:
                problems.append(f"{_KEY}.modelServers[{i}].clusters: {c_name!r} is not a cluster name")
        for n in ms.clusters or names:
            served[n] = True
    for n, ok in served.items():
        if not ok:
            problems.append(
                f"{_KEY}.airgap: cluster {n!r} would have no backend (airgap forbids cloud backends and no "
                "modelServers run there)"
            )
    problems += _vault_contract(cfg)
    return problems


def _vault_contract(cfg: StackConfig) -> list[str]:
    """The router reads its credentials from Vault: from the stack's own Vault (its address, never a
    second copy), or from an external one at router.vaultAddress; the Vault engines its cloud
    backends need must be on."""
    r = cfg.router
    assert r is not None
    problems: list[str] = []
    if cfg.vault is not None and r.vault_address is not None:
        problems.append(
            f"{_KEY}.vaultAddress: {r.vault_address!r} duplicates the stack's Vault (the router uses the "
            "`vault` section's address); drop it"
        )
    if cfg.vault is None and r.vault_address is None and not r.airgap:
        problems.append(
            f"{_KEY}.vaultAddress: the router reads its upstream credentials from Vault; add a `vault` "
            "section or set router.vaultAddress (a Vault outside the stack)"
        )
    if cfg.vault is not None and not r.airgap:
        engines = {"aws": "Bedrock", "gcp": "Vertex AI"}  # dynamic credentials the cloud backends read
        for cloud in sorted({c.cloud for c in cfg.clusters} & set(engines)):
            if cloud not in cfg.vault.dynamic_credentials:
                problems.append(
                    f"{FULL_KEY}.vault.dynamicCredentials: {cfg.vault.dynamic_credentials} lacks {cloud!r}; "
                    f"the router's {engines[cloud]} backends read their credentials from Vault's {cloud} engine"
                )
    return problems

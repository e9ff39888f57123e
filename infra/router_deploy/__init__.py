"""The router on every cluster: RouterDeployment (one per cluster) and its parts - RouterIdentity
(ServiceAccount + cloud workload identity), RouterRedis (shared state) - and config_gen (the router
config per cluster, generated from the catalog and the topology). What it reads from Vault, and as
whom, is infra.vault.router_contract.

RouterDeployment is imported lazily: infra.vault.router_contract imports config_gen (pure), and the
deployment imports the contract."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from infra.router_deploy.deployment import RouterDeployment

__all__ = ["RouterDeployment"]


def __getattr__(name: str) -> Any:
    if name == "RouterDeployment":
        from infra.router_deploy.deployment import RouterDeployment

        return RouterDeployment
    raise AttributeError(name)

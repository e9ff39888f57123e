"""The router on every cluster: RouterDeployment (one per cluster) and its parts - RouterIdentity
(ServiceAccount + cloud workload identity), RouterRedis (shared state) - and config_gen (the router
config per cluster, generated from the catalog and the topology)."""

from infra.router_deploy.deployment import RouterDeployment

__all__ = ["RouterDeployment"]

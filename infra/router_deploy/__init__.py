"""The router on every cluster: `deployment.RouterDeployment` (one per cluster) and its parts -
`identity.RouterIdentity` (ServiceAccount + cloud workload identity), `redis.RouterRedis` (shared
state), `edge_dns` (peer routers' private names). The router's config and what it reads from Vault,
and as whom, are infra.router_contract (pure), which this package and infra.vault both import."""

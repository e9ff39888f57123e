"""The router on every cluster: `deployment.RouterDeployment` (one per cluster) and its parts -
`identity.RouterIdentity` (ServiceAccount + cloud workload identity), `redis.RouterRedis` (shared
state) - and `config_gen` (the router config per cluster, generated from the catalog and the
topology). What it reads from Vault, and as whom, is infra.vault.router_contract.

Nothing is imported here: infra.vault.router_contract imports config_gen (pure), and the deployment
imports the contract, so the package itself stays empty and there is no cycle to work around."""

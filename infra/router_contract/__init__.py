"""The router's contract with the platform, written once and pure (no Pulumi resources), imported by
both sides - infra/router_deploy (the router on each cluster) and infra/vault (what Vault serves it):

  config_gen  the router's typed config per cluster (meridian_router.config.RouterConfig), generated
              from the catalog and the stack topology, and the files and ports it is deployed with;
  vault       who the router is to Vault, how it logs in, and exactly which secrets it reads."""

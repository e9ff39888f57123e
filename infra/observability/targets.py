"""The scrape targets of one cluster: the router's pods on every router cluster, the in-cluster Redis'
exporter where `router.redis: in-cluster`, and Vault's servers on the Vault cluster (its listener
serves /v1/sys/metrics in Prometheus format without a token: infra/vault/server.py)."""

from __future__ import annotations

from infra.observability.scrape import Target
from infra.router_deploy.deployment import LABELS as ROUTER_POD_LABELS
from infra.router_deploy.redis import EXPORTER_PORT_NAME, REDIS_POD_LABELS
from infra.vault.inputs import VAULT_NAMESPACE
from infra.vault.server import SERVER_SELECTOR
from infra.vault.tls import TLS_SECRET
from meridian.config import StackConfig


def targets(stack: StackConfig, cluster: str) -> list[Target]:
    assert stack.router is not None
    ns = stack.router.namespace
    out = [Target("meridian-router", ns, dict(ROUTER_POD_LABELS), "http")]
    if stack.router.redis == "in-cluster":
        out.append(Target("router-redis", ns, dict(REDIS_POD_LABELS), EXPORTER_PORT_NAME))
    if stack.vault is not None and stack.vault.cluster == cluster:
        out.append(Target("vault", VAULT_NAMESPACE, dict(SERVER_SELECTOR), "https", path="/v1/sys/metrics",
                          scheme="https", params={"format": ["prometheus"]}, tls_ca_secret=(TLS_SECRET, "ca.crt"),
                          tls_server_name=f"vault.{VAULT_NAMESPACE}.svc"))
    return out

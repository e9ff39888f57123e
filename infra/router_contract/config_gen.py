"""The router's config for one cluster, generated from the catalog and the stack topology.

Pure functions: (StackConfig, cluster name, Redis endpoint) -> the router's YAML as a dict. Nothing here
touches Pulumi, so the residency guarantees can be tested directly and the same function feeds the
ConfigMap.

Backends, by tier:
  local  the in-cluster model servers of `router.modelServers` that run on this cluster;
  edge   the routers of peer clusters linked to this one in `interconnect.links` (not `public` links:
         edge traffic goes over the private interconnect), reached on their internal endpoint;
  cloud  the cloud AI service of every region the stack runs a cluster in (Bedrock for AWS,
         Vertex/Gemini for GCP, Azure OpenAI for Azure) - unless `router.airgap`.
Every backend carries the jurisdiction and region of where it runs, from the catalog. Only backends
in the cluster's *allowed jurisdictions* (its own, plus `router.jurisdictions[<cluster>]`) are
generated, and tenants are narrowed to those jurisdictions, so an EU cluster's router has no non-EU
backend to send anything to, and the router itself refuses to send a request bound to J anywhere
but to a backend in J.

Secrets never appear here: upstream keys are files Vault Agent writes (`api_key_file`; Bedrock's
rotating STS keys: `aws_credentials_file`), the managed Redis password comes from an environment
variable (`url_env`). Which Vault path fills each file: infra.router_contract.vault.router_reads."""

from __future__ import annotations

from typing import Any

import yaml

from meridian import catalog
from meridian.config import Cluster, StackConfig
from meridian.config.sections import Router

SECRETS_DIR = "/vault/secrets"  # where the Vault Agent injector writes rendered secrets
CONFIG_DIR = "/etc/meridian"
CONFIG_FILE = "router.yaml"
REDIS_URL_ENV = "MERIDIAN_REDIS_URL"
HEALTH_PATH = "/healthz"
READY_PATH = "/readyz"
# Public ingress is HTTPS: the LoadBalancer's 443 -> the router's TLS_PORT, with the cluster's origin
# certificate from the Secret `router.tlsSecret` (kubernetes.io/tls: tls.crt, tls.key, ca.crt for mTLS)
# mounted read-only at TLS_DIR. The plain `router.port` is the internal listener (peers, Prometheus).
PUBLIC_PORT = 443
TLS_PORT = 8443
TLS_DIR = "/etc/meridian/tls"
TLS_CERT, TLS_KEY, TLS_CLIENT_CA = "tls.crt", "tls.key", "ca.crt"

# Vault secret name -> the upstream it authenticates to. Each becomes
# `vault.hashicorp.com/agent-inject-secret-<name>` and the file /vault/secrets/<name>.
SECRET_AZURE_OPENAI = "azure-openai-api-key"
SECRET_VERTEX = "vertex-access-token"
SECRET_EDGE = "edge-api-key"
SECRET_AWS = "aws-credentials"

# What the router's cloud backends talk to, per cloud.
CLOUD_PROVIDER = {"aws": "bedrock", "gcp": "vertex", "azure": "azure_openai"}


def router_section(stack: StackConfig) -> Router:
    if stack.router is None:
        raise ValueError("the stack has no `router` section")
    return stack.router


def secret_file(name: str) -> str:
    return f"{SECRETS_DIR}/{name}"


def allowed_jurisdictions(stack: StackConfig, cluster: Cluster) -> list[str]:
    """The jurisdictions this cluster's router may serve: its own first, then configured extras."""
    extra = router_section(stack).jurisdictions.get(cluster.name, [])
    out = [catalog.jurisdiction(cluster.jurisdiction).id]
    for j in extra:
        jid = catalog.jurisdiction(j).id  # unknown: raises (fails closed)
        if jid not in out:
            out.append(jid)
    return out


def _jurisdiction_of(cloud: str, region: str, allowed: list[str]) -> str | None:
    """The first allowed jurisdiction the catalog puts the region in (None: in none of them)."""
    reg = catalog.region(cloud, region)
    for j in allowed:
        if reg.within(j):
            return j
    return None


def local_backends(stack: StackConfig, cluster: Cluster) -> list[dict[str, Any]]:
    r = router_section(stack)
    j = catalog.jurisdiction(cluster.jurisdiction).id
    out = []
    for ms in r.model_servers:
        if ms.clusters and cluster.name not in ms.clusters:
            continue
        out.append(
            {
                "name": f"local-{ms.name}",
                "provider": ms.provider,
                "tier": "local",
                "base_url": f"http://{ms.service}.{ms.namespace}.svc.cluster.local:{ms.port}/v1",
                "jurisdiction": j,
                "cloud": cluster.cloud,
                "region": cluster.region,
                "models": list(ms.models),
                "timeout_s": 120.0,
            }
        )
    return out


def peer_host(stack: StackConfig, peer: Cluster) -> str:
    """A router's private DNS name (infra.router_deploy.edge_dns resolves it to its internal LB)."""
    return f"router.{peer.name}.{router_section(stack).internal_domain}"


def peer_endpoint(stack: StackConfig, peer: Cluster) -> str:
    """A peer router's private endpoint over the interconnect (its internal load balancer)."""
    return f"http://{peer_host(stack, peer)}:{router_section(stack).port}/v1"


def _models_on(stack: StackConfig, cluster: Cluster) -> list[str]:
    seen: list[str] = []
    for ms in router_section(stack).model_servers:
        if ms.clusters and cluster.name not in ms.clusters:
            continue
        seen += [m for m in ms.models if m not in seen]
    return seen


def edge_backends(stack: StackConfig, cluster: Cluster) -> list[dict[str, Any]]:
    allowed = allowed_jurisdictions(stack, cluster)
    out = []
    for peer in stack.private_peers(cluster.name):
        j = _jurisdiction_of(peer.cloud, peer.region, allowed)
        models = _models_on(stack, peer)
        if j is None or not models:  # outside what this router may serve, or nothing to offer
            continue
        out.append(
            {
                "name": f"edge-{peer.name}",
                "provider": "edge",
                "tier": "edge",
                "base_url": peer_endpoint(stack, peer),
                "jurisdiction": j,
                "cloud": peer.cloud,
                "region": peer.region,
                "models": models,
                "api_key_file": secret_file(SECRET_EDGE),
            }
        )
    return out


def cloud_regions(stack: StackConfig) -> list[tuple[str, str]]:
    """(cloud, region) of every cluster of the stack, in order, without repeats."""
    out: list[tuple[str, str]] = []
    for c in stack.clusters:
        if (c.cloud, c.region) not in out:
            out.append((c.cloud, c.region))
    return out


def _cloud_backend(stack: StackConfig, cloud: str, region: str, j: str) -> dict[str, Any]:
    r = router_section(stack)
    base: dict[str, Any] = {"tier": "cloud", "jurisdiction": j, "cloud": cloud, "region": region}
    if cloud == "aws":
        return base | {
            "name": f"bedrock-{region}",
            "provider": "bedrock",
            "base_url": f"https://bedrock-runtime.{region}.amazonaws.com",
            "aws_region": region,
            # Vault Agent re-renders it as the STS credentials rotate; the router re-reads it.
            "aws_credentials_file": secret_file(SECRET_AWS),
            "models": list(r.cloud_models.bedrock),
        }
    if cloud == "gcp":
        return base | {
            "name": f"vertex-{region}",
            "provider": "vertex",
            "base_url": (
                f"https://{region}-aiplatform.googleapis.com/v1/projects/{stack.gcp_project}"
                f"/locations/{region}/publishers/google/models"
            ),
            "api_key_file": secret_file(SECRET_VERTEX),
            "models": list(r.cloud_models.vertex),
        }
    resource = r.azure_openai_resources.get(region, f"meridian-{stack.environment}-{region}")
    return base | {
        "name": f"azure-openai-{region}",
        "provider": "azure_openai",
        "base_url": f"https://{resource}.openai.azure.com",
        "api_version": "2024-06-01",
        "api_key_file": secret_file(SECRET_AZURE_OPENAI),
        "models": list(r.cloud_models.azure_openai),
    }


def cloud_backends(stack: StackConfig, cluster: Cluster) -> list[dict[str, Any]]:
    if router_section(stack).airgap:
        return []
    allowed = allowed_jurisdictions(stack, cluster)
    out = []
    for cloud, region in cloud_regions(stack):
        j = _jurisdiction_of(cloud, region, allowed)
        if j is not None:
            out.append(_cloud_backend(stack, cloud, region, j))
    return out


def tenants(stack: StackConfig, cluster: Cluster) -> dict[str, dict[str, Any]]:
    """Configured tenants narrowed to this cluster's allowed jurisdictions; a tenant left with none
    is not served here at all."""
    allowed = allowed_jurisdictions(stack, cluster)
    out: dict[str, dict[str, Any]] = {}
    for name, t in router_section(stack).tenants.items():
        wanted = [catalog.jurisdiction(j).id for j in t.jurisdictions]
        js = [j for j in wanted if j in allowed]
        if not js:
            continue
        entry: dict[str, Any] = {
            "jurisdictions": js,
            "budget": {"daily_usd": t.daily_budget_usd, "monthly_usd": t.monthly_budget_usd},
        }
        if t.models is not None:
            entry["models"] = list(t.models)
        if t.rate_limits is not None:
            entry["rate_limits"] = t.rate_limits.model_dump(exclude_none=True)
        out[name] = entry
    return out


def model_groups(stack: StackConfig, backends: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """The configured model groups, each narrowed to the models this cluster's backends serve (a
    group with none of them is not offered here). A group whose members are all elsewhere keeps its
    fallbacks as an ordered chain: the first becomes the member."""
    served = {m if isinstance(m, str) else m["name"] for b in backends for m in b["models"]}
    out: dict[str, dict[str, Any]] = {}
    for name, g in router_section(stack).model_groups.items():
        members = [{"model": m.model, "weight": m.weight} for m in g.members if m.model in served]
        fallbacks = [m for m in g.fallbacks if m in served]
        if not members and fallbacks:
            members, fallbacks = [{"model": fallbacks[0], "weight": 1.0}], fallbacks[1:]
        if members:
            out[name] = {"members": members, "fallbacks": fallbacks}
    return out


def server_section(stack: StackConfig, *, mtls: bool = False) -> dict[str, Any]:
    """Listeners: plain HTTP on `router.port` (internal) and HTTPS on TLS_PORT (public) with the files
    of the mounted TLS Secret - paths only, never PEM. `mtls`: require Cloudflare's client certificate."""
    server: dict[str, Any] = {
        "host": "0.0.0.0",
        "port": router_section(stack).port,
        "access_log": True,
        "log_level": "info",
        "tls_port": TLS_PORT,
        "tls_cert_file": f"{TLS_DIR}/{TLS_CERT}",
        "tls_key_file": f"{TLS_DIR}/{TLS_KEY}",
    }
    if mtls:
        server["tls_client_ca_file"] = f"{TLS_DIR}/{TLS_CLIENT_CA}"
    return server


def router_config(
    stack: StackConfig, cluster_name: str, *, redis_url: str | None, redis_url_env: str | None = None,
    mtls: bool = False,
) -> dict[str, Any]:
    """The router's config (plain data, the shape of meridian_router.config.RouterConfig)."""
    r = router_section(stack)
    cluster = stack.cluster(cluster_name)
    served = tenants(stack, cluster)
    keys: list[dict[str, Any]] = []
    for k in r.api_keys:
        if k.tenant in served:
            key: dict[str, Any] = {"sha256": k.sha256, "tenant": k.tenant, "scopes": list(k.scopes)}
            if k.rate_limits is not None:
                key["rate_limits"] = k.rate_limits.model_dump(exclude_none=True)
            keys.append(key)
    auth: dict[str, Any] = {"api_keys": keys}
    if r.key_rate_limits is not None:
        auth["key_rate_limits"] = r.key_rate_limits.model_dump(exclude_none=True)
    backends = local_backends(stack, cluster) + edge_backends(stack, cluster) + cloud_backends(stack, cluster)
    cfg: dict[str, Any] = {
        "server": server_section(stack, mtls=mtls),
        "airgap": r.airgap,
        "auth": auth,
        "tenants": served,
        "residency": {"client_country_header": "cf-ipcountry", "unknown_country": "reject"},
        "budgets": {
            "global_limits": {"daily_usd": r.daily_budget_usd, "monthly_usd": r.monthly_budget_usd},
            "fail_mode": "local",
        },
        "backends": backends,
    }
    groups = model_groups(stack, backends)
    if groups:
        cfg["model_groups"] = groups
    if redis_url is not None:
        cfg["redis"] = {"url": redis_url, "key_prefix": f"meridian:router:{cluster.name}:"}
        if redis_url_env:
            cfg["redis"]["url_env"] = redis_url_env
    return cfg


def validate(cfg: dict[str, Any]) -> Any:
    """Validate with the router's own model: a config the router would refuse fails the plan."""
    from meridian_router.config import parse_config

    return parse_config(cfg)


def render(cfg: dict[str, Any]) -> str:
    validate(cfg)
    return yaml.safe_dump(cfg, sort_keys=False)

"""The router's config for one cluster, generated from the catalog and the stack topology.

Pure functions: (StackConfig, cluster name, Redis endpoint) -> the router's own typed config object
(meridian_router.config.RouterConfig), built field by field, so pyright checks every field against the
router's model and the router's validators run as it is built (a config the router would refuse is a
ConfigError naming the field, at plan time). Nothing here touches Pulumi, so the residency guarantees
can be tested directly and the same function feeds the ConfigMap (`render`).

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

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import yaml
from meridian_router.config import (
    ApiKeyConfig,
    AuthConfig,
    BackendConfig,
    BudgetConfig,
    BudgetLimits,
    ConfigError,
    GroupMember,
    ModelGroup,
    ModelRoute,
    RateLimits,
    RedisConfig,
    ResidencyConfig,
    RouterConfig,
    ServerConfig,
    TenantConfig,
    describe_error,
)
from pydantic import ValidationError

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


@contextmanager
def _building(where: str) -> Iterator[None]:
    """A router model the stack's values make invalid: a ConfigError naming where in the router's
    config (and which value), not a pydantic traceback."""
    try:
        yield
    except ValidationError as exc:
        raise ConfigError(describe_error(exc, where)) from None


def _routes(models: list[str]) -> list[ModelRoute]:
    return [ModelRoute(name=m) for m in models]


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


def local_backends(stack: StackConfig, cluster: Cluster) -> list[BackendConfig]:
    r = router_section(stack)
    j = catalog.jurisdiction(cluster.jurisdiction).id
    out = []
    for ms in r.model_servers:
        if ms.clusters and cluster.name not in ms.clusters:
            continue
        with _building(f"backends[local-{ms.name}]"):
            out.append(
                BackendConfig(
                    name=f"local-{ms.name}",
                    provider=ms.provider,
                    tier="local",
                    base_url=f"http://{ms.service}.{ms.namespace}.svc.cluster.local:{ms.port}/v1",
                    jurisdiction=j,
                    cloud=cluster.cloud,
                    region=cluster.region,
                    models=_routes(list(ms.models)),
                    timeout_s=120.0,
                )
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


def edge_backends(stack: StackConfig, cluster: Cluster) -> list[BackendConfig]:
    allowed = allowed_jurisdictions(stack, cluster)
    out = []
    for peer in stack.private_peers(cluster.name):
        j = _jurisdiction_of(peer.cloud, peer.region, allowed)
        models = _models_on(stack, peer)
        if j is None or not models:  # outside what this router may serve, or nothing to offer
            continue
        with _building(f"backends[edge-{peer.name}]"):
            out.append(
                BackendConfig(
                    name=f"edge-{peer.name}",
                    provider="edge",
                    tier="edge",
                    base_url=peer_endpoint(stack, peer),
                    jurisdiction=j,
                    cloud=peer.cloud,
                    region=peer.region,
                    models=_routes(models),
                    api_key_file=secret_file(SECRET_EDGE),
                )
            )
    return out


def cloud_regions(stack: StackConfig) -> list[tuple[str, str]]:
    """(cloud, region) of every cluster of the stack, in order, without repeats."""
    out: list[tuple[str, str]] = []
    for c in stack.clusters:
        if (c.cloud, c.region) not in out:
            out.append((c.cloud, c.region))
    return out


def _bedrock(stack: StackConfig, region: str, j: str) -> BackendConfig:
    return BackendConfig(
        tier="cloud", jurisdiction=j, cloud="aws", region=region,
        name=f"bedrock-{region}",
        provider="bedrock",
        base_url=f"https://bedrock-runtime.{region}.amazonaws.com",
        aws_region=region,
        # Vault Agent re-renders it as the STS credentials rotate; the router re-reads it.
        aws_credentials_file=secret_file(SECRET_AWS),
        models=_routes(list(router_section(stack).cloud_models.bedrock)),
    )


def _vertex(stack: StackConfig, region: str, j: str) -> BackendConfig:
    return BackendConfig(
        tier="cloud", jurisdiction=j, cloud="gcp", region=region,
        name=f"vertex-{region}",
        provider="vertex",
        base_url=(
            f"https://{region}-aiplatform.googleapis.com/v1/projects/{stack.gcp_project}"
            f"/locations/{region}/publishers/google/models"
        ),
        api_key_file=secret_file(SECRET_VERTEX),
        models=_routes(list(router_section(stack).cloud_models.vertex)),
    )


def _azure_openai(stack: StackConfig, region: str, j: str) -> BackendConfig:
    r = router_section(stack)
    resource = r.azure_openai_resources.get(region, f"meridian-{stack.environment}-{region}")
    return BackendConfig(
        tier="cloud", jurisdiction=j, cloud="azure", region=region,
        name=f"azure-openai-{region}",
        provider="azure_openai",
        base_url=f"https://{resource}.openai.azure.com",
        api_version="2024-06-01",
        api_key_file=secret_file(SECRET_AZURE_OPENAI),
        models=_routes(list(r.cloud_models.azure_openai)),
    )


# Each cloud's AI service, as a cloud-tier backend in one of its regions.
CLOUD_AI = {"aws": _bedrock, "gcp": _vertex, "azure": _azure_openai}


def cloud_backends(stack: StackConfig, cluster: Cluster) -> list[BackendConfig]:
    if router_section(stack).airgap:
        return []
    allowed = allowed_jurisdictions(stack, cluster)
    out = []
    for cloud, region in cloud_regions(stack):
        j = _jurisdiction_of(cloud, region, allowed)
        if j is not None:
            with _building(f"backends[{CLOUD_PROVIDER[cloud]}-{region}]"):
                out.append(CLOUD_AI[cloud](stack, region, j))
    return out


def tenants(stack: StackConfig, cluster: Cluster) -> dict[str, TenantConfig]:
    """Configured tenants narrowed to this cluster's allowed jurisdictions; a tenant left with none
    is not served here at all."""
    allowed = allowed_jurisdictions(stack, cluster)
    out: dict[str, TenantConfig] = {}
    for name, t in router_section(stack).tenants.items():
        wanted = [catalog.jurisdiction(j).id for j in t.jurisdictions]
        js = [j for j in wanted if j in allowed]
        if not js:
            continue
        extra: dict[str, Any] = {}  # set only when configured: the rendered file names what the stack says
        if t.models is not None:
            extra["models"] = list(t.models)
        if t.rate_limits is not None:
            extra["rate_limits"] = _rate_limits(t.rate_limits.model_dump(exclude_none=True))
        with _building(f"tenants.{name}"):
            out[name] = TenantConfig(
                jurisdictions=js,
                budget=BudgetLimits(daily_usd=t.daily_budget_usd, monthly_usd=t.monthly_budget_usd),
                **extra,
            )
    return out


def _rate_limits(limits: dict[str, int]) -> RateLimits:
    return RateLimits(**limits)


def model_groups(stack: StackConfig, backends: list[BackendConfig]) -> dict[str, ModelGroup]:
    """The configured model groups, each narrowed to the models this cluster's backends serve (a
    group with none of them is not offered here). A group whose members are all elsewhere keeps its
    fallbacks as an ordered chain: the first becomes the member."""
    served = {m.name for b in backends for m in b.models}
    out: dict[str, ModelGroup] = {}
    for name, g in router_section(stack).model_groups.items():
        members = [GroupMember(model=m.model, weight=m.weight) for m in g.members if m.model in served]
        fallbacks = [m for m in g.fallbacks if m in served]
        if not members and fallbacks:
            members, fallbacks = [GroupMember(model=fallbacks[0], weight=1.0)], fallbacks[1:]
        if members:
            with _building(f"model_groups.{name}"):
                out[name] = ModelGroup(members=members, fallbacks=fallbacks)
    return out


def server_section(stack: StackConfig, *, mtls: bool = False) -> ServerConfig:
    """Listeners: plain HTTP on `router.port` (internal) and HTTPS on TLS_PORT (public) with the files
    of the mounted TLS Secret - paths only, never PEM. `mtls`: require Cloudflare's client certificate."""
    # Optional fields are passed only when set: the file then names exactly what the stack configures.
    extra: dict[str, Any] = {"tls_client_ca_file": f"{TLS_DIR}/{TLS_CLIENT_CA}"} if mtls else {}
    with _building("server"):
        return ServerConfig(
            host="0.0.0.0",
            port=router_section(stack).port,
            access_log=True,
            log_level="info",
            tls_port=TLS_PORT,
            tls_cert_file=f"{TLS_DIR}/{TLS_CERT}",
            tls_key_file=f"{TLS_DIR}/{TLS_KEY}",
            **extra,
        )


def router_config(
    stack: StackConfig, cluster_name: str, *, redis_url: str | None, redis_url_env: str | None = None,
    mtls: bool = False,
) -> RouterConfig:
    """The router's config for `cluster_name`; ConfigError (naming the field) if the router would
    refuse it."""
    r = router_section(stack)
    cluster = stack.cluster(cluster_name)
    served = tenants(stack, cluster)
    keys: list[ApiKeyConfig] = []
    for i, k in enumerate(r.api_keys):
        if k.tenant in served:
            limits: dict[str, Any] = (
                {"rate_limits": _rate_limits(k.rate_limits.model_dump(exclude_none=True))} if k.rate_limits else {}
            )
            with _building(f"auth.api_keys.{i}"):
                keys.append(ApiKeyConfig(sha256=k.sha256, tenant=k.tenant, scopes=list(k.scopes), **limits))
    auth_extra: dict[str, Any] = {}
    if r.key_rate_limits is not None:
        auth_extra["key_rate_limits"] = _rate_limits(r.key_rate_limits.model_dump(exclude_none=True))
    backends = local_backends(stack, cluster) + edge_backends(stack, cluster) + cloud_backends(stack, cluster)
    groups = model_groups(stack, backends)
    extra: dict[str, Any] = {"model_groups": groups} if groups else {}
    if redis_url is not None:
        with _building("redis"):
            env: dict[str, Any] = {"url_env": redis_url_env} if redis_url_env else {}
            extra["redis"] = RedisConfig(url=redis_url, key_prefix=f"meridian:router:{cluster.name}:", **env)
    with _building(""):
        return RouterConfig(
            server=server_section(stack, mtls=mtls),
            airgap=r.airgap,
            auth=AuthConfig(api_keys=keys, **auth_extra),
            tenants=served,
            residency=ResidencyConfig(client_country_header="cf-ipcountry", unknown_country="reject"),
            budgets=BudgetConfig(
                global_limits=BudgetLimits(daily_usd=r.daily_budget_usd, monthly_usd=r.monthly_budget_usd),
                fail_mode="local",
            ),
            backends=backends,
            **extra,
        )


def as_data(cfg: RouterConfig) -> dict[str, Any]:
    """What the config file says: the fields the generator set (the router's defaults stay
    implicit), a model route with only a name in the router's shorthand (the bare name)."""
    data = cfg.model_dump(mode="json", exclude_unset=True)
    for b in data.get("backends", []):
        b["models"] = [m["name"] if set(m) == {"name"} else m for m in b["models"]]
    return data


def render(cfg: RouterConfig) -> str:
    """The config file (router.yaml)."""
    return yaml.safe_dump(as_data(cfg), sort_keys=False)

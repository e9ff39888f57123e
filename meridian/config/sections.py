"""The typed sections of a Meridian stack config (key `meridian:platform` in Pulumi.<stack>.yaml).

Field names are snake_case here and camelCase in YAML (`dataLakes`, `warmAfterDays`)."""

from __future__ import annotations

import ipaddress
import re
from typing import Annotated, Any, Literal

from pydantic import Field, field_validator, model_validator

from meridian.catalog import CLOUDS, Cloud
from meridian.config.base import ConfigModel

Environment = Literal["dev", "staging", "prod"]
DataClass = Literal["pii", "restricted", "internal", "public"]
Zone = Literal["raw", "processed", "curated", "models"]
ALL_ZONES: tuple[Zone, ...] = ("raw", "processed", "curated", "models")

_NAME = r"^[a-z][a-z0-9-]{1,22}[a-z0-9]$"
Name = Annotated[str, Field(pattern=_NAME, description="lowercase letters, digits and '-', 3-24 chars")]
Cidr = ipaddress.IPv4Network


# --------------------------------------------------------------------------- clusters


class NodePool(ConfigModel):
    """One node pool. `min_size == max_size` means a fixed size (no autoscaling)."""

    min_size: int = Field(ge=0, le=1000)
    max_size: int = Field(ge=1, le=1000)
    instance_type: str | None = None  # None: the cloud's default for this pool kind
    disk_size_gb: int = Field(default=100, ge=20, le=4096)
    taints: list[str] = Field(default_factory=list)  # "key=value:NoSchedule"

    @model_validator(mode="after")
    def _min_le_max(self) -> NodePool:
        if self.min_size > self.max_size:
            raise ValueError(f"minSize {self.min_size} is larger than maxSize {self.max_size}")
        return self

    @field_validator("taints")
    @classmethod
    def _taint_shape(cls, taints: list[str]) -> list[str]:
        for t in taints:
            if not re.fullmatch(
                r"[A-Za-z0-9./-]+=[A-Za-z0-9._-]*:(NoSchedule|PreferNoSchedule|NoExecute)", t
            ):
                raise ValueError(f"taint {t!r} is not 'key=value:NoSchedule|PreferNoSchedule|NoExecute'")
        return taints


def _default_system() -> NodePool:
    return NodePool(min_size=3, max_size=3)


def _default_workload() -> NodePool:
    return NodePool(min_size=5, max_size=50)


def _default_gpu() -> NodePool:
    return NodePool(min_size=0, max_size=10, taints=["nvidia.com/gpu=present:NoSchedule"])


class NodePools(ConfigModel):
    system: NodePool = Field(default_factory=_default_system)
    workload: NodePool = Field(default_factory=_default_workload)
    gpu: NodePool = Field(default_factory=_default_gpu)


class Network(ConfigModel):
    """Address plan of a cluster's network. No range may overlap any other in the stack."""

    cidr: Cidr  # VPC / VNet range; subnets are carved from it
    pod_cidr: Cidr  # GKE secondary range for pods, AKS overlay pod range, EKS: custom networking not used
    service_cidr: Cidr  # Kubernetes service range
    azs: int = Field(default=3, ge=2, le=6)


class Cluster(ConfigModel):
    name: Name
    cloud: Cloud
    region: str
    purpose: str = ""
    # Hosts Vault (see vault.clusters) and other primary services.
    kubernetes_version: str | None = None  # None: the stack's kubernetesVersion
    network: Network
    node_pools: NodePools = Field(default_factory=NodePools)
    # CIDRs allowed to reach the (otherwise private) control plane.
    authorized_networks: list[Cidr] = Field(default_factory=list)
    # Jurisdiction of data the cluster processes; must contain the cluster's region.
    jurisdiction: str


# --------------------------------------------------------------------------- data lakes


class Tiers(ConfigModel):
    """Lifecycle: hot from day 0, then warm -> cold -> archive after these many days."""

    warm_after_days: int = Field(default=30, ge=1)
    cold_after_days: int = Field(default=90, ge=1)
    archive_after_days: int = Field(default=180, ge=1)
    noncurrent_expire_days: int = Field(default=90, ge=1)

    @model_validator(mode="after")
    def _ordered(self) -> Tiers:
        if not self.warm_after_days < self.cold_after_days < self.archive_after_days:
            raise ValueError(
                "tiers must be ordered warmAfterDays < coldAfterDays < archiveAfterDays, got "
                f"{self.warm_after_days}, {self.cold_after_days}, {self.archive_after_days}"
            )
        return self


class Replica(ConfigModel):
    region: str  # same cloud as the lake


class DataLake(ConfigModel):
    name: Name
    cloud: Cloud
    region: str
    data_class: DataClass
    jurisdiction: str
    zones: list[Zone] = Field(default_factory=lambda: list(ALL_ZONES))
    tiers: Tiers = Field(default_factory=Tiers)
    # Compliance retention (object lock / bucket retention / immutability policy), None = off.
    retention_years: int | None = Field(default=None, ge=1, le=100)
    replication: list[Replica] = Field(default_factory=list)

    @field_validator("zones")
    @classmethod
    def _unique_zones(cls, zones: list[Zone]) -> list[Zone]:
        if len(set(zones)) != len(zones):
            raise ValueError(f"zones must be unique, got {zones}")
        if not zones:
            raise ValueError("a data lake needs at least one zone")
        return zones


# --------------------------------------------------------------------------- interconnect

LinkMode = Literal["public", "vpn", "dedicated", "peering"]
Asn = Annotated[int, Field(ge=64512, le=65534)]
DEFAULT_ASNS: dict[Cloud, int] = {"aws": 64512, "gcp": 64513, "azure": 65515}
LINK_BLOCK_PREFIX = 28  # every non-public link owns one /28 of the pool: four /30s, one per tunnel/session


class Link(ConfigModel):
    """A private link between two clusters' networks (clusters named by `clusters[].name`).

    public: no private link (traffic goes over the internet, TLS only); vpn: IPsec with BGP, redundant
    tunnels; dedicated: a partner circuit (e.g. Megaport) into Direct Connect / Partner Interconnect /
    ExpressRoute at each end; peering: two networks of the same cloud joined by that cloud's own
    peering (AWS inter-region VPC peering, GCP VPC Network Peering, Azure global VNet peering)."""

    a: Name
    b: Name
    mode: LinkMode = "vpn"
    # dedicated links: the partner that provides the circuit (e.g. "megaport") and bandwidth.
    partner: str | None = None
    bandwidth_mbps: int = Field(default=1000, ge=50, le=100000)
    # dedicated, AWS end: the partner's hosted connections (dxcon-...), two for redundancy.
    aws_connection_ids: list[Annotated[str, Field(pattern=r"^dxcon-[a-z0-9]{8,}$")]] = Field(
        default_factory=list
    )
    # dedicated, Azure end: the ExpressRoute peering location of the partner, e.g. "Washington DC".
    azure_peering_location: str | None = None
    # Explicit /28 for this link's tunnel inside addresses; None: block number <index> of the pool.
    inside_cidr: Cidr | None = None


class Interconnect(ConfigModel):
    asns: dict[Cloud, Asn] = Field(default_factory=lambda: dict(DEFAULT_ASNS))
    # Per-cluster ASN overrides (cluster name -> ASN); default: the cluster's cloud's ASN.
    cluster_asns: dict[Name, Asn] = Field(default_factory=dict)
    # /30s inside 169.254.0.0/16 are carved from this pool for tunnel inside addresses: link i gets
    # the i-th /28 (append new links at the end so existing tunnels keep their addresses).
    inside_cidr_pool: Cidr = ipaddress.IPv4Network("169.254.21.0/24")
    links: list[Link] = Field(default_factory=list)

    @field_validator("asns")
    @classmethod
    def _distinct_asns(cls, asns: dict[str, int]) -> dict[str, int]:
        seen: dict[int, str] = {}
        for cloud, asn in asns.items():
            if asn in seen:
                raise ValueError(
                    f"ASN {asn} is used by both {seen[asn]} and {cloud}; BGP peers need distinct ASNs"
                )
            seen[asn] = cloud
        return asns

    def asn_of(self, cluster_name: str, cloud: Cloud) -> int:
        """The BGP ASN of a cluster's network: its override, else its cloud's ASN."""
        return self.cluster_asns.get(cluster_name) or self.asns.get(cloud) or DEFAULT_ASNS[cloud]

    def pool_blocks(self) -> list[ipaddress.IPv4Network]:
        """The pool as /28 link blocks, in order (empty when the pool is smaller than a /28)."""
        if self.inside_cidr_pool.prefixlen > LINK_BLOCK_PREFIX:
            return []
        return list(self.inside_cidr_pool.subnets(new_prefix=LINK_BLOCK_PREFIX))

    def link_block(self, index: int) -> ipaddress.IPv4Network:
        """The /28 of link number `index`: its explicit `insideCidr`, else block `index` of the pool.
        Raises IndexError when the pool has no such block (config validation reports it first)."""
        link = self.links[index]
        if link.inside_cidr is not None:
            return link.inside_cidr
        return self.pool_blocks()[index]


# --------------------------------------------------------------------------- cloudflare

Steering = Literal["off", "geo", "proximity", "random", "dynamic_latency", "least_outstanding_requests"]
# Cloudflare load-balancing region codes.
CF_REGIONS = ("WNAM", "ENAM", "WEU", "EEU", "NSAM", "SSAM", "OC", "ME", "NAF", "SAF", "SAS", "SEAS", "NEAS")
CheckRegion = Literal[
    "WNAM",
    "ENAM",
    "WEU",
    "EEU",
    "NSAM",
    "SSAM",
    "OC",
    "ME",
    "NAF",
    "SAF",
    "IN",
    "SEAS",
    "NEAS",
    "ALL_REGIONS",
]


class HealthMonitor(ConfigModel):
    path: str = Field(default="/readyz", pattern=r"^/")
    expected_codes: str = Field(default="200", pattern=r"^([1-5][0-9x]{2})$")
    interval_seconds: int = Field(default=60, ge=10, le=3600)
    timeout_seconds: int = Field(default=5, ge=1, le=10)
    retries: int = Field(default=2, ge=0, le=5)
    check_regions: list[CheckRegion] = Field(default_factory=lambda: ["WNAM", "ENAM", "WEU", "EEU", "SEAS"])
    port: int = Field(default=443, ge=1, le=65535)
    # Host header the probe sends (the ingress routes by host); None: the first hostname.
    host_header: str | None = None
    expected_body: str | None = None


class Hostname(ConfigModel):
    name: str = Field(pattern=r"^([a-z0-9]([a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,}$")  # FQDN inside the zone
    # A hostname bound to a jurisdiction may only send users to pools in it (fallback included).
    jurisdiction: str | None = None
    pools: list[Name] = Field(
        min_length=1
    )  # cluster names whose ingress becomes a pool; first is the default
    # Pools for users no steering rule matches, in failover order; None: `pools`.
    default_pools: list[Name] | None = None
    fallback: Name | None = None  # cluster name; None: the first pool
    steering: Steering = "proximity"
    session_affinity: Literal["none", "cookie", "ip_cookie", "header"] = "cookie"
    session_affinity_ttl_seconds: int = Field(default=1800, ge=1800, le=604800)
    # header affinity: the request headers that identify a session.
    session_affinity_headers: list[str] = Field(default_factory=list)
    # Zero-downtime failover to another pool when a pool has no healthy origin.
    adaptive_routing: bool = True
    # geo steering: Cloudflare region code ("WEU", "ENAM", ...) -> cluster names
    region_pools: dict[str, list[Name]] = Field(default_factory=dict)
    # geo steering: ISO country code -> cluster names
    country_pools: dict[str, list[Name]] = Field(default_factory=dict)
    # Cloudflare PoP (3-letter IATA code, e.g. "FRA") -> cluster names
    pop_pools: dict[str, list[Name]] = Field(default_factory=dict)
    # random steering: cluster name -> weight (others: 1.0)
    weights: dict[Name, Annotated[float, Field(ge=0, le=1)]] = Field(default_factory=dict)
    proxied: bool = True

    @property
    def effective_default_pools(self) -> list[str]:
        return list(self.default_pools) if self.default_pools is not None else list(self.pools)

    @property
    def effective_fallback(self) -> str:
        return self.fallback or self.effective_default_pools[0]

    def reachable_pools(self) -> list[tuple[str, str]]:
        """Every (config key, cluster name) a user of this hostname can be sent to."""
        out = [("pools", p) for p in self.pools]
        out += [("defaultPools", p) for p in self.default_pools or []]
        out.append(("fallback", self.effective_fallback))
        for code, pools in self.region_pools.items():
            out += [(f"regionPools.{code}", p) for p in pools]
        for cc, pools in self.country_pools.items():
            out += [(f"countryPools.{cc}", p) for p in pools]
        for pop, pools in self.pop_pools.items():
            out += [(f"popPools.{pop}", p) for p in pools]
        out += [(f"weights.{p}", p) for p in self.weights]
        return out


class Cloudflare(ConfigModel):
    account_id: str = Field(
        pattern=r"^[0-9a-f]{32}$"
    )  # ids are not secrets; the API token is (cloudflare:apiToken)
    zone_id: str = Field(pattern=r"^[0-9a-f]{32}$")
    monitor: HealthMonitor = Field(default_factory=HealthMonitor)
    hostnames: list[Hostname] = Field(default_factory=list)
    # When set, an unproxied A record <cluster>.<originDomain> per cluster ingress (for TLS and debugging).
    origin_domain: str | None = None
    # Zone-level Authenticated Origin Pulls with our own client certificate: the routers' public HTTPS
    # port then refuses any client but Cloudflare (infra/cloudflare/origin_tls.py; off until verified
    # that the load-balancing monitors present it).
    authenticated_origin_pulls: bool = False
    # Customer Metadata Boundary: the region Cloudflare keeps the account's logs and analytics in
    # (account-wide; infra/cloudflare/metadata_boundary.py). None: not managed by Meridian.
    metadata_boundary: Literal["eu", "us"] | None = None
    # With a boundary: may the logs be read from outside its region (Cloudflare's default: no)?
    metadata_out_of_region_access: bool = False


# --------------------------------------------------------------------------- vault


class Vault(ConfigModel):
    cluster: Name  # the cluster Vault runs on
    replicas: Literal[3, 5] = 3
    # hashicorp/vault-helm; tested with Vault 2.0.4 (its appVersion)
    # renovate: datasource=helm depName=vault registryUrl=https://helm.releases.hashicorp.com
    chart_version: str = "0.34.1"
    # renovate: datasource=docker depName=hashicorp/vault
    image_tag: str = "2.0.4"
    pki_common_name: str = "meridian.internal"
    # database secrets engine connections: name -> connection URL template (no credentials)
    databases: dict[str, str] = Field(default_factory=dict)
    dynamic_credentials: list[Cloud] = Field(default_factory=lambda: list(CLOUDS))
    # API hostname (in the TLS certificate; DNS points it at the internal load balancer);
    # None: vault.<cluster>.<pkiCommonName>.
    hostname: str | None = Field(default=None, pattern=r"^([a-z0-9]([a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,}$")
    data_storage_gb: int = Field(default=10, ge=1, le=1000)
    audit_storage_gb: int = Field(default=10, ge=1, le=1000)
    # Region of the AWS secrets engine's STS/IAM calls.
    aws_region: str = "us-east-1"
    # The router's identity in Vault (Kubernetes auth role `router`) is the router section's
    # namespace + ServiceAccount `router`: infra.router_contract.vault, no second copy here.


# --------------------------------------------------------------------------- router


ModelServerProvider = Literal["vllm", "ollama", "openai"]
Sha256 = Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]


class ModelServer(ConfigModel):
    """An in-cluster, OpenAI-compatible model server (a Kubernetes Service) the router uses as a local
    backend: http://<service>.<namespace>.svc.cluster.local:<port>/v1."""

    name: str = Field(pattern=r"^[a-z0-9-]{1,40}$")  # backend name suffix
    service: str = Field(pattern=r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?$")
    namespace: str = Field(default="models", pattern=r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?$")
    port: int = Field(default=8000, ge=1, le=65535)
    provider: ModelServerProvider = "vllm"
    models: list[str] = Field(min_length=1)
    # Clusters that run it (cluster names); empty: every cluster.
    clusters: list[Name] = Field(default_factory=list)


class RouterRateLimits(ConfigModel):
    """Requests per minute, tokens per minute, requests in flight (the router's rate_limits)."""

    rpm: int | None = Field(default=None, ge=1)
    tpm: int | None = Field(default=None, ge=1)
    concurrent: int | None = Field(default=None, ge=1)


class RouterTenant(ConfigModel):
    """A tenant: the jurisdictions its requests may be served in, its budgets, models and rate limits."""

    jurisdictions: list[str] = Field(min_length=1)
    daily_budget_usd: float | None = Field(default=None, ge=0)
    monthly_budget_usd: float | None = Field(default=None, ge=0)
    models: list[str] | None = None
    rate_limits: RouterRateLimits | None = None


class RouterApiKey(ConfigModel):
    sha256: Sha256  # hex SHA-256 of the key; the key itself is never in config
    tenant: str
    scopes: list[str] = Field(default_factory=lambda: ["inference"])
    rate_limits: RouterRateLimits | None = None


class RouterGroupMember(ConfigModel):
    model: str = Field(min_length=1)
    weight: float = Field(default=1.0, gt=0)


class RouterModelGroup(ConfigModel):
    """A public model name for several models (members by weight, then fallbacks in order)."""

    members: list[RouterGroupMember] = Field(min_length=1)
    fallbacks: list[str] = Field(default_factory=list)

    @model_validator(mode="before")
    @classmethod
    def _names(cls, data: Any) -> Any:  # `members: [a, {model: b, weight: 2}]`
        if isinstance(data, dict) and isinstance(data.get("members"), list):
            data = {**data, "members": [{"model": m} if isinstance(m, str) else m for m in data["members"]]}
        return data


class CloudModels(ConfigModel):
    """Model names offered by each cloud AI service (cloud-tier backends)."""

    bedrock: list[str] = Field(default_factory=lambda: ["anthropic.claude-3-5-sonnet-20240620-v1:0"])
    vertex: list[str] = Field(default_factory=lambda: ["gemini-1.5-pro", "gemini-1.5-flash"])
    azure_openai: list[str] = Field(default_factory=lambda: ["gpt-4o", "gpt-4o-mini"])


class Router(ConfigModel):
    image: str  # must be pinned by digest: repo@sha256:...
    replicas: int = Field(default=2, ge=1, le=100)
    max_replicas: int = Field(default=10, ge=1, le=500)
    redis: Literal["managed", "in-cluster"] = "in-cluster"
    daily_budget_usd: float = Field(default=500.0, ge=0)
    monthly_budget_usd: float = Field(default=10000.0, ge=0)
    airgap: bool = False
    namespace: str = Field(default="meridian-router", pattern=r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?$")
    port: int = Field(default=8080, ge=1024, le=65535)
    # Ingress: "loadbalancer" = a LoadBalancer Service on the cluster's reserved static address;
    # "gateway" = Gateway API (Gateway + HTTPRoute) with the cloud's gateway class (gatewayClasses).
    ingress: Literal["loadbalancer", "gateway"] = "loadbalancer"
    gateway_classes: dict[Cloud, str] = Field(
        default_factory=lambda: {
            "gcp": "gke-l7-regional-external-managed",
            "azure": "azure-alb-external",
            "aws": "aws-alb",
        }
    )
    # TLS certificate Secret the Gateway's HTTPS listener serves (gateway ingress only).
    tls_secret: str = "router-origin-tls"
    # Peers are reached at http://router.<cluster>.<internalDomain>:<port> (the internal LB of each
    # cluster's router; a private DNS record per cluster points at it).
    internal_domain: str = "router.meridian.internal"
    # Extra jurisdictions a cluster's router may serve besides its own (cluster name -> ids).
    jurisdictions: dict[Name, list[str]] = Field(default_factory=dict)
    model_servers: list[ModelServer] = Field(default_factory=list)
    cloud_models: CloudModels = Field(default_factory=CloudModels)
    # Azure OpenAI resource per Azure region (region -> resource name); default meridian-<env>-<region>.
    azure_openai_resources: dict[str, str] = Field(default_factory=dict)
    tenants: dict[str, RouterTenant] = Field(default_factory=dict)
    api_keys: list[RouterApiKey] = Field(default_factory=list)
    key_rate_limits: RouterRateLimits | None = None  # every API key without its own
    model_groups: dict[str, RouterModelGroup] = Field(default_factory=dict)
    # Vault: role, auth path, secret paths and (with a `vault` section) the address all come from
    # infra.router_contract.vault. vaultAddress only for a Vault outside the stack (no `vault` section).
    vault_address: str | None = Field(default=None, pattern=r"^https://[^\s/]+(:[0-9]+)?$")
    # renovate: image
    redis_image: str = "docker.io/library/redis:7.2.5-alpine"
    # The in-cluster Redis' Prometheus exporter (sidecar)
    # renovate: image
    redis_exporter_image: str = "docker.io/oliver006/redis_exporter:v1.62.0"
    cpu_request: str = "250m"
    memory_request: str = "256Mi"
    cpu_limit: str = "1"
    memory_limit: str = "512Mi"

    @field_validator("image")
    @classmethod
    def _pinned(cls, image: str) -> str:
        if not re.fullmatch(r"[a-z0-9./:_-]+@sha256:[0-9a-f]{64}", image):
            raise ValueError(f"router image {image!r} must be pinned by digest (name@sha256:<64 hex>)")
        return image


# --------------------------------------------------------------------------- observability


class AlertThresholds(ConfigModel):
    """Thresholds of the router alerts (infra/observability/alerts.py; runbook in README.md)."""

    budget_warn_ratio: float = Field(default=0.8, gt=0, lt=1)  # budget use that warns (1.0 pages)
    spend_spike_factor: float = Field(default=3.0, gt=1)  # last hour's spend rate over the 7-day average
    spend_spike_min_usd_per_hour: float = Field(default=1.0, ge=0)  # below this a spike is noise
    backend_down_minutes: int = Field(default=5, ge=1)  # breaker open or health checks failing this long
    failover_ratio: float = Field(default=0.1, gt=0, le=1)  # failovers per request, over 10 minutes
    error_ratio: float = Field(default=0.05, gt=0, le=1)  # 5xx answers per request, over 10 minutes
    added_latency_p99_ms: float = Field(default=50.0, gt=0)  # router-added p99 for non-streamed answers
    redis_down_minutes: int = Field(default=2, ge=1)
    no_backend_minutes: int = Field(default=1, ge=1)  # no routable backend (/readyz failing)


class Observability(ConfigModel):
    # operator: the Prometheus Operator's CRDs on every router cluster (PodMonitor, PrometheusRule): the
    # operator (e.g. kube-prometheus-stack) must run there. managed: the cloud's managed Prometheus
    # (a workspace in the cluster's region, the alerts as its rule group, its collector scraping the
    # router). none: nothing is created (the router still serves /metrics).
    collection: Literal["operator", "managed", "none"] = "none"
    # The namespace the cluster's Prometheus runs in (its pods labelled app.kubernetes.io/name=prometheus
    # may scrape the router; the NetworkPolicy lets them).
    namespace: str = Field(default="monitoring", pattern=r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?$")
    alerts: AlertThresholds = Field(default_factory=AlertThresholds)
    # A ConfigMap with the router dashboard, labelled for the Grafana sidecar (grafana_dashboard: "1").
    dashboard_config_map: bool = True
    # Labels added to the PodMonitor, PrometheusRule and dashboard ConfigMap, for a Prometheus whose
    # selectors need them (kube-prometheus-stack: {release: <its release name>}).
    selector_labels: dict[str, str] = Field(default_factory=dict)

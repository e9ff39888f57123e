"""The typed sections of a Meridian stack config (key `meridian:platform` in Pulumi.<stack>.yaml).

Field names are snake_case here and camelCase in YAML (`dataLakes`, `warmAfterDays`)."""

from __future__ import annotations

import ipaddress
import re
from typing import Annotated, Literal

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
            if not re.fullmatch(r"[A-Za-z0-9./-]+=[A-Za-z0-9._-]*:(NoSchedule|PreferNoSchedule|NoExecute)", t):
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

LinkMode = Literal["public", "vpn", "dedicated"]


class Link(ConfigModel):
    """A private link between two clusters' networks (clusters named by `clusters[].name`)."""

    a: Name
    b: Name
    mode: LinkMode = "vpn"
    # dedicated links: the partner that provides the circuit (e.g. "megaport") and bandwidth.
    partner: str | None = None
    bandwidth_mbps: int = Field(default=1000, ge=50, le=100000)


class Interconnect(ConfigModel):
    asns: dict[Cloud, Annotated[int, Field(ge=64512, le=65534)]] = Field(
        default_factory=lambda: {"aws": 64512, "gcp": 64513, "azure": 65515}
    )
    # /30s inside 169.254.0.0/16 are carved from this pool for tunnel inside addresses.
    inside_cidr_pool: Cidr = ipaddress.IPv4Network("169.254.100.0/22")
    links: list[Link] = Field(default_factory=list)

    @field_validator("asns")
    @classmethod
    def _distinct_asns(cls, asns: dict[str, int]) -> dict[str, int]:
        seen: dict[int, str] = {}
        for cloud, asn in asns.items():
            if asn in seen:
                raise ValueError(f"ASN {asn} is used by both {seen[asn]} and {cloud}; BGP peers need distinct ASNs")
            seen[asn] = cloud
        return asns


# --------------------------------------------------------------------------- cloudflare

Steering = Literal["off", "geo", "proximity", "random", "dynamic_latency", "least_outstanding_requests"]


class HealthMonitor(ConfigModel):
    path: str = "/readyz"
    expected_codes: str = "200"
    interval_seconds: int = Field(default=60, ge=10, le=3600)
    timeout_seconds: int = Field(default=5, ge=1, le=10)
    retries: int = Field(default=2, ge=0, le=5)
    check_regions: list[str] = Field(default_factory=lambda: ["WNAM", "ENAM", "WEU", "EEU", "SEAS"])


class Hostname(ConfigModel):
    name: str  # FQDN inside the zone, e.g. "api.example.com"
    # A hostname bound to a jurisdiction may only send users to pools in it (fallback included).
    jurisdiction: str | None = None
    pools: list[Name]  # cluster names whose ingress becomes a pool; first is the default
    fallback: Name | None = None  # cluster name; None: the first pool
    steering: Steering = "proximity"
    session_affinity: Literal["none", "cookie", "ip_cookie", "header"] = "cookie"
    # geo steering: Cloudflare region code ("WEU", "ENAM", ...) -> cluster names
    region_pools: dict[str, list[Name]] = Field(default_factory=dict)
    # geo steering: ISO country code -> cluster names
    country_pools: dict[str, list[Name]] = Field(default_factory=dict)


class Cloudflare(ConfigModel):
    account_id: str  # may be a Pulumi config secret elsewhere; ids are not secrets
    zone_id: str
    monitor: HealthMonitor = Field(default_factory=HealthMonitor)
    hostnames: list[Hostname] = Field(default_factory=list)


# --------------------------------------------------------------------------- vault


class Vault(ConfigModel):
    cluster: Name  # the cluster Vault runs on
    replicas: Literal[3, 5] = 3
    chart_version: str = "0.28.1"
    image_tag: str = "1.17.2"
    pki_common_name: str = "meridian.internal"
    # database secrets engine connections: name -> connection URL template (no credentials)
    databases: dict[str, str] = Field(default_factory=dict)
    dynamic_credentials: list[Cloud] = Field(default_factory=lambda: list(CLOUDS))


# --------------------------------------------------------------------------- router


class Router(ConfigModel):
    image: str  # must be pinned by digest: repo@sha256:...
    replicas: int = Field(default=2, ge=1, le=100)
    max_replicas: int = Field(default=10, ge=1, le=500)
    redis: Literal["managed", "in-cluster"] = "in-cluster"
    daily_budget_usd: float = Field(default=500.0, ge=0)
    monthly_budget_usd: float = Field(default=10000.0, ge=0)
    airgap: bool = False

    @field_validator("image")
    @classmethod
    def _pinned(cls, image: str) -> str:
        if not re.fullmatch(r"[a-z0-9./:_-]+@sha256:[0-9a-f]{64}", image):
            raise ValueError(f"router image {image!r} must be pinned by digest (name@sha256:<64 hex>)")
        return image

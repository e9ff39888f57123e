"""The whole stack config and the checks that span sections (regions, jurisdictions, CIDR overlaps,
PII replication). Everything here runs before any resource is registered."""

from __future__ import annotations

import ipaddress
import itertools
from typing import Any

from pydantic import Field, ValidationError

from meridian.config.base import ConfigError, ConfigModel
from meridian.config.checks_aws import check_aws
from meridian.config.checks_azure import check_azure
from meridian.config.checks_cloudflare import check_cloudflare
from meridian.config.checks_gcp import check_gcp
from meridian.config.checks_interconnect import check_interconnect
from meridian.config.checks_router import check_router
from meridian.config.checks_vault import check_vault
from meridian.config.problems import FULL_KEY, check_jurisdiction, check_region
from meridian.config.sections import (
    Cloudflare,
    Cluster,
    DataLake,
    Environment,
    Interconnect,
    Observability,
    Router,
    Vault,
)


class StackConfig(ConfigModel):
    environment: Environment
    # GCP project every GCP resource lives in (required when any cluster or lake is on GCP).
    gcp_project: str | None = Field(default=None, pattern=r"^[a-z][a-z0-9-]{4,28}[a-z0-9]$")
    kubernetes_version: str = Field(pattern=r"^1\.\d{2}$")
    clusters: list[Cluster] = Field(min_length=1)
    data_lakes: list[DataLake] = Field(default_factory=list)
    interconnect: Interconnect | None = None
    cloudflare: Cloudflare | None = None
    vault: Vault | None = None
    router: Router | None = None
    observability: Observability = Field(default_factory=Observability)

    @property
    def protect_data(self) -> bool:
        """Prod data stores and keys are protected and retained on delete."""
        return self.environment == "prod"

    def cluster(self, name: str) -> Cluster:
        for c in self.clusters:
            if c.name == name:
                return c
        raise KeyError(name)

    def private_peers(self, name: str) -> list[Cluster]:
        """Clusters privately linked to cluster `name` (`interconnect.links` in mode vpn, dedicated or peering),
        in link order. No interconnect section: none."""
        if self.interconnect is None:
            return []
        names: list[str] = []
        for link in self.interconnect.links:
            if link.mode == "public" or name not in (link.a, link.b):
                continue
            other = link.b if link.a == name else link.a
            if other not in names and other != name:
                names.append(other)
        return [self.cluster(n) for n in names]

    def clouds(self) -> set[str]:
        return {c.cloud for c in self.clusters} | {lake.cloud for lake in self.data_lakes}


def _loc(parts: tuple[Any, ...]) -> str:
    out = FULL_KEY
    for p in parts:
        out += f"[{p}]" if isinstance(p, int) else f".{p}"
    return out


def _cross_checks(cfg: StackConfig) -> list[str]:
    problems: list[str] = []
    names = [c.name for c in cfg.clusters]
    for i, c in enumerate(cfg.clusters):
        base = _loc(("clusters", i))
        if names.count(c.name) > 1:
            problems.append(f"{base}.name: cluster name {c.name!r} is used more than once")
        reg = check_region(problems, f"{base}.region", c.cloud, c.region)
        if check_jurisdiction(problems, f"{base}.jurisdiction", c.jurisdiction) and reg:
            if not reg.within(c.jurisdiction):
                problems.append(
                    f"{base}.region: {c.cloud} region {c.region!r} ({reg.country}) is not in jurisdiction "
                    f"{c.jurisdiction!r}"
                )

    # Address plan: no two ranges anywhere in the stack may overlap (the mesh routes between them).
    ranges: list[tuple[str, ipaddress.IPv4Network]] = []
    for i, c in enumerate(cfg.clusters):
        for key in ("cidr", "pod_cidr", "service_cidr"):
            alias = {"cidr": "cidr", "pod_cidr": "podCidr", "service_cidr": "serviceCidr"}[key]
            ranges.append((f"{_loc(('clusters', i, 'network', alias))} ({c.name})", getattr(c.network, key)))
    for (pa, na), (pb, nb) in itertools.combinations(ranges, 2):
        if na.overlaps(nb):
            problems.append(f"address ranges overlap: {pa} = {na} and {pb} = {nb}")

    lake_names = [lake.name for lake in cfg.data_lakes]
    for i, lake in enumerate(cfg.data_lakes):
        base = _loc(("dataLakes", i))
        if lake_names.count(lake.name) > 1:
            problems.append(f"{base}.name: data lake name {lake.name!r} is used more than once")
        reg = check_region(problems, f"{base}.region", lake.cloud, lake.region)
        j_ok = check_jurisdiction(problems, f"{base}.jurisdiction", lake.jurisdiction)
        if reg and j_ok and not reg.within(lake.jurisdiction):
            problems.append(
                f"{base}.region: lake {lake.name!r} is bound to jurisdiction {lake.jurisdiction!r} but "
                f"{lake.cloud} region {lake.region!r} is in {reg.country} ({', '.join(sorted(reg.jurisdictions)) or 'no jurisdiction'})"
            )
        for k, rep in enumerate(lake.replication):
            rpath = f"{base}.replication[{k}].region"
            rreg = check_region(problems, rpath, lake.cloud, rep.region)
            if rreg is None or not j_ok:
                continue
            if rep.region == lake.region:
                problems.append(f"{rpath}: replica region {rep.region!r} is the lake's own region")
            if lake.data_class in ("pii", "restricted") and not rreg.within(lake.jurisdiction):
                problems.append(
                    f"{rpath}: lake {lake.name!r} holds {lake.data_class} data bound to {lake.jurisdiction!r}; "
                    f"replica region {rep.region!r} is in {rreg.country} "
                    f"({', '.join(sorted(rreg.jurisdictions)) or 'no jurisdiction'}): "
                    f"{lake.data_class} never replicates out of its jurisdiction"
                )

    if "gcp" in cfg.clouds() and not cfg.gcp_project:
        problems.append(f"{FULL_KEY}.gcpProject: required because the stack has GCP clusters or lakes")
    if cfg.vault and cfg.vault.cluster not in names:
        problems.append(f"{_loc(('vault', 'cluster'))}: {cfg.vault.cluster!r} is not a cluster name")
    problems += check_interconnect(cfg)
    problems += check_cloudflare(cfg)
    problems += check_aws(cfg)
    problems += check_azure(cfg)
    problems += check_vault(cfg)
    problems += check_gcp(cfg)
    problems += check_router(cfg)
    return problems


def parse_stack_config(raw: Any, source: str) -> StackConfig:
    """Validate the raw value of `meridian:platform`. Raises ConfigError naming key and value."""
    if raw is None:
        raise ConfigError([f"{FULL_KEY}: missing (the whole platform config lives under this key)"], source)
    try:
        cfg = StackConfig.model_validate(raw)
    except ValidationError as e:
        problems = []
        for err in e.errors():
            value = err.get("input")
            shown = repr(value) if not isinstance(value, dict | list) else type(value).__name__
            problems.append(f"{_loc(tuple(err['loc']))}: {err['msg']} (got {shown})")
        raise ConfigError(problems, source) from None
    problems = _cross_checks(cfg)
    if problems:
        raise ConfigError(problems, source)
    return cfg

"""THE convention by which Cloudflare objects state what they are for residency checks.

A load-balancer pool states the cloud, region and cluster its origins are in; a load balancer states
the hostname it serves and the jurisdiction it is bound to. Both live in the object's `description`,
strict and machine readable:

    meridian:cloud=gcp;region=europe-west1;cluster=gcp-euw1                (pool)
    meridian:hostname=eu.api.example.com;jurisdiction=eu                   (load balancer, bound)
    meridian:hostname=api.example.com;jurisdiction=none                    (load balancer, not bound)

The infra program writes them with `format()`; the policy pack and the audit read them with `parse()`.
Anything else (missing keys, extra keys, other order, odd characters) is a MetaError: residency
fails closed on a description it cannot read. Stdlib only."""

from __future__ import annotations

import re
from dataclasses import dataclass

PREFIX = "meridian:"
UNBOUND = "none"
_VALUE = re.compile(r"^[a-z0-9][a-z0-9.-]*$")
_POOL_KEYS = ("cloud", "region", "cluster")
_LB_KEYS = ("hostname", "jurisdiction")
_CLOUDS = ("aws", "gcp", "azure")


class MetaError(ValueError):
    """A description that is not a well-formed Meridian pool or load-balancer description."""


@dataclass(frozen=True, slots=True)
class PoolMeta:
    cloud: str
    region: str
    cluster: str


@dataclass(frozen=True, slots=True)
class LoadBalancerMeta:
    hostname: str
    jurisdiction: str | None  # None: not residency-bound (may fail over anywhere)


Meta = PoolMeta | LoadBalancerMeta


def _check(key: str, value: str) -> str:
    if not _VALUE.fullmatch(value):
        raise MetaError(f"{key}={value!r}: values are lowercase letters, digits, '.' and '-'")
    return value


def format(meta: Meta) -> str:
    """The description string for a pool or load balancer."""
    if isinstance(meta, PoolMeta):
        if meta.cloud not in _CLOUDS:
            raise MetaError(f"cloud={meta.cloud!r}: not one of {', '.join(_CLOUDS)}")
        pairs = [("cloud", meta.cloud), ("region", meta.region), ("cluster", meta.cluster)]
    else:
        pairs = [("hostname", meta.hostname), ("jurisdiction", meta.jurisdiction or UNBOUND)]
    return PREFIX + ";".join(f"{k}={_check(k, v)}" for k, v in pairs)


def parse(description: str | None) -> Meta:
    """Read a description written by format(). Raises MetaError on anything else."""
    if not description or not description.startswith(PREFIX):
        raise MetaError(f"{description!r} is not a Meridian description (expected {PREFIX}key=value;...)")
    pairs: list[tuple[str, str]] = []
    for part in description[len(PREFIX):].split(";"):
        key, sep, value = part.partition("=")
        if not sep:
            raise MetaError(f"{description!r}: {part!r} is not key=value")
        pairs.append((key, _check(key, value)))
    keys = tuple(k for k, _ in pairs)
    values = dict(pairs)
    if keys == _POOL_KEYS:
        if values["cloud"] not in _CLOUDS:
            raise MetaError(f"{description!r}: cloud {values['cloud']!r} is not one of {', '.join(_CLOUDS)}")
        return PoolMeta(values["cloud"], values["region"], values["cluster"])
    if keys == _LB_KEYS:
        j = values["jurisdiction"]
        return LoadBalancerMeta(values["hostname"], None if j == UNBOUND else j)
    raise MetaError(
        f"{description!r}: keys {', '.join(keys)} match neither a pool ({', '.join(_POOL_KEYS)}) "
        f"nor a load balancer ({', '.join(_LB_KEYS)})"
    )


def parse_pool(description: str | None) -> PoolMeta:
    meta = parse(description)
    if not isinstance(meta, PoolMeta):
        raise MetaError(f"{description!r} describes a load balancer, not a pool")
    return meta


def parse_load_balancer(description: str | None) -> LoadBalancerMeta:
    meta = parse(description)
    if not isinstance(meta, LoadBalancerMeta):
        raise MetaError(f"{description!r} describes a pool, not a load balancer")
    return meta


__all__ = [
    "LoadBalancerMeta",
    "Meta",
    "MetaError",
    "PoolMeta",
    "format",
    "parse",
    "parse_load_balancer",
    "parse_pool",
]

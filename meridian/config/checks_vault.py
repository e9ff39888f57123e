"""Cross-section checks of the `vault` section."""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urlparse

from meridian import catalog
from meridian.config.problems import FULL_KEY

if TYPE_CHECKING:
    from meridian.config.stack import StackConfig

BASE = f"{FULL_KEY}.vault"
DB_SCHEMES = ("postgresql", "postgres", "mysql")


def check_vault(cfg: StackConfig) -> list[str]:
    v = cfg.vault
    if v is None:
        return []
    problems: list[str] = []
    if len(set(v.dynamic_credentials)) != len(v.dynamic_credentials):
        problems.append(f"{BASE}.dynamicCredentials: each cloud at most once, got {v.dynamic_credentials}")
    try:
        catalog.region("aws", v.aws_region)
    except catalog.UnknownRegionError as e:
        problems.append(f"{BASE}.awsRegion: {e}")
    for name, url in v.databases.items():
        parsed = urlparse(url)
        if parsed.scheme not in DB_SCHEMES:
            problems.append(
                f"{BASE}.databases.{name}: scheme {parsed.scheme!r} is not supported (use {', '.join(DB_SCHEMES)})"
            )
        if parsed.password and parsed.password != "{{password}}":
            problems.append(
                f"{BASE}.databases.{name}: the URL carries a password; use the {{{{username}}}}:{{{{password}}}} "
                "template and the config secret meridian:vaultDatabaseCredentials"
            )
    if v.cluster in {c.name for c in cfg.clusters}:
        host = cfg.cluster(v.cluster)
        if v.replicas > 1 and host.network.azs < 2:
            problems.append(f"{BASE}.replicas: HA Vault needs a cluster spread over at least 2 zones")
    return problems


def vault_jurisdiction_warnings(cfg: StackConfig) -> list[str]:
    """Vault keeps the secrets of every cluster (KV, database credentials, the router's upstream keys)
    in its raft storage on its own cluster: a cluster in another jurisdiction has its secrets stored
    outside it. Not an error - secrets are not the data the residency rules bind - but the plan says so."""
    v = cfg.vault
    if v is None:
        return []
    home = next((c for c in cfg.clusters if c.name == v.cluster), None)
    if home is None:
        return []
    return [f"Vault on {home.name} (jurisdiction {home.jurisdiction}) holds the secrets of cluster {c.name} "
            f"(jurisdiction {c.jurisdiction}): they are stored outside {c.jurisdiction} (README: where Vault keeps "
            "secrets)" for c in cfg.clusters if c.jurisdiction != home.jurisdiction]

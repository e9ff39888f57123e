"""Typed stack config: validated at the edge, passed inward as typed objects."""

from meridian.config.base import ConfigError, ConfigModel
from meridian.config.load import load_from_pulumi, load_stack_file
from meridian.config.problems import CONFIG_KEY, CONFIG_NAMESPACE, FULL_KEY
from meridian.config.sections import (
    ALL_ZONES,
    AlertThresholds,
    Cloudflare,
    Cluster,
    DataClass,
    DataLake,
    Environment,
    HealthMonitor,
    Hostname,
    Interconnect,
    Link,
    Network,
    NodePool,
    NodePools,
    Observability,
    Replica,
    Router,
    Tiers,
    Vault,
)
from meridian.config.stack import StackConfig, parse_stack_config

__all__ = [
    "ALL_ZONES",
    "CONFIG_KEY",
    "CONFIG_NAMESPACE",
    "FULL_KEY",
    "AlertThresholds",
    "Cloudflare",
    "Cluster",
    "ConfigError",
    "ConfigModel",
    "DataClass",
    "DataLake",
    "Environment",
    "HealthMonitor",
    "Hostname",
    "Interconnect",
    "Link",
    "Network",
    "NodePool",
    "NodePools",
    "Observability",
    "Replica",
    "Router",
    "StackConfig",
    "Tiers",
    "Vault",
    "load_from_pulumi",
    "load_stack_file",
    "parse_stack_config",
]

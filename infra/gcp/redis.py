"""Memorystore for the router's shared state on one GKE cluster (`router.redis: managed`): STANDARD_HA
with AUTH and server-authenticated TLS, on the cluster's VPC by direct peering."""

from __future__ import annotations

import pulumi
import pulumi_gcp.redis as gredis
from pulumi import ResourceOptions

from infra.gcp.network import GcpNetwork
from infra.regional import ManagedRedis, data_store_options
from meridian.config import Cluster, StackConfig
from meridian.tags import gcp_labels

TLS_PORT = 6378  # Memorystore's port with transit encryption


def memorystore_redis(
    name: str, *, cluster: Cluster, stack: StackConfig, network: GcpNetwork, tags: dict[str, str],
    parent: pulumi.Resource,
) -> ManagedRedis:
    inst = gredis.Instance(
        f"{name}-redis",
        name=f"router-{cluster.name}"[:40],
        project=stack.gcp_project,
        region=cluster.region,
        tier="STANDARD_HA",
        memory_size_gb=1,
        redis_version="REDIS_7_0",
        authorized_network=network.network_self_link,
        connect_mode="DIRECT_PEERING",  # VPC peering to the cluster's network; no PSA range needed
        auth_enabled=True,
        transit_encryption_mode="SERVER_AUTHENTICATION",
        labels=gcp_labels(tags),
        opts=data_store_options(stack, ResourceOptions(parent=parent, additional_secret_outputs=["authString"])),
    )
    return ManagedRedis(
        host=inst.host.apply(lambda h: h or ""), port=TLS_PORT, password=inst.auth_string.apply(lambda s: s or "")
    )

"""Azure Cache for Redis for the router's shared state on one AKS cluster (`router.redis: managed`):
Standard C1, TLS 1.2 only, no public network access. The router reaches it through a private
endpoint in the cluster's node subnet, and its host name resolves to that address through the
privatelink.redis.cache.windows.net zone linked to the cluster's VNet."""

from __future__ import annotations

import pulumi
import pulumi_azure_native.network as azure_network
import pulumi_azure_native.redis as cache  # azure-native 3: cache -> redis
from pulumi import ResourceOptions

from infra.azure.network import AzureNetwork
from infra.azure.private_dns import azure_linked_zone
from infra.regional import ManagedRedis, data_store_options
from meridian.config import Cluster, StackConfig

TLS_PORT = 6380
PRIVATE_ZONE = "privatelink.redis.cache.windows.net"


def azure_cache_redis(
    name: str, *, cluster: Cluster, stack: StackConfig, resource_group_name: pulumi.Input[str],
    network: AzureNetwork, tags: dict[str, str], parent: pulumi.Resource,
) -> ManagedRedis:
    child = ResourceOptions(parent=parent)
    rg = resource_group_name
    redis = cache.Redis(
        f"{name}-redis",
        name=f"router-{cluster.name}",
        resource_group_name=rg,
        location=cluster.region,
        sku=cache.SkuArgs(name="Standard", family="C", capacity=1),
        enable_non_ssl_port=False,
        minimum_tls_version="1.2",
        redis_version="6",
        public_network_access="Disabled",
        tags=tags,
        opts=data_store_options(stack, child),
    )
    endpoint = azure_network.PrivateEndpoint(
        f"{name}-redis-pe",
        resource_group_name=rg,
        location=cluster.region,
        subnet=azure_network.SubnetArgs(id=network.node_subnet_id),
        private_link_service_connections=[azure_network.PrivateLinkServiceConnectionArgs(
            name=f"{name}-redis", private_link_service_id=redis.id, group_ids=["redisCache"])],
        tags=tags,
        opts=child,
    )
    zone = azure_linked_zone(f"{name}-redis-zone", PRIVATE_ZONE, rg, network.vnet_id, f"{cluster.name}-redis", tags, child)
    azure_network.PrivateDnsZoneGroup(
        f"{name}-redis-dns",
        resource_group_name=rg,
        private_endpoint_name=endpoint.name,
        private_dns_zone_group_name="redis",
        private_dns_zone_configs=[azure_network.PrivateDnsZoneConfigArgs(name="redis", private_dns_zone_id=zone.id)],
        opts=child,
    )
    keys = cache.list_redis_keys_output(name=redis.name, resource_group_name=rg, opts=pulumi.InvokeOptions(parent=parent))
    return ManagedRedis(
        host=redis.host_name.apply(lambda h: h or ""), port=TLS_PORT, password=pulumi.Output.secret(keys.primary_key)
    )

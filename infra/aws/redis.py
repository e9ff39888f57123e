"""ElastiCache for the router's shared state on one EKS cluster (`router.redis: managed`): a 2-node
multi-AZ ReplicationGroup with failover, encrypted at rest and in transit with an auth token, in a
subnet group of the cluster's private subnets, reachable from the VPC's range only."""

from __future__ import annotations

import pulumi
import pulumi_aws.ec2 as ec2
import pulumi_aws.elasticache as elasticache
from pulumi import ResourceOptions

from infra.aws.network import AwsNetwork
from infra.regional import ManagedRedis, data_store_options
from meridian.config import Cluster, StackConfig

PORT = 6379


def elasticache_redis(
    name: str, *, cluster: Cluster, stack: StackConfig, network: AwsNetwork, password: pulumi.Output[str],
    tags: dict[str, str], parent: pulumi.Resource,
) -> ManagedRedis:
    child = ResourceOptions(parent=parent)
    net_tags = {"cluster": cluster.name, "app": "meridian-router"}
    subnets = elasticache.SubnetGroup(
        f"{name}-redis", subnet_ids=network.private_subnet_ids, description=f"router Redis on {cluster.name}",
        tags=net_tags, opts=child,
    )
    sg = ec2.SecurityGroup(
        f"{name}-redis",
        vpc_id=network.vpc_id,
        description=f"router Redis on {cluster.name}: TLS Redis from the cluster's VPC only",
        ingress=[ec2.SecurityGroupIngressArgs(protocol="tcp", from_port=PORT, to_port=PORT,
                                              cidr_blocks=[str(cluster.network.cidr)], description="router pods")],
        tags=net_tags,
        opts=child,
    )
    group = elasticache.ReplicationGroup(
        f"{name}-redis",
        description=f"Meridian router shared state on {cluster.name}",
        engine="redis",
        engine_version="7.1",
        node_type="cache.t4g.small",
        num_cache_clusters=2,
        automatic_failover_enabled=True,
        multi_az_enabled=True,
        at_rest_encryption_enabled=True,
        transit_encryption_enabled=True,
        auth_token=password,
        port=PORT,
        subnet_group_name=subnets.name,
        security_group_ids=[sg.id],
        tags=tags,
        opts=data_store_options(stack, ResourceOptions(parent=parent, additional_secret_outputs=["authToken"])),
    )
    return ManagedRedis(host=group.primary_endpoint_address.apply(lambda h: h or ""), port=PORT, password=password)

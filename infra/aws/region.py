"""One AWS cluster region: VPC, EKS control plane, node pools and add-ons (a RegionalCluster)."""

from __future__ import annotations

from typing import Any

import pulumi
from pulumi import ResourceOptions

from infra.aws.addons import EksAddons
from infra.aws.autoscaler import ClusterAutoscaler
from infra.aws.cluster import EksCluster
from infra.aws.identity import irsa_workload_identity
from infra.aws.ingress import elastic_ips
from infra.aws.interconnect import AwsNetworkHandle
from infra.aws.lb_controller import AwsLoadBalancerController
from infra.aws.network import AwsNetwork
from infra.aws.nodepools import EksNodePools
from infra.aws.observability import AmpCollection
from infra.aws.private_dns import route53_private_zone
from infra.aws.redis import elasticache_redis
from infra.aws.unseal import kms_unseal_key
from infra.gpu_plugin import NvidiaDevicePlugin
from infra.observability.scrape import Target
from infra.outputs import cluster_outputs
from infra.private_dns import PrivateZone
from infra.regional import (
    ManagedRedis,
    ReservedAddress,
    UnsealKey,
    WorkloadGrants,
    WorkloadIdentity,
    cluster_tags,
)
from meridian.config import Cluster, StackConfig


class AwsRegion(pulumi.ComponentResource):
    """Satisfies infra.regional.RegionalCluster. Public attributes:
      config (Cluster); region (str); tags (dict[str, str]);
      network (AwsNetwork: vpc_id, cidr, private_subnet_ids, public_subnet_ids, private_route_table_ids,
        public_route_table_id, availability_zones);
      eks (EksCluster: oidc_provider_arn, oidc_issuer_url, oidc_issuer, certificate_authority,
        cluster_security_group_id, secrets_key);
      node_pools (EksNodePools); addons (EksAddons); autoscaler (ClusterAutoscaler); gpu_plugin (NvidiaDevicePlugin);
      lb_controller (AwsLoadBalancerController: what turns the LoadBalancer Services into NLBs);
      cluster_name, endpoint (Output[str]); kubeconfig (secret Output[str]);
      ca_certificate (Output[str], base64 PEM of the API server CA); k8s_provider (pulumi_kubernetes.Provider)."""

    def __init__(
        self, name: str, *, cluster: Cluster, stack: StackConfig, provider: pulumi.ProviderResource,
        opts: ResourceOptions | None = None,
    ) -> None:
        """`provider`: the cloud provider of the cluster's region; everything here is built with it."""
        super().__init__(
            "meridian:aws:Region", name, None, ResourceOptions.merge(opts, ResourceOptions(provider=provider))
        )
        self.cloud_provider = provider
        self.config = cluster
        self.region = cluster.region
        self.tags = cluster_tags(cluster, stack)
        child = ResourceOptions(parent=self)
        self.network = AwsNetwork(name, cluster=cluster, stack=stack, tags=self.tags, opts=child)
        self.eks = EksCluster(name, cluster=cluster, stack=stack, network=self.network, tags=self.tags, opts=child)
        self.node_pools = EksNodePools(
            name, cluster=cluster, stack=stack, control_plane=self.eks, subnet_ids=self.network.private_subnet_ids,
            tags=self.tags, opts=child,
        )
        self.addons = EksAddons(
            name, cluster=cluster, stack=stack, control_plane=self.eks, node_pools=self.node_pools,
            tags=self.tags, opts=child,
        )
        self.autoscaler = ClusterAutoscaler(
            name, cluster=cluster, control_plane=self.eks, node_pools=self.node_pools, tags=self.tags, opts=child
        )
        self.lb_controller = AwsLoadBalancerController(
            name, cluster=cluster, control_plane=self.eks, node_pools=self.node_pools,
            vpc_id=self.network.vpc_id, tags=self.tags, opts=child,
        )
        self.gpu_plugin = NvidiaDevicePlugin(
            name, k8s_provider=self.eks.k8s_provider,
            opts=ResourceOptions(parent=self, depends_on=list(self.node_pools.node_groups.values())),
        )
        self.cluster_name: pulumi.Output[str] = self.eks.cluster_name
        self.endpoint: pulumi.Output[str] = self.eks.endpoint
        self.kubeconfig: pulumi.Output[str] = self.eks.kubeconfig
        self.k8s_provider = self.eks.k8s_provider
        self.ca_certificate: pulumi.Output[str] = self.eks.certificate_authority
        self.oidc_issuer_url: pulumi.Output[str] = self.eks.oidc_issuer_url
        self.register_outputs(self.stack_outputs())

    def managed_prometheus(
        self, name: str, *, stack: StackConfig, namespace: str, targets: list[Target],
        depends_on: list[pulumi.Resource],
    ) -> pulumi.ComponentResource:
        """Amazon Managed Service for Prometheus for this cluster's router (infra/aws/observability.py)."""
        return AmpCollection(
            name, cluster=self.config, stack=stack, eks_cluster=self.eks, network=self.network, tags=self.tags,
            targets=targets, depends_on=depends_on, opts=ResourceOptions(parent=self),
        )

    def network_handle(self) -> AwsNetworkHandle:
        return AwsNetworkHandle(vpc_id=self.network.vpc_id, route_table_ids=list(self.network.private_route_table_ids))

    def private_zone(self, name: str, *, domain: str, tags: dict[str, str], parent: pulumi.Resource) -> PrivateZone:
        """A Route 53 private hosted zone on the VPC (infra/aws/private_dns.py)."""
        return route53_private_zone(
            name, cluster=self.config, domain=domain, vpc_id=self.network.vpc_id, tags=tags, parent=parent
        )

    def reserve_ingress_address(self, name: str, *, stack: StackConfig, parent: pulumi.Resource) -> ReservedAddress:
        """The ingress address (infra/aws/ingress.py)."""
        return elastic_ips(name, cluster=self.config, parent=parent)

    def managed_redis(
        self, name: str, *, stack: StackConfig, password: pulumi.Output[str], tags: dict[str, str],
        parent: pulumi.Resource,
    ) -> ManagedRedis:
        """ElastiCache for the router on this cluster (infra/aws/redis.py)."""
        return elasticache_redis(name, cluster=self.config, stack=stack, network=self.network, password=password,
                                 tags=tags, parent=parent)

    def workload_identity(
        self, name: str, *, stack: StackConfig, workload: str, namespace: str, service_account: str,
        grants: WorkloadGrants, tags: dict[str, str], parent: pulumi.Resource,
    ) -> WorkloadIdentity:
        """IRSA on this cluster's OIDC provider (infra/aws/identity.py)."""
        return irsa_workload_identity(
            name, oidc_provider_arn=self.eks.oidc_provider_arn, oidc_issuer_url=self.eks.oidc_issuer_url,
            region=self.config.region, namespace=namespace, service_account=service_account, grants=grants,
            tags=tags, parent=parent,
        )

    def unseal_key(
        self, name: str, *, stack: StackConfig, namespace: str, service_account: str, tags: dict[str, str],
        parent: pulumi.Resource, provider: pulumi.ProviderResource,
    ) -> UnsealKey:
        """A KMS key and an IRSA role for Vault (infra/aws/unseal.py)."""
        return kms_unseal_key(
            name, cluster=self.config, stack=stack, oidc_provider_arn=self.eks.oidc_provider_arn,
            oidc_issuer_url=self.eks.oidc_issuer_url, namespace=namespace, service_account=service_account,
            tags=tags, parent=parent, provider=provider,
        )

    def stack_outputs(self) -> dict[str, Any]:
        pools = {kind: g.node_group_name for kind, g in self.node_pools.node_groups.items()}
        return {
            **cluster_outputs(
                self.config, cluster_name=self.cluster_name, endpoint=self.endpoint, kubeconfig=self.kubeconfig,
                kubernetes_version=self.eks.version, oidc_issuer_url=self.eks.oidc_issuer_url,
                secrets_key_id=self.eks.secrets_key.arn, network_id=self.network.vpc_id, node_pools=pools,
            ),
            "oidcProviderArn": self.eks.oidc_provider_arn,
            "privateSubnetIds": self.network.private_subnet_ids,
            "privateRouteTableIds": self.network.private_route_table_ids,
            # the keys these had before the uniform ones (infra/outputs.py)
            "secretsKeyArn": self.eks.secrets_key.arn,
            "vpcId": self.network.vpc_id,
            "vpcCidr": self.network.cidr,
            "nodeGroups": pools,
        }

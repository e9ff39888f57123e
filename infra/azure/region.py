"""One Azure cluster region: resource group, VNet, AKS control plane and node pools (a RegionalCluster)."""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi_azure_native.resources as resources
from pulumi import ResourceOptions

from infra.azure.cluster import AksCluster
from infra.azure.identity import aks_workload_identity, client_config
from infra.azure.ingress import static_public_ip
from infra.azure.interconnect import AzureNetworkHandle
from infra.azure.names import GlobalNames
from infra.azure.network import AzureNetwork
from infra.azure.nodepools import AksNodePools
from infra.azure.observability import AzureMonitorCollection
from infra.azure.private_dns import azure_private_zone
from infra.azure.redis import azure_cache_redis
from infra.azure.unseal import key_vault_unseal_key
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
    data_store_options,
)
from meridian.config import Cluster, StackConfig


class AzureRegion(pulumi.ComponentResource):
    """Satisfies infra.regional.RegionalCluster. Public attributes:
      config (Cluster); region (str); tags (dict[str, str]);
      resource_group_name (Output[str]);
      network (AzureNetwork: resource_group_name, vnet_id, vnet_name, cidr, node_subnet_id,
        gateway_subnet_id, nsg_id, nat_gateway_id, egress_ip);
      resource_group_name, vnet_name, vnet_id, gateway_subnet_id (Output[str]), cidr (str): shortcuts
        for the interconnect (infra.interconnect.gateways.AzureNetwork);
      aks (AksCluster: oidc_issuer_url, identity_*, kubelet_object_id, secrets_key, fqdn, private);
      node_pools (AksNodePools); gpu_plugin (NvidiaDevicePlugin);
      cluster_name, endpoint (Output[str]); kubeconfig (secret Output[str]);
      k8s_provider (pulumi_kubernetes.Provider); oidc_issuer_url, ca_certificate (Output[str]);
      tenant_id, subscription_id (Output[str]).
    Method workload_identity(...) -> WorkloadIdentity (RegionalCluster)."""

    def __init__(
        self, name: str, *, cluster: Cluster, stack: StackConfig, provider: pulumi.ProviderResource,
        opts: ResourceOptions | None = None,
    ) -> None:
        """`provider`: the cloud provider of the cluster's region; everything here is built with it."""
        super().__init__(
            "meridian:azure:Region", name, None, ResourceOptions.merge(opts, ResourceOptions(provider=provider))
        )
        self.cloud_provider = provider
        self.config = cluster
        self.region = cluster.region
        self.tags = cluster_tags(cluster, stack)
        child = ResourceOptions(parent=self)
        client = client_config(self)
        self.tenant_id: pulumi.Output[str] = client.tenant_id
        self.subscription_id: pulumi.Output[str] = client.subscription_id

        # The group holds the etcd key vault: deleting a group deletes everything in it, retained or not,
        # so in prod the group is protected and retained like the key.
        group = resources.ResourceGroup(
            f"{name}-rg", location=cluster.region, tags=self.tags, opts=data_store_options(stack, child)
        )
        self.resource_group_name: pulumi.Output[str] = group.name
        self.network = AzureNetwork(
            name, cluster=cluster, resource_group_name=group.name, tags=self.tags, opts=child
        )
        self.aks = AksCluster(
            name,
            cluster=cluster,
            stack=stack,
            network=self.network,
            tenant_id=self.tenant_id,
            subscription_id=self.subscription_id,
            names=GlobalNames(self, name, stack),
            tags=self.tags,
            opts=child,
        )
        self.node_pools = AksNodePools(
            name,
            cluster=cluster,
            version=self.aks.version,
            resource_group_name=group.name,
            cluster_resource_name=self.aks.cluster_name,
            subnet_id=self.network.node_subnet_id,
            tags=self.tags,
            opts=child,
        )
        self.gpu_plugin = NvidiaDevicePlugin(
            name, k8s_provider=self.aks.k8s_provider, opts=ResourceOptions(parent=self, depends_on=[self.node_pools])
        )
        self.vnet_id = self.network.vnet_id
        self.vnet_name = self.network.vnet_name
        self.gateway_subnet_id = self.network.gateway_subnet_id
        self.cidr = self.network.cidr
        self.cluster_name: pulumi.Output[str] = self.aks.cluster_name
        self.endpoint: pulumi.Output[str] = self.aks.endpoint
        self.kubeconfig: pulumi.Output[str] = self.aks.kubeconfig
        self.k8s_provider = self.aks.k8s_provider
        self.oidc_issuer_url: pulumi.Output[str] = self.aks.oidc_issuer_url
        self.ca_certificate: pulumi.Output[str] = self.aks.ca_certificate
        self.register_outputs(self.stack_outputs())

    def workload_identity(
        self, name: str, *, stack: StackConfig, workload: str, namespace: str, service_account: str,
        grants: WorkloadGrants, tags: dict[str, str], parent: pulumi.Resource,
    ) -> WorkloadIdentity:
        """A user-assigned identity federated with the AKS OIDC issuer (infra/azure/identity.py); Azure
        roles are granted on the resources themselves, so `grants` has nothing for Azure."""
        return aks_workload_identity(
            name, cluster=self.config, workload=workload, namespace=namespace, service_account=service_account,
            resource_group_name=self.resource_group_name, oidc_issuer_url=self.oidc_issuer_url, tags=tags,
            parent=parent,
        )

    def unseal_key(
        self, name: str, *, stack: StackConfig, namespace: str, service_account: str, tags: dict[str, str],
        parent: pulumi.Resource, provider: pulumi.ProviderResource,
    ) -> UnsealKey:
        """A Key Vault HSM key and a federated identity for Vault (infra/azure/unseal.py)."""
        return key_vault_unseal_key(
            name, cluster=self.config, stack=stack, tenant_id=self.tenant_id, subscription_id=self.subscription_id,
            oidc_issuer_url=self.oidc_issuer_url, namespace=namespace, service_account=service_account, tags=tags,
            parent=parent, provider=provider,
        )

    def managed_prometheus(
        self, name: str, *, stack: StackConfig, namespace: str, targets: list[Target],
        depends_on: list[pulumi.Resource],
    ) -> pulumi.ComponentResource:
        """Azure Monitor managed Prometheus for this cluster's router (infra/azure/observability.py)."""
        return AzureMonitorCollection(
            name, cluster=self.config, stack=stack, resource_group_name=self.resource_group_name,
            cluster_id=self.aks.cluster_id, cluster_name=self.aks.cluster_name, k8s_provider=self.k8s_provider,
            tags=self.tags, targets=targets, depends_on=depends_on,
            opts=ResourceOptions(parent=self),
        )

    def network_handle(self) -> AzureNetworkHandle:
        net = self.network
        return AzureNetworkHandle(
            resource_group_name=net.resource_group_name, gateway_subnet_id=net.gateway_subnet_id,
            vnet_name=net.vnet_name, vnet_id=net.vnet_id,
        )

    def private_zone(self, name: str, *, domain: str, tags: dict[str, str], parent: pulumi.Resource) -> PrivateZone:
        """A Private DNS zone in the cluster's resource group, linked to the VNet (infra/azure/private_dns.py)."""
        return azure_private_zone(
            name, cluster=self.config, domain=domain, resource_group=self.network.resource_group_name,
            vnet_id=self.network.vnet_id, tags=tags, parent=parent,
        )

    def reserve_ingress_address(self, name: str, *, stack: StackConfig, parent: pulumi.Resource) -> ReservedAddress:
        """The ingress address (infra/azure/ingress.py)."""
        return static_public_ip(
            name, cluster=self.config, stack=stack, resource_group_name=self.resource_group_name, parent=parent
        )

    def managed_redis(
        self, name: str, *, stack: StackConfig, password: pulumi.Output[str], tags: dict[str, str],
        parent: pulumi.Resource,
    ) -> ManagedRedis:
        """Azure Cache for Redis for the router on this cluster (infra/azure/redis.py)."""
        return azure_cache_redis(name, cluster=self.config, stack=stack, resource_group_name=self.resource_group_name,
                                 network=self.network, tags=tags, parent=parent)

    def stack_outputs(self) -> dict[str, Any]:
        return {
            **cluster_outputs(
                self.config, cluster_name=self.cluster_name, endpoint=self.endpoint, kubeconfig=self.kubeconfig,
                kubernetes_version=self.aks.version, oidc_issuer_url=self.oidc_issuer_url,
                secrets_key_id=self.aks.secrets_key.key_uri_with_version, network_id=self.vnet_id,
                node_pools=self.node_pools.pool_names,
            ),
            "privateControlPlane": self.aks.private,
            "keyVaultId": self.aks.secrets_key.vault_id,
            "resourceGroupName": self.resource_group_name,
            "vnetName": self.vnet_name,
            "nodeSubnetId": self.network.node_subnet_id,
            "gatewaySubnetId": self.gateway_subnet_id,
            "egressIp": self.network.egress_ip,
            # the keys these had before the uniform ones (infra/outputs.py)
            "kmsKeyId": self.aks.secrets_key.key_uri_with_version,
            "vnetId": self.vnet_id,
            "vnetCidr": self.cidr,
        }

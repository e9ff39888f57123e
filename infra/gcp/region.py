"""One GCP cluster region: VPC, GKE control plane, node identity and node pools (a RegionalCluster)."""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi_gcp.compute as compute
import pulumi_gcp.organizations as organizations
from pulumi import ResourceOptions

from infra.gcp.cluster import GkeCluster
from infra.gcp.identity import NodeServiceAccount, gke_workload_identity
from infra.gcp.ingress import external_address
from infra.gcp.interconnect import GcpNetworkHandle
from infra.gcp.log_routing import GkeLogRouting
from infra.gcp.network import GcpNetwork
from infra.gcp.nodepools import GkeNodePools
from infra.gcp.observability import GmpCollection
from infra.gcp.private_dns import cloud_dns_private_zone
from infra.gcp.redis import memorystore_redis
from infra.gcp.unseal import cloud_kms_unseal_key
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
from meridian.tags import gcp_labels


class GcpRegion(pulumi.ComponentResource):
    """Satisfies infra.regional.RegionalCluster. Public attributes:
      config (Cluster); region (str); project (str); labels (dict[str, str], data-class + jurisdiction);
      network (GcpNetwork: network, network_id, network_self_link, network_name, subnetwork,
        subnetwork_self_link, node_cidr, pods_range_name, services_range_name, control_plane_cidr,
        router, router_name, nat);
      zones (Output[list[str]], the zones the cluster's nodes use: the first `network.azs` UP zones);
      node_identity (NodeServiceAccount: email, member);
      gke (GkeCluster: cluster, cluster_id, certificate_authority, secrets_key, version, workload_pool,
        oidc_issuer_url, private_endpoint);
      node_pools (GkeNodePools: pools, pool_names);
      cluster_name, endpoint (Output[str]); kubeconfig (secret Output[str]); k8s_provider (k8s.Provider);
      workload_pool (str, `<project>.svc.id.goog`: KSA `ns/sa` is
        `serviceAccount:<workload_pool>[ns/sa]` in IAM);
      oidc_issuer_url (str, the issuer of the cluster's service-account tokens);
      ca_certificate (Output[str], base64 PEM of the API server CA)."""

    def __init__(
        self, name: str, *, cluster: Cluster, stack: StackConfig, provider: pulumi.ProviderResource,
        opts: ResourceOptions | None = None,
    ) -> None:
        """`provider`: the cloud provider of the cluster's region; everything here is built with it."""
        super().__init__(
            "meridian:gcp:Region", name, None, ResourceOptions.merge(opts, ResourceOptions(provider=provider))
        )
        self.cloud_provider = provider
        if not stack.gcp_project:
            raise ValueError("a GCP cluster needs the stack's gcpProject")
        self.config = cluster
        self.region = cluster.region
        self.project = stack.gcp_project
        self.labels = gcp_labels(cluster_tags(cluster, stack))
        child = ResourceOptions(parent=self)
        invoke = pulumi.InvokeOutputOptions(parent=self)

        azs = cluster.network.azs
        self.zones: pulumi.Output[list[str]] = compute.get_zones_output(
            project=self.project, region=cluster.region, status="UP", opts=invoke
        ).names.apply(lambda names: sorted(names)[:azs])
        project_number = organizations.get_project_output(project_id=self.project, opts=invoke).number

        self.network = GcpNetwork(name, cluster=cluster, opts=child)
        self.node_identity = NodeServiceAccount(name, cluster_name=cluster.name, project=self.project, opts=child)
        self.gke = GkeCluster(
            name, cluster=cluster, stack=stack, vpc=self.network, zones=self.zones, project_number=project_number,
            labels=self.labels, opts=child,
        )
        self.node_pools = GkeNodePools(
            name, cluster=cluster, cluster_id=self.gke.cluster_id, zones=self.zones,
            service_account=self.node_identity, labels=self.labels, opts=child,
        )
        self.log_routing = GkeLogRouting(name, cluster=cluster, stack=stack, project=self.project, opts=child)
        self.cluster_name: pulumi.Output[str] = self.gke.cluster_name
        self.endpoint: pulumi.Output[str] = self.gke.endpoint
        self.kubeconfig: pulumi.Output[str] = self.gke.kubeconfig
        self.k8s_provider = self.gke.k8s_provider
        self.workload_pool = self.gke.workload_pool
        self.oidc_issuer_url: str = self.gke.oidc_issuer_url
        self.ca_certificate: pulumi.Output[str] = self.gke.certificate_authority
        self.register_outputs(self.stack_outputs())

    def managed_prometheus(
        self, name: str, *, stack: StackConfig, namespace: str, targets: list[Target],
        depends_on: list[pulumi.Resource],
    ) -> pulumi.ComponentResource:
        """Google Managed Service for Prometheus for this cluster's router (infra/gcp/observability.py)."""
        return GmpCollection(
            name, cluster=self.config, stack=stack, k8s_provider=self.k8s_provider, namespace=namespace,
            targets=targets, depends_on=depends_on, opts=ResourceOptions(parent=self),
        )

    def network_handle(self) -> GcpNetworkHandle:
        return GcpNetworkHandle(network=self.network.network_id)

    def private_zone(self, name: str, *, domain: str, tags: dict[str, str], parent: pulumi.Resource) -> PrivateZone:
        """A Cloud DNS private zone on the VPC network (infra/gcp/private_dns.py)."""
        return cloud_dns_private_zone(
            name, cluster=self.config, domain=domain, network=self.network.network_id, tags=tags, parent=parent
        )

    def reserve_ingress_address(self, name: str, *, stack: StackConfig, parent: pulumi.Resource) -> ReservedAddress:
        """The ingress address (infra/gcp/ingress.py)."""
        return external_address(name, cluster=self.config, parent=parent)

    def managed_redis(
        self, name: str, *, stack: StackConfig, password: pulumi.Output[str], tags: dict[str, str],
        parent: pulumi.Resource,
    ) -> ManagedRedis:
        """Memorystore for the router on this cluster (infra/gcp/redis.py)."""
        return memorystore_redis(name, cluster=self.config, stack=stack, network=self.network, tags=tags, parent=parent)

    def workload_identity(
        self, name: str, *, stack: StackConfig, workload: str, namespace: str, service_account: str,
        grants: WorkloadGrants, tags: dict[str, str], parent: pulumi.Resource,
    ) -> WorkloadIdentity:
        """A Google service account through GKE Workload Identity (infra/gcp/identity.py)."""
        return gke_workload_identity(
            name, cluster=self.config, stack=stack, workload=workload, namespace=namespace,
            service_account=service_account, grants=grants, parent=parent,
        )

    def unseal_key(
        self, name: str, *, stack: StackConfig, namespace: str, service_account: str, tags: dict[str, str],
        parent: pulumi.Resource, provider: pulumi.ProviderResource,
    ) -> UnsealKey:
        """A Cloud KMS key and a Workload Identity service account for Vault (infra/gcp/unseal.py)."""
        return cloud_kms_unseal_key(
            name, cluster=self.config, stack=stack, namespace=namespace, service_account=service_account,
            tags=tags, parent=parent, provider=provider,
        )

    def stack_outputs(self) -> dict[str, Any]:
        return {
            **cluster_outputs(
                self.config, cluster_name=self.cluster_name, endpoint=self.endpoint, kubeconfig=self.kubeconfig,
                kubernetes_version=self.gke.version, oidc_issuer_url=self.gke.oidc_issuer_url,
                secrets_key_id=self.gke.secrets_key.key_id, network_id=self.network.network_id,
                node_pools=self.node_pools.pool_names,
            ),
            "project": self.project,
            "privateEndpoint": self.gke.private_endpoint,
            "workloadPool": self.workload_pool,
            "networkSelfLink": self.network.network_self_link,
            "subnetworkSelfLink": self.network.subnetwork_self_link,
            "routerName": self.network.router_name,
            "nodeServiceAccount": self.node_identity.email,
            "nodePools": self.node_pools.pool_names,
        }

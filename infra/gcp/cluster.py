"""The GKE control plane of a cluster region: a regional, VPC-native, private cluster with Workload
Identity, Dataplane V2, Kubernetes secrets encrypted with a Cloud KMS key in the cluster's own
region, the version from config on a release channel; plus its kubeconfig (gke-gcloud-auth-plugin,
no static credential) and a Kubernetes provider for later components (Vault, the router)."""

from __future__ import annotations

import ipaddress
import json
from collections.abc import Mapping, Sequence

import pulumi
import pulumi_gcp.compute as compute
import pulumi_gcp.container as container
import pulumi_kubernetes as k8s
from pulumi import ResourceOptions

from infra.gcp.identity import gke_service_agent
from infra.gcp.keys import KmsKey
from infra.gcp.network import GcpNetwork
from infra.regional import formerly, peer_ranges
from meridian.config import Cluster, StackConfig


def kubeconfig_json(context: str, endpoint: str, ca_data: str) -> str:
    """A kubeconfig (JSON is YAML) that authenticates through gke-gcloud-auth-plugin (short-lived
    tokens of the caller's Google identity; no client certificate, no static token)."""
    return json.dumps(
        {
            "apiVersion": "v1",
            "kind": "Config",
            "clusters": [
                {"name": context, "cluster": {"server": f"https://{endpoint}", "certificate-authority-data": ca_data}}
            ],
            "contexts": [{"name": context, "context": {"cluster": context, "user": context}}],
            "current-context": context,
            "users": [
                {
                    "name": context,
                    "user": {
                        "exec": {
                            "apiVersion": "client.authentication.k8s.io/v1beta1",
                            "command": "gke-gcloud-auth-plugin",
                            "installHint": "Install gke-gcloud-auth-plugin: gcloud components install gke-gcloud-auth-plugin",
                            "provideClusterInfo": True,
                            "interactiveMode": "Never",
                        }
                    },
                }
            ],
        }
    )


_INTERNAL = tuple(
    ipaddress.IPv4Network(n) for n in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10")
)


def private_endpoint_only(authorized: Sequence[ipaddress.IPv4Network]) -> bool:
    """No public endpoint unless an authorized network is outside the internal ranges: internal
    ranges (the VPC, interconnect peers) reach the private endpoint."""
    return all(any(n.subnet_of(i) for i in _INTERNAL) for n in authorized)


def release_channel(stack: StackConfig) -> str:
    return "STABLE" if stack.environment == "prod" else "REGULAR"


class GkeCluster(pulumi.ComponentResource):
    """Public attributes:
      cluster (container.Cluster); cluster_name, cluster_id, endpoint (Output[str], the control plane
        address: private when the config lists no authorized networks); certificate_authority
        (Output[str], base64 PEM); kubeconfig (secret Output[str]); k8s_provider (k8s.Provider);
      secrets_key (KmsKey, in the cluster region); version (str, from config);
      workload_pool (str, `<project>.svc.id.goog`); oidc_issuer_url (str, the cluster's OIDC issuer
        for JWT validation, e.g. by Vault's Kubernetes/JWT auth); private_endpoint (bool)."""

    def __init__(
        self,
        name: str,
        *,
        cluster: Cluster,
        stack: StackConfig,
        vpc: GcpNetwork,
        zones: pulumi.Input[list[str]],
        project_number: pulumi.Input[str],
        labels: Mapping[str, str],
        opts: ResourceOptions | None = None,
    ) -> None:
        super().__init__("meridian:gcp:Cluster", name, None, formerly("meridian:gcp:GkeCluster", opts))
        project = stack.gcp_project
        if not project:
            raise ValueError("GKE needs the stack's gcpProject")
        child = ResourceOptions(parent=self)
        self.version = cluster.kubernetes_version or stack.kubernetes_version
        self.workload_pool = f"{project}.svc.id.goog"
        self.oidc_issuer_url = (
            f"https://container.googleapis.com/v1/projects/{project}/locations/{cluster.region}/clusters/{cluster.name}"
        )
        # Only a private endpoint (reachable from the VPC and, over the interconnect, from the peers) unless
        # an authorized network is a public range: then a public endpoint that only the listed ranges reach.
        self.private_endpoint = private_endpoint_only(cluster.authorized_networks)

        self.secrets_key = KmsKey(
            f"{name}-secrets",
            location=cluster.region,
            tags=labels,
            stack=stack,
            users=[gke_service_agent(project_number)],
            opts=child,
        )
        self.cluster = container.Cluster(
            name,
            name=cluster.name,
            location=cluster.region,  # regional: control plane replicated across the region's zones
            node_locations=zones,
            description=f"Meridian {cluster.purpose or cluster.name} ({cluster.jurisdiction})",
            network=vpc.network_id,
            subnetwork=vpc.subnetwork.id,
            networking_mode="VPC_NATIVE",
            ip_allocation_policy=container.ClusterIpAllocationPolicyArgs(
                cluster_secondary_range_name=vpc.pods_range_name,
                services_secondary_range_name=vpc.services_range_name,
            ),
            private_cluster_config=container.ClusterPrivateClusterConfigArgs(
                enable_private_nodes=True,
                enable_private_endpoint=self.private_endpoint,
                master_ipv4_cidr_block=vpc.control_plane_cidr,
                master_global_access_config=container.ClusterPrivateClusterConfigMasterGlobalAccessConfigArgs(
                    enabled=True
                ),
            ),
            master_authorized_networks_config=container.ClusterMasterAuthorizedNetworksConfigArgs(
                cidr_blocks=[
                    container.ClusterMasterAuthorizedNetworksConfigCidrBlockArgs(
                        cidr_block=str(n), display_name=f"authorized-{i}"
                    )
                    for i, n in enumerate(cluster.authorized_networks)
                ]
                # Privately linked peers reach the private endpoint over the interconnect (Vault's
                # token reviews, operators).
                + [
                    container.ClusterMasterAuthorizedNetworksConfigCidrBlockArgs(
                        cidr_block=cidr, display_name=f"peer-{peer}"
                    )
                    for peer, cidr in peer_ranges(stack, cluster)
                ],
                gcp_public_cidrs_access_enabled=False,
            ),
            # master_auth left unset: GKE issues no client certificate and has no basic auth (the defaults
            # since 1.12); access is IAM through gke-gcloud-auth-plugin only.
            workload_identity_config=container.ClusterWorkloadIdentityConfigArgs(workload_pool=self.workload_pool),
            database_encryption=container.ClusterDatabaseEncryptionArgs(
                state="ENCRYPTED", key_name=self.secrets_key.key_id
            ),
            release_channel=container.ClusterReleaseChannelArgs(channel=release_channel(stack)),
            min_master_version=self.version,
            datapath_provider="ADVANCED_DATAPATH",  # Dataplane V2: network policy enforced
            enable_shielded_nodes=True,
            # Node pools are their own resources (GkeNodePools); the default pool is removed at once.
            remove_default_node_pool=True,
            initial_node_count=1,
            resource_labels=dict(labels),
            deletion_protection=stack.environment == "prod",
            opts=ResourceOptions(
                parent=self,
                depends_on=[*self.secrets_key.grants],
                # The default pool's settings only matter for the moment it exists.
                ignore_changes=["initialNodeCount", "nodeConfig"],
            ),
        )
        # The control plane sits in a Google-managed VPC peered with ours (a master_ipv4_cidr_block makes GKE use
        # VPC peering). Exporting our custom routes lets it answer clients behind the interconnect (their ranges
        # are learned by Cloud Router); the interconnect advertises cluster.network.cidr, which holds the
        # control plane /28, so the way there is already announced.
        self.peering_routes = compute.NetworkPeeringRoutesConfig(
            f"{name}-control-plane-routes",
            project=project,
            network=vpc.network_name,
            peering=self.cluster.private_cluster_config.apply(lambda p: (p.peering_name if p else None) or ""),
            import_custom_routes=False,
            export_custom_routes=True,
            opts=child,
        )
        self.cluster_name: pulumi.Output[str] = self.cluster.name
        self.cluster_id: pulumi.Output[str] = self.cluster.id
        self.endpoint: pulumi.Output[str] = self.cluster.endpoint
        self.certificate_authority: pulumi.Output[str] = self.cluster.master_auth.apply(
            lambda a: a.cluster_ca_certificate or ""
        )
        context = f"gke_{project}_{cluster.region}_{cluster.name}"
        self.kubeconfig: pulumi.Output[str] = pulumi.Output.secret(
            pulumi.Output.all(self.endpoint, self.certificate_authority).apply(
                lambda a: kubeconfig_json(context, a[0], a[1])
            )
        )
        self.k8s_provider = k8s.Provider(f"{name}-k8s", kubeconfig=self.kubeconfig, opts=child)
        self.register_outputs(
            {
                "clusterName": self.cluster_name,
                "endpoint": self.endpoint,
                "kubeconfig": self.kubeconfig,
                "secretsKeyId": self.secrets_key.key_id,
                "workloadPool": self.workload_pool,
            }
        )

"""The AKS control plane of a cluster region: control-plane identity, KMS etcd encryption with a Key
Vault key in the cluster's region, Azure CNI overlay, private API server (or authorized ranges),
OIDC issuer + workload identity, a kubeconfig and a Kubernetes provider for later components."""

from __future__ import annotations

import base64

import pulumi
import pulumi_azure_native.containerservice as containerservice
import pulumi_azure_native.managedidentity as managedidentity
import pulumi_kubernetes as k8s
import yaml
from pulumi import ResourceOptions

from infra.azure.cluster_logs import AksLogs
from infra.azure.identity import (
    ROLE_KEY_VAULT_CRYPTO_USER,
    ROLE_NETWORK_CONTRIBUTOR,
    grant,
)
from infra.azure.keys import KeyVaultKey
from infra.azure.names import GlobalNames
from infra.azure.network import AzureNetwork
from infra.azure.nodepools import system_pool_profile
from infra.regional import formerly
from meridian.config import Cluster, StackConfig

DNS_SERVICE_HOST = 10  # the cluster DNS service takes the 10th address of the service range


def dns_service_ip(cluster: Cluster) -> str:
    return str(cluster.network.service_cidr[DNS_SERVICE_HOST])


def decode_kubeconfig(result: containerservice.ListManagedClusterUserCredentialsResult) -> str:
    """AKS returns kubeconfigs base64-encoded; the first one is the cluster user's."""
    if not result.kubeconfigs:
        raise ValueError("AKS returned no kubeconfig for the cluster user")
    return base64.b64decode(result.kubeconfigs[0].value).decode()


def kubeconfig_ca(kubeconfig: str) -> str:
    """The API server CA (base64) of a kubeconfig's first cluster (JSON or YAML)."""
    doc = yaml.safe_load(kubeconfig) or {}
    try:
        return str(doc["clusters"][0]["cluster"]["certificate-authority-data"])
    except (KeyError, IndexError, TypeError) as e:
        raise ValueError("kubeconfig has no clusters[0].cluster.certificate-authority-data") from e


def _kubelet_object_id(profile: object) -> str:
    kubelet = (profile or {}).get("kubeletidentity") if isinstance(profile, dict) else None
    return (getattr(kubelet, "object_id", None) or "") if kubelet is not None else ""


class AksCluster(pulumi.ComponentResource):
    """Public attributes:
      cluster_name, endpoint (Output[str]: https://<private or public FQDN>:443), fqdn (Output[str]);
      private (bool); public_fqdn (bool: a private API named by its public FQDN, for linked peers);
      version (str); resource_group_name (Output[str]);
      oidc_issuer_url (Output[str]: the issuer federated credentials must trust);
      ca_certificate (Output[str]: the API server CA, base64 PEM, from the kubeconfig);
      identity_id, identity_principal_id, identity_client_id (Output[str]: control-plane identity);
      kubelet_object_id (Output[str]: the nodes' identity, e.g. for AcrPull);
      secrets_key (KeyVaultKey: the etcd KMS key); kubeconfig (secret Output[str]);
      k8s_provider (pulumi_kubernetes.Provider).
"""

    def __init__(
        self,
        name: str,
        *,
        cluster: Cluster,
        stack: StackConfig,
        network: AzureNetwork,
        tenant_id: pulumi.Input[str],
        subscription_id: pulumi.Input[str],
        names: GlobalNames,
        tags: dict[str, str],
        opts: ResourceOptions | None = None,
    ) -> None:
        super().__init__("meridian:azure:Cluster", name, None, formerly("meridian:azure:AksCluster", opts))
        child = ResourceOptions(parent=self)
        self.config = cluster
        self.version = cluster.kubernetes_version or stack.kubernetes_version
        self.private = not cluster.authorized_networks
        self.resource_group_name = network.resource_group_name

        identity = managedidentity.UserAssignedIdentity(
            f"{name}-aks-id",
            resource_group_name=network.resource_group_name,
            location=cluster.region,
            tags=tags,
            opts=child,
        )
        # AKS KMS pins a key version: no automatic rotation policy here (a rotated version has to be
        # rolled out by updating key_id); RSA 2048 as AKS KMS requires. Public key-vault access mode:
        # the vault admits the API server over its public endpoint, RBAC decides.
        self.secrets_key = KeyVaultKey(
            f"{name}-etcd",
            resource_group_name=network.resource_group_name,
            location=cluster.region,
            tenant_id=tenant_id,
            key_name="etcd-kms",
            key_size=2048,
            network_default_action="Allow",
            rotate=False,
            tags=tags,
            stack=stack,
            names=names,
            opts=child,
        )
        grants = [
            grant(
                f"{name}-aks-kms",
                principal_id=identity.principal_id,
                role=ROLE_KEY_VAULT_CRYPTO_USER,
                scope=self.secrets_key.vault_id,
                subscription_id=subscription_id,
                description=f"AKS {cluster.name}: KMS etcd encryption",
                opts=child,
            ),
            grant(
                f"{name}-aks-net",
                principal_id=identity.principal_id,
                role=ROLE_NETWORK_CONTRIBUTOR,
                scope=network.node_subnet_id,
                subscription_id=subscription_id,
                description=f"AKS {cluster.name}: join nodes and load balancers to the node subnet",
                opts=child,
            ),
        ]

        # A private API's FQDN resolves only inside this VNet (the "system" private zone). Privately
        # linked peers (Vault's token reviews, operators over the interconnect) need a name they can
        # resolve: AKS's public FQDN, which answers with the same private address - the endpoint
        # itself stays private. Peer traffic is admitted by the default VNet rules (gateway routes).
        self.public_fqdn = self.private and bool(stack.private_peers(cluster.name))
        if self.private:
            access = containerservice.ManagedClusterAPIServerAccessProfileArgs(
                enable_private_cluster=True,
                enable_private_cluster_public_fqdn=self.public_fqdn,
                private_dns_zone="system",
            )
        else:
            access = containerservice.ManagedClusterAPIServerAccessProfileArgs(
                enable_private_cluster=False,
                authorized_ip_ranges=[str(n) for n in cluster.authorized_networks],
            )

        mc = containerservice.ManagedCluster(
            f"{name}-aks",
            resource_name_=cluster.name,
            resource_group_name=network.resource_group_name,
            location=cluster.region,
            dns_prefix=cluster.name,
            node_resource_group=f"{cluster.name}-{stack.environment}-aks-nodes",
            kubernetes_version=self.version,
            sku=containerservice.ManagedClusterSKUArgs(
                name="Base", tier="Standard" if stack.environment == "prod" else "Free"
            ),
            identity=containerservice.ManagedClusterIdentityArgs(
                type=containerservice.ResourceIdentityType.USER_ASSIGNED,
                user_assigned_identities=[identity.id],
            ),
            enable_rbac=True,
            agent_pool_profiles=[
                system_pool_profile(
                    cluster, version=self.version, subnet_id=network.node_subnet_id, tags=tags
                )
            ],
            network_profile=containerservice.ContainerServiceNetworkProfileArgs(
                network_plugin="azure",
                network_plugin_mode="overlay",
                network_dataplane="cilium",
                network_policy="cilium",
                pod_cidr=str(cluster.network.pod_cidr),
                service_cidr=str(cluster.network.service_cidr),
                dns_service_ip=dns_service_ip(cluster),
                load_balancer_sku="standard",
                outbound_type="userAssignedNATGateway",
            ),
            api_server_access_profile=access,
            oidc_issuer_profile=containerservice.ManagedClusterOIDCIssuerProfileArgs(enabled=True),
            security_profile=containerservice.ManagedClusterSecurityProfileArgs(
                workload_identity=containerservice.ManagedClusterSecurityProfileWorkloadIdentityArgs(
                    enabled=True
                ),
                azure_key_vault_kms=containerservice.AzureKeyVaultKmsArgs(
                    enabled=True,
                    key_id=self.secrets_key.key_uri_with_version,
                    key_vault_network_access="Public",
                ),
                image_cleaner=containerservice.ManagedClusterSecurityProfileImageCleanerArgs(
                    enabled=True, interval_hours=48
                ),
            ),
            auto_upgrade_profile=containerservice.ManagedClusterAutoUpgradeProfileArgs(
                upgrade_channel="patch"
            ),
            # Azure Monitor managed Prometheus (the ama-metrics agents), with `observability.collection: managed`.
            azure_monitor_profile=containerservice.ManagedClusterAzureMonitorProfileArgs(
                metrics=containerservice.ManagedClusterAzureMonitorProfileMetricsArgs(enabled=True)
            ) if stack.observability.collection == "managed" else None,
            tags=tags,
            opts=ResourceOptions(parent=self, depends_on=grants),
        )
        self.cluster_id: pulumi.Output[str] = mc.id

        self.logs = AksLogs(name, cluster=cluster, stack=stack, resource_group_name=network.resource_group_name,
                            cluster_id=mc.id, tags=tags, opts=ResourceOptions(parent=self))
        self.cluster_name: pulumi.Output[str] = mc.name
        self.fqdn: pulumi.Output[str] = (mc.private_fqdn if self.private and not self.public_fqdn else mc.fqdn).apply(
            lambda f: f or ""
        )
        self.endpoint: pulumi.Output[str] = self.fqdn.apply(lambda f: f"https://{f}:443")
        self.oidc_issuer_url: pulumi.Output[str] = mc.oidc_issuer_profile.apply(
            lambda p: (p.issuer_url if p else None) or ""
        )
        self.kubelet_object_id: pulumi.Output[str] = mc.identity_profile.apply(_kubelet_object_id)
        self.identity_id: pulumi.Output[str] = identity.id
        self.identity_principal_id: pulumi.Output[str] = identity.principal_id
        self.identity_client_id: pulumi.Output[str] = identity.client_id

        creds = containerservice.list_managed_cluster_user_credentials_output(
            resource_group_name=network.resource_group_name,
            resource_name=mc.name,
            opts=pulumi.InvokeOutputOptions(parent=self),
        )
        self.kubeconfig: pulumi.Output[str] = pulumi.Output.secret(creds.apply(decode_kubeconfig))
        # AKS hands out its API server CA only inside the kubeconfig (so this stays a secret, harmlessly).
        self.ca_certificate: pulumi.Output[str] = self.kubeconfig.apply(kubeconfig_ca)
        self.k8s_provider = k8s.Provider(f"{name}-k8s", kubeconfig=self.kubeconfig, opts=child)
        self.register_outputs(
            {
                "clusterName": self.cluster_name,
                "endpoint": self.endpoint,
                "oidcIssuerUrl": self.oidc_issuer_url,
                "kmsKeyId": self.secrets_key.key_uri_with_version,
                "kubeconfig": self.kubeconfig,
            }
        )

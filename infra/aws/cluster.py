"""The EKS control plane of a cluster region: IAM role, secrets-encryption key, audit logs, the
cluster itself (private endpoint; public endpoint only for `authorizedNetworks`), the OIDC provider
for IRSA, a kubeconfig and a Kubernetes provider for later components."""

from __future__ import annotations

import json
from collections.abc import Sequence

import pulumi
import pulumi_aws.cloudwatch as cloudwatch
import pulumi_aws.eks as eks
import pulumi_aws.iam as iam
import pulumi_aws.vpc as vpc
import pulumi_kubernetes as k8s
from pulumi import ResourceOptions

from infra.aws.identity import IrsaRole, service_role
from infra.aws.keys import KmsKey
from infra.aws.network import AwsNetwork
from infra.regional import (
    data_store_options,
    formerly,
    operational_log_days,
    operational_log_tags,
    peer_ranges,
)
from meridian.config import Cluster, StackConfig

CONTROL_PLANE_LOGS = ["api", "audit", "authenticator", "controllerManager", "scheduler"]


def kubeconfig_json(cluster_name: str, region: str, endpoint: str, ca_data: str) -> str:
    """A kubeconfig (JSON is YAML) that authenticates with `aws eks get-token` (no static secret)."""
    return json.dumps(
        {
            "apiVersion": "v1",
            "kind": "Config",
            "clusters": [{"name": cluster_name, "cluster": {"server": endpoint, "certificate-authority-data": ca_data}}],
            "contexts": [{"name": cluster_name, "context": {"cluster": cluster_name, "user": cluster_name}}],
            "current-context": cluster_name,
            "users": [
                {
                    "name": cluster_name,
                    "user": {
                        "exec": {
                            "apiVersion": "client.authentication.k8s.io/v1beta1",
                            "command": "aws",
                            "args": ["eks", "get-token", "--cluster-name", cluster_name, "--region", region,
                                     "--output", "json"],
                            "interactiveMode": "Never",
                        }
                    },
                }
            ],
        }
    )


def _issuer(identities: Sequence[eks.outputs.ClusterIdentity]) -> str:
    for identity in identities or []:
        for oidc in identity.oidcs or []:
            if oidc.issuer:
                return oidc.issuer
    raise ValueError("the EKS cluster reports no OIDC issuer")


class EksCluster(pulumi.ComponentResource):
    """EKS control plane. Public attributes:
      cluster_name, endpoint, certificate_authority (Output[str]); kubeconfig (secret Output[str]);
      k8s_provider (pulumi_kubernetes.Provider); secrets_key (KmsKey);
      oidc_provider_arn, oidc_issuer_url (https://...), oidc_issuer (host/path, the IRSA condition
      prefix) (Output[str]); cluster_security_group_id (Output[str | None]); version (str);
      network_addons (list[eks.Addon]: vpc-cni, kube-proxy; node groups depend on them)."""

    def __init__(
        self, name: str, *, cluster: Cluster, stack: StackConfig, network: AwsNetwork, tags: dict[str, str],
        opts: ResourceOptions | None = None,
    ) -> None:
        super().__init__("meridian:aws:Cluster", name, None, formerly("meridian:aws:EksCluster", opts))
        child = ResourceOptions(parent=self)
        self.version = cluster.kubernetes_version or stack.kubernetes_version
        self.cluster_name_str = cluster.name

        self.secrets_key = KmsKey(
            f"{name}-secrets",
            alias=f"eks/{cluster.name}",
            description=f"EKS secrets envelope encryption for {cluster.name}",
            tags=tags,
            stack=stack,
            opts=child,
        )
        role = service_role(
            f"{name}-control-plane",
            services=["eks.amazonaws.com"],
            region=cluster.region,
            managed_policies=["AmazonEKSClusterPolicy", "AmazonEKSVPCResourceController"],
            tags=tags,
            parent=self,
            description=f"EKS control plane of {cluster.name}",
        )
        # The key policy delegates to IAM; the control plane role gets exactly what envelope
        # encryption needs on this one key.
        kms_grant = iam.RolePolicy(
            f"{name}-control-plane-kms",
            role=role.id,
            policy=self.secrets_key.arn.apply(
                lambda arn: json.dumps(
                    {
                        "Version": "2012-10-17",
                        "Statement": [
                            {"Effect": "Allow", "Action": ["kms:Encrypt", "kms:Decrypt", "kms:ListGrants",
                                                           "kms:DescribeKey"], "Resource": arn}
                        ],
                    }
                )
            ),
            opts=child,
        )
        # EKS writes control plane logs to exactly this group; creating it first sets the retention.
        logs = cloudwatch.LogGroup(
            f"{name}-control-plane-logs",
            name=f"/aws/eks/{cluster.name}/cluster",
            retention_in_days=operational_log_days(stack),
            tags=operational_log_tags(tags),
            opts=data_store_options(stack, child),
        )

        public = bool(cluster.authorized_networks)
        control_plane = eks.Cluster(
            f"{name}-eks",
            name=cluster.name,
            version=self.version,
            role_arn=role.arn,
            vpc_config=eks.ClusterVpcConfigArgs(
                subnet_ids=network.private_subnet_ids,
                endpoint_private_access=True,
                endpoint_public_access=public,
                public_access_cidrs=[str(n) for n in cluster.authorized_networks] if public else None,
            ),
            kubernetes_network_config=eks.ClusterKubernetesNetworkConfigArgs(
                service_ipv4_cidr=str(cluster.network.service_cidr), ip_family="ipv4"
            ),
            encryption_config=eks.ClusterEncryptionConfigArgs(
                resources=["secrets"],
                provider=eks.ClusterEncryptionConfigProviderArgs(key_arn=self.secrets_key.arn),
            ),
            access_config=eks.ClusterAccessConfigArgs(
                authentication_mode="API", bootstrap_cluster_creator_admin_permissions=True
            ),
            enabled_cluster_log_types=CONTROL_PLANE_LOGS,
            # Add-ons are managed explicitly (EksAddons), after the node groups exist.
            bootstrap_self_managed_addons=False,
            tags=tags,
            opts=ResourceOptions(parent=self, depends_on=[kms_grant, logs]),
        )
        self.cluster_name: pulumi.Output[str] = control_plane.name
        self.arn: pulumi.Output[str] = control_plane.arn
        self.endpoint: pulumi.Output[str] = control_plane.endpoint
        self.certificate_authority: pulumi.Output[str] = control_plane.certificate_authority.apply(
            lambda ca: ca.data or ""
        )
        self.cluster_security_group_id: pulumi.Output[str | None] = control_plane.vpc_config.apply(
            lambda v: v.cluster_security_group_id
        )
        # The private endpoint admits the cluster security group only; privately linked peers (Vault's
        # token reviews, operators over the interconnect) get HTTPS from their ranges.
        cluster_sg = self.cluster_security_group_id.apply(lambda sg: sg or "")
        for peer, cidr in peer_ranges(stack, cluster):
            vpc.SecurityGroupIngressRule(
                f"{name}-api-from-{peer}",
                security_group_id=cluster_sg,
                cidr_ipv4=cidr,
                ip_protocol="tcp",
                from_port=443,
                to_port=443,
                description=f"Kubernetes API from {peer} over the interconnect",
                tags=tags,
                opts=child,
            )
        self.oidc_issuer_url: pulumi.Output[str] = control_plane.identities.apply(_issuer)
        self.oidc_issuer: pulumi.Output[str] = self.oidc_issuer_url.apply(lambda u: u.removeprefix("https://"))

        # IRSA. No thumbprint: IAM validates EKS issuers against its own trusted CAs.
        oidc = iam.OpenIdConnectProvider(
            f"{name}-oidc",
            url=self.oidc_issuer_url,
            client_id_lists=["sts.amazonaws.com"],
            tags=tags,
            opts=child,
        )
        self.oidc_provider_arn: pulumi.Output[str] = oidc.arn

        # Networking add-ons go in before any node group (nodes are NotReady without a CNI); the VPC
        # CNI gets its ENI permissions through IRSA, not through the node role.
        cni_role = IrsaRole(
            f"{name}-vpc-cni",
            oidc_provider_arn=self.oidc_provider_arn,
            oidc_issuer_url=self.oidc_issuer_url,
            namespace="kube-system",
            service_account="aws-node",
            region=cluster.region,
            managed_policies=["AmazonEKS_CNI_Policy"],
            tags=tags,
            opts=child,
        )
        self.network_addons = [
            eks.Addon(
                f"{name}-vpc-cni",
                cluster_name=control_plane.name,
                addon_name="vpc-cni",
                service_account_role_arn=cni_role.arn,
                # Enforce NetworkPolicy (the VPC CNI's network policy agent; off by default on EKS):
                # the router's and Redis' policies must hold here as they do on GKE and AKS.
                configuration_values=json.dumps({"enableNetworkPolicy": "true"}),
                resolve_conflicts_on_create="OVERWRITE",
                resolve_conflicts_on_update="OVERWRITE",
                tags=tags,
                opts=child,
            ),
            eks.Addon(
                f"{name}-kube-proxy",
                cluster_name=control_plane.name,
                addon_name="kube-proxy",
                resolve_conflicts_on_create="OVERWRITE",
                resolve_conflicts_on_update="OVERWRITE",
                tags=tags,
                opts=child,
            ),
        ]

        self.kubeconfig: pulumi.Output[str] = pulumi.Output.secret(
            pulumi.Output.all(control_plane.name, control_plane.endpoint, self.certificate_authority).apply(
                lambda a: kubeconfig_json(a[0], cluster.region, a[1], a[2])
            )
        )
        self.k8s_provider = k8s.Provider(f"{name}-k8s", kubeconfig=self.kubeconfig, opts=child)
        self.register_outputs(
            {
                "clusterName": self.cluster_name,
                "endpoint": self.endpoint,
                "oidcProviderArn": self.oidc_provider_arn,
                "oidcIssuerUrl": self.oidc_issuer_url,
                "secretsKeyArn": self.secrets_key.arn,
                "kubeconfig": self.kubeconfig,
            }
        )

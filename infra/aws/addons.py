"""EKS managed add-ons that need running nodes: CoreDNS and the EBS CSI driver (with its own IRSA
role), and the default StorageClass on it - EKS has had none since Kubernetes 1.30, so a claim
without a class (Vault's raft and audit volumes, the in-cluster Redis) would wait forever. vpc-cni
and kube-proxy are installed with the control plane, before the node groups."""

from __future__ import annotations

import pulumi
import pulumi_aws.eks as eks
import pulumi_kubernetes.meta.v1 as meta
import pulumi_kubernetes.storage.v1 as storage
from pulumi import ResourceOptions

from infra.aws.cluster import EksCluster
from infra.aws.identity import IrsaRole
from infra.aws.nodepools import EksNodePools
from meridian.config import Cluster, StackConfig

DEFAULT_STORAGE_CLASS = "gp3"


class EksAddons(pulumi.ComponentResource):
    """Public attributes: addons (dict[str, eks.Addon]); ebs_csi_role_arn (Output[str]);
    storage_class (the default StorageClass)."""

    def __init__(
        self, name: str, *, cluster: Cluster, stack: StackConfig, control_plane: EksCluster,
        node_pools: EksNodePools, tags: dict[str, str], opts: ResourceOptions | None = None,
    ) -> None:
        super().__init__("meridian:aws:EksAddons", name, None, opts)
        ebs_role = IrsaRole(
            f"{name}-ebs-csi",
            oidc_provider_arn=control_plane.oidc_provider_arn,
            oidc_issuer_url=control_plane.oidc_issuer_url,
            namespace="kube-system",
            service_account="ebs-csi-controller-sa",
            region=cluster.region,
            managed_policies=["service-role/AmazonEBSCSIDriverPolicy"],
            tags=tags,
            opts=ResourceOptions(parent=self),
        )
        self.ebs_csi_role_arn: pulumi.Output[str] = ebs_role.arn
        after_nodes = ResourceOptions(parent=self, depends_on=list(node_pools.node_groups.values()))
        self.addons: dict[str, eks.Addon] = {
            "coredns": eks.Addon(
                f"{name}-coredns",
                cluster_name=control_plane.cluster_name,
                addon_name="coredns",
                resolve_conflicts_on_create="OVERWRITE",
                resolve_conflicts_on_update="OVERWRITE",
                tags=tags,
                opts=after_nodes,
            ),
            "aws-ebs-csi-driver": eks.Addon(
                f"{name}-ebs-csi",
                cluster_name=control_plane.cluster_name,
                addon_name="aws-ebs-csi-driver",
                service_account_role_arn=ebs_role.arn,
                resolve_conflicts_on_create="OVERWRITE",
                resolve_conflicts_on_update="OVERWRITE",
                tags=tags,
                opts=after_nodes,
            ),
        }
        # Encrypted gp3 volumes (the region's EBS key: they stay in the cluster's region); in prod a
        # released volume is kept (Vault's raft data must survive a deleted claim).
        self.storage_class = storage.StorageClass(
            f"{name}-{DEFAULT_STORAGE_CLASS}",
            metadata=meta.ObjectMetaArgs(
                name=DEFAULT_STORAGE_CLASS,
                annotations={"storageclass.kubernetes.io/is-default-class": "true"},
            ),
            provisioner="ebs.csi.aws.com",
            parameters={"type": "gp3", "encrypted": "true"},
            volume_binding_mode="WaitForFirstConsumer",
            allow_volume_expansion=True,
            reclaim_policy="Retain" if stack.protect_data else "Delete",
            opts=ResourceOptions(parent=self, provider=control_plane.k8s_provider, depends_on=[self.addons["aws-ebs-csi-driver"]]),
        )
        self.register_outputs({"addons": list(self.addons), "ebsCsiRoleArn": self.ebs_csi_role_arn})

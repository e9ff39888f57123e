"""EKS managed add-ons that need running nodes: CoreDNS and the EBS CSI driver (with its own IRSA
role). vpc-cni and kube-proxy are installed with the control plane, before the node groups."""

from __future__ import annotations

import pulumi
import pulumi_aws.eks as eks
from pulumi import ResourceOptions

from infra.aws.cluster import EksCluster
from infra.aws.identity import IrsaRole
from infra.aws.nodepools import EksNodePools
from meridian.config import Cluster


class EksAddons(pulumi.ComponentResource):
    """Public attributes: addons (dict[str, eks.Addon]); ebs_csi_role_arn (Output[str])."""

    def __init__(
        self, name: str, *, cluster: Cluster, control_plane: EksCluster, node_pools: EksNodePools,
        tags: dict[str, str], opts: ResourceOptions | None = None,
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
        self.register_outputs({"addons": list(self.addons), "ebsCsiRoleArn": self.ebs_csi_role_arn})

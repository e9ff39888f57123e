"""RouterIdentity: the router's cloud workload identity on one cluster, and the ServiceAccount bound to it.

  aws    an IRSA role (infra.aws.identity.IrsaRole) on the cluster's OIDC provider, allowed to invoke
         Bedrock models only in the regions the router may use -> `eks.amazonaws.com/role-arn`
  gcp    a Google service account with Vertex AI user, impersonable by the KSA through GKE Workload
         Identity -> `iam.gke.io/gcp-service-account`
  azure  a user-assigned managed identity with a federated credential for the KSA on the AKS OIDC
         issuer -> `azure.workload.identity/client-id` (pods also get `azure.workload.identity/use`)

Each cloud's binding is the cluster region's `workload_identity` (infra.regional.RegionalCluster,
implemented in infra/<cloud>/identity.py); this component only says what the router may do.

The same ServiceAccount logs in to Vault's Kubernetes auth role: its name, namespace and role are
infra.router_contract.vault's, which Vault binds."""

from __future__ import annotations

import pulumi
import pulumi_kubernetes.core.v1 as core
import pulumi_kubernetes.meta.v1 as meta
from pulumi import ResourceOptions

from infra.regional import RegionalCluster, WorkloadGrants
from infra.router_contract.vault import ROUTER_SERVICE_ACCOUNT, bedrock_policy, router_identity
from meridian.config import Cluster, StackConfig

SERVICE_ACCOUNT = ROUTER_SERVICE_ACCOUNT


class RouterIdentity(pulumi.ComponentResource):
    """Public attributes: service_account (core.ServiceAccount), annotations (dict of Inputs),
    pod_labels (dict[str, str]: labels the pods need for the identity webhook), identity (Output[str] |
    None: role ARN / GSA email / client id)."""

    def __init__(
        self,
        name: str,
        *,
        cluster: RegionalCluster,
        stack: StackConfig,
        namespace: pulumi.Input[str],
        bedrock_regions: list[str],
        opts: ResourceOptions | None = None,
    ) -> None:
        super().__init__("meridian:router:RouterIdentity", name, None, opts)
        cfg: Cluster = cluster.config
        child = ResourceOptions(parent=self)
        annotations: dict[str, pulumi.Input[str]] = {}
        self.pod_labels: dict[str, str] = {}
        self.identity: pulumi.Output[str] | None = None
        who = router_identity(stack)
        if who is None:
            raise ValueError("RouterIdentity needs the stack's `router` section")
        ns = who.namespace  # the namespace Vault's role binds (one definition: the router section)

        grants = WorkloadGrants(
            aws_inline_policy=bedrock_policy(bedrock_regions) if bedrock_regions else None,
            gcp_project_roles={"vertex": "roles/aiplatform.user"},
        )
        bound = cluster.workload_identity(
            name, stack=stack, workload="router", namespace=ns, service_account=SERVICE_ACCOUNT, grants=grants,
            tags={"cluster": cfg.name, "app": "meridian-router"}, parent=self,
        )
        self.identity = bound.identity
        annotations.update(bound.annotations)
        self.pod_labels.update(bound.pod_labels)

        self.annotations = annotations
        self.service_account = core.ServiceAccount(
            f"{name}-sa",
            metadata=meta.ObjectMetaArgs(
                name=SERVICE_ACCOUNT,
                namespace=namespace,
                labels={"app.kubernetes.io/name": "meridian-router"},
                annotations=annotations,
            ),
            # The pods mount a projected, audience-bound token only where they need one.
            automount_service_account_token=False,
            opts=child,
        )
        self.register_outputs({"identity": self.identity, "serviceAccount": SERVICE_ACCOUNT})

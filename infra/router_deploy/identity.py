"""RouterIdentity: the router's cloud workload identity on one cluster, and the ServiceAccount bound to it.

  aws    an IRSA role (infra.aws.identity.IrsaRole) on the cluster's OIDC provider, allowed to invoke
         Bedrock models only in the regions the router may use -> `eks.amazonaws.com/role-arn`
  gcp    a Google service account with Vertex AI user, impersonable by the KSA through GKE Workload
         Identity -> `iam.gke.io/gcp-service-account`
  azure  a user-assigned managed identity with a federated credential for the KSA on the AKS OIDC
         issuer -> `azure.workload.identity/client-id` (pods also get `azure.workload.identity/use`)

The regional classes expose what the binding needs (AWS: `eks.oidc_provider_arn`, `eks.oidc_issuer_url`;
Azure: `resource_group_name`, `oidc_issuer_url`); where a cluster exposes nothing usable, the
ServiceAccount is created without a cloud identity and a warning says so.

The same ServiceAccount logs in to Vault's Kubernetes auth role: its name, namespace and role are
infra.vault.router_contract's, which Vault binds."""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi_kubernetes.core.v1 as core
import pulumi_kubernetes.meta.v1 as meta
from pulumi import ResourceOptions

from infra.vault.router_contract import ROUTER_SERVICE_ACCOUNT, bedrock_policy, router_identity
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
        cluster: Any,
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

        if cfg.cloud == "aws":
            eks = getattr(cluster, "eks", None)
            if eks is not None and hasattr(eks, "oidc_provider_arn"):
                from infra.aws.identity import IrsaRole

                role = IrsaRole(
                    f"{name}-irsa",
                    oidc_provider_arn=eks.oidc_provider_arn,
                    oidc_issuer_url=eks.oidc_issuer_url,
                    namespace=ns,
                    service_account=SERVICE_ACCOUNT,
                    region=cfg.region,
                    tags={"cluster": cfg.name, "app": "meridian-router"},
                    inline_policy=bedrock_policy(bedrock_regions)
                    if bedrock_regions
                    else None,
                    opts=child,
                )
                self.identity = role.arn
                annotations["eks.amazonaws.com/role-arn"] = role.arn
        elif cfg.cloud == "gcp":
            import pulumi_gcp.projects as projects
            import pulumi_gcp.serviceaccount as serviceaccount

            project = stack.gcp_project or ""
            gsa = serviceaccount.Account(
                f"{name}-gsa",
                account_id=f"router-{cfg.name}"[:30].rstrip("-"),
                display_name=f"Meridian router on {cfg.name}",
                project=project,
                opts=child,
            )
            serviceaccount.IAMMember(
                f"{name}-wi",
                service_account_id=gsa.name,
                role="roles/iam.workloadIdentityUser",
                member=f"serviceAccount:{project}.svc.id.goog[{ns}/{SERVICE_ACCOUNT}]",
                opts=child,
            )
            projects.IAMMember(
                f"{name}-vertex",
                project=project,
                role="roles/aiplatform.user",
                member=gsa.email.apply(lambda e: f"serviceAccount:{e}"),
                opts=child,
            )
            self.identity = gsa.email
            annotations["iam.gke.io/gcp-service-account"] = gsa.email
        else:
            rg = getattr(cluster, "resource_group_name", None)
            issuer = getattr(cluster, "oidc_issuer_url", None)
            if rg is not None and issuer is not None:
                import pulumi_azure_native.managedidentity as managedidentity

                uami = managedidentity.UserAssignedIdentity(
                    f"{name}-uami",
                    resource_group_name=rg,
                    location=cfg.region,
                    resource_name_=f"router-{cfg.name}",
                    tags={"cluster": cfg.name, "app": "meridian-router"},
                    opts=child,
                )
                managedidentity.FederatedIdentityCredential(
                    f"{name}-fic",
                    resource_group_name=rg,
                    resource_name_=uami.name,
                    federated_identity_credential_resource_name="router",
                    issuer=issuer,
                    subject=f"system:serviceaccount:{ns}:{SERVICE_ACCOUNT}",
                    audiences=["api://AzureADTokenExchange"],
                    opts=child,
                )
                self.identity = uami.client_id
                annotations["azure.workload.identity/client-id"] = uami.client_id
                self.pod_labels["azure.workload.identity/use"] = "true"
            else:
                pulumi.log.warn(
                    f"router on {cfg.name}: the Azure cluster exposes no resource_group_name/oidc_issuer_url; "
                    "the router's ServiceAccount has no workload identity (Azure OpenAI keys come from Vault)",
                    resource=self,
                )

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

"""Identities of a GKE cluster: the dedicated, least-privilege node service account (nodes never
run as the Compute Engine default account) and the project's GKE service agent, which encrypts
Kubernetes secrets with the cluster's Cloud KMS key."""

from __future__ import annotations

import pulumi
import pulumi_gcp.projects as projects
import pulumi_gcp.serviceaccount as serviceaccount
from pulumi import ResourceOptions

from infra.regional import WorkloadGrants, WorkloadIdentity
from meridian.config import Cluster, StackConfig

# What a node needs: write logs and metrics, read images. Workloads get their own identities
# through Workload Identity, never the node's.
NODE_ROLES = (
    "roles/logging.logWriter",
    "roles/monitoring.metricWriter",
    "roles/monitoring.viewer",
    "roles/stackdriver.resourceMetadata.writer",
    "roles/autoscaling.metricsWriter",
    "roles/artifactregistry.reader",
)


def gke_service_agent(project_number: pulumi.Input[str]) -> pulumi.Output[str]:
    """The IAM member of the project's GKE service agent (it calls Cloud KMS for secrets encryption)."""
    return pulumi.Output.from_input(project_number).apply(
        lambda n: f"serviceAccount:service-{n}@container-engine-robot.iam.gserviceaccount.com"
    )


class NodeServiceAccount(pulumi.ComponentResource):
    """Public attributes: account (serviceaccount.Account); email, member (Output[str]);
    roles (list[projects.IAMMember])."""

    def __init__(self, name: str, *, cluster_name: str, project: str, opts: ResourceOptions | None = None) -> None:
        super().__init__("meridian:gcp:NodeServiceAccount", name, None, opts)
        child = ResourceOptions(parent=self)
        self.account = serviceaccount.Account(
            f"{name}-nodes",
            account_id=f"{cluster_name}-nodes"[:30],
            display_name=f"GKE nodes of {cluster_name}",
            description="Meridian: least-privilege node identity (logs, metrics, image pulls)",
            project=project,
            opts=child,
        )
        self.email: pulumi.Output[str] = self.account.email
        self.member: pulumi.Output[str] = self.account.email.apply(lambda e: f"serviceAccount:{e}")
        self.roles = [
            projects.IAMMember(
                f"{name}-{role.rsplit('/', 1)[-1].replace('.', '-')}",
                project=project,
                role=role,
                member=self.member,
                opts=child,
            )
            for role in NODE_ROLES
        ]
        self.register_outputs({"email": self.email})


def impersonated_account(
    name: str, *, account_id: str, display_name: str, binding: str, project: str, namespace: str,
    service_account: str, opts: ResourceOptions,
) -> serviceaccount.Account:
    """A Google service account that the Kubernetes ServiceAccount `namespace/service_account` may
    impersonate through GKE Workload Identity (`<project>.svc.id.goog`); `binding`: the IAM binding's
    resource name."""
    gsa = serviceaccount.Account(name, account_id=account_id, display_name=display_name, project=project, opts=opts)
    serviceaccount.IAMMember(
        binding,
        service_account_id=gsa.name,
        role="roles/iam.workloadIdentityUser",
        member=f"serviceAccount:{project}.svc.id.goog[{namespace}/{service_account}]",
        opts=opts,
    )
    return gsa


def gke_workload_identity(
    name: str, *, cluster: Cluster, stack: StackConfig, workload: str, namespace: str, service_account: str,
    grants: WorkloadGrants, parent: pulumi.Resource,
) -> WorkloadIdentity:
    """A Google service account the KSA impersonates through GKE Workload Identity, with the project
    roles of `grants`."""
    child = ResourceOptions(parent=parent)
    project = stack.gcp_project or ""
    gsa = impersonated_account(
        f"{name}-gsa", account_id=f"{workload}-{cluster.name}"[:30].rstrip("-"),
        display_name=f"Meridian {workload} on {cluster.name}", binding=f"{name}-wi", project=project,
        namespace=namespace, service_account=service_account, opts=child,
    )
    for suffix, role in (grants.gcp_project_roles or {}).items():
        projects.IAMMember(
            f"{name}-{suffix}",
            project=project,
            role=role,
            member=gsa.email.apply(lambda e: f"serviceAccount:{e}"),
            opts=child,
        )
    return WorkloadIdentity(gsa.email, {"iam.gke.io/gcp-service-account": gsa.email}, {})

"""IAM for the AWS regional stack: service roles, and IAM Roles for Service Accounts (IRSA) bound to a
cluster's OIDC provider. Later components (Vault auto-unseal, the router) get their AWS identity
through `IrsaRole` instead of node-wide credentials."""

from __future__ import annotations

import json
from collections.abc import Sequence

import pulumi
import pulumi_aws.iam as iam
from pulumi import ResourceOptions

from infra.regional import WorkloadGrants, WorkloadIdentity
from meridian import catalog


def managed_policy_arn(region: str, policy: str) -> str:
    """ARN of an AWS managed policy in the region's partition (aws, aws-us-gov, aws-cn, ...)."""
    return f"arn:{catalog.aws_partition(region)}:iam::aws:policy/{policy}"


def service_trust_policy(*services: str) -> str:
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Principal": {"Service": list(services)}, "Action": ["sts:AssumeRole", "sts:TagSession"]}
            ],
        }
    )


def service_role(
    name: str, *, services: Sequence[str], region: str, managed_policies: Sequence[str], tags: dict[str, str],
    parent: pulumi.Resource, description: str,
) -> iam.Role:
    """A role assumable by AWS services, with AWS managed policies attached (by policy name)."""
    role = iam.Role(
        name,
        assume_role_policy=service_trust_policy(*services),
        description=description,
        tags=tags,
        opts=ResourceOptions(parent=parent),
    )
    for policy in managed_policies:
        iam.RolePolicyAttachment(
            f"{name}-{policy.rsplit('/', 1)[-1].lower().replace('_', '-')}",
            role=role.name,
            policy_arn=managed_policy_arn(region, policy),
            opts=ResourceOptions(parent=parent),
        )
    return role


def irsa_trust_policy(oidc_provider_arn: str, issuer_url: str, namespace: str, service_account: str) -> str:
    host = issuer_url.removeprefix("https://")
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Federated": oidc_provider_arn},
                    "Action": "sts:AssumeRoleWithWebIdentity",
                    "Condition": {
                        "StringEquals": {
                            f"{host}:sub": f"system:serviceaccount:{namespace}:{service_account}",
                            f"{host}:aud": "sts.amazonaws.com",
                        }
                    },
                }
            ],
        }
    )


class IrsaRole(pulumi.ComponentResource):
    """An IAM role that exactly one Kubernetes service account (namespace/name) of one cluster may
    assume through the cluster's OIDC provider. Annotate the service account with
    `eks.amazonaws.com/role-arn: <arn>`.

    Public attributes: arn, role_name (Output[str])."""

    def __init__(
        self, name: str, *, oidc_provider_arn: pulumi.Input[str], oidc_issuer_url: pulumi.Input[str],
        namespace: str, service_account: str, region: str, tags: dict[str, str],
        managed_policies: Sequence[str] = (), inline_policy: pulumi.Input[str] | None = None,
        opts: ResourceOptions | None = None,
    ) -> None:
        super().__init__("meridian:aws:IrsaRole", name, None, opts)
        trust = pulumi.Output.all(oidc_provider_arn, oidc_issuer_url).apply(
            lambda a: irsa_trust_policy(a[0], a[1], namespace, service_account)
        )
        role = iam.Role(
            f"{name}-role",
            assume_role_policy=trust,
            description=f"IRSA role for {namespace}/{service_account}",
            tags=tags,
            opts=ResourceOptions(parent=self),
        )
        for policy in managed_policies:
            iam.RolePolicyAttachment(
                f"{name}-{policy.rsplit('/', 1)[-1].lower().replace('_', '-')}",
                role=role.name,
                policy_arn=managed_policy_arn(region, policy),
                opts=ResourceOptions(parent=self),
            )
        if inline_policy is not None:
            iam.RolePolicy(f"{name}-inline", role=role.id, policy=inline_policy, opts=ResourceOptions(parent=self))
        self.arn: pulumi.Output[str] = role.arn
        self.role_name: pulumi.Output[str] = role.name
        self.register_outputs({"arn": self.arn, "name": self.role_name})


def irsa_workload_identity(
    name: str, *, oidc_provider_arn: pulumi.Input[str], oidc_issuer_url: pulumi.Input[str], region: str,
    namespace: str, service_account: str, grants: WorkloadGrants, tags: dict[str, str], parent: pulumi.Resource,
) -> WorkloadIdentity:
    """IRSA: an IAM role the ServiceAccount assumes through the cluster's OIDC provider."""
    role = IrsaRole(
        f"{name}-irsa",
        oidc_provider_arn=oidc_provider_arn,
        oidc_issuer_url=oidc_issuer_url,
        namespace=namespace,
        service_account=service_account,
        region=region,
        tags=tags,
        inline_policy=grants.aws_inline_policy,
        opts=ResourceOptions(parent=parent),
    )
    return WorkloadIdentity(role.arn, {"eks.amazonaws.com/role-arn": role.arn}, {})

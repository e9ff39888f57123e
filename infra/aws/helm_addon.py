"""The shape every EKS controller add-on installed from a Helm chart shares: an IRSA role for its
one service account in kube-system, then the chart on the cluster once its node groups exist, with
values that name the role."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pulumi
import pulumi_kubernetes.helm.v3 as helm
from pulumi import ResourceOptions

from infra.aws.cluster import EksCluster
from infra.aws.identity import IrsaRole
from infra.aws.nodepools import EksNodePools
from meridian.config import Cluster

NAMESPACE = "kube-system"


@dataclass(frozen=True)
class Chart:
    repo: str
    name: str
    version: str
    service_account: str


def install(
    parent: pulumi.Resource,
    name: str,
    *,
    chart: Chart,
    cluster: Cluster,
    control_plane: EksCluster,
    node_pools: EksNodePools,
    policy: str,
    tags: dict[str, str],
    values: Callable[[str], pulumi.Input[dict]],
) -> tuple[pulumi.Output[str], helm.Release]:
    """The add-on's IRSA role (inline `policy`) and its release; `values(role_arn)` builds the values.
    Returns (role ARN, release)."""
    role = IrsaRole(
        f"{name}-{chart.name}",
        oidc_provider_arn=control_plane.oidc_provider_arn,
        oidc_issuer_url=control_plane.oidc_issuer_url,
        namespace=NAMESPACE,
        service_account=chart.service_account,
        region=cluster.region,
        inline_policy=policy,
        tags=tags,
        opts=ResourceOptions(parent=parent),
    )
    release = helm.Release(
        f"{name}-{chart.name}",
        name=chart.name,
        namespace=NAMESPACE,
        chart=chart.name,
        version=chart.version,
        repository_opts=helm.RepositoryOptsArgs(repo=chart.repo),
        values=role.arn.apply(values),
        opts=ResourceOptions(
            parent=parent,
            provider=control_plane.k8s_provider,
            depends_on=list(node_pools.node_groups.values()),
        ),
    )
    return role.arn, release

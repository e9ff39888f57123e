"""Internal (private) Kubernetes load balancers: one set of annotations per cloud, and the address a
cloud controller reports. Used by every Service that peers reach over the interconnect (the router's
`router-internal`, Vault's `vault-api`); infra.private_dns gives those addresses names."""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi_kubernetes.core.v1 as core

from infra.regional import peer_ranges
from meridian.config import Cluster, StackConfig

INTERNAL_LB_ANNOTATIONS: dict[str, dict[str, str]] = {
    # AWS Load Balancer Controller: an internal NLB straight to the pod IPs.
    "aws": {
        "service.beta.kubernetes.io/aws-load-balancer-type": "external",
        "service.beta.kubernetes.io/aws-load-balancer-scheme": "internal",
        "service.beta.kubernetes.io/aws-load-balancer-nlb-target-type": "ip",
    },
    "gcp": {"networking.gke.io/load-balancer-type": "Internal"},
    "azure": {"service.beta.kubernetes.io/azure-load-balancer-internal": "true"},
}


# The record a private name of an internal load balancer gets: AWS NLBs have DNS names, the others IPs.
INTERNAL_LB_RECORD: dict[str, str] = {"aws": "CNAME", "gcp": "A", "azure": "A"}


def source_ranges(stack: StackConfig, cluster: Cluster) -> list[str]:
    """Who may reach an internal load balancer of `cluster`: its own network and every privately
    linked peer's ranges (GKE pod ranges included). Set as the Service's loadBalancerSourceRanges:
    an internal NLB otherwise admits only its own VPC, so peers over the interconnect are dropped."""
    return [str(cluster.network.cidr)] + [cidr for _peer, cidr in peer_ranges(stack, cluster)]


def lb_address(svc: core.Service) -> pulumi.Output[str]:
    """The first address in a LoadBalancer Service's status: a DNS name (AWS) or an IP; "" until set."""

    def first(status: Any) -> str:
        try:
            ing = status.load_balancer.ingress[0]
            return ing.ip or ing.hostname or ""
        except (AttributeError, IndexError, TypeError):
            return ""

    return svc.status.apply(first)

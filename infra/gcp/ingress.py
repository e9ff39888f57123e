"""The reserved public ingress address of a GKE cluster: a regional external Address (Premium tier)
for a GKE external LoadBalancer Service."""

from __future__ import annotations

import pulumi
import pulumi_gcp.compute as compute

from infra.regional import ReservedAddress
from meridian.config import Cluster


def external_address(name: str, *, cluster: Cluster, parent: pulumi.Resource) -> ReservedAddress:
    addr = compute.Address(
        name,
        name=f"{cluster.name}-ingress",
        region=cluster.region,
        address_type="EXTERNAL",
        network_tier="PREMIUM",
        labels={"cluster": cluster.name, "role": "ingress"},
        opts=pulumi.ResourceOptions(parent=parent),
    )
    annotations = addr.name.apply(
        lambda n: {"networking.gke.io/load-balancer-ip-addresses": n, "cloud.google.com/l4-rbs": "enabled"}
    )
    return ReservedAddress(pulumi.Output.all(addr.address), annotations, addr.address)

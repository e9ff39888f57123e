"""The reserved public ingress address of an EKS cluster: one Elastic IP per AZ, for an
internet-facing NLB (AWS Load Balancer Controller) that the router's Service binds to them."""

from __future__ import annotations

import pulumi
import pulumi_aws.ec2 as ec2

from infra.regional import ReservedAddress
from meridian.config import Cluster


def elastic_ips(name: str, *, cluster: Cluster, parent: pulumi.Resource) -> ReservedAddress:
    child = pulumi.ResourceOptions(parent=parent)
    eips = [
        ec2.Eip(
            f"{name}-{i}",
            domain="vpc",
            tags={"Name": f"{cluster.name}-ingress-{i}", "cluster": cluster.name, "role": "ingress"},
            opts=child,
        )
        for i in range(cluster.network.azs)
    ]
    annotations = pulumi.Output.all(*[e.allocation_id for e in eips]).apply(
        lambda ids: {
            "service.beta.kubernetes.io/aws-load-balancer-type": "external",
            "service.beta.kubernetes.io/aws-load-balancer-scheme": "internet-facing",
            "service.beta.kubernetes.io/aws-load-balancer-nlb-target-type": "ip",
            "service.beta.kubernetes.io/aws-load-balancer-eip-allocations": ",".join(ids),
        }
    )
    return ReservedAddress(pulumi.Output.all(*[e.public_ip for e in eips]), annotations, None)

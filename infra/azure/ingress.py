"""The reserved public ingress address of an AKS cluster: a Standard, zone-redundant static
PublicIPAddress in the cluster's resource group, for the AKS load balancer."""

from __future__ import annotations

import pulumi
import pulumi_azure_native.network as network

from infra.regional import ReservedAddress
from meridian.config import Cluster, StackConfig


def static_public_ip(
    name: str, *, cluster: Cluster, stack: StackConfig, resource_group_name: pulumi.Input[str],
    parent: pulumi.Resource,
) -> ReservedAddress:
    pip_name = f"{cluster.name}-ingress"
    pip = network.PublicIPAddress(
        name,
        public_ip_address_name=pip_name,
        resource_group_name=resource_group_name,
        location=cluster.region,
        sku=network.PublicIPAddressSkuArgs(name="Standard", tier="Regional"),
        public_ip_allocation_method="Static",
        public_ip_address_version="IPv4",
        zones=["1", "2", "3"],
        tags={"cluster": cluster.name, "role": "ingress", "environment": stack.environment},
        opts=pulumi.ResourceOptions(parent=parent),
    )
    annotations = pulumi.Output.from_input(resource_group_name).apply(
        lambda rg: {
            "service.beta.kubernetes.io/azure-pip-name": pip_name,
            "service.beta.kubernetes.io/azure-load-balancer-resource-group": rg,
        }
    )
    return ReservedAddress(pulumi.Output.all(pip.ip_address.apply(lambda ip: ip or "")), annotations, None)

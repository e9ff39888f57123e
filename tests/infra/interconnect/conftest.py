"""Build the Interconnect alone under the mock runtime, with small typed network handles."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pulumi

from meridian.config import StackConfig, load_from_pulumi
from meridian.plan.runner import Plan, run_plan

VNET = "/subscriptions/0000/resourceGroups/{rg}/providers/Microsoft.Network/virtualNetworks/{c}"
SUBNET = VNET + "/subnets/GatewaySubnet"


def mesh_program() -> None:
    from infra.aws.interconnect import AwsNetworkHandle
    from infra.azure.interconnect import AzureNetworkHandle
    from infra.gcp.interconnect import GcpNetworkHandle
    from infra.interconnect import Interconnect, NetworkHandle
    from infra.providers import Providers

    stack: StackConfig = load_from_pulumi()
    providers = Providers(stack)
    networks: dict[str, NetworkHandle] = {}
    for c in stack.clusters:
        if c.cloud == "aws":
            networks[c.name] = AwsNetworkHandle(vpc_id=f"vpc-{c.name}", route_table_ids=[f"rtb-{c.name}-a", f"rtb-{c.name}-b"])
        elif c.cloud == "gcp":
            networks[c.name] = GcpNetworkHandle(network=f"projects/p/global/networks/{c.name}")
        else:
            networks[c.name] = AzureNetworkHandle(
                resource_group_name=f"rg-{c.name}",
                gateway_subnet_id=SUBNET.format(rg=f"rg-{c.name}", c=c.name),
                vnet_name=f"{c.name}-vnet",
                vnet_id=VNET.format(rg=f"rg-{c.name}", c=c.name),
            )
    mesh = Interconnect(
        "mesh",
        stack=stack,
        networks=networks,
        providers={c.name: providers.for_cloud(c.cloud, c.region) for c in stack.clusters},
    )
    pulumi.export("interconnect", mesh.stack_outputs())


def plan_mesh(root: Path, stack: str) -> Plan:
    return run_plan(stack, root, program=mesh_program)


def children_of(plan: Plan, component_type: str, name: str) -> list[dict[str, Any]]:
    parent = next(r["urn"] for r in plan.of_type(component_type) if r["urn"].endswith(f"::{name}"))
    return [r for r in plan.resources if r.get("parent") == parent]

"""A static public ingress address per cluster, with the Service annotations that bind to it."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi

from infra.regional import ReservedAddress
from meridian.config import Cluster, StackConfig, load_from_pulumi
from meridian.plan.runner import run_plan
from tests.conftest import ROOT


@dataclass
class AddressOnly:
    """The ingress-address part of each cloud's region (the real regions are planned in full elsewhere)."""

    config: Cluster

    def reserve_ingress_address(self, name: str, *, stack: StackConfig, parent: pulumi.Resource) -> ReservedAddress:
        from infra.aws.ingress import elastic_ips
        from infra.azure.ingress import static_public_ip
        from infra.gcp.ingress import external_address

        c = self.config
        if c.cloud == "aws":
            return elastic_ips(name, cluster=c, parent=parent)
        if c.cloud == "gcp":
            return external_address(name, cluster=c, parent=parent)
        return static_public_ip(name, cluster=c, stack=stack, resource_group_name=f"rg-{c.name}", parent=parent)


def program() -> None:
    from infra.ingress import IngressAddress
    from infra.providers import Providers

    stack: StackConfig = load_from_pulumi()
    providers = Providers(stack)
    out = {}
    for c in stack.clusters:
        ing = IngressAddress(
            f"{c.name}-ingress",
            region=AddressOnly(c),  # type: ignore[arg-type]  # only what IngressAddress calls
            stack=stack,
            opts=pulumi.ResourceOptions(provider=providers.for_cloud(c.cloud, c.region)),
        )
        out[c.name] = ing.stack_outputs()
    pulumi.export("ingress", out)


def test_each_cloud_reserves_a_static_address_and_annotates_the_service() -> None:
    plan = run_plan("dev", ROOT, program=program)
    assert len(plan.of_type("aws:ec2/eip:Eip")) == 2  # one per AZ (dev: 2 AZs)
    (gaddr,) = plan.of_type("gcp:compute/address:Address")
    assert gaddr["inputs"]["addressType"] == "EXTERNAL"
    (pip,) = plan.of_type("azure-native:network:PublicIPAddress")
    assert pip["inputs"]["publicIPAllocationMethod"] == "Static"
    out = plan.stack_outputs["ingress"]
    aws = out["aws-dev-use1"]["serviceAnnotations"]
    assert aws["service.beta.kubernetes.io/aws-load-balancer-eip-allocations"].count("eipalloc-") == 2
    assert out["az-dev-weu"]["serviceAnnotations"]["service.beta.kubernetes.io/azure-pip-name"] == "az-dev-weu-ingress"
    assert out["gcp-dev-euw1"]["serviceAnnotations"]["networking.gke.io/load-balancer-ip-addresses"] == "gcp-dev-euw1-ingress"
    assert all(o["address"].count(".") == 3 for o in out.values())

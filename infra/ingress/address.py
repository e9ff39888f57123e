"""IngressAddress: the static public address a cluster's ingress LoadBalancer Service answers on.

The address outlives the Service (re-deploying the router never changes what Cloudflare points at).
Per cloud:
  aws    one Elastic IP per AZ for an internet-facing NLB (AWS Load Balancer Controller)
  gcp    a regional external compute.Address (Premium tier) for a GKE external LoadBalancer
  azure  a Standard, zone-redundant static PublicIPAddress for the AKS load balancer

`service_annotations` (+ `load_balancer_ip` where the cloud uses spec.loadBalancerIP) is what a
`type: LoadBalancer` Service needs to bind to the address."""

from __future__ import annotations

import pulumi

from meridian.config import Cluster, StackConfig


class IngressAddress(pulumi.ComponentResource):
    address: pulumi.Output[str]  # the first (primary) address: what DNS and Cloudflare origins use
    addresses: pulumi.Output[list[str]]  # all addresses (AWS: one per AZ)
    service_annotations: pulumi.Output[dict[str, str]]
    load_balancer_ip: pulumi.Output[str] | None  # spec.loadBalancerIP where the cloud needs it (gcp)

    def __init__(
        self,
        name: str,
        *,
        cluster: Cluster,
        stack: StackConfig,
        resource_group_name: pulumi.Input[str] | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("meridian:ingress:IngressAddress", name, None, opts)
        self.cluster = cluster
        child = pulumi.ResourceOptions(parent=self)
        self.load_balancer_ip = None
        if cluster.cloud == "aws":
            import pulumi_aws.ec2 as ec2

            eips = [
                ec2.Eip(
                    f"{name}-{i}",
                    domain="vpc",
                    tags={"Name": f"{cluster.name}-ingress-{i}", "cluster": cluster.name, "role": "ingress"},
                    opts=child,
                )
                for i in range(cluster.network.azs)
            ]
            self.addresses = pulumi.Output.all(*[e.public_ip for e in eips])
            self.service_annotations = pulumi.Output.all(*[e.allocation_id for e in eips]).apply(
                lambda ids: {
                    "service.beta.kubernetes.io/aws-load-balancer-type": "external",
                    "service.beta.kubernetes.io/aws-load-balancer-scheme": "internet-facing",
                    "service.beta.kubernetes.io/aws-load-balancer-nlb-target-type": "ip",
                    "service.beta.kubernetes.io/aws-load-balancer-eip-allocations": ",".join(ids),
                }
            )
        elif cluster.cloud == "gcp":
            import pulumi_gcp.compute as compute

            addr = compute.Address(
                name,
                name=f"{cluster.name}-ingress",
                region=cluster.region,
                address_type="EXTERNAL",
                network_tier="PREMIUM",
                labels={"cluster": cluster.name, "role": "ingress"},
                opts=child,
            )
            self.addresses = pulumi.Output.all(addr.address)
            self.load_balancer_ip = addr.address
            self.service_annotations = addr.name.apply(
                lambda n: {"networking.gke.io/load-balancer-ip-addresses": n, "cloud.google.com/l4-rbs": "enabled"}
            )
        else:
            import pulumi_azure_native.network as network

            if resource_group_name is None:
                raise ValueError(f"IngressAddress {name!r}: an Azure cluster needs resource_group_name")
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
                opts=child,
            )
            self.addresses = pulumi.Output.all(pip.ip_address.apply(lambda ip: ip or ""))
            self.service_annotations = pulumi.Output.from_input(resource_group_name).apply(
                lambda rg: {
                    "service.beta.kubernetes.io/azure-pip-name": pip_name,
                    "service.beta.kubernetes.io/azure-load-balancer-resource-group": rg,
                }
            )
        self.address = self.addresses.apply(lambda xs: xs[0])
        self.register_outputs(
            {"address": self.address, "addresses": self.addresses, "serviceAnnotations": self.service_annotations}
        )

    def stack_outputs(self) -> dict[str, object]:
        return {"address": self.address, "serviceAnnotations": self.service_annotations}

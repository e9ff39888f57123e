"""IngressAddress: the static public address a cluster's ingress LoadBalancer Service answers on.

The address outlives the Service (re-deploying the router never changes what Cloudflare points at).
Per cloud (RegionalCluster.reserve_ingress_address, in infra/<cloud>/ingress.py):
  aws    one Elastic IP per AZ for an internet-facing NLB (AWS Load Balancer Controller)
  gcp    a regional external compute.Address (Premium tier) for a GKE external LoadBalancer
  azure  a Standard, zone-redundant static PublicIPAddress for the AKS load balancer

`service_annotations` (+ `load_balancer_ip` where the cloud uses spec.loadBalancerIP) is what a
`type: LoadBalancer` Service needs to bind to the address."""

from __future__ import annotations

import pulumi

from infra.regional import RegionalCluster
from meridian.config import StackConfig


class IngressAddress(pulumi.ComponentResource):
    address: pulumi.Output[str]  # the first (primary) address: what DNS and Cloudflare origins use
    addresses: pulumi.Output[list[str]]  # all addresses (AWS: one per AZ)
    service_annotations: pulumi.Output[dict[str, str]]
    load_balancer_ip: pulumi.Output[str] | None  # spec.loadBalancerIP where the cloud needs it (gcp)

    def __init__(
        self,
        name: str,
        *,
        region: RegionalCluster,
        stack: StackConfig,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("meridian:ingress:IngressAddress", name, None, opts)
        self.cluster = region.config
        reserved = region.reserve_ingress_address(name, stack=stack, parent=self)
        self.addresses = reserved.addresses
        self.service_annotations = reserved.service_annotations
        self.load_balancer_ip = reserved.load_balancer_ip
        self.address = self.addresses.apply(lambda xs: xs[0])
        self.register_outputs(
            {"address": self.address, "addresses": self.addresses, "serviceAnnotations": self.service_annotations}
        )

    def stack_outputs(self) -> dict[str, object]:
        return {"address": self.address, "serviceAnnotations": self.service_annotations}

"""The VPC of a GCP cluster region: a custom-mode network with regional routing, one node subnetwork
with the secondary ranges GKE uses for pods and services, private Google access, and Cloud NAT on
a Cloud Router for egress (nodes have no external addresses).

Address plan, all inside the config's validated, stack-unique ranges:
  cidr        first half  -> node subnetwork (primary range)
              last /28    -> GKE control plane (private endpoint peering range)
              the rest    -> reserved (proxy-only / PSC subnets, added by later components)
  pod_cidr    -> secondary range "pods"
  service_cidr-> secondary range "services"."""

from __future__ import annotations

import ipaddress

import pulumi
import pulumi_gcp.compute as compute
from pulumi import ResourceOptions

from meridian.config import Cluster

PODS_RANGE = "pods"
SERVICES_RANGE = "services"


def node_range(cidr: ipaddress.IPv4Network) -> ipaddress.IPv4Network:
    """The node subnetwork: the first half of the cluster's network range."""
    return next(cidr.subnets(prefixlen_diff=1))


def control_plane_range(cidr: ipaddress.IPv4Network) -> ipaddress.IPv4Network:
    """The GKE control plane's /28: the last /28 of the cluster's network range (outside the node subnet)."""
    return ipaddress.IPv4Network(f"{cidr.broadcast_address - 15}/28")


WEBHOOK_PORTS = ("8080",)  # admission webhooks served by pods: the Vault Agent injector


class GcpNetwork(pulumi.ComponentResource):
    """Public attributes (for the cluster and the interconnect/VPN engineers):
      network (compute.Network); network_id, network_self_link, network_name (Output[str]);
      subnetwork (compute.Subnetwork); subnetwork_self_link (Output[str]); node_cidr (str);
      pods_range_name, services_range_name (str); control_plane_cidr (str);
      router (compute.Router, the NAT router, no BGP: VPN/interconnect add their own BGP routers or
        peers); router_name (Output[str]); nat (compute.RouterNat); region (str)."""

    def __init__(self, name: str, *, cluster: Cluster, opts: ResourceOptions | None = None) -> None:
        super().__init__("meridian:gcp:Network", name, None, opts)
        child = ResourceOptions(parent=self)
        net = cluster.network
        self.region = cluster.region
        self.node_cidr = str(node_range(net.cidr))
        self.control_plane_cidr = str(control_plane_range(net.cidr))
        self.pods_range_name = PODS_RANGE
        self.services_range_name = SERVICES_RANGE

        self.network = compute.Network(
            f"{name}-vpc",
            name=f"{cluster.name}-vpc",
            description=f"Meridian cluster network {cluster.name} ({net.cidr})",
            auto_create_subnetworks=False,
            routing_mode="REGIONAL",
            delete_default_routes_on_create=False,  # keeps the default internet route Cloud NAT uses
            opts=child,
        )
        self.subnetwork = compute.Subnetwork(
            f"{name}-nodes",
            name=f"{cluster.name}-nodes",
            region=cluster.region,
            network=self.network.id,
            ip_cidr_range=self.node_cidr,
            secondary_ip_ranges=[
                compute.SubnetworkSecondaryIpRangeArgs(range_name=PODS_RANGE, ip_cidr_range=str(net.pod_cidr)),
                compute.SubnetworkSecondaryIpRangeArgs(range_name=SERVICES_RANGE, ip_cidr_range=str(net.service_cidr)),
            ],
            private_ip_google_access=True,
            log_config=compute.SubnetworkLogConfigArgs(
                aggregation_interval="INTERVAL_5_SEC", flow_sampling=0.5, metadata="INCLUDE_ALL_METADATA"
            ),
            opts=child,
        )
        self.router = compute.Router(
            f"{name}-router",
            name=f"{cluster.name}-nat-router",
            region=cluster.region,
            network=self.network.id,
            description=f"Cloud NAT for {cluster.name}",
            opts=child,
        )
        self.nat = compute.RouterNat(
            f"{name}-nat",
            name=f"{cluster.name}-nat",
            router=self.router.name,
            region=cluster.region,
            nat_ip_allocate_option="AUTO_ONLY",
            source_subnetwork_ip_ranges_to_nat="LIST_OF_SUBNETWORKS",
            subnetworks=[
                compute.RouterNatSubnetworkArgs(name=self.subnetwork.id, source_ip_ranges_to_nats=["ALL_IP_RANGES"])
            ],
            log_config=compute.RouterNatLogConfigArgs(enable=True, filter="ERRORS_ONLY"),
            opts=child,
        )
        # A private GKE control plane reaches nodes on 443 and 10250 only. Admission webhooks served by
        # pods on other ports - the Vault Agent injector's 8080 - would time out, and with the
        # injector's failurePolicy Ignore, pods would start without their secrets.
        compute.Firewall(
            f"{name}-control-plane-webhooks",
            name=f"{cluster.name}-control-plane-webhooks",
            network=self.network.id,
            direction="INGRESS",
            source_ranges=[self.control_plane_cidr],
            allows=[compute.FirewallAllowArgs(protocol="tcp", ports=list(WEBHOOK_PORTS))],
            description=f"GKE control plane of {cluster.name} -> admission webhooks on its nodes",
            opts=child,
        )
        self.network_id: pulumi.Output[str] = self.network.id
        self.network_self_link: pulumi.Output[str] = self.network.self_link
        self.network_name: pulumi.Output[str] = self.network.name
        self.subnetwork_self_link: pulumi.Output[str] = self.subnetwork.self_link
        self.router_name: pulumi.Output[str] = self.router.name
        self.register_outputs(
            {
                "networkId": self.network_id,
                "networkSelfLink": self.network_self_link,
                "subnetworkSelfLink": self.subnetwork_self_link,
                "routerName": self.router_name,
            }
        )

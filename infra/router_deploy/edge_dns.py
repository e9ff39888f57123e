"""EdgeDns: the private DNS that lets a cluster's router reach its edge peers by name.

The generated router config (config_gen.edge_backends) names each peer router
`router.<peer>.<internalDomain>`. This is where those names resolve - inside the cluster's own
network only, never in public DNS:
  aws    a Route 53 private hosted zone associated with the cluster's VPC
  gcp    a Cloud DNS private managed zone bound to the cluster's VPC network (dns.googleapis.com)
  azure  an Azure Private DNS zone linked to the cluster's VNet, in the cluster's resource group
holding one record per router the cluster's workloads reach: its own and each edge peer's internal
load balancer (the `router-internal` Service). An AWS internal NLB is known by a DNS name (CNAME);
GKE and AKS internal load balancers by an IP (A). An internal NLB's name resolves publicly to its
private IPs, so the GCP and Azure resolvers follow the CNAME without forwarding rules; the traffic
itself goes over the interconnect."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pulumi
import pulumi_aws as aws
import pulumi_azure_native.network as azure_network
import pulumi_gcp as gcp
from pulumi import ResourceOptions

from infra.regional import cluster_tags
from infra.router_deploy import config_gen
from meridian.config import Cluster, StackConfig
from meridian.tags import gcp_labels

RECORD_TTL = 60  # seconds: a re-created internal load balancer is found again within a minute


def record_type(cloud: str) -> str:
    """The record a router's internal load balancer gets: AWS NLBs have names, the others IPs."""
    return "CNAME" if cloud == "aws" else "A"


def dns_targets(stack: StackConfig, cluster: Cluster) -> list[Cluster]:
    """The routers a cluster's workloads reach by name: its own, then each edge peer of its config
    (the peers whose routers its generated config lists as edge backends)."""
    edge = {b["name"].removeprefix("edge-") for b in config_gen.edge_backends(stack, cluster)}
    return [cluster] + [p for p in config_gen.linked_peers(stack, cluster) if p.name in edge]


def _network_attr(region: Any, attr: str) -> Any:
    net = getattr(region, "network", None)
    if not hasattr(net, attr):
        raise TypeError(
            f"edge DNS: the {region.config.cloud} regional stack of {region.config.name!r} does not expose "
            f"region.network.{attr}"
        )
    return getattr(net, attr)


class EdgeDns(pulumi.ComponentResource):
    """Private DNS for one cluster's network. Public attributes:
    zone_name (str: the internal domain); zone_id (Output[str]);
    records (dict[str, str]: host -> record type, one per router in `targets`)."""

    def __init__(
        self,
        name: str,
        *,
        region: Any,
        stack: StackConfig,
        addresses: Mapping[str, pulumi.Input[str]],
        opts: ResourceOptions | None = None,
    ) -> None:
        """`region`: the cluster's RegionalCluster (config and network; the zone is attached there).
        `addresses`: cluster name -> its router's internal load balancer address (RouterDeployment
        .internal_address), for every cluster in dns_targets(stack, region.config)."""
        super().__init__("meridian:router:EdgeDns", name, None, opts)
        cluster: Cluster = region.config
        domain = config_gen.router_section(stack).internal_domain
        targets = dns_targets(stack, cluster)
        missing = [t.name for t in targets if t.name not in addresses]
        if missing:
            raise ValueError(
                f"edge DNS for {cluster.name}: no internal router address for {', '.join(missing)}"
            )
        child = ResourceOptions(parent=self)
        self.zone_name = domain
        self.records: dict[str, str] = {}
        tags = {**cluster_tags(cluster, stack), "meridian-purpose": "router-edge-dns"}

        if cluster.cloud == "aws":
            zone = aws.route53.Zone(
                f"{name}-zone",
                name=domain,
                comment=f"Meridian routers reachable from {cluster.name} (private)",
                vpcs=[
                    aws.route53.ZoneVpcArgs(vpc_id=_network_attr(region, "vpc_id"), vpc_region=cluster.region)
                ],
                force_destroy=True,  # records only; they are re-created from the topology
                tags=tags,
                opts=child,
            )
            self.zone_id: pulumi.Output[str] = zone.zone_id

            def record(rname: str, host: str, kind: str, address: pulumi.Output[str]) -> None:
                aws.route53.Record(
                    rname,
                    zone_id=zone.zone_id,
                    name=host,
                    type=kind,
                    ttl=RECORD_TTL,
                    records=[address],
                    opts=child,
                )
        elif cluster.cloud == "gcp":
            gzone = gcp.dns.ManagedZone(
                f"{name}-zone",
                name=f"{cluster.name}-router-edge",
                dns_name=domain + ".",
                description=f"Meridian routers reachable from {cluster.name} (private)",
                visibility="private",
                private_visibility_config=gcp.dns.ManagedZonePrivateVisibilityConfigArgs(
                    networks=[
                        gcp.dns.ManagedZonePrivateVisibilityConfigNetworkArgs(
                            network_url=_network_attr(region, "network_id")
                        )
                    ]
                ),
                force_destroy=True,
                labels=gcp_labels(tags),
                opts=child,
            )
            self.zone_id = gzone.id

            def record(rname: str, host: str, kind: str, address: pulumi.Output[str]) -> None:
                gcp.dns.RecordSet(
                    rname,
                    managed_zone=gzone.name,
                    name=host + ".",
                    type=kind,
                    ttl=RECORD_TTL,
                    rrdatas=[address.apply(lambda a: a + ".") if kind == "CNAME" else address],
                    opts=child,
                )
        else:
            resource_group = _network_attr(region, "resource_group_name")
            azone = azure_network.PrivateZone(
                f"{name}-zone",
                private_zone_name=domain,
                resource_group_name=resource_group,
                location="Global",
                tags=tags,
                opts=child,
            )
            azure_network.VirtualNetworkLink(
                f"{name}-link",
                private_zone_name=azone.name,
                resource_group_name=resource_group,
                virtual_network_link_name=f"{cluster.name}-vnet",
                location="Global",
                registration_enabled=False,
                virtual_network=azure_network.SubResourceArgs(id=_network_attr(region, "vnet_id")),
                tags=tags,
                opts=child,
            )
            self.zone_id = azone.id

            def record(rname: str, host: str, kind: str, address: pulumi.Output[str]) -> None:
                azure_network.PrivateRecordSet(
                    rname,
                    private_zone_name=azone.name,
                    resource_group_name=resource_group,
                    record_type=kind,
                    relative_record_set_name=host.removesuffix("." + domain),
                    ttl=RECORD_TTL,
                    a_records=[azure_network.ARecordArgs(ipv4_address=address)] if kind == "A" else None,
                    cname_record=azure_network.CnameRecordArgs(cname=address) if kind == "CNAME" else None,
                    opts=child,
                )

        for target in targets:
            host = config_gen.peer_host(stack, target)
            kind = record_type(target.cloud)
            record(f"{name}-{target.name}", host, kind, pulumi.Output.from_input(addresses[target.name]))
            self.records[host] = kind
        self.register_outputs({"zone": domain, "zoneId": self.zone_id, "records": self.records})

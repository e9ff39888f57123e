"""PrivateDns: names the platform's private services resolve to, inside one cluster's own network.

Used for the router's edge peers (`router.<peer>.<internalDomain>`, infra.router_deploy.edge_dns)
and for Vault's API hostname (infra.vault.dns). Per cloud, one private zone per domain:
  aws    a Route 53 private hosted zone associated with the cluster's VPC
  gcp    a Cloud DNS private managed zone bound to the cluster's VPC network (needs dns.googleapis.com)
  azure  an Azure Private DNS zone linked to the cluster's VNet, in the cluster's resource group
Never public DNS. An AWS internal NLB is known by a DNS name (CNAME); GKE and AKS internal load
balancers by an IP (A). An internal NLB's name resolves publicly to its private IPs, so GCP and
Azure resolvers follow the CNAME without forwarding rules; the traffic itself goes over the
interconnect. A name at a zone's apex is refused (a CNAME cannot live there). Each cloud's SDK is
imported only when a zone on that cloud is made (a single-cloud stack loads one)."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pulumi
from pulumi import ResourceOptions

from infra.interconnect.gateways import AwsNetwork, AzureNetwork, ClusterNetwork, GcpNetwork
from infra.regional import cluster_tags
from meridian.config import Cluster, StackConfig
from meridian.tags import gcp_labels

if TYPE_CHECKING:
    from pulumi_azure_native.privatedns import PrivateZone

RECORD_TTL = 60  # seconds: a re-created internal load balancer is found again within a minute


def record_type(cloud: str) -> str:
    """The record an internal load balancer of `cloud` gets: AWS NLBs have names, the others IPs."""
    return "CNAME" if cloud == "aws" else "A"


@dataclass(frozen=True)
class DnsRecord:
    """`host` (fully qualified, no trailing dot) in private zone `zone` -> `address` (`kind`)."""

    zone: str
    host: str
    kind: str
    address: pulumi.Input[str]

    def __post_init__(self) -> None:
        if not self.host.endswith("." + self.zone):
            raise ValueError(f"private DNS: {self.host!r} is not a name inside the zone {self.zone!r}")
        if self.kind not in ("A", "CNAME"):
            raise ValueError(f"private DNS: record type {self.kind!r} for {self.host!r} (A or CNAME)")

    @property
    def relative(self) -> str:
        return self.host.removesuffix("." + self.zone)


AddRecord = Callable[[str, DnsRecord, pulumi.Output[str]], None]


def _slug(domain: str) -> str:
    return re.sub(r"[^a-z0-9-]", "-", domain.lower())



def azure_linked_zone(
    name: str,
    domain: str,
    resource_group: pulumi.Input[str],
    vnet_id: pulumi.Input[str],
    link_name: str,
    tags: dict[str, str],
    opts: ResourceOptions,
) -> PrivateZone:
    """An Azure Private DNS zone for `domain` (`name`) and its link `name`-link to the VNet, without
    auto-registration. Both are global resources, so they carry the global tag set of `tags`."""
    import pulumi_azure_native.privatedns as privatedns  # azure-native 3: Private DNS moved out of network

    from meridian.tags import global_resource_tags

    zone_tags = global_resource_tags(tags)
    zone = privatedns.PrivateZone(
        name,
        private_zone_name=domain,
        resource_group_name=resource_group,
        location="Global",
        tags=zone_tags,
        opts=opts,
    )
    privatedns.VirtualNetworkLink(
        f"{name}-link",
        private_zone_name=zone.name,
        resource_group_name=resource_group,
        virtual_network_link_name=link_name,
        location="Global",
        registration_enabled=False,
        virtual_network=privatedns.SubResourceArgs(id=vnet_id),
        tags=zone_tags,
        opts=opts,
    )
    return zone

class PrivateDns(pulumi.ComponentResource):
    """Private zones and records for one cluster's network. Public attributes:
    zones (dict[str, Output[str]]: domain -> zone id); records (dict[str, str]: host -> record type)."""

    def __init__(
        self,
        name: str,
        *,
        cluster: Cluster,
        network: ClusterNetwork,
        stack: StackConfig,
        records: Sequence[DnsRecord],
        opts: ResourceOptions | None = None,
    ) -> None:
        """`network`: the cluster's network handle (RegionalCluster.network_handle): the zones
        are attached there."""
        super().__init__("meridian:dns:PrivateDns", name, None, opts)
        hosts = [r.host for r in records]
        dupes = sorted({h for h in hosts if hosts.count(h) > 1})
        if dupes:
            raise ValueError(f"private DNS for {cluster.name}: {', '.join(dupes)} named twice")
        self._child = ResourceOptions(parent=self)
        self._tags = {**cluster_tags(cluster, stack), "meridian-purpose": "private-dns"}
        self.zones: dict[str, pulumi.Output[str]] = {}
        self.records: dict[str, str] = {}
        for zone in dict.fromkeys(r.zone for r in records):
            zname = f"{name}-{_slug(zone)}"
            if isinstance(network, AwsNetwork):
                add = self._aws_zone(zname, zone, network, cluster)
            elif isinstance(network, GcpNetwork):
                add = self._gcp_zone(zname, zone, network, cluster)
            else:
                add = self._azure_zone(zname, zone, network, cluster)
            for rec in (r for r in records if r.zone == zone):
                add(f"{zname}-{_slug(rec.relative)}", rec, pulumi.Output.from_input(rec.address))
                self.records[rec.host] = rec.kind
        self.register_outputs({"zones": self.zones, "records": self.records})

    def _aws_zone(self, zname: str, domain: str, network: AwsNetwork, cluster: Cluster) -> AddRecord:
        """A Route 53 private hosted zone for `domain` on the VPC; returns how to add a record."""
        import pulumi_aws as aws

        child, tags = self._child, self._tags
        zone = aws.route53.Zone(
            zname,
            name=domain,
            comment=f"Meridian private names for {cluster.name}",
            vpcs=[aws.route53.ZoneVpcArgs(vpc_id=network.vpc_id, vpc_region=cluster.region)],
            force_destroy=True,  # records only; they are re-created from the topology
            tags=tags,
            opts=child,
        )
        self.zones[domain] = zone.zone_id

        def aws_record(rname: str, rec: DnsRecord, address: pulumi.Output[str]) -> None:
            aws.route53.Record(
                rname,
                zone_id=zone.zone_id,
                name=rec.host,
                type=rec.kind,
                ttl=RECORD_TTL,
                records=[address],
                opts=child,
            )

        return aws_record

    def _gcp_zone(self, zname: str, domain: str, network: GcpNetwork, cluster: Cluster) -> AddRecord:
        """A Cloud DNS private zone for `domain` bound to the VPC network."""
        import pulumi_gcp as gcp

        child, tags = self._child, self._tags
        gzone = gcp.dns.ManagedZone(
            zname,
            name=f"{cluster.name}-{_slug(domain)}"[:63].rstrip("-"),
            dns_name=domain + ".",
            description=f"Meridian private names for {cluster.name}",
            visibility="private",
            private_visibility_config=gcp.dns.ManagedZonePrivateVisibilityConfigArgs(
                networks=[gcp.dns.ManagedZonePrivateVisibilityConfigNetworkArgs(network_url=network.network)]
            ),
            force_destroy=True,
            labels=gcp_labels(tags),
            opts=child,
        )
        self.zones[domain] = gzone.id

        def gcp_record(rname: str, rec: DnsRecord, address: pulumi.Output[str]) -> None:
            gcp.dns.RecordSet(
                rname,
                managed_zone=gzone.name,
                name=rec.host + ".",
                type=rec.kind,
                ttl=RECORD_TTL,
                rrdatas=[address.apply(lambda a: a + ".") if rec.kind == "CNAME" else address],
                opts=child,
            )

        return gcp_record

    def _azure_zone(self, zname: str, domain: str, network: AzureNetwork, cluster: Cluster) -> AddRecord:
        """An Azure Private DNS zone for `domain` in the cluster's resource group, linked to the VNet."""
        import pulumi_azure_native.privatedns as azure_network  # azure-native 3: Private DNS moved out of network

        if network.vnet_id is None:
            raise ValueError(f"private DNS for {cluster.name}: the Azure network handle has no vnet_id")
        child, resource_group = self._child, network.resource_group_name
        azone = azure_linked_zone(
            zname, domain, resource_group, network.vnet_id, f"{cluster.name}-vnet", self._tags, child
        )
        self.zones[domain] = azone.id

        def azure_record(rname: str, rec: DnsRecord, address: pulumi.Output[str]) -> None:
            azure_network.PrivateRecordSet(
                rname,
                private_zone_name=azone.name,
                resource_group_name=resource_group,
                record_type=rec.kind,
                relative_record_set_name=rec.relative,
                ttl=RECORD_TTL,
                a_records=[azure_network.ARecordArgs(ipv4_address=address)] if rec.kind == "A" else None,
                cname_record=azure_network.CnameRecordArgs(cname=address) if rec.kind == "CNAME" else None,
                opts=child,
            )

        return azure_record

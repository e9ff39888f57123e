"""Private names on GCP: a Cloud DNS private managed zone bound to the cluster's VPC network (needs
dns.googleapis.com)."""

from __future__ import annotations

import pulumi
import pulumi_gcp as gcp
from pulumi import ResourceOptions

from infra.private_dns import RECORD_TTL, DnsRecord, PrivateZone, slug
from meridian.config import Cluster
from meridian.tags import gcp_labels


def cloud_dns_private_zone(
    name: str, *, cluster: Cluster, domain: str, network: pulumi.Input[str], tags: dict[str, str],
    parent: pulumi.Resource,
) -> PrivateZone:
    child = ResourceOptions(parent=parent)
    zone = gcp.dns.ManagedZone(
        name,
        name=f"{cluster.name}-{slug(domain)}"[:63].rstrip("-"),
        dns_name=domain + ".",
        description=f"Meridian private names for {cluster.name}",
        visibility="private",
        private_visibility_config=gcp.dns.ManagedZonePrivateVisibilityConfigArgs(
            networks=[gcp.dns.ManagedZonePrivateVisibilityConfigNetworkArgs(network_url=network)]
        ),
        force_destroy=True,
        labels=gcp_labels(tags),
        opts=child,
    )

    def add(rname: str, rec: DnsRecord, address: pulumi.Output[str]) -> None:
        gcp.dns.RecordSet(
            rname,
            managed_zone=zone.name,
            name=rec.host + ".",
            type=rec.kind,
            ttl=RECORD_TTL,
            rrdatas=[address.apply(lambda a: a + ".") if rec.kind == "CNAME" else address],
            opts=child,
        )

    return PrivateZone(zone.id, add)

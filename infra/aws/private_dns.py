"""Private names on AWS: a Route 53 private hosted zone associated with the cluster's VPC."""

from __future__ import annotations

import pulumi
import pulumi_aws as aws
from pulumi import ResourceOptions

from infra.private_dns import RECORD_TTL, DnsRecord, PrivateZone
from meridian.config import Cluster


def route53_private_zone(
    name: str, *, cluster: Cluster, domain: str, vpc_id: pulumi.Input[str], tags: dict[str, str],
    parent: pulumi.Resource,
) -> PrivateZone:
    child = ResourceOptions(parent=parent)
    zone = aws.route53.Zone(
        name,
        name=domain,
        comment=f"Meridian private names for {cluster.name}",
        vpcs=[aws.route53.ZoneVpcArgs(vpc_id=vpc_id, vpc_region=cluster.region)],
        force_destroy=True,  # records only; they are re-created from the topology
        tags=tags,
        opts=child,
    )

    def add(rname: str, rec: DnsRecord, address: pulumi.Output[str]) -> None:
        aws.route53.Record(
            rname, zone_id=zone.zone_id, name=rec.host, type=rec.kind, ttl=RECORD_TTL, records=[address], opts=child
        )

    return PrivateZone(zone.zone_id, add)

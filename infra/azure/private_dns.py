"""Private names on Azure: a Private DNS zone linked to the cluster's VNet, in the cluster's
resource group (also the privatelink zones of private endpoints, infra/azure/redis.py)."""

from __future__ import annotations

import pulumi
import pulumi_azure_native.privatedns as privatedns  # azure-native 3: Private DNS moved out of network
from pulumi import ResourceOptions

from infra.private_dns import RECORD_TTL, DnsRecord, PrivateZone
from meridian.config import Cluster
from meridian.tags import global_resource_tags


def azure_linked_zone(
    name: str,
    domain: str,
    resource_group: pulumi.Input[str],
    vnet_id: pulumi.Input[str],
    link_name: str,
    tags: dict[str, str],
    opts: ResourceOptions,
) -> privatedns.PrivateZone:
    """An Azure Private DNS zone for `domain` (`name`) and its link `name`-link to the VNet, without
    auto-registration. Both are global resources, so they carry the global tag set of `tags`."""
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


def azure_private_zone(
    name: str, *, cluster: Cluster, domain: str, resource_group: pulumi.Input[str], vnet_id: pulumi.Input[str],
    tags: dict[str, str], parent: pulumi.Resource,
) -> PrivateZone:
    child = ResourceOptions(parent=parent)
    zone = azure_linked_zone(name, domain, resource_group, vnet_id, f"{cluster.name}-vnet", tags, child)

    def add(rname: str, rec: DnsRecord, address: pulumi.Output[str]) -> None:
        privatedns.PrivateRecordSet(
            rname,
            private_zone_name=zone.name,
            resource_group_name=resource_group,
            record_type=rec.kind,
            relative_record_set_name=rec.relative,
            ttl=RECORD_TTL,
            a_records=[privatedns.ARecordArgs(ipv4_address=address)] if rec.kind == "A" else None,
            cname_record=privatedns.CnameRecordArgs(cname=address) if rec.kind == "CNAME" else None,
            opts=child,
        )

    return PrivateZone(zone.id, add)

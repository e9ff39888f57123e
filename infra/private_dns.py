"""PrivateDns: names the platform's private services resolve to, inside one cluster's own network.

Used for the router's edge peers (`router.<peer>.<internalDomain>`, infra.router_deploy.edge_dns)
and for Vault's API hostname (infra.vault.dns). One private zone per domain, made by the cluster's
region (RegionalCluster.private_zone):
  aws    a Route 53 private hosted zone associated with the cluster's VPC (infra/aws/private_dns.py)
  gcp    a Cloud DNS private managed zone bound to the cluster's VPC network (infra/gcp/private_dns.py)
  azure  an Azure Private DNS zone linked to the cluster's VNet, in its resource group (infra/azure/private_dns.py)
Never public DNS. An AWS internal NLB is known by a DNS name (CNAME); GKE and AKS internal load
balancers by an IP (A) (infra.internal_lb.INTERNAL_LB_RECORD). An internal NLB's name resolves
publicly to its private IPs, so GCP and Azure resolvers follow the CNAME without forwarding rules;
the traffic itself goes over the interconnect. A name at a zone's apex is refused (a CNAME cannot
live there)."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

import pulumi
from pulumi import ResourceOptions

from infra.regional import cluster_tags
from meridian.config import Cluster, StackConfig

RECORD_TTL = 60  # seconds: a re-created internal load balancer is found again within a minute


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


@dataclass(frozen=True)
class PrivateZone:
    """A private zone on a cluster's network: its id, and how to add a record (resource name,
    record, address) to it."""

    zone_id: pulumi.Output[str]
    add_record: AddRecord


class PrivateZoneSource(Protocol):
    """What makes private zones on a cluster's network: the cluster's region."""

    def private_zone(self, name: str, *, domain: str, tags: dict[str, str], parent: pulumi.Resource) -> PrivateZone:
        """A private zone for `domain` visible from this cluster's network only, its resources (and
        its records') children of `parent`."""
        ...


def slug(domain: str) -> str:
    return re.sub(r"[^a-z0-9-]", "-", domain.lower())


class PrivateDns(pulumi.ComponentResource):
    """Private zones and records for one cluster's network. Public attributes:
    zones (dict[str, Output[str]]: domain -> zone id); records (dict[str, str]: host -> record type)."""

    def __init__(
        self,
        name: str,
        *,
        cluster: Cluster,
        zones: PrivateZoneSource,
        stack: StackConfig,
        records: Sequence[DnsRecord],
        opts: ResourceOptions | None = None,
    ) -> None:
        """`zones`: what makes zones on the cluster's network (its RegionalCluster)."""
        super().__init__("meridian:dns:PrivateDns", name, None, opts)
        hosts = [r.host for r in records]
        dupes = sorted({h for h in hosts if hosts.count(h) > 1})
        if dupes:
            raise ValueError(f"private DNS for {cluster.name}: {', '.join(dupes)} named twice")
        tags = {**cluster_tags(cluster, stack), "meridian-purpose": "private-dns"}
        self.zones: dict[str, pulumi.Output[str]] = {}
        self.records: dict[str, str] = {}
        for domain in dict.fromkeys(r.zone for r in records):
            zname = f"{name}-{slug(domain)}"
            zone = zones.private_zone(zname, domain=domain, tags=tags, parent=self)
            self.zones[domain] = zone.zone_id
            for rec in (r for r in records if r.zone == domain):
                zone.add_record(f"{zname}-{slug(rec.relative)}", rec, pulumi.Output.from_input(rec.address))
                self.records[rec.host] = rec.kind
        self.register_outputs({"zones": self.zones, "records": self.records})

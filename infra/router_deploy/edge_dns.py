"""The router's edge names: `router.<peer>.<internalDomain>`, as the generated config
(config_gen.edge_backends) names each peer router, resolved inside a cluster's own network
(infra.private_dns) to the peer's internal load balancer (the `router-internal` Service)."""

from __future__ import annotations

from collections.abc import Mapping

import pulumi

from infra.internal_lb import INTERNAL_LB_RECORD
from infra.private_dns import DnsRecord
from infra.router_contract import config_gen
from meridian.config import Cluster, StackConfig


def dns_targets(stack: StackConfig, cluster: Cluster) -> list[Cluster]:
    """The routers a cluster's workloads reach by name: its own, then each edge peer of its config
    (the peers whose routers its generated config lists as edge backends)."""
    edge = {b.name.removeprefix("edge-") for b in config_gen.edge_backends(stack, cluster)}
    return [cluster] + [p for p in stack.private_peers(cluster.name) if p.name in edge]


def router_records(
    stack: StackConfig, cluster: Cluster, addresses: Mapping[str, pulumi.Input[str]]
) -> list[DnsRecord]:
    """Records for a cluster whose router has edge peers (none otherwise). `addresses`: cluster name ->
    its router's internal load balancer address (RouterDeployment.internal_address)."""
    targets = dns_targets(stack, cluster)
    if len(targets) == 1:
        return []
    missing = [t.name for t in targets if t.name not in addresses]
    if missing:
        raise ValueError(f"edge DNS for {cluster.name}: no internal router address for {', '.join(missing)}")
    zone = config_gen.router_section(stack).internal_domain
    return [
        DnsRecord(zone, config_gen.peer_host(stack, t), INTERNAL_LB_RECORD[t.cloud], addresses[t.name])
        for t in targets
    ]

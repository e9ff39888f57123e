"""Vault's API hostname (router_contract.vault_hostname, the name in its TLS certificate and in every
Vault Agent's address) resolved to the `vault-api` internal load balancer, in the private DNS
(infra.private_dns) of the Vault cluster and of every cluster privately linked to it - the networks
from which Vault is reachable at all. The zone is the hostname's parent domain (a CNAME cannot sit
at a zone apex)."""

from __future__ import annotations

import pulumi

from infra.internal_lb import INTERNAL_LB_RECORD
from infra.private_dns import DnsRecord
from infra.router_contract.vault import router_reads, vault_hostname
from meridian.config import Cluster, StackConfig


def reaches_vault(stack: StackConfig, cluster: Cluster) -> bool:
    """Whether the cluster's workloads reach the stack's Vault over a private network."""
    if stack.vault is None:
        return False
    return cluster.name == stack.vault.cluster or stack.vault.cluster in {
        p.name for p in stack.private_peers(cluster.name)
    }


def unreachable_clients(stack: StackConfig) -> list[str]:
    """Clusters whose router reads from Vault but that have no private link to the Vault cluster: their
    Vault Agent cannot log in, and Vault cannot review their ServiceAccount tokens."""
    if stack.vault is None or stack.router is None:
        return []
    return [c.name for c in stack.clusters if router_reads(stack, c.name) and not reaches_vault(stack, c)]


def vault_records(stack: StackConfig, cluster: Cluster, address: pulumi.Input[str]) -> list[DnsRecord]:
    """The Vault hostname record for this cluster's network (none where Vault is not reachable)."""
    if stack.vault is None or not reaches_vault(stack, cluster):
        return []
    host = vault_hostname(stack.vault)
    zone = host.split(".", 1)[1]
    return [DnsRecord(zone, host, INTERNAL_LB_RECORD[stack.cluster(stack.vault.cluster).cloud], address)]

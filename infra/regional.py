"""What every cloud's regional stack and data lake offer to the rest of the platform."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

import pulumi

from meridian.config import Cluster, DataLake, StackConfig

if TYPE_CHECKING:
    from infra.observability.scrape import Target
from meridian.tags import DATA_CLASS_KEY, residency_tags

POOL_LABEL = "meridian.io/pool"  # node label: system | workload | gpu, on every cloud
GPU_PRESENT_LABEL = "nvidia.com/gpu.present"  # on GPU nodes; what the NVIDIA device plugin selects


class RegionalCluster(Protocol):
    """A cluster region: network + Kubernetes cluster (AwsRegion, GcpRegion, AzureRegion)."""

    @property
    def config(self) -> Cluster: ...

    @property
    def cluster_name(self) -> pulumi.Output[str]: ...

    @property
    def endpoint(self) -> pulumi.Output[str]: ...

    @property
    def kubeconfig(self) -> pulumi.Output[str]:  # secret
        ...

    @property
    def k8s_provider(self) -> pulumi.ProviderResource: ...

    def managed_prometheus(
        self, name: str, *, stack: StackConfig, namespace: str, targets: list[Target],
        depends_on: list[pulumi.Resource],
    ) -> pulumi.ComponentResource:
        """The cloud's managed Prometheus collecting (and alerting on) this cluster's router."""
        ...

    def stack_outputs(self) -> dict[str, Any]: ...


class DataLakeStore(Protocol):
    """A regional data lake (S3DataLake, GcsDataLake, AdlsDataLake)."""

    config: DataLake

    def stack_outputs(self) -> dict[str, Any]: ...


def cluster_tags(cluster: Cluster, stack: StackConfig) -> dict[str, str]:
    """Clusters process data: they carry the residency tags of the jurisdiction they serve."""
    return residency_tags("restricted", cluster.jurisdiction, stack.environment, cluster=cluster.name)


def lake_tags(lake: DataLake, stack: StackConfig) -> dict[str, str]:
    return residency_tags(lake.data_class, lake.jurisdiction, stack.environment, lake=lake.name)


def peer_ranges(stack: StackConfig, cluster: Cluster) -> list[tuple[str, str]]:
    """(peer name, CIDR) of every range from which a privately linked peer's workloads reach this
    cluster: the peer's network, and for GKE peers also its pod range (GKE does not masquerade pod
    traffic to private destinations; EKS pods have VPC addresses, AKS overlay pods leave as their node).
    Vault's Kubernetes auth (token reviews) and operators over the interconnect need these to reach
    the cluster's private API endpoint."""
    out: list[tuple[str, str]] = []
    for peer in stack.private_peers(cluster.name):
        out.append((peer.name, str(peer.network.cidr)))
        if peer.cloud == "gcp":
            out.append((f"{peer.name}-pods", str(peer.network.pod_cidr)))
    return out


def operational_log_days(stack: StackConfig) -> int:
    """Control-plane and network logs: a year in prod (incident reviews), a month elsewhere."""
    return 365 if stack.environment == "prod" else 30


def operational_log_tags(tags: dict[str, str]) -> dict[str, str]:
    """Control-plane and flow logs are operational telemetry (request metadata, addresses and ports,
    no payloads): classified `internal`, in the jurisdiction of the cluster that writes them."""
    return {**tags, DATA_CLASS_KEY: "internal"}


def metrics_store_tags(tags: dict[str, str]) -> dict[str, str]:
    """A cluster's metrics workspace holds operational telemetry whose labels carry tenant ids:
    classified like its logs (`internal`, the cluster's jurisdiction)."""
    return {**operational_log_tags(tags), "purpose": "router-metrics"}


def access_log_days(lake: DataLake) -> int:
    """Access logs are audit evidence: kept at least a year, and as long as the data's retention."""
    return max(400, (lake.retention_years or 0) * 366)


def data_store_options(stack: StackConfig, opts: pulumi.ResourceOptions | None = None) -> pulumi.ResourceOptions:
    """Options for anything that holds data or keys: in prod, `pulumi destroy` must not lose it."""
    protect = stack.protect_data
    return pulumi.ResourceOptions.merge(
        opts or pulumi.ResourceOptions(), pulumi.ResourceOptions(protect=protect, retain_on_delete=protect)
    )

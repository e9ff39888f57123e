"""What every cloud's regional stack and data lake offer to the rest of the platform."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

import pulumi

from meridian.config import Cluster, DataLake, StackConfig

if TYPE_CHECKING:
    from infra.interconnect.gateways import NetworkHandle
    from infra.observability.scrape import Target
    from infra.private_dns import PrivateZone
from meridian.tags import DATA_CLASS_KEY, residency_tags

POOL_LABEL = "meridian.io/pool"  # node label: system | workload | gpu, on every cloud
GPU_PRESENT_LABEL = "nvidia.com/gpu.present"  # on GPU nodes; what the NVIDIA device plugin selects


@dataclass(frozen=True)
class ManagedRedis:
    """A cloud's managed Redis, as the router reaches it: TLS on `port`, authenticated by `password`."""

    host: pulumi.Output[str]
    port: int
    password: pulumi.Output[str]  # secret


@dataclass(frozen=True)
class WorkloadGrants:
    """What a workload's cloud identity may do, in each cloud's own terms (a workload gets the
    grants of the cloud its cluster runs on)."""

    aws_inline_policy: pulumi.Input[str] | None = None  # IAM policy JSON for the IRSA role
    gcp_project_roles: dict[str, str] | None = None  # resource-name suffix -> project role


@dataclass(frozen=True)
class WorkloadIdentity:
    """A cloud identity bound to one Kubernetes ServiceAccount: what goes on the ServiceAccount
    (`annotations`) and on its pods (`pod_labels`), and the identity (role ARN / GSA email / client
    id; None: the cluster offers none)."""

    identity: pulumi.Output[str] | None
    annotations: dict[str, pulumi.Input[str]]
    pod_labels: dict[str, str]


@dataclass(frozen=True)
class ReservedAddress:
    """A static public address for the cluster's ingress LoadBalancer Service, and what the Service
    needs to bind to it."""

    addresses: pulumi.Output[list[str]]  # all of them (AWS: one per AZ); the first is the primary
    service_annotations: pulumi.Output[dict[str, str]]
    load_balancer_ip: pulumi.Output[str] | None  # spec.loadBalancerIP where the cloud uses it (GCP)


@dataclass(frozen=True)
class UnsealKey:
    """A cloud KMS key Vault auto-unseals with, and what lets exactly Vault's ServiceAccount use it:
    the key's id, Vault's `seal "..." {}` stanza for it, and the annotations (on the ServiceAccount)
    and labels (on the pods) of its workload identity."""

    key_id: pulumi.Output[str]
    seal_stanza: pulumi.Output[str]
    service_account_annotations: pulumi.Output[dict[str, str]]
    pod_labels: dict[str, str]


class UnsealKeySource(Protocol):
    """What can hold Vault's unseal key: the region of the cluster Vault runs on."""

    def unseal_key(
        self, name: str, *, stack: StackConfig, namespace: str, service_account: str, tags: dict[str, str],
        parent: pulumi.Resource, provider: pulumi.ProviderResource,
    ) -> UnsealKey:
        """The key in this cluster's region (protected in prod) and the workload identity of
        `namespace/service_account` that may use it, children of `parent` through `provider`: a KMS
        key and an IRSA role (AWS), a Cloud KMS key and a Google service account through GKE
        Workload Identity (GCP), a Key Vault HSM key and a federated user-assigned identity (Azure)."""
        ...


class RegionalCluster(UnsealKeySource, Protocol):
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

    @property
    def cloud_provider(self) -> pulumi.ProviderResource:
        """The cloud provider of the cluster's region (what the region was built with)."""
        ...

    @property
    def oidc_issuer_url(self) -> pulumi.Input[str]:
        """The issuer of the cluster's service-account tokens (what cloud identities federate with)."""
        ...

    @property
    def ca_certificate(self) -> pulumi.Output[str]:
        """The API server's CA, base64-encoded PEM (as kubeconfigs carry it)."""
        ...

    def managed_prometheus(
        self, name: str, *, stack: StackConfig, namespace: str, targets: list[Target],
        depends_on: list[pulumi.Resource],
    ) -> pulumi.ComponentResource:
        """The cloud's managed Prometheus collecting (and alerting on) this cluster's router."""
        ...

    def network_handle(self) -> NetworkHandle:
        """What the interconnect attaches to: the VPC and its private route tables (AWS), the VPC
        network (GCP), the VNet with its gateway subnet and resource group (Azure)."""
        ...

    def private_zone(self, name: str, *, domain: str, tags: dict[str, str], parent: pulumi.Resource) -> PrivateZone:
        """A private DNS zone for `domain` seen from this cluster's network only, its resources (and
        its records') children of `parent`: a Route 53 private hosted zone on the VPC (AWS), a Cloud
        DNS private zone on the VPC network (GCP), a Private DNS zone linked to the VNet (Azure).
        (infra.private_dns.PrivateDns; structurally a PrivateZoneSource.)"""
        ...

    def reserve_ingress_address(self, name: str, *, stack: StackConfig, parent: pulumi.Resource) -> ReservedAddress:
        """The static public ingress address (Elastic IPs per AZ, a regional external Address, a
        zone-redundant static public IP), its resources children of `parent`."""
        ...

    def managed_redis(
        self, name: str, *, stack: StackConfig, password: pulumi.Output[str], tags: dict[str, str],
        parent: pulumi.Resource,
    ) -> ManagedRedis:
        """The cloud's managed Redis in this cluster's region and network, its resources children of
        `parent` (ElastiCache, Memorystore, Azure Cache for Redis). `password`: the auth token where
        the service takes one (ElastiCache); the others make their own."""
        ...

    def workload_identity(
        self, name: str, *, stack: StackConfig, workload: str, namespace: str, service_account: str,
        grants: WorkloadGrants, tags: dict[str, str], parent: pulumi.Resource,
    ) -> WorkloadIdentity:
        """The cloud identity pods running as `namespace/service_account` on this cluster use, with
        `grants`, its resources children of `parent`: an IRSA role (AWS), a Google service account
        through GKE Workload Identity (GCP), a user-assigned identity with a federated credential on the
        cluster's OIDC issuer (Azure). `workload` names the identity (`<workload>-<cluster>`)."""
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


# Whether a cluster's pods reach private destinations with their pod addresses: GKE does not
# masquerade pod traffic to private ranges; EKS pods have VPC addresses; AKS overlay pods leave as
# their node.
PODS_LEAVE_AS_THEMSELVES: dict[str, bool] = {"aws": False, "gcp": True, "azure": False}


def peer_ranges(stack: StackConfig, cluster: Cluster) -> list[tuple[str, str]]:
    """(peer name, CIDR) of every range from which a privately linked peer's workloads reach this
    cluster: the peer's network, and for GKE peers also its pod range (GKE does not masquerade pod
    traffic to private destinations; EKS pods have VPC addresses, AKS overlay pods leave as their node).
    Vault's Kubernetes auth (token reviews) and operators over the interconnect need these to reach
    the cluster's private API endpoint."""
    out: list[tuple[str, str]] = []
    for peer in stack.private_peers(cluster.name):
        out.append((peer.name, str(peer.network.cidr)))
        if PODS_LEAVE_AS_THEMSELVES[peer.cloud]:
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


def formerly(old_type: str, opts: pulumi.ResourceOptions | None) -> pulumi.ResourceOptions:
    """Options for a component whose type token was renamed: an alias to the old type, so an
    existing stack moves the component and everything under it in state instead of replacing it."""
    return pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(aliases=[pulumi.Alias(type_=old_type)]))

"""Assemble the platform from the typed stack config. Each concept is its own ComponentResource;
this module only decides which ones a stack needs and wires their outputs together.

Provider SDKs are imported per cloud, only when the stack uses that cloud: they are large."""

from __future__ import annotations

from typing import Any

import pulumi

from infra.ingress import IngressAddress
from infra.providers import Providers
from infra.regional import DataLakeStore, RegionalCluster
from meridian.config import Cluster, DataLake, StackConfig


def _regional(cluster: Cluster, stack: StackConfig, providers: Providers) -> RegionalCluster:
    """The factory: which class a cloud's region is (the one place that asks which cloud)."""
    provider = providers.for_cloud(cluster.cloud, cluster.region)
    if cluster.cloud == "aws":
        from infra.aws import AwsRegion

        return AwsRegion(cluster.name, cluster=cluster, stack=stack, provider=provider)
    if cluster.cloud == "gcp":
        from infra.gcp import GcpRegion

        return GcpRegion(cluster.name, cluster=cluster, stack=stack, provider=provider)
    from infra.azure import AzureRegion

    return AzureRegion(cluster.name, cluster=cluster, stack=stack, provider=provider)


def _lake(lake: DataLake, stack: StackConfig, providers: Providers) -> DataLakeStore:
    opts = pulumi.ResourceOptions(provider=providers.for_cloud(lake.cloud, lake.region))
    if lake.cloud == "aws":
        from infra.aws import S3DataLake

        return S3DataLake(lake.name, lake=lake, stack=stack, providers=providers, opts=opts)
    if lake.cloud == "gcp":
        from infra.gcp import GcsDataLake

        return GcsDataLake(lake.name, lake=lake, stack=stack, providers=providers, opts=opts)
    from infra.azure import AdlsDataLake

    return AdlsDataLake(lake.name, lake=lake, stack=stack, providers=providers, opts=opts)


def _ingress(stack: StackConfig, regions: dict[str, RegionalCluster]) -> dict[str, IngressAddress]:
    """A reserved public ingress address per cluster: the router's Service uses it, Cloudflare's
    pools point at it."""
    out: dict[str, IngressAddress] = {}
    for name, region in regions.items():
        out[name] = IngressAddress(
            f"{name}-ingress", region=region, stack=stack, opts=pulumi.ResourceOptions(provider=region.cloud_provider)
        )
    return out


def _interconnect(stack: StackConfig, regions: dict[str, RegionalCluster]) -> Any:
    if stack.interconnect is None or not stack.interconnect.links:
        return None
    from infra.interconnect import Interconnect
    from infra.interconnect.wiring import networks_of

    return Interconnect(
        "mesh",
        stack=stack,
        networks=networks_of(regions),
        providers={n: r.cloud_provider for n, r in regions.items()},
    )


def _cloudflare(stack: StackConfig, ingress: dict[str, IngressAddress]) -> Any:
    if stack.cloudflare is None:
        return None
    from infra.cloudflare import GlobalLoadBalancing

    return GlobalLoadBalancing(
        "edge",
        config=stack.cloudflare,
        clusters=stack.clusters,
        origins={name: ing.addresses for name, ing in ingress.items()},
        api_token=pulumi.Config("cloudflare").get_secret("apiToken"),
    )


def _private_dns(
    stack: StackConfig, regions: dict[str, RegionalCluster], routers: dict[str, Any], vault: Any
) -> dict[str, Any]:
    """Per cluster network, the private names its workloads use: peer routers (edge tier) and Vault's
    API hostname, each resolving to an internal load balancer (infra.private_dns)."""
    from infra.private_dns import PrivateDns
    from infra.router_deploy.edge_dns import router_records
    from infra.vault.dns import unreachable_clients, vault_records

    blind = unreachable_clients(stack)  # none without a `vault` section
    if blind and stack.vault is not None:
        pulumi.log.warn(
            f"vault: no private link (interconnect.links: vpn, dedicated or peering) from {', '.join(blind)} to the "
            f"Vault cluster {stack.vault.cluster}: there the router's Vault Agent cannot reach Vault (and Vault "
            "cannot review the cluster's tokens), so router pods wait in the agent's init container"
        )
    addresses = {name: rd.internal_address for name, rd in routers.items()}
    out: dict[str, Any] = {}
    for name, r in regions.items():
        records = router_records(stack, r.config, addresses) if routers else []
        if vault is not None:
            records += vault_records(stack, r.config, vault.internal_address)
        if records:
            out[name] = PrivateDns(
                f"{name}-dns", cluster=r.config, zones=r, stack=stack, records=records,
                opts=pulumi.ResourceOptions(providers=[r.cloud_provider]),
            )
    return out


def _observability(
    stack: StackConfig, regions: dict[str, RegionalCluster], routers: dict[str, Any], vault: Any | None
) -> None:
    """Collection and alerts for every router cluster (`observability.collection`): its router, its
    in-cluster Redis and, on the Vault cluster, Vault."""
    from infra.observability.cluster import RouterObservability
    from infra.observability.targets import targets

    assert stack.router is not None
    mode = stack.observability.collection
    for name, rd in routers.items():
        scrape = targets(stack, name)
        after = [rd] + ([vault] if vault is not None and any(t.name == "vault" for t in scrape) else [])
        if mode == "operator":
            RouterObservability(
                f"observability-{name}", config=stack.observability, namespace=stack.router.namespace,
                targets=scrape, k8s_provider=regions[name].k8s_provider, depends_on=after,
            )
        elif mode == "managed":
            regions[name].managed_prometheus(
                f"observability-{name}", stack=stack, namespace=stack.router.namespace, targets=scrape,
                depends_on=after,
            )


def build_platform(stack: StackConfig) -> None:
    providers = Providers(stack)
    regions: dict[str, RegionalCluster] = {c.name: _regional(c, stack, providers) for c in stack.clusters}
    lakes: dict[str, DataLakeStore] = {lake.name: _lake(lake, stack, providers) for lake in stack.data_lakes}
    from infra.vault.wiring import vault_platform

    vault = vault_platform(stack, regions)
    ingress = _ingress(stack, regions)
    mesh = _interconnect(stack, regions)
    edge = _cloudflare(stack, ingress)  # before the routers: they serve its origin certificates
    routers: dict[str, Any] = {}
    if stack.router is not None:
        from infra.router_deploy.deployment import RouterDeployment

        routers = {
            name: RouterDeployment(
                f"router-{name}",
                cluster=r,
                stack=stack,
                cloud_provider=r.cloud_provider,
                ingress=ingress.get(name),
                vault_ca_cert=vault.ca_cert_pem if vault else None,
                origin_tls=edge.origin_tls(name) if edge else None,
            )
            for name, r in regions.items()
        }
        _observability(stack, regions, routers, vault)

    private_dns = _private_dns(stack, regions, routers, vault)

    outputs: dict[str, Any] = {
        "environment": stack.environment,
        "clusters": {name: r.stack_outputs() for name, r in regions.items()},
        "dataLakes": {name: lake.stack_outputs() for name, lake in lakes.items()},
        "vault": vault.stack_outputs() if vault else None,
        "ingress": {name: ing.addresses for name, ing in ingress.items()},
        "interconnect": mesh.stack_outputs() if mesh else None,
        "cloudflare": edge.stack_outputs() if edge else None,
        "routers": {name: rd.stack_outputs() for name, rd in routers.items()},
        "privateDns": {name: dns.records for name, dns in private_dns.items()},
    }
    for key, value in outputs.items():
        pulumi.export(key, value)

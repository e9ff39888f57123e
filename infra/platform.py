"""Assemble the platform from the typed stack config. Each concept is its own ComponentResource;
this module only decides which ones a stack needs and wires their outputs together.

Provider SDKs are imported per cloud, only when the stack uses that cloud: they are large."""

from __future__ import annotations

from typing import Any

import pulumi

from meridian.config import Cluster, DataLake, StackConfig

from infra.providers import Providers
from infra.regional import DataLakeStore, RegionalCluster


def _regional(cluster: Cluster, stack: StackConfig, providers: Providers) -> RegionalCluster:
    opts = pulumi.ResourceOptions(provider=providers.for_cloud(cluster.cloud, cluster.region))
    if cluster.cloud == "aws":
        from infra.aws import AwsRegion

        return AwsRegion(cluster.name, cluster=cluster, stack=stack, opts=opts)
    if cluster.cloud == "gcp":
        from infra.gcp import GcpRegion

        return GcpRegion(cluster.name, cluster=cluster, stack=stack, opts=opts)
    from infra.azure import AzureRegion

    return AzureRegion(cluster.name, cluster=cluster, stack=stack, opts=opts)


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


def build_platform(stack: StackConfig) -> None:
    providers = Providers(stack)
    regions: dict[str, RegionalCluster] = {c.name: _regional(c, stack, providers) for c in stack.clusters}
    lakes: dict[str, DataLakeStore] = {lake.name: _lake(lake, stack, providers) for lake in stack.data_lakes}
    from infra.vault.wiring import vault_platform

    vault = vault_platform(stack, regions, providers)
    routers: dict[str, Any] = {}
    if stack.router is not None:
        from infra.router_deploy import RouterDeployment

        routers = {
            name: RouterDeployment(
                f"router-{name}", cluster=r, stack=stack,
                cloud_provider=providers.for_cloud(r.config.cloud, r.config.region),
            )
            for name, r in regions.items()
        }

    outputs: dict[str, Any] = {
        "environment": stack.environment,
        "clusters": {name: r.stack_outputs() for name, r in regions.items()},
        "dataLakes": {name: lake.stack_outputs() for name, lake in lakes.items()},
        "vault": vault.stack_outputs() if vault else None,
        "routers": {name: rd.stack_outputs() for name, rd in routers.items()},
    }
    for key, value in outputs.items():
        pulumi.export(key, value)

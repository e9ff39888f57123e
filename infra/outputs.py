"""The stack outputs every cloud gives under the same key for the same concept (documented in
README.md, "Stack outputs"). A region's `clusters.<name>` and a lake's `dataLakes.<name>` start with
these keys; each cloud adds what only it has, and keeps the keys it had before under their old names
(AWS `secretsKeyArn`, `vpcId`, `nodeGroups`; Azure `kmsKeyId`, `vnetId`; lakes `bucket`,
`logBucket`, `storageAccount`, `logStorageAccount`, `kmsKeyId`), so nothing reading them breaks."""

from __future__ import annotations

from typing import Any, TypedDict

import pulumi

from meridian.config import Cluster, DataLake


class ClusterOutputs(TypedDict):
    cloud: str
    region: str
    jurisdiction: str
    clusterName: pulumi.Output[str]
    endpoint: pulumi.Output[str]
    kubeconfig: pulumi.Output[str]  # secret
    kubernetesVersion: Any
    oidcIssuerUrl: pulumi.Input[str]  # the issuer of the cluster's service-account tokens
    secretsKeyId: pulumi.Output[str]  # the key encrypting Kubernetes secrets (KMS ARN / Cloud KMS id / Key Vault key URI)
    networkId: pulumi.Output[str]  # VPC id / VPC network id / VNet id
    networkCidr: str
    nodePools: Any  # pool kind (system | workload | gpu) -> the cloud's node group / pool name


class DataLakeOutputs(TypedDict):
    cloud: str
    region: str
    jurisdiction: str
    dataClass: str
    store: pulumi.Output[str]  # S3 bucket / GCS bucket / storage account name
    zones: Any  # zone -> URI (s3:// / gs:// / abfss://)
    keyId: pulumi.Output[str]  # the customer key (KMS ARN / Cloud KMS id / Key Vault key id)
    logStore: pulumi.Output[str]  # where access logs go (bucket / storage account name)
    retentionYears: int | None
    replicaRegions: list[str]


def cluster_outputs(
    config: Cluster, *, cluster_name: pulumi.Output[str], endpoint: pulumi.Output[str],
    kubeconfig: pulumi.Output[str], kubernetes_version: Any, oidc_issuer_url: pulumi.Input[str],
    secrets_key_id: pulumi.Output[str], network_id: pulumi.Output[str], node_pools: Any,
) -> ClusterOutputs:
    return ClusterOutputs(
        cloud=config.cloud, region=config.region, jurisdiction=config.jurisdiction, clusterName=cluster_name,
        endpoint=endpoint, kubeconfig=kubeconfig, kubernetesVersion=kubernetes_version, oidcIssuerUrl=oidc_issuer_url,
        secretsKeyId=secrets_key_id, networkId=network_id, networkCidr=str(config.network.cidr), nodePools=node_pools,
    )


def lake_outputs(
    config: DataLake, *, store: pulumi.Output[str], zones: Any, key_id: pulumi.Output[str],
    log_store: pulumi.Output[str], replica_regions: list[str],
) -> DataLakeOutputs:
    return DataLakeOutputs(
        cloud=config.cloud, region=config.region, jurisdiction=config.jurisdiction, dataClass=config.data_class,
        store=store, zones=zones, keyId=key_id, logStore=log_store, retentionYears=config.retention_years,
        replicaRegions=replica_regions,
    )

"""Azure regional stacks: resource group + VNet + AKS (AzureRegion) and ADLS Gen2 data lakes
(AdlsDataLake).

One ComponentResource per concept, one module each: network (AzureNetwork), keys (KeyVaultKey),
identity (role assignments, aks_workload_identity), cluster (AksCluster), nodepools (AksNodePools),
storage (account hardening), logstore (AdlsLogStore), datalake (AdlsDataLake), region (AzureRegion);
names (globally unique account / vault names)."""

from infra.azure.datalake import AdlsDataLake
from infra.azure.region import AzureRegion

__all__ = ["AdlsDataLake", "AzureRegion"]

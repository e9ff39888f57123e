"""GCP regional stacks: VPC + GKE (GcpRegion) and GCS data lakes (GcsDataLake).

One ComponentResource per concept, one module each: network (GcpNetwork), keys (KmsKey), identity
(NodeServiceAccount, the GKE service agent), cluster (GkeCluster), nodepools (GkeNodePools),
bucket (SecureBucket), datalake (GcsDataLake), region (GcpRegion)."""

from infra.gcp.datalake import GcsDataLake
from infra.gcp.region import GcpRegion

__all__ = ["GcpRegion", "GcsDataLake"]

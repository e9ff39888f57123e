"""AWS regional stacks: VPC + EKS (AwsRegion) and S3 data lakes (S3DataLake).

One ComponentResource per concept, one module each: network (AwsNetwork), keys (KmsKey), identity
(service roles, IrsaRole), cluster (EksCluster), nodepools (EksNodePools), addons (EksAddons),
bucket (SecureBucket), datalake (S3DataLake), region (AwsRegion)."""

from infra.aws.datalake import S3DataLake
from infra.aws.region import AwsRegion

__all__ = ["AwsRegion", "S3DataLake"]

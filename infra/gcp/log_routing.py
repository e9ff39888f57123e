"""GkeLogRouting: a GKE cluster's logs stay in its jurisdiction.

Cloud Logging's `_Default` bucket is in location `global`; a cluster's control-plane, node and
workload logs (router logs carry tenant ids) instead go to a log bucket in the cluster's own region
(retention as the platform's operational logs), through a sink that matches exactly this cluster, and
the same logs are excluded from `_Default` (a project-level exclusion applies to the `_Default` sink).

Log buckets carry no labels: the bucket's description states its classification in Meridian's
convention (`meridian:data-class=internal;jurisdiction=<j>`), which the residency rules read
(meridian.rules.stores.gcp_logging). An organisation may instead set Cloud Logging's default storage
location for every new project (`gcloud logging settings update --organization=ORG
--storage-location=REGION`); this component does not depend on that."""

from __future__ import annotations

import pulumi
import pulumi_gcp.logging as logging
from pulumi import ResourceOptions

from infra.regional import data_store_options, operational_log_days
from meridian.classification_meta import describe
from meridian.config import Cluster, StackConfig

GKE_RESOURCE_TYPES = ("k8s_cluster", "k8s_node", "k8s_pod", "k8s_container", "gke_cluster", "gke_nodepool")


def cluster_filter(cluster: Cluster) -> str:
    types = " OR ".join(f'resource.type="{t}"' for t in GKE_RESOURCE_TYPES)
    return f'resource.labels.cluster_name="{cluster.name}" AND ({types})'


class GkeLogRouting(pulumi.ComponentResource):
    """Public attributes: bucket (logging.ProjectBucketConfig); sink; exclusion."""

    def __init__(
        self, name: str, *, cluster: Cluster, stack: StackConfig, project: str, opts: ResourceOptions | None = None
    ) -> None:
        super().__init__("meridian:gcp:LogRouting", name, None, opts)
        child = ResourceOptions(parent=self)
        bucket_id = f"gke-{cluster.name}"
        self.bucket = logging.ProjectBucketConfig(
            f"{name}-logs",
            project=project,
            location=cluster.region,
            bucket_id=bucket_id,
            retention_days=operational_log_days(stack),
            description=describe("internal", cluster.jurisdiction, f"logs of GKE cluster {cluster.name}"),
            opts=data_store_options(stack, child),
        )
        log_filter = cluster_filter(cluster)
        self.sink = logging.ProjectSink(
            f"{name}-logs",
            project=project,
            name=f"gke-{cluster.name}-regional",
            destination=f"logging.googleapis.com/projects/{project}/locations/{cluster.region}/buckets/{bucket_id}",
            filter=log_filter,
            unique_writer_identity=True,
            description=f"logs of GKE cluster {cluster.name} into its regional bucket",
            opts=ResourceOptions(parent=self, depends_on=[self.bucket]),
        )
        self.exclusion = logging.ProjectExclusion(
            f"{name}-logs-not-default",
            project=project,
            name=f"gke-{cluster.name}-not-default",
            filter=log_filter,
            description=f"logs of GKE cluster {cluster.name} go to its regional bucket, not to _Default (global)",
            opts=ResourceOptions(parent=self, depends_on=[self.sink]),
        )
        self.register_outputs({"bucket": self.bucket.name, "sink": self.sink.name})

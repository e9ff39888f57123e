"""How the router's metrics are scraped, in each collector's terms (one definition of what is scraped:
the router pods' `http` port, /metrics, every 30 s)."""

from __future__ import annotations

from typing import Any

import yaml

SCRAPE_INTERVAL = "30s"
PORT = "http"
PATH = "/metrics"


def pod_monitor_spec(namespace: str, pod_labels: dict[str, str]) -> dict[str, Any]:
    """A PodMonitor's spec (the Prometheus Operator's, and Azure Monitor's `azmonitoring.coreos.com`)."""
    return {
        "selector": {"matchLabels": dict(pod_labels)},
        "namespaceSelector": {"matchNames": [namespace]},
        "podMetricsEndpoints": [{"port": PORT, "path": PATH, "interval": SCRAPE_INTERVAL}],
    }


def pod_monitoring_spec(pod_labels: dict[str, str]) -> dict[str, Any]:
    """A Google Managed Prometheus PodMonitoring's spec (monitoring.googleapis.com/v1; namespaced)."""
    return {"selector": {"matchLabels": dict(pod_labels)},
            "endpoints": [{"port": PORT, "path": PATH, "interval": SCRAPE_INTERVAL}]}


def prometheus_config(namespace: str, pod_labels: dict[str, str]) -> str:
    """A plain Prometheus configuration (the AWS managed collector's `scrape_configuration`): pods of
    `namespace` carrying `pod_labels`, their `http` container port."""
    keep = [{"source_labels": [f"__meta_kubernetes_pod_label_{k.replace('.', '_').replace('/', '_').replace('-', '_')}"],
             "regex": v, "action": "keep"} for k, v in pod_labels.items()]
    return yaml.safe_dump({
        "global": {"scrape_interval": SCRAPE_INTERVAL},
        "scrape_configs": [{
            "job_name": "meridian-router",
            "metrics_path": PATH,
            "kubernetes_sd_configs": [{"role": "pod", "namespaces": {"names": [namespace]}}],
            "relabel_configs": [
                *keep,
                {"source_labels": ["__meta_kubernetes_pod_container_port_name"], "regex": PORT, "action": "keep"},
                {"source_labels": ["__meta_kubernetes_namespace"], "target_label": "namespace"},
                {"source_labels": ["__meta_kubernetes_pod_name"], "target_label": "pod"},
            ],
        }],
    }, sort_keys=False)


# Who scrapes the router, as (namespace, pod labels), per collection mode and cloud. The AWS managed
# collector reaches the pods from ENIs in the cluster's own subnets: the router's NetworkPolicy already
# admits the cluster's network on its port, so it needs no pod peer.
MANAGED_COLLECTORS: dict[str, tuple[str, dict[str, str]] | None] = {
    "aws": None,
    "gcp": ("gmp-system", {"app.kubernetes.io/name": "collector"}),  # GKE managed collection
    "azure": ("kube-system", {"rsName": "ama-metrics"}),  # Azure Monitor's ama-metrics replica set
}


def scrapers(collection: str, operator_namespace: str, cloud: str) -> list[tuple[str, dict[str, str]]]:
    """The pods allowed to scrape the router's port on a cluster of `cloud`."""
    if collection == "managed":
        peer = MANAGED_COLLECTORS[cloud]
        return [peer] if peer is not None else []
    return [(operator_namespace, {"app.kubernetes.io/name": "prometheus"})]

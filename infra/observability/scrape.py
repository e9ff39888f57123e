"""What is scraped on a cluster, and how, in each collector's terms: one `Target` per workload (the
router's pods everywhere; the in-cluster Redis' exporter; Vault's servers on the Vault cluster), turned
into a Prometheus Operator / Azure Monitor PodMonitor, a Google Managed Prometheus PodMonitoring, or a
job of the plain Prometheus configuration the AWS managed collector runs."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

SCRAPE_INTERVAL = "30s"


@dataclass(frozen=True)
class Target:
    name: str  # e.g. "meridian-router": the monitor's name and the job's
    namespace: str
    pod_labels: dict[str, str]
    port: str  # the container port's name
    path: str = "/metrics"
    scheme: str = "http"
    params: dict[str, list[str]] = field(default_factory=dict)
    # HTTPS: the Secret (name, key) holding the CA that signed the server certificate, and the name
    # the certificate carries.
    tls_ca_secret: tuple[str, str] | None = None
    tls_server_name: str | None = None


def _endpoint(t: Target, tls_key: str) -> dict[str, Any]:
    """One scrape endpoint in the CRDs' shared shape; the TLS block is `tls_key` (`tlsConfig` for the
    Prometheus Operator and Azure Monitor, `tls` for Google Managed Prometheus)."""
    endpoint: dict[str, Any] = {"port": t.port, "path": t.path, "interval": SCRAPE_INTERVAL, "scheme": t.scheme}
    if t.params:
        endpoint["params"] = t.params
    if t.tls_ca_secret is not None:
        endpoint[tls_key] = {"ca": {"secret": {"name": t.tls_ca_secret[0], "key": t.tls_ca_secret[1]}},
                             "serverName": t.tls_server_name}
    return endpoint


def pod_monitor_spec(t: Target) -> dict[str, Any]:
    """A PodMonitor's spec (the Prometheus Operator's, and Azure Monitor's `azmonitoring.coreos.com`)."""
    return {"selector": {"matchLabels": dict(t.pod_labels)}, "namespaceSelector": {"matchNames": [t.namespace]},
            "podMetricsEndpoints": [_endpoint(t, "tlsConfig")]}


def pod_monitoring_spec(t: Target) -> dict[str, Any]:
    """A Google Managed Prometheus PodMonitoring's spec (monitoring.googleapis.com/v1; it selects pods
    of its own namespace, so it is created in `t.namespace`)."""
    return {"selector": {"matchLabels": dict(t.pod_labels)}, "endpoints": [_endpoint(t, "tls")]}


def _label(key: str) -> str:
    return "__meta_kubernetes_pod_label_" + "".join(c if c.isalnum() else "_" for c in key)


def prometheus_config(targets: list[Target]) -> str:
    """A plain Prometheus configuration (the AWS managed collector's `scrape_configuration`): per target,
    the pods of its namespace carrying its labels, on its named container port. The managed collector
    cannot read a CA from the cluster: HTTPS targets are scraped encrypted without verifying the
    certificate (inside the cluster's VPC)."""
    jobs = []
    for t in targets:
        job: dict[str, Any] = {
            "job_name": t.name,
            "metrics_path": t.path,
            "scheme": t.scheme,
            "kubernetes_sd_configs": [{"role": "pod", "namespaces": {"names": [t.namespace]}}],
            "relabel_configs": [
                *({"source_labels": [_label(k)], "regex": v, "action": "keep"} for k, v in t.pod_labels.items()),
                {"source_labels": ["__meta_kubernetes_pod_container_port_name"], "regex": t.port, "action": "keep"},
                {"source_labels": ["__meta_kubernetes_namespace"], "target_label": "namespace"},
                {"source_labels": ["__meta_kubernetes_pod_name"], "target_label": "pod"},
            ],
        }
        if t.params:
            job["params"] = t.params
        if t.scheme == "https":
            job["tls_config"] = {"insecure_skip_verify": True}
        jobs.append(job)
    return yaml.safe_dump({"global": {"scrape_interval": SCRAPE_INTERVAL}, "scrape_configs": jobs}, sort_keys=False)


# Who scrapes, as (namespace, pod labels), per collection mode and cloud. The AWS managed collector
# reaches the pods from ENIs in the cluster's own subnets: the NetworkPolicies admit the cluster's
# network there, so it needs no pod peer.
MANAGED_COLLECTORS: dict[str, tuple[str, dict[str, str]] | None] = {
    "aws": None,
    "gcp": ("gmp-system", {"app.kubernetes.io/name": "collector"}),  # GKE managed collection
    "azure": ("kube-system", {"rsName": "ama-metrics"}),  # Azure Monitor's ama-metrics replica set
}


def scrapers(collection: str, operator_namespace: str, cloud: str) -> list[tuple[str, dict[str, str]]]:
    """The pods allowed to scrape on a cluster of `cloud` (never empty: an empty NetworkPolicy `from`
    admits everyone, so where no pod scrapes the in-cluster Prometheus peer stays)."""
    if collection == "managed":
        peer = MANAGED_COLLECTORS[cloud]
        if peer is not None:
            return [peer]
    return [(operator_namespace, {"app.kubernetes.io/name": "prometheus"})]


def scraper_peers(collection: str, operator_namespace: str, cloud: str, network_cidr: str) -> list[Any]:
    """NetworkPolicy peers for whoever scrapes on this cluster (see `scrapers`); with the AWS managed
    collector also the cluster's own network, where its ENIs are."""
    import pulumi_kubernetes.meta.v1 as meta
    import pulumi_kubernetes.networking.v1 as networking

    peers = [
        networking.NetworkPolicyPeerArgs(
            namespace_selector=meta.LabelSelectorArgs(match_labels={"kubernetes.io/metadata.name": ns}),
            pod_selector=meta.LabelSelectorArgs(match_labels=labels),
        )
        for ns, labels in scrapers(collection, operator_namespace, cloud)
    ]
    if collection == "managed" and MANAGED_COLLECTORS[cloud] is None:
        peers.append(networking.NetworkPolicyPeerArgs(ip_block=networking.IPBlockArgs(cidr=network_cidr)))
    return peers

"""VaultServer: the official hashicorp/vault Helm chart on the Vault cluster, HA with integrated raft
storage, TLS on every listener, KMS auto-unseal, an audit volume, spread across nodes and zones, a
PodDisruptionBudget that keeps the raft quorum, and the Vault Agent injector."""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi_kubernetes.core.v1 as core
import pulumi_kubernetes.helm.v3 as helm
import pulumi_kubernetes.meta.v1 as meta
from pulumi import ResourceOptions

from infra.internal_lb import INTERNAL_LB_ANNOTATIONS, lb_address, source_ranges
from infra.router_contract.vault import API_PORT, vault_api_address, vault_hostname
from infra.vault.inputs import VAULT_NAMESPACE, VAULT_SERVICE_ACCOUNT
from infra.vault.storage import VaultStorageClass
from infra.vault.tls import TLS_SECRET, VaultTls
from infra.vault.unseal import VaultUnsealKey
from meridian.config import StackConfig, Vault

RELEASE = "vault"
CHART_REPO = "https://helm.releases.hashicorp.com"
TLS_DIR = f"/vault/userconfig/{TLS_SECRET}"
AUDIT_DIR = "/vault/audit"
AUDIT_FILE = f"{AUDIT_DIR}/vault-audit.log"
API_SERVICE = "vault-api"
SERVER_SELECTOR = {"app.kubernetes.io/name": "vault", "app.kubernetes.io/instance": RELEASE, "component": "server"}
SERVER_POD_LABELS = SERVER_SELECTOR



def vault_address(cfg: Vault) -> str:
    """The API address (one definition: infra.router_contract.vault, which the router uses too)."""
    return vault_api_address(cfg)


def server_config(replicas: int, seal_stanza: str) -> str:
    """The server HCL: TLS listener, raft storage joining every peer over TLS, the KMS seal, and
    Prometheus telemetry (scraped by infra/observability)."""
    joins = "".join(
        f"""
  retry_join {{
    leader_api_addr         = "https://{RELEASE}-{i}.{RELEASE}-internal:{API_PORT}"
    leader_ca_cert_file     = "{TLS_DIR}/ca.crt"
    leader_client_cert_file = "{TLS_DIR}/tls.crt"
    leader_client_key_file  = "{TLS_DIR}/tls.key"
  }}"""
        for i in range(replicas)
    )
    return f"""ui = true
disable_mlock = true

listener "tcp" {{
  address            = "[::]:{API_PORT}"
  cluster_address    = "[::]:8201"
  tls_disable        = false
  tls_cert_file      = "{TLS_DIR}/tls.crt"
  tls_key_file       = "{TLS_DIR}/tls.key"
  tls_client_ca_file = "{TLS_DIR}/ca.crt"
  tls_min_version    = "tls12"
  # /v1/sys/metrics?format=prometheus without a token, for the metrics collector (metrics only).
  telemetry {{
    unauthenticated_metrics_access = true
  }}
}}

telemetry {{
  prometheus_retention_time = "30s"
  disable_hostname          = true
}}

storage "raft" {{
  path = "/vault/data"{joins}
}}

{seal_stanza}
service_registration "kubernetes" {{}}
"""


# The labels the chart gives the injector's pods (templates/injector-deployment.yaml): not the server's.
INJECTOR_POD_LABELS = {"app.kubernetes.io/name": "vault-agent-injector", "app.kubernetes.io/instance": RELEASE,
                       "component": "webhook"}


def zone_spread(labels: dict[str, str]) -> list[dict[str, Any]]:
    return [{"maxSkew": 1, "topologyKey": "topology.kubernetes.io/zone", "whenUnsatisfiable": "DoNotSchedule",
             "labelSelector": {"matchLabels": dict(labels)}}]


def _spread(labels: dict[str, str]) -> dict[str, Any]:
    selector = {"matchLabels": dict(labels)}
    return {
        "podAntiAffinity": {
            # Never two raft peers on one node ...
            "requiredDuringSchedulingIgnoredDuringExecution": [
                {"labelSelector": selector, "topologyKey": "kubernetes.io/hostname"}
            ],
            # ... and spread over zones (topologySpreadConstraints below makes it strict).
            "preferredDuringSchedulingIgnoredDuringExecution": [
                {"weight": 100, "podAffinityTerm": {"labelSelector": selector,
                                                    "topologyKey": "topology.kubernetes.io/zone"}}
            ],
        }
    }


def helm_values(
    cfg: Vault, *, cloud: str, seal_stanza: str, service_account_annotations: dict[str, str],
    pod_labels: dict[str, str], storage_class: str, volume_labels: dict[str, str],
) -> dict[str, Any]:
    """Values for the hashicorp/vault chart (pure: tests read them back from the plan)."""
    return {
        "global": {"enabled": True, "tlsDisable": False},
        "injector": {
            "enabled": True,
            "replicas": 2,
            "agentImage": {"repository": "hashicorp/vault", "tag": cfg.image_tag},
            "affinity": _spread(INJECTOR_POD_LABELS),
            "topologySpreadConstraints": zone_spread(INJECTOR_POD_LABELS),
        },
        "csi": {"enabled": False},
        "ui": {"enabled": True},
        "server": {
            "image": {"repository": "hashicorp/vault", "tag": cfg.image_tag},
            "extraEnvironmentVars": {"VAULT_CACERT": f"{TLS_DIR}/ca.crt", "VAULT_ADDR": f"https://127.0.0.1:{API_PORT}"},
            "extraVolumes": [{"type": "secret", "name": TLS_SECRET}],
            "extraLabels": pod_labels,
            "serviceAccount": {"create": True, "name": VAULT_SERVICE_ACCOUNT,
                               "annotations": service_account_annotations},
            # In-cluster only; peers reach the active node through VaultServer's `vault-api` Service.
            "service": {"enabled": True, "type": "ClusterIP"},
            # Raft data and the audit log on VaultStorageClass' classified, tagged disks; the claims carry
            # the same classification labels.
            "dataStorage": {"enabled": True, "size": f"{cfg.data_storage_gb}Gi", "mountPath": "/vault/data",
                            "storageClass": storage_class, "labels": volume_labels},
            # The audit device (VaultConfig enables it) writes to this volume.
            "auditStorage": {"enabled": True, "size": f"{cfg.audit_storage_gb}Gi", "mountPath": AUDIT_DIR,
                             "storageClass": storage_class, "labels": volume_labels},
            "affinity": _spread(SERVER_POD_LABELS),
            "topologySpreadConstraints": zone_spread(SERVER_POD_LABELS),
            "standalone": {"enabled": False},
            "ha": {
                "enabled": True,
                "replicas": cfg.replicas,
                "raft": {"enabled": True, "setNodeId": True, "config": server_config(cfg.replicas, seal_stanza)},
                # One voluntary disruption at a time: the raft quorum always survives a drain.
                "disruptionBudget": {"enabled": True, "maxUnavailable": 1},
            },
        },
    }


class VaultServer(pulumi.ComponentResource):
    """Public attributes: namespace (str); release (helm.Release); tls (VaultTls);
    address (Output[str]): the API URL, known once the release is installed; ca_cert_pem (Output[str]);
    internal_address (Output[str]): the `vault-api` internal load balancer (DNS name on AWS, else IP)."""

    def __init__(
        self, name: str, *, stack: StackConfig, unseal: VaultUnsealKey, k8s_provider: pulumi.ProviderResource,
        opts: ResourceOptions | None = None,
    ) -> None:
        super().__init__("meridian:vault:VaultServer", name, None, opts)
        assert stack.vault is not None
        cfg = stack.vault
        cluster = stack.cluster(cfg.cluster)
        k8s = ResourceOptions(parent=self, provider=k8s_provider)
        ns = core.Namespace(
            f"{name}-ns",
            metadata=meta.ObjectMetaArgs(
                name=VAULT_NAMESPACE, labels={"app.kubernetes.io/part-of": "meridian",
                                              "pod-security.kubernetes.io/enforce": "baseline"}
            ),
            opts=k8s,
        )
        self.namespace = VAULT_NAMESPACE
        self.tls = VaultTls(
            f"{name}-tls", namespace=ns.metadata.name, release=RELEASE, replicas=cfg.replicas,
            hostname=vault_hostname(cfg), k8s_provider=k8s_provider, opts=ResourceOptions(parent=self),
        )
        self.storage = VaultStorageClass(
            f"{name}-storage", cluster=cluster, stack=stack, k8s_provider=k8s_provider,
            opts=ResourceOptions(parent=self),
        )
        values = pulumi.Output.all(unseal.seal_stanza, unseal.service_account_annotations).apply(
            lambda a: helm_values(
                cfg, cloud=cluster.cloud, seal_stanza=a[0], service_account_annotations=a[1],
                pod_labels=unseal.pod_labels, storage_class=self.storage.name, volume_labels=self.storage.labels,
            )
        )
        self.release = helm.Release(
            f"{name}-release",
            name=RELEASE,
            namespace=ns.metadata.name,
            chart="vault",
            version=cfg.chart_version,
            repository_opts=helm.RepositoryOptsArgs(repo=CHART_REPO),
            values=values,
            # Pods are not Ready until `vault operator init` ran once (see the README of infra/vault).
            skip_await=True,
            opts=ResourceOptions(parent=self, provider=k8s_provider, depends_on=[self.tls, unseal, self.storage]),
        )
        # The API for the other clusters (Vault Agent, Kubernetes auth clients) and operators: an
        # internal load balancer to the active node only (the label Vault's kubernetes service
        # registration keeps current), never public. infra.vault.dns names it in every linked network.
        api = core.Service(
            f"{name}-api",
            metadata=meta.ObjectMetaArgs(
                name=API_SERVICE, namespace=ns.metadata.name, annotations=INTERNAL_LB_ANNOTATIONS[cluster.cloud],
                labels={"app.kubernetes.io/name": "vault", "app.kubernetes.io/instance": RELEASE},
            ),
            spec=core.ServiceSpecArgs(
                type="LoadBalancer",
                load_balancer_source_ranges=source_ranges(stack, cluster),
                selector={**SERVER_SELECTOR, "vault-active": "true"},
                ports=[core.ServicePortArgs(name="https", port=API_PORT, target_port=API_PORT, protocol="TCP")],
            ),
            opts=ResourceOptions(parent=self, provider=k8s_provider, depends_on=[self.release]),
        )
        self.internal_address: pulumi.Output[str] = lb_address(api)
        address = vault_address(cfg)
        self.address: pulumi.Output[str] = self.release.status.apply(lambda _: address)
        self.ca_cert_pem = self.tls.ca_cert_pem
        self.register_outputs({"address": self.address, "caCertPem": self.ca_cert_pem, "namespace": VAULT_NAMESPACE})

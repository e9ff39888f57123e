"""NvidiaDevicePlugin: what makes a GPU node advertise `nvidia.com/gpu`, so GPU pods schedule and the
cluster autoscaler's scale-ups of the GPU pool are used.

EKS (its AL2023 NVIDIA AMI) and AKS (its Ubuntu GPU image) install the NVIDIA driver but not the
Kubernetes device plugin; GKE installs both itself (gpu_driver_installation_config), so it gets
none. The official chart's DaemonSet runs only on nodes labelled `nvidia.com/gpu.present=true`
(infra.regional.GPU_PRESENT_LABEL, set on the GPU pools) and tolerates the GPU taint."""

from __future__ import annotations

import pulumi
import pulumi_kubernetes.helm.v3 as helm
from pulumi import ResourceOptions

# 0.17.0 rendered failOnInitError unquoted into an env value, which the API server rejects (0.17.1 quotes it)
CHART_REPO = "https://nvidia.github.io/k8s-device-plugin"
# renovate: chart=nvidia-device-plugin
CHART_VERSION = "0.19.3"
NAMESPACE = "kube-system"


def helm_values() -> dict:
    return {
        # The GPU pool's taint (nodePools.gpu.taints, default nvidia.com/gpu=present:NoSchedule) and
        # the system pool's CriticalAddonsOnly.
        "tolerations": [
            {"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"},
            {"key": "CriticalAddonsOnly", "operator": "Exists"},
        ],
        "priorityClassName": "system-node-critical",
        "failOnInitError": True,
    }


class NvidiaDevicePlugin(pulumi.ComponentResource):
    """Public attributes: release (helm.Release)."""

    def __init__(
        self, name: str, *, k8s_provider: pulumi.ProviderResource, opts: ResourceOptions | None = None
    ) -> None:
        super().__init__("meridian:k8s:NvidiaDevicePlugin", name, None, opts)
        self.release = helm.Release(
            f"{name}-nvidia-device-plugin",
            name="nvidia-device-plugin",
            namespace=NAMESPACE,
            chart="nvidia-device-plugin",
            version=CHART_VERSION,
            repository_opts=helm.RepositoryOptsArgs(repo=CHART_REPO),
            values=helm_values(),
            opts=ResourceOptions(parent=self, provider=k8s_provider),
        )
        self.register_outputs({"chartVersion": CHART_VERSION})

"""GPU pools are usable on every cloud: GPU nodes carry the label the NVIDIA device plugin selects,
and the plugin runs where the cloud does not install it (EKS, AKS; GKE manages its own)."""

from __future__ import annotations

from typing import Any

from infra.regional import GPU_PRESENT_LABEL
from meridian.plan.runner import Plan


def _provider_name(r: dict[str, Any]) -> str:
    return r["provider"].rsplit("::", 1)[0].rsplit("::", 1)[-1]


def test_device_plugin_where_the_cloud_does_not_install_one(prod_plan: Plan) -> None:
    stack = prod_plan.config
    plugins = {
        _provider_name(r): r["inputs"]
        for r in prod_plan.of_type("kubernetes:helm.sh/v3:Release")
        if r["inputs"].get("chart") == "nvidia-device-plugin"
    }
    wanted = {f"{c.name}-k8s" for c in stack.clusters if c.cloud in ("aws", "azure")}
    assert set(plugins) == wanted  # one per EKS/AKS cluster, on its own provider; none on GKE
    for values in (p["values"] for p in plugins.values()):
        assert {"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"} in values["tolerations"]


def test_gpu_nodes_carry_the_label_the_plugin_selects(prod_plan: Plan) -> None:
    eks = [g["inputs"] for g in prod_plan.of_type("aws:eks/nodeGroup:NodeGroup")]
    aks = [p["inputs"] for p in prod_plan.of_type("azure-native:containerservice:AgentPool")]
    assert eks and aks
    for g in eks:
        is_gpu = g["nodeGroupName"].endswith("-gpu")
        assert (g["labels"].get(GPU_PRESENT_LABEL) == "true") is is_gpu, g["nodeGroupName"]
    for p in aks:
        is_gpu = p["agentPoolName"] == "gpu"
        assert ((p.get("nodeLabels") or {}).get(GPU_PRESENT_LABEL) == "true") is is_gpu, p["agentPoolName"]

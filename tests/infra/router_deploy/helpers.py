"""Build RouterDeployment under the mock runtime with small typed inputs (no regional classes needed),
and render the Kubernetes objects of a plan as manifests a user's checker can read."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pulumi
import yaml

from infra.regional import ManagedRedis, WorkloadIdentity
from meridian.config import Cluster, StackConfig, load_stack_file
from meridian.plan.runner import Plan, run_plan
from tests.conftest import ROOT

K8S_PREFIX = "kubernetes:"


@dataclass
class FakeCluster:
    """A stand-in RegionalCluster for planning routers alone: its config and Kubernetes provider, no
    cloud workload identity, and no managed Redis (these come with the real regions, planned in full)."""

    config: Cluster
    k8s_provider: pulumi.ProviderResource

    def workload_identity(self, name: str, **_: Any) -> WorkloadIdentity:
        return WorkloadIdentity(None, {}, {})

    def managed_redis(self, name: str, **_: Any) -> ManagedRedis:
        raise AssertionError(f"{self.config.name}: managed Redis needs a real region (plan the platform)")


def stack_with(stack: str, *, cloudflare: dict[str, Any] | None = None, **router: Any) -> StackConfig:
    cfg = load_stack_file(ROOT / f"Pulumi.{stack}.yaml")
    assert cfg.router is not None
    update: dict[str, Any] = {"router": cfg.router.model_copy(update=router)}
    if cloudflare is not None:
        assert cfg.cloudflare is not None
        update["cloudflare"] = cfg.cloudflare.model_copy(update=cloudflare)
    return cfg.model_copy(update=update)


def plan_routers(
    stack: str, cfg: StackConfig, clusters: list[str] | None = None, *, cloudflare: bool = False
) -> Plan:
    """Only RouterDeployments, on fake clusters with their own kubernetes Provider. `cloudflare`: also
    the stack's GlobalLoadBalancing (documentation addresses as origins), whose origin certificates
    the routers serve - as build_platform wires them."""

    def program() -> None:
        import pulumi_kubernetes as k8s

        from infra.router_deploy.deployment import RouterDeployment

        edge = None
        if cloudflare:
            from infra.cloudflare import GlobalLoadBalancing

            assert cfg.cloudflare is not None
            edge = GlobalLoadBalancing(
                "edge", config=cfg.cloudflare, clusters=cfg.clusters,
                origins={c.name: [f"198.51.100.{i + 1}"] for i, c in enumerate(cfg.clusters)}, api_token=None,
            )
        for c in cfg.clusters:
            if clusters is not None and c.name not in clusters:
                continue
            provider = k8s.Provider(f"k8s-{c.name}", kubeconfig="{}")
            # Azure/GCP identity + managed Redis need the cloud provider; in-cluster Redis does not.
            cloud = None
            if c.cloud == "gcp":
                import pulumi_gcp as gcp

                cloud = gcp.Provider(f"gcp-{c.name}", project=cfg.gcp_project, region=c.region)
            RouterDeployment(
                f"router-{c.name}", cluster=FakeCluster(c, provider), stack=cfg, cloud_provider=cloud,
                origin_tls=edge.origin_tls(c.name) if edge is not None else None,
            )

    return run_plan(stack, ROOT, program=program)


def k8s_objects(plan: Plan) -> list[dict[str, Any]]:
    """The Kubernetes objects of a plan as manifests (apiVersion/kind/metadata/spec|data...)."""
    out = []
    for r in plan.resources:
        if not r["type"].startswith(K8S_PREFIX) or not r.get("custom"):
            continue
        inputs = r.get("inputs") or {}
        if "kind" not in inputs:
            continue
        out.append(_plain(inputs))
    return out


def _plain(value: Any) -> Any:
    """Drop Pulumi's secret wrappers / unknowns so a manifest is plain YAML."""
    if isinstance(value, dict):
        if value.get("4dabf18193072939515e22adb298388d") == "1b47061264138c4ac30d75fd1eb44270":
            return "<secret>"
        return {k: _plain(v) for k, v in value.items() if not k.startswith("__")}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def write_manifests(plan: Plan, directory: Path) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for i, obj in enumerate(k8s_objects(plan)):
        meta = obj.get("metadata") or {}
        p = directory / f"{i:03d}-{obj['kind'].lower()}-{meta.get('name', 'x')}.yaml"
        p.write_text(yaml.safe_dump(json.loads(json.dumps(obj)), sort_keys=False))
        paths.append(p)
    return paths

"""A readable summary of a plan document: resources per cloud, region and type."""

from __future__ import annotations

from collections import Counter
from typing import Any

_CLOUD_OF_PACKAGE = {"aws": "aws", "gcp": "gcp", "azure-native": "azure", "kubernetes": "kubernetes",
                     "cloudflare": "cloudflare", "vault": "vault", "random": "random"}


def cloud_of(type_token: str) -> str:
    pkg = type_token.split(":", 1)[0]
    if pkg == "pulumi":
        return "pulumi"
    if pkg == "meridian":
        return "component"
    return _CLOUD_OF_PACKAGE.get(pkg, pkg)


def region_of(resource: dict[str, Any], providers: dict[str, dict[str, Any]]) -> str:
    """Where a resource lives: its own location/region input, else its provider's region. Kubernetes
    objects live in a cluster: its provider's name (`<cluster>-k8s`) says which."""
    inputs = resource.get("inputs") or {}
    for key in ("location", "region"):
        value = inputs.get(key)
        if isinstance(value, str) and value and value.lower() != "global":
            return value.lower()
    provider_ref = resource.get("provider", "")
    if provider_ref:
        provider_urn = provider_ref.rsplit("::", 1)[0]
        if resource["type"].startswith("kubernetes:"):
            return "cluster " + provider_urn.rsplit("::", 1)[-1].removesuffix("-k8s")
        pinputs = providers.get(provider_urn, {})
        for key in ("region", "location"):
            value = pinputs.get(key)
            if isinstance(value, str) and value:
                return value.lower()
    return "global"


def summarize(document: dict[str, Any]) -> dict[str, Any]:
    resources = document["deployment"]["resources"]
    providers = {r["urn"]: r.get("inputs") or {} for r in resources if r["type"].startswith("pulumi:providers:")}
    per_cloud_region: Counter[tuple[str, str]] = Counter()
    per_type: Counter[str] = Counter()
    custom = 0
    for r in resources:
        if not r.get("custom") or r["type"].startswith("pulumi:providers:"):
            continue
        custom += 1
        per_cloud_region[(cloud_of(r["type"]), region_of(r, providers))] += 1
        per_type[r["type"]] += 1
    return {
        "total": len(resources),
        "custom": custom,
        "components": sum(1 for r in resources if not r.get("custom")),
        "providers": len(providers),
        "per_cloud_region": per_cloud_region,
        "per_type": per_type,
    }


def render(document: dict[str, Any], stack: str, seconds: float, top_types: int = 15) -> str:
    s = summarize(document)
    lines = [
        f"Offline plan of stack {stack!r}: {s['total']} resources "
        f"({s['custom']} cloud resources, {s['components']} components, {s['providers']} providers) in {seconds:.1f}s",
        "",
        "Resources per cloud and region:",
    ]
    for (cloud, region), n in sorted(s["per_cloud_region"].items()):
        lines.append(f"  {cloud:<11} {region:<22} {n:>5}")
    lines += ["", f"Most common resource types (top {top_types}):"]
    for typ, n in s["per_type"].most_common(top_types):
        lines.append(f"  {n:>5}  {typ}")
    return "\n".join(lines)

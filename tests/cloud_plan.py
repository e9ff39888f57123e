"""Plan one cloud's part of a shipped stack: its config with the other clouds' clusters and lakes
dropped (and the cross-cloud sections off), run through the real program
(infra.platform.build_platform) under the mock runtime; and lookups over the resulting document."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from meridian.catalog import Cloud
from meridian.config import StackConfig, load_stack_file
from meridian.plan.runner import Plan, run_plan
from tests.conftest import ROOT

_PROVIDER = {"aws": ("pulumi:providers:aws", "region"), "gcp": ("pulumi:providers:gcp", "region"),
             "azure": ("pulumi:providers:azure-native", "location")}


def only(cfg: StackConfig, cloud: Cloud) -> StackConfig:
    return cfg.model_copy(
        update={
            "clusters": [c for c in cfg.clusters if c.cloud == cloud],
            "data_lakes": [lake for lake in cfg.data_lakes if lake.cloud == cloud],
            "interconnect": None,
            "cloudflare": None,
            "vault": None,
            "router": None,
        }
    )


def cloud_plan(
    stack: str,
    cloud: Cloud,
    cfg: StackConfig | None = None,
    edit: Callable[[StackConfig], StackConfig] | None = None,
) -> Plan:
    """The `cloud` part of a shipped stack (or of `cfg`), optionally edited. An edit skips config
    validation: only use it for valid variations. The shipped stack's part, unedited, is planned
    once per session (every module reading it shares one plan; treat it as read-only)."""
    if cfg is None and edit is None:
        return _shipped(stack, cloud)
    return _plan(stack, cfg or only(load_stack_file(ROOT / f"Pulumi.{stack}.yaml"), cloud), edit)


@functools.cache
def _shipped(stack: str, cloud: Cloud) -> Plan:
    return _plan(stack, only(load_stack_file(ROOT / f"Pulumi.{stack}.yaml"), cloud), None)


def _plan(stack: str, cfg: StackConfig, edit: Callable[[StackConfig], StackConfig] | None) -> Plan:
    if edit is not None:
        cfg = edit(cfg)

    def program() -> None:
        from infra.platform import build_platform

        build_platform(cfg)

    plan = run_plan(stack, ROOT, program=program)
    plan.config = cfg
    return plan


class View:
    """Lookups over a plan document: by type, by name, by parent, and the region of a resource."""

    def __init__(self, plan: Plan, cloud: Cloud) -> None:
        self.plan = plan
        self.resources = plan.resources
        self.by_urn = {r["urn"]: r for r in self.resources}
        self.by_id = {r["id"]: r for r in self.resources if r.get("id")}
        provider_type, region_key = _PROVIDER[cloud]
        self.provider_region = {
            r["urn"]: (r.get("inputs") or {}).get(region_key) for r in self.resources if r["type"] == provider_type
        }

    def of_type(self, token: str) -> list[dict[str, Any]]:
        return [r for r in self.resources if r["type"] == token]

    @staticmethod
    def name(r: dict[str, Any]) -> str:
        return r["urn"].rsplit("::", 1)[-1]

    def named(self, token: str, name: str) -> dict[str, Any]:
        found = [r for r in self.of_type(token) if self.name(r) == name]
        assert len(found) == 1, f"expected one {token} named {name!r}, found {len(found)}"
        return found[0]

    def component(self, token: str, name: str) -> dict[str, Any]:
        return self.named(token, name)

    def region(self, r: dict[str, Any]) -> str | None:
        """The region of the explicit provider a resource was registered with."""
        ref = r.get("provider", "")
        return self.provider_region.get(ref.rsplit("::", 1)[0])

    def under(self, component_urn: str) -> list[dict[str, Any]]:
        """Every resource below a component (children, grandchildren, ...)."""
        out = []
        for r in self.resources:
            p = r.get("parent")
            while p:
                if p == component_urn:
                    out.append(r)
                    break
                p = self.by_urn.get(p, {}).get("parent")
        return out

    def custom_under(self, component_urn: str) -> list[dict[str, Any]]:
        return [r for r in self.under(component_urn) if r.get("custom")]

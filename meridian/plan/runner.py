"""Run the real infra program under the Pulumi SDK mock runtime and capture its resource graph."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from meridian.config import ConfigError, StackConfig, load_stack_file
from meridian.config.support import kubernetes_support

PROJECT = "meridian"
SECURE_PLACEHOLDER = "offline-plan-secret-value"


@dataclass
class Plan:
    stack: str
    config: StackConfig
    document: dict[str, Any]
    seconds: float
    warnings: list[str] = field(default_factory=list)
    # urn -> the URNs its aliases name (the engine matches them against an existing stack's state)
    aliases: dict[str, list[str]] = field(default_factory=dict)

    @property
    def resources(self) -> list[dict[str, Any]]:
        return self.document["deployment"]["resources"]

    def of_type(self, type_token: str) -> list[dict[str, Any]]:
        return [r for r in self.resources if r["type"] == type_token]

    @property
    def stack_outputs(self) -> dict[str, Any]:
        for r in self.resources:
            if r["type"] == "pulumi:pulumi:Stack":
                return r.get("outputs", {})
        return {}


def _pulumi_config_map(path: Path) -> tuple[dict[str, str], list[str]]:
    """The stack file's config as the engine hands it to a program: every value a string (objects as
    JSON). Secure values cannot be decrypted offline; they become a placeholder marked secret."""
    doc = yaml.safe_load(path.read_text()) or {}
    values: dict[str, str] = {}
    secret_keys: list[str] = []
    for key, value in (doc.get("config") or {}).items():
        if isinstance(value, dict) and set(value) == {"secure"}:
            values[key] = SECURE_PLACEHOLDER
            secret_keys.append(key)
        elif isinstance(value, str):
            values[key] = value
        else:
            values[key] = json.dumps(value)
    return values, secret_keys


def _ensure_event_loop() -> None:
    """The SDK's runtime uses the thread's current event loop; code that ran asyncio.run() before
    (a server, another tool) leaves none behind. Give the run a usable loop."""
    import asyncio

    try:
        loop = asyncio.get_event_loop_policy().get_event_loop()
        if loop.is_closed():
            raise RuntimeError("closed")
    except RuntimeError:
        asyncio.set_event_loop(asyncio.new_event_loop())


def _program() -> None:
    from infra.program import main

    main()


def run_plan(
    stack: str,
    root: Path,
    program: Callable[[], None] = _program,
    progress: Callable[[str], None] | None = None,
    preview: bool = False,
    today: date | None = None,
) -> Plan:
    """Validate the stack's config (ConfigError before anything registers), then run the program.

    The same program `pulumi up` runs; only resource registration is answered locally. preview=True
    plans a first `pulumi preview` of the stack: nothing exists, computed values are unknown. Kubernetes
    versions are checked against the services' support calendars on `today` (default: now)."""
    import pulumi
    from pulumi.runtime import settings
    from pulumi.runtime.stack import Stack, run_pulumi_func
    from pulumi.runtime.sync_await import _sync_await

    from meridian.plan.mocks import PlanMocks, PreviewMocks
    from meridian.plan.monitor import CapturingMonitor

    started = time.perf_counter()
    path = root / f"Pulumi.{stack}.yaml"
    config = load_stack_file(path)  # raises ConfigError: nothing registered yet
    problems, warnings = kubernetes_support(config, today or date.today())
    if problems:
        raise ConfigError(problems, str(path))
    from meridian.config.checks_vault import vault_jurisdiction_warnings

    plan_warnings = warnings + vault_jurisdiction_warnings(config)
    values, secret_keys = _pulumi_config_map(path)

    _ensure_event_loop()
    mocks = PreviewMocks() if preview else PlanMocks()
    monitor = CapturingMonitor(mocks, project_root=root)
    settings.ROOT.set(None)
    pulumi.runtime.set_all_config(values, secret_keys)
    pulumi.runtime.set_mocks(mocks, project=PROJECT, stack=stack, preview=preview, monitor=monitor)
    # set_mocks finished its own root stack; a fresh one collects this run's exports.
    settings.ROOT.set(None)
    monitor.registrations.clear()
    root_stack = Stack()

    def body() -> None:
        try:
            program()
        finally:
            root_stack._finish()

    if progress:
        progress(f"running the infra program for stack {stack!r} under the mock runtime")
    _sync_await(run_pulumi_func(body))
    seconds = time.perf_counter() - started
    aliases = {r.urn: r.aliases for r in monitor.registrations if r.aliases}
    return Plan(stack, config, to_document(monitor, stack), seconds, plan_warnings, aliases)


def to_document(monitor: Any, stack: str) -> dict[str, Any]:
    """A `pulumi stack export` (v3) document of the registrations, resources in the engine's order
    (dependencies first, ties by URN) and keys sorted, so two plans of one commit are byte-identical."""
    seen: dict[str, dict[str, Any]] = {}
    for reg in monitor.registrations:
        entry: dict[str, Any] = {
            "urn": reg.urn,
            "custom": reg.custom,
            "type": reg.type,
            "inputs": reg.inputs,
            "outputs": reg.outputs,
        }
        if reg.custom:
            entry["id"] = reg.id
        if reg.parent:
            entry["parent"] = reg.parent
        if reg.protect:
            entry["protect"] = True
        if reg.retain_on_delete:
            entry["retainOnDelete"] = True
        if reg.provider:
            entry["provider"] = reg.provider
        if reg.dependencies:
            entry["dependencies"] = reg.dependencies
        if reg.property_dependencies:
            entry["propertyDependencies"] = dict(sorted(reg.property_dependencies.items()))
        if reg.source_position:
            entry["sourcePosition"] = reg.source_position
        seen[reg.urn] = _sorted(entry)
    return {
        "version": 3,
        "deployment": {
            "manifest": {
                # reproducible: SOURCE_DATE_EPOCH when set, else the epoch (the plan's own time is printed)
                "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(int(os.environ.get("SOURCE_DATE_EPOCH", "0")))),
                "magic": "",
                "version": "meridian-offline-plan",
            },
            "secrets_providers": {"type": "offline", "state": {}},
            "resources": engine_order(list(seen.values())),
        },
    }


def _sorted(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _sorted(value[k]) for k in sorted(value)}
    if isinstance(value, list):
        return [_sorted(v) for v in value]
    return value


def engine_order(resources: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Topological order as the engine's snapshot keeps it: a resource after its parent, provider and
    dependencies; among those free to go, the smaller URN first (deterministic, unlike registration
    order, which follows the program's async scheduling)."""
    import heapq

    by_urn = {r["urn"]: r for r in resources}
    needs: dict[str, set[str]] = {}
    for r in resources:
        deps: set[str] = set(r.get("dependencies") or ())
        if r.get("parent"):
            deps.add(r["parent"])
        if r.get("provider"):
            deps.add(str(r["provider"]).rsplit("::", 1)[0])
        needs[r["urn"]] = {d for d in deps if d in by_urn and d != r["urn"]}
    users: dict[str, list[str]] = {}
    for urn, deps in needs.items():
        for d in deps:
            users.setdefault(d, []).append(urn)
    ready = [u for u, d in needs.items() if not d]
    heapq.heapify(ready)
    out: list[dict[str, Any]] = []
    while ready:
        urn = heapq.heappop(ready)
        out.append(by_urn[urn])
        for u in users.get(urn, ()):
            needs[u].discard(urn)
            if not needs[u]:
                heapq.heappush(ready, u)
    if len(out) != len(resources):  # a cycle cannot come from a program; keep what is left, by URN
        placed = {r["urn"] for r in out}
        out += sorted((r for r in resources if r["urn"] not in placed), key=lambda r: r["urn"])
    return out


def dumps(document: dict[str, Any]) -> str:
    """The plan file's bytes: keys sorted, two-space indent, one trailing newline."""
    return json.dumps(document, indent=2, sort_keys=True) + "\n"


__all__ = ["ConfigError", "Plan", "dumps", "run_plan", "to_document"]

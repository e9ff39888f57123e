"""Run the real infra program under the Pulumi SDK mock runtime and capture its resource graph."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from meridian.config import ConfigError, StackConfig, load_stack_file

PROJECT = "meridian"
SECURE_PLACEHOLDER = "offline-plan-secret-value"


@dataclass
class Plan:
    stack: str
    config: StackConfig
    document: dict[str, Any]
    seconds: float

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
) -> Plan:
    """Validate the stack's config (ConfigError before anything registers), then run the program.

    The same program `pulumi up` runs; only resource registration is answered locally."""
    import pulumi
    from pulumi.runtime import settings
    from pulumi.runtime.stack import Stack, run_pulumi_func
    from pulumi.runtime.sync_await import _sync_await

    from meridian.plan.mocks import PlanMocks
    from meridian.plan.monitor import CapturingMonitor

    started = time.perf_counter()
    path = root / f"Pulumi.{stack}.yaml"
    config = load_stack_file(path)  # raises ConfigError: nothing registered yet
    values, secret_keys = _pulumi_config_map(path)

    _ensure_event_loop()
    mocks = PlanMocks()
    monitor = CapturingMonitor(mocks)
    settings.ROOT.set(None)
    pulumi.runtime.set_all_config(values, secret_keys)
    pulumi.runtime.set_mocks(mocks, project=PROJECT, stack=stack, preview=False, monitor=monitor)
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
    return Plan(stack, config, to_document(monitor, stack), seconds)


def to_document(monitor: Any, stack: str) -> dict[str, Any]:
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
        seen[reg.urn] = entry
    return {
        "version": 3,
        "deployment": {
            "manifest": {
                "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                "magic": "",
                "version": "meridian-offline-plan",
            },
            "secrets_providers": {"type": "offline", "state": {}},
            "resources": list(seen.values()),
        },
    }


__all__ = ["ConfigError", "Plan", "run_plan", "to_document"]

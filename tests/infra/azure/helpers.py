"""The Azure part of a shipped stack, planned alone (see tests/cloud_plan.py)."""

from __future__ import annotations

from collections.abc import Callable

from meridian.config import StackConfig
from meridian.plan.runner import Plan
from tests import cloud_plan


def azure_only(cfg: StackConfig) -> StackConfig:
    return cloud_plan.only(cfg, "azure")


def azure_plan(stack: str, edit: Callable[[StackConfig], StackConfig] | None = None) -> Plan:
    return cloud_plan.cloud_plan(stack, "azure", edit=edit)


class View(cloud_plan.View):
    def __init__(self, plan: Plan) -> None:
        super().__init__(plan, "azure")

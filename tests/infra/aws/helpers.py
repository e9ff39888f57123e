"""The AWS part of a shipped stack, planned alone (see tests/cloud_plan.py)."""

from __future__ import annotations

from meridian.config import StackConfig
from meridian.plan.runner import Plan
from tests import cloud_plan


def aws_only(cfg: StackConfig) -> StackConfig:
    return cloud_plan.only(cfg, "aws")


def aws_plan(stack: str) -> Plan:
    return cloud_plan.cloud_plan(stack, "aws")


class View(cloud_plan.View):
    def __init__(self, plan: Plan) -> None:
        super().__init__(plan, "aws")

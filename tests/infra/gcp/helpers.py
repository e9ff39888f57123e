"""The GCP part of a shipped stack, planned alone (see tests/cloud_plan.py)."""

from __future__ import annotations

from meridian.config import StackConfig
from meridian.plan.runner import Plan
from tests import cloud_plan

BUCKET = "gcp:storage/bucket:Bucket"
KEY = "gcp:kms/cryptoKey:CryptoKey"
KEY_RING = "gcp:kms/keyRing:KeyRing"
GKE = "gcp:container/cluster:Cluster"
NODE_POOL = "gcp:container/nodePool:NodePool"


def gcp_only(cfg: StackConfig) -> StackConfig:
    return cloud_plan.only(cfg, "gcp")


def gcp_plan(stack: str, cfg: StackConfig | None = None) -> Plan:
    return cloud_plan.cloud_plan(stack, "gcp", cfg=cfg)


class View(cloud_plan.View):
    def __init__(self, plan: Plan) -> None:
        super().__init__(plan, "gcp")

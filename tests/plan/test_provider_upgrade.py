"""The provider-major upgrade (pulumi-aws 7, pulumi-gcp 10, azure-native 3, pulumi-cloudflare 6,
pulumi-vault 7) replaces no data store and no key of an existing stack: each store and key of the prod
plan recorded with the previous majors keeps its URN, or the resource that now stands for it carries
an alias to that URN (the SDKs alias renamed types: S3 BucketV2 -> Bucket, cache:Redis -> redis:Redis,
network:PrivateZone -> privatedns:PrivateZone, insights -> monitor), so `pulumi up` moves it in state
instead of deleting and recreating it."""

from __future__ import annotations

import json
from pathlib import Path

BEFORE = json.loads((Path(__file__).parent / "data" / "prod_stores_before_provider_majors.json").read_text())


def test_every_store_and_key_keeps_its_identity(prod_plan):
    urns = {r["urn"] for r in prod_plan.resources}
    aliased = {old: new for new, olds in prod_plan.aliases.items() for old in olds}
    lost = [s for s in BEFORE["stores"] if s["urn"] not in urns and s["urn"] not in aliased]
    assert not lost, f"would be replaced (no URN, no alias): {lost}"
    renamed = [s for s in BEFORE["stores"] if s["urn"] not in urns]
    assert renamed, "the recorded plan predates the upgrade: some types must have been renamed"
    for s in renamed:
        assert aliased[s["urn"]] in urns


def test_no_resource_uses_a_deprecated_s3_v2_type(prod_plan):
    deprecated = {r["type"] for r in prod_plan.resources if r["type"].startswith("aws:s3/") and r["type"].endswith("V2")}
    assert not deprecated, deprecated

"""S3 data lakes in the offline plan: key in the lake's region, tiers, versioning, public access
blocked, TLS-only, access logging beside it, retention, replicas only where config says, protection."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.infra.aws.helpers import View, aws_plan

BUCKET = "aws:s3/bucket:Bucket"
KEY = "aws:kms/key:Key"
DATA_TYPES = (BUCKET, KEY)


@pytest.fixture(scope="module")
def prod() -> View:
    return View(aws_plan("prod"))


@pytest.fixture(scope="module")
def dev() -> View:
    return View(aws_plan("dev"))


def lakes(view: View) -> list[dict[str, Any]]:
    return view.of_type("meridian:aws:DataLake")


def on_bucket(view: View, token: str, bucket: dict[str, Any]) -> list[dict[str, Any]]:
    return [r for r in view.of_type(token) if r["inputs"].get("bucket") == bucket["id"]]


def lake_bucket(view: View, lake: str) -> dict[str, Any]:
    return view.named(BUCKET, f"{lake}-lake-bucket")


def test_each_aws_lake_is_planned(prod: View, dev: View) -> None:
    assert sorted(view_lake["urn"].rsplit("::", 1)[-1] for view_lake in lakes(prod)) == ["eu-pii", "us-primary"]
    assert [lk["urn"].rsplit("::", 1)[-1] for lk in lakes(dev)] == ["dev-us-internal"]


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_every_bucket_is_locked_down(prod: View, dev: View, stack: str) -> None:
    view = prod if stack == "prod" else dev
    buckets = view.of_type(BUCKET)
    assert buckets
    for b in buckets:
        name = view.name(b)
        (pab,) = on_bucket(view, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", b)
        assert all(pab["inputs"][k] for k in ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls",
                                              "restrictPublicBuckets")), name
        (ver,) = on_bucket(view, "aws:s3/bucketVersioning:BucketVersioning", b)
        assert ver["inputs"]["versioningConfiguration"]["status"] == "Enabled"
        (policy,) = on_bucket(view, "aws:s3/bucketPolicy:BucketPolicy", b)
        tls = [s for s in json.loads(policy["inputs"]["policy"])["Statement"] if s["Sid"] == "DenyInsecureTransport"]
        assert tls[0]["Effect"] == "Deny" and tls[0]["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
        (sse,) = on_bucket(view, "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", b)
        assert sse["inputs"]["rules"][0]["applyServerSideEncryptionByDefault"]["sseAlgorithm"] in ("aws:kms", "AES256")
        assert b["inputs"]["tags"]["data-class"] and b["inputs"]["tags"]["jurisdiction"], name
        assert on_bucket(view, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", b)


@pytest.mark.parametrize("lake", ["us-primary", "eu-pii"])
def test_lake_key_tiers_logging_retention_and_zones(prod: View, lake: str) -> None:
    cfg = next(lk for lk in prod.plan.config.data_lakes if lk.name == lake)
    bucket = lake_bucket(prod, lake)
    assert prod.region(bucket) == cfg.region
    # Customer-managed key, in the lake's own region, used with bucket keys.
    key = prod.named(KEY, f"{lake}-key-key")
    assert prod.region(key) == cfg.region and key["inputs"]["enableKeyRotation"] is True
    (sse,) = on_bucket(prod, "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", bucket)
    rule = sse["inputs"]["rules"][0]
    assert rule["applyServerSideEncryptionByDefault"] == {"sseAlgorithm": "aws:kms", "kmsMasterKeyId": key["outputs"]["arn"]}
    assert rule["bucketKeyEnabled"] is True
    # hot -> warm -> cold -> archive with the configured days; old versions expire.
    (lc,) = on_bucket(prod, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", bucket)
    tiering = lc["inputs"]["rules"][0]
    assert [(t["days"], t["storageClass"]) for t in tiering["transitions"]] == [
        (cfg.tiers.warm_after_days, "STANDARD_IA"), (cfg.tiers.cold_after_days, "GLACIER_IR"),
        (cfg.tiers.archive_after_days, "DEEP_ARCHIVE"),
    ]
    assert tiering["noncurrentVersionExpiration"]["noncurrentDays"] == cfg.tiers.noncurrent_expire_days
    # Access logs go to a log bucket in the same region, tagged like the lake.
    (logging,) = on_bucket(prod, "aws:s3/bucketLogging:BucketLogging", bucket)
    logs = prod.named(BUCKET, f"{lake}-logs-bucket")
    assert logging["inputs"]["targetBucket"] == logs["id"] and prod.region(logs) == cfg.region
    assert logs["inputs"]["tags"]["data-class"] == cfg.data_class and logs["protect"]
    # 7-year compliance retention, switched on at creation.
    assert bucket["inputs"]["objectLockEnabled"] is True
    (lock,) = on_bucket(prod, "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration", bucket)
    assert lock["inputs"]["rule"]["defaultRetention"] == {"mode": "COMPLIANCE", "years": cfg.retention_years}
    zones = sorted(o["inputs"]["key"] for o in on_bucket(prod, "aws:s3/bucketObjectv2:BucketObjectv2", bucket))
    assert zones == ["curated/", "models/", "processed/", "raw/"]
    uris = prod.plan.stack_outputs["dataLakes"][lake]["zones"]
    assert uris["raw"] == f"s3://{bucket['outputs']['bucket']}/raw/"


def test_dev_lake_has_no_retention(dev: View) -> None:
    bucket = lake_bucket(dev, "dev-us-internal")
    assert not bucket["inputs"].get("objectLockEnabled")
    assert not dev.of_type("aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration")


@pytest.mark.parametrize(("lake", "replica_region"), [("us-primary", "us-west-2"), ("eu-pii", "eu-central-1")])
def test_replicas_live_where_config_says_with_their_own_key(prod: View, lake: str, replica_region: str) -> None:
    src = lake_bucket(prod, lake)
    (repl,) = on_bucket(prod, "aws:s3/bucketReplicationConfig:BucketReplicationConfig", src)
    (rule,) = repl["inputs"]["rules"]
    replica = prod.named(BUCKET, f"{lake}-replica-{replica_region}-bucket")
    rkey = prod.named(KEY, f"{lake}-replica-{replica_region}-key-key")
    assert rule["destination"]["bucket"] == replica["outputs"]["arn"]
    assert rule["destination"]["encryptionConfiguration"]["replicaKmsKeyId"] == rkey["outputs"]["arn"]
    assert rule["sourceSelectionCriteria"]["sseKmsEncryptedObjects"]["status"] == "Enabled"
    assert prod.region(replica) == prod.region(rkey) == replica_region
    assert prod.region(repl) == prod.region(src)
    assert replica["inputs"]["tags"]["jurisdiction"] == src["inputs"]["tags"]["jurisdiction"]
    assert replica["inputs"]["objectLockEnabled"] is True  # locked objects replicate only into locked buckets
    (logging,) = on_bucket(prod, "aws:s3/bucketLogging:BucketLogging", replica)
    rlogs = prod.named(BUCKET, f"{lake}-replica-{replica_region}-logs-bucket")
    assert logging["inputs"]["targetBucket"] == rlogs["id"] and prod.region(rlogs) == replica_region


def test_no_replication_leaves_the_configured_regions(prod: View) -> None:
    allowed = {lk.region for lk in prod.plan.config.data_lakes} | {
        r.region for lk in prod.plan.config.data_lakes for r in lk.replication
    }
    for r in prod.of_type(BUCKET) + prod.of_type(KEY):
        if "-secrets-" not in prod.name(r):
            assert prod.region(r) in allowed, prod.name(r)


def test_prod_stores_and_keys_protected_dev_not(prod: View, dev: View) -> None:
    for token in DATA_TYPES:
        assert prod.of_type(token)
        for r in prod.of_type(token):
            assert r.get("protect") and r.get("retainOnDelete"), prod.name(r)
            assert r["inputs"]["tags"]["data-class"] and r["inputs"]["tags"]["jurisdiction"], prod.name(r)
        for r in dev.of_type(token):
            assert not r.get("protect") and not r.get("retainOnDelete"), dev.name(r)

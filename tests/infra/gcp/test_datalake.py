"""GCS data lakes in the offline plan: key in the lake's region, tiers, versioning, public access
prevention, access logging beside it, retention, replicas only where config says, protection, labels."""

from __future__ import annotations

import pytest

from meridian.config import ConfigError, Replica, load_stack_file, parse_stack_config
from tests.conftest import ROOT, platform_config
from tests.infra.gcp.helpers import BUCKET, KEY, KEY_RING, View, gcp_only, gcp_plan

PROD_LAKES = {"us-training": "us-central1", "eu-residency": "europe-west1", "apac-residency": "asia-east1"}
DATA_TYPES = (BUCKET, KEY, KEY_RING, "gcp:storage/bucketObject:BucketObject", "gcp:storage/transferJob:TransferJob")
# Replicas the shipped stacks do not configure: internal US data to us-east1, EU PII inside the EU.
REPLICAS = {"us-training": "us-east1", "eu-residency": "europe-west4"}


@pytest.fixture(scope="module")
def prod() -> View:
    return View(gcp_plan("prod"))


@pytest.fixture(scope="module")
def dev() -> View:
    return View(gcp_plan("dev"))


@pytest.fixture(scope="module")
def replicated() -> View:
    cfg = gcp_only(load_stack_file(ROOT / "Pulumi.prod.yaml"))
    lakes = [
        lake.model_copy(update={"replication": [Replica(region=REPLICAS[lake.name])]}) if lake.name in REPLICAS else lake
        for lake in cfg.data_lakes
    ]
    return View(gcp_plan("prod", cfg.model_copy(update={"clusters": [], "data_lakes": lakes})))


def key_region(view: View, key_id: str) -> tuple[str, str | None]:
    """(key ring location, provider region) of the CryptoKey with this id."""
    key = view.by_id[key_id]
    assert key["type"] == KEY
    ring = view.by_id[key["inputs"]["keyRing"]]
    return ring["inputs"]["location"], view.region(ring)


def test_each_gcp_lake_is_planned(prod: View, dev: View) -> None:
    assert {view_lake["urn"].rsplit("::", 1)[-1] for view_lake in prod.of_type("meridian:gcp:DataLake")} == set(PROD_LAKES)
    assert [lk["urn"].rsplit("::", 1)[-1] for lk in dev.of_type("meridian:gcp:DataLake")] == ["dev-eu-pii"]


@pytest.mark.parametrize("stack", ["dev", "prod", "replicated"])
def test_every_bucket_is_locked_down_and_keyed_in_its_own_region(request: pytest.FixtureRequest, stack: str) -> None:
    view: View = request.getfixturevalue(stack)
    buckets = view.of_type(BUCKET)
    assert buckets
    names = {b["outputs"]["name"]: b for b in buckets}
    for b in buckets:
        i = b["inputs"]
        region = view.region(b)
        assert region is not None
        assert i["location"] == region.upper()
        assert i["uniformBucketLevelAccess"] is True and i["publicAccessPrevention"] == "enforced"
        assert i["versioning"] == {"enabled": True} and i["forceDestroy"] is False
        assert key_region(view, i["encryption"]["defaultKmsKeyName"]) == (region, region)
        assert i["labels"]["data-class"] and i["labels"]["jurisdiction"]
        if i["labels"].get("purpose") == "access-logs":
            continue
        # data buckets log to a log store in the same region, itself labelled and keyed there
        log = names[i["logging"]["logBucket"]]
        assert log["inputs"]["location"] == i["location"] and log["inputs"]["labels"]["purpose"] == "access-logs"
        assert log["inputs"]["labels"]["jurisdiction"] == i["labels"]["jurisdiction"]


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_every_lake_has_all_tiers_and_zones(request: pytest.FixtureRequest, stack: str) -> None:
    view: View = request.getfixturevalue(stack)
    for lake in view.plan.config.data_lakes:
        b = view.named(BUCKET, f"{lake.name}-lake-bucket")["inputs"]
        moves = {r["action"]["storageClass"]: r["condition"]["age"] for r in b["lifecycleRules"]
                 if r["action"]["type"] == "SetStorageClass"}
        t = lake.tiers
        assert moves == {"NEARLINE": t.warm_after_days, "COLDLINE": t.cold_after_days, "ARCHIVE": t.archive_after_days}
        (noncurrent,) = [r for r in b["lifecycleRules"] if r["action"]["type"] == "Delete"]
        assert noncurrent["condition"] == {"daysSinceNoncurrentTime": t.noncurrent_expire_days, "withState": "ARCHIVED"}
        bucket_name = view.named(BUCKET, f"{lake.name}-lake-bucket")["outputs"]["name"]
        zones = view.plan.stack_outputs["dataLakes"][lake.name]["zones"]
        assert zones == {z: f"gs://{bucket_name}/{z}/" for z in ("raw", "processed", "curated", "models")}
        for z in lake.zones:
            obj = view.named("gcp:storage/bucketObject:BucketObject", f"{lake.name}-zone-{z}")["inputs"]
            assert obj["name"] == f"{z}/" and obj["bucket"] == bucket_name


def test_retention(prod: View, dev: View) -> None:
    eu = prod.named(BUCKET, "eu-residency-lake-bucket")["inputs"]
    assert eu["retentionPolicy"] == {"retentionPeriod": str(7 * 31_557_600), "isLocked": True}  # pulumi-gcp 10: a string
    assert "retentionPolicy" not in prod.named(BUCKET, "us-training-lake-bucket")["inputs"]
    assert "retentionPolicy" not in dev.named(BUCKET, "dev-eu-pii-lake-bucket")["inputs"]


def test_storage_agent_may_use_each_lake_key(prod: View) -> None:
    for lake in PROD_LAKES:
        key = prod.named(KEY, f"{lake}-key-key")
        (grant,) = [g for g in prod.of_type("gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember")
                    if g["inputs"]["cryptoKeyId"] == key["id"]]
        assert grant["inputs"]["member"].endswith("@gs-project-accounts.iam.gserviceaccount.com")
        assert key["inputs"]["labels"]["data-class"] and key["inputs"]["labels"]["jurisdiction"]


def test_prod_stores_and_keys_are_protected_dev_ones_are_not(prod: View, dev: View) -> None:
    for r in prod.resources:
        if r["type"] in DATA_TYPES:
            assert r.get("protect") and r.get("retainOnDelete"), r["urn"]
    for r in dev.resources:
        if r["type"] in DATA_TYPES:
            assert not r.get("protect") and not r.get("retainOnDelete"), r["urn"]


def test_replicas_live_in_their_configured_regions_with_their_own_keys(replicated: View) -> None:
    jobs = replicated.of_type("gcp:storage/transferJob:TransferJob")
    assert len(jobs) == len(REPLICAS)
    by_name = {b["outputs"]["name"]: b for b in replicated.of_type(BUCKET)}
    for lake, region in REPLICAS.items():
        src = replicated.named(BUCKET, f"{lake}-lake-bucket")
        dst = replicated.named(BUCKET, f"{lake}-replica-{region}-lake-bucket")
        assert replicated.region(dst) == region and dst["inputs"]["location"] == region.upper()
        assert key_region(replicated, dst["inputs"]["encryption"]["defaultKmsKeyName"]) == (region, region)
        assert dst["inputs"]["encryption"]["defaultKmsKeyName"] != src["inputs"]["encryption"]["defaultKmsKeyName"]
        assert dst["inputs"]["labels"]["replica-of"] == lake
        assert by_name[dst["inputs"]["logging"]["logBucket"]]["inputs"]["location"] == region.upper()
        (job,) = [j for j in jobs if j["inputs"]["replicationSpec"]["gcsDataSource"]["bucketName"] == src["outputs"]["name"]]
        assert job["inputs"]["replicationSpec"]["gcsDataSink"]["bucketName"] == dst["outputs"]["name"]
        assert job["inputs"]["replicationSpec"]["transferOptions"]["deleteObjectsUniqueInSink"] is False
    # no replica anywhere else: every bucket is in a lake's region or a configured replica region
    assert {replicated.region(b) for b in replicated.of_type(BUCKET)} == set(PROD_LAKES.values()) | set(REPLICAS.values())


def test_lakes_without_replication_have_no_replicas(prod: View) -> None:
    assert prod.of_type("gcp:storage/transferJob:TransferJob") == []
    assert {prod.region(b) for b in prod.of_type(BUCKET)} == set(PROD_LAKES.values())


def test_pii_replica_outside_the_jurisdiction_is_refused() -> None:
    raw = platform_config("prod")
    lake = next(lk for lk in raw["dataLakes"] if lk["name"] == "eu-residency")
    lake["replication"] = [{"region": "us-east1"}]
    with pytest.raises(ConfigError, match=r"replica region 'us-east1'.*never replicates out of its jurisdiction"):
        parse_stack_config(raw, "test")

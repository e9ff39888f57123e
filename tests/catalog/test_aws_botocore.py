"""Cross-check of the AWS part of the catalog against the region data that ships with botocore."""

from __future__ import annotations

import botocore.loaders
import pytest

from meridian import catalog
from meridian.catalog.data import AWS_PARTITIONS

# Partitions the catalog represents (see the data module's docstring); the isolated aws-iso*
# partitions are deliberately left out.
CATALOG_PARTITIONS = ("aws", "aws-us-gov", "aws-cn", "aws-eusc")


@pytest.fixture(scope="module")
def botocore_partitions() -> dict[str, dict[str, str]]:
    """partition id -> {region id: description}, from botocore's endpoints.json."""
    endpoints = botocore.loaders.create_loader().load_data("endpoints")
    return {
        p["partition"]: {rid: meta.get("description", "") for rid, meta in p["regions"].items()}
        for p in endpoints["partitions"]
    }


def test_botocore_has_the_partitions_we_check(botocore_partitions: dict[str, dict[str, str]]) -> None:
    # The checks below are only as strong as botocore's data; fail loudly if its shape changes.
    for partition in ("aws", "aws-us-gov"):
        assert botocore_partitions.get(partition), f"botocore has no regions for partition {partition}"


def test_every_botocore_region_is_in_the_catalog_with_its_description(
    botocore_partitions: dict[str, dict[str, str]],
) -> None:
    problems = []
    for partition in CATALOG_PARTITIONS:
        for rid, description in botocore_partitions.get(partition, {}).items():
            try:
                reg = catalog.region("aws", rid)
            except catalog.UnknownRegionError:
                problems.append(f"{rid} ({partition}, {description!r}) is missing from the catalog")
                continue
            if reg.name != description:
                problems.append(f"{rid}: catalog name {reg.name!r} != botocore {description!r}")
            if AWS_PARTITIONS[rid] != partition:
                problems.append(f"{rid}: catalog partition {AWS_PARTITIONS[rid]!r} != botocore {partition!r}")
    assert not problems, "\n".join(problems)


def test_every_catalog_aws_region_exists_in_botocore(botocore_partitions: dict[str, dict[str, str]]) -> None:
    known = {rid: p for p in CATALOG_PARTITIONS for rid in botocore_partitions.get(p, {})}
    missing = [r.id for r in catalog.all_regions("aws") if r.id not in known]
    assert not missing, f"catalog AWS regions unknown to botocore: {missing}"


def test_isolated_partitions_are_not_in_the_catalog(botocore_partitions: dict[str, dict[str, str]]) -> None:
    ids = {r.id for r in catalog.all_regions("aws")}
    for partition, regions in botocore_partitions.items():
        if partition not in CATALOG_PARTITIONS:
            assert not ids & set(regions), f"regions of non-public partition {partition} are in the catalog"


def test_aws_partition_lookup() -> None:
    assert catalog.aws_partition("eu-west-1") == "aws"
    assert catalog.aws_partition("US-GOV-WEST-1") == "aws-us-gov"
    assert catalog.aws_partition("cn-north-1") == "aws-cn"
    assert catalog.aws_partition("eusc-de-east-1") == "aws-eusc"
    with pytest.raises(catalog.UnknownRegionError):
        catalog.aws_partition("us-iso-east-1")

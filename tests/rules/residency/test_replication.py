from tests.rules.exports import (
    assert_has_violation,
    assert_no_violations,
    aws_stack,
    azure_stack,
    drop,
    edit,
    gcp_stack,
)

RULE = "residency-replication"


def test_s3_replication_to_us_bucket():
    doc = edit(aws_stack(), "acme-lake-replica", "region", "us-east-1")
    # the replica is itself mislocated too: it is tagged eu; keep the assertion on the source rule
    found = {(v.rule, v.urn.rsplit("::", 1)[-1]) for v in __import__("tests.rules.exports", fromlist=["x"]).violations(doc)}
    assert (RULE, "acme-lake") in found


def test_s3_replication_destination_not_in_stack_fails_closed():
    doc = edit(aws_stack(), "acme-lake-replication", "rules.0.destination.bucket", "arn:aws:s3:::somewhere-else")
    assert_has_violation(doc, RULE, "acme-lake", "fail closed")


def test_s3_inline_replication_configuration_on_bucket_v1():
    doc = drop(aws_stack(), "acme-lake-replication")
    doc = edit(doc, "acme-lake", "replicationConfiguration",
               {"role": "r", "rules": [{"status": "Enabled", "destination": {"bucket": "arn:aws:s3:::elsewhere"}}]})
    assert_has_violation(doc, RULE, "acme-lake", "elsewhere")


def test_s3_replication_inside_eu_passes():
    assert_no_violations(aws_stack())


def test_internal_data_may_replicate_out():
    doc = edit(aws_stack(), "acme-lake-replication", "rules.0.destination.bucket", "arn:aws:s3:::somewhere-else")
    doc = edit(edit(doc, "acme-lake", "tags.data-class", "internal"), "acme-lake", "tagsAll.data-class", "internal")
    assert_no_violations(doc)


def test_gcs_custom_dual_region_across_uk():
    doc = edit(gcp_stack(), "acme-gcs-lake", "location", "EU")
    doc = edit(doc, "acme-gcs-lake", "customPlacementConfig", {"dataLocations": ["EUROPE-WEST1", "EUROPE-WEST2"]})
    v = [x for x in __import__("tests.rules.exports", fromlist=["x"]).violations(doc) if x.rule == RULE]
    assert len(v) == 1 and "europe-west2" in v[0].message


def test_gcs_us_multi_region_replicates_out():
    doc = edit(gcp_stack(), "acme-gcs-lake", "location", "US")
    v = [x for x in __import__("tests.rules.exports", fromlist=["x"]).violations(doc) if x.rule == RULE]
    assert v and all("outside 'eu'" in x.message for x in v)


def test_azure_grs_in_brazil_replicates_to_us():
    doc = edit(azure_stack(), "lake", "location", "brazilsouth")
    doc = edit(doc, "lake", "tags.jurisdiction", "br") if _has("br") else doc
    v = [x for x in __import__("tests.rules.exports", fromlist=["x"]).violations(doc) if x.rule == RULE]
    assert len(v) == 1 and "US" in v[0].message


def test_azure_lrs_in_west_europe_passes():
    assert_no_violations(edit(azure_stack(), "lake", "sku.name", "Standard_LRS"))


def test_azure_ragzrs_in_west_europe_stays_in_eu():
    assert_no_violations(edit(azure_stack(), "lake", "sku.name", "Standard_RAGZRS"))


def _has(j: str) -> bool:
    from meridian import catalog

    try:
        catalog.jurisdiction(j)
        return True
    except catalog.UnknownJurisdictionError:
        return False

from tests.rules.exports import (
    DELETE,
    assert_has_violation,
    assert_no_violations,
    assert_violations,
    aws_stack,
    azure_stack,
    edit,
    gcp_stack,
    violations,
)

RULE = "residency-location"


def test_gcs_london_is_uk_not_eu():
    v = assert_has_violation(edit(gcp_stack(), "acme-gcs-lake", "location", "EUROPE-WEST2"), RULE, "acme-gcs-lake", "GB")
    assert v.jurisdiction == "eu"


def test_gcs_us_multi_region_is_not_eu():
    # pii in a US multi-region: mislocated, and its replicas (the members) leave the EU.
    doc = edit(gcp_stack(), "acme-gcs-lake", "location", "US")
    assert_violations(doc, {(RULE, "acme-gcs-lake"), ("residency-replication", "acme-gcs-lake")})


def test_gcs_eu_multi_region_is_eu():
    assert_no_violations(edit(gcp_stack(), "acme-gcs-logs", "location", "EU"))


def test_s3_bucket_region_from_provider_when_not_in_state():
    doc = edit(aws_stack(), "acme-lake", "region", DELETE)
    assert_no_violations(doc)


def test_s3_bucket_in_us_tagged_eu():
    assert_has_violation(edit(aws_stack(), "acme-lake", "region", "us-east-1"), RULE, "acme-lake", "us-east-1")


def test_unknown_region_fails_closed():
    assert_has_violation(edit(aws_stack(), "acme-lake", "region", "eu-mars-1"), RULE, "acme-lake", "fail closed")


def test_undeterminable_region_fails_closed():
    doc = edit(edit(aws_stack(), "acme-lake", "region", DELETE), "acme-lake", "@provider", DELETE)
    assert_has_violation(doc, RULE, "acme-lake", "cannot be determined")


def test_azure_display_name_location_is_understood():
    assert_no_violations(edit(azure_stack(), "lake", "location", "West Europe"))


def test_azure_account_location_from_resource_group():
    assert_no_violations(edit(azure_stack(), "lake", "location", DELETE))


def test_azure_account_in_us():
    doc = edit(edit(azure_stack(), "lake", "location", "eastus"), "lake", "sku.name", "Standard_LRS")
    assert_has_violation(doc, RULE, "lake", "eastus")


def test_gcp_key_ring_outside_jurisdiction():
    ring = "projects/acme/locations/us-central1/keyRings/lake"
    doc = edit(gcp_stack(), "lake-key", "keyRing", ring)
    # the ring in the stack then holds no key, so it has nothing to take a classification from
    found = {(v.rule, v.urn.rsplit("::", 1)[-1]): v.message for v in violations(doc)}
    assert set(found) == {(RULE, "lake-key"), ("residency-classification", "lake-ring")}
    assert "us-central1" in found[(RULE, "lake-key")]

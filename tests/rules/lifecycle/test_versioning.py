from tests.rules.exports import (
    assert_has_violation,
    assert_no_violations,
    aws_stack,
    azure_stack,
    drop,
    edit,
    gcp_stack,
)

RULE = "lifecycle-prod-versioning"


def test_s3_versioning_suspended():
    doc = edit(aws_stack(), "acme-lake-versioning", "versioningConfiguration.status", "Suspended")
    assert_has_violation(doc, RULE, "acme-lake", "not versioned")


def test_s3_inline_versioning_on_bucket_v1():
    doc = edit(drop(aws_stack(), "acme-lake-versioning"), "acme-lake", "versioning", {"enabled": True})
    assert_no_violations(doc)


def test_gcs_versioning_off():
    assert_has_violation(edit(gcp_stack(), "acme-gcs-lake", "versioning.enabled", False), RULE, "acme-gcs-lake")


def test_azure_without_blob_versioning():
    assert_has_violation(drop(azure_stack(), "lake-blob"), RULE, "lake")

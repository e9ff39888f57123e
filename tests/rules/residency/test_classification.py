from tests.rules.exports import (
    DELETE,
    assert_has_violation,
    assert_no_violations,
    aws_stack,
    azure_stack,
    edit,
    gcp_stack,
)

RULE = "residency-classification"


def test_s3_bucket_without_data_class():
    doc = edit(edit(aws_stack(), "acme-lake", "tags.data-class", DELETE), "acme-lake", "tagsAll.data-class", DELETE)
    assert_has_violation(doc, RULE, "acme-lake", "no 'data-class'")


def test_kms_key_with_unknown_jurisdiction():
    doc = edit(edit(aws_stack(), "lake-key", "tags.jurisdiction", "atlantis"), "lake-key", "tagsAll.jurisdiction", "atlantis")
    assert_has_violation(doc, RULE, "lake-key", "atlantis")


def test_gcs_bucket_with_invalid_data_class():
    doc = edit(edit(gcp_stack(), "acme-gcs-logs", "labels.data-class", "secret"),
               "acme-gcs-logs", "effectiveLabels.data-class", "secret")
    assert_has_violation(doc, RULE, "acme-gcs-logs", "'secret'")


def test_azure_key_without_tags():
    assert_has_violation(edit(azure_stack(), "lake-key", "tags", DELETE), RULE, "lake-key", "no 'data-class'")


def test_classified_stores_pass():
    assert_no_violations(gcp_stack())

from tests.rules.exports import assert_has_violation, assert_no_violations, aws_stack, azure_stack, drop, edit

RULE = "security-encryption-at-rest"


def test_s3_log_bucket_without_sse_configuration():
    assert_has_violation(drop(aws_stack(), "acme-lake-logs-sse"), RULE, "acme-lake-logs", "no server-side encryption")


def test_s3_inline_sse_on_bucket_v1():
    doc = edit(drop(aws_stack(), "acme-lake-logs-sse"), "acme-lake-logs", "serverSideEncryptionConfiguration",
               {"rule": {"applyServerSideEncryptionByDefault": {"sseAlgorithm": "AES256"}}})
    assert_no_violations(doc)


def test_azure_blob_encryption_disabled():
    assert_has_violation(edit(azure_stack(), "lake", "encryption.services.blob.enabled", False), RULE, "lake")

from tests.rules.exports import (
    DELETE,
    assert_has_violation,
    assert_no_violations,
    aws_stack,
    azure_stack,
    drop,
    edit,
    gcp_stack,
)

RULE = "residency-customer-key"


def test_s3_pii_bucket_without_cmk():
    doc = edit(aws_stack(), "acme-lake-sse", "rules.0.applyServerSideEncryptionByDefault", {"sseAlgorithm": "AES256"})
    assert_has_violation(doc, RULE, "acme-lake", "customer-managed key")


def test_s3_key_in_us_region_by_arn():
    doc = edit(aws_stack(), "acme-lake-sse", "rules.0.applyServerSideEncryptionByDefault.kmsMasterKeyId",
               "arn:aws:kms:us-east-1:111122223333:key/elsewhere")
    assert_has_violation(doc, RULE, "acme-lake", "us-east-1")


def test_s3_key_resolved_through_stack_by_key_id():
    doc = edit(aws_stack(), "acme-lake-sse", "rules.0.applyServerSideEncryptionByDefault.kmsMasterKeyId", "lake-key-0001")
    assert_no_violations(doc)


def test_s3_key_reference_unresolvable_fails_closed():
    doc = edit(aws_stack(), "acme-lake-sse", "rules.0.applyServerSideEncryptionByDefault.kmsMasterKeyId", "alias/nowhere")
    assert_has_violation(doc, RULE, "acme-lake", "fail closed")


def test_s3_access_log_bucket_is_exempt_from_cmk():
    doc = edit(aws_stack(), "acme-lake-logs", "tags.data-class", "pii")
    assert_no_violations(edit(doc, "acme-lake-logs", "tagsAll.data-class", "pii"))  # SSE-S3, logging target


def test_gcs_key_in_other_jurisdiction():
    doc = edit(gcp_stack(), "acme-gcs-lake", "encryption.defaultKmsKeyName",
               "projects/acme/locations/europe-west2/keyRings/uk/cryptoKeys/k")
    assert_has_violation(doc, RULE, "acme-gcs-lake", "europe-west2")


def test_gcs_pii_without_cmk():
    assert_has_violation(edit(gcp_stack(), "acme-gcs-lake", "encryption", DELETE), RULE, "acme-gcs-lake", "customer-managed")


def test_azure_vault_in_other_jurisdiction():
    doc = edit(azure_stack(), "vault", "location", "eastus")
    # the vault (a store kind of its own) and its key are then mislocated too, and the vault's contents
    # replicate to eastus' pair
    from tests.rules.exports import assert_violations

    assert_violations(doc, {(RULE, "lake"), ("residency-location", "lake-key"), ("residency-location", "vault"),
                            ("residency-replication", "vault")})


def test_azure_vault_not_in_stack_fails_closed():
    doc = drop(drop(azure_stack(), "vault"), "lake-key")
    assert_has_violation(doc, RULE, "lake", "fail closed")


def test_azure_microsoft_managed_keys_for_pii():
    assert_has_violation(edit(azure_stack(), "lake", "encryption.keySource", "Microsoft.Storage"), RULE, "lake")

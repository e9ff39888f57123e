from meridian.rules import PackConfig
from tests.rules.exports import (
    add,
    assert_has_violation,
    assert_no_violations,
    aws_stack,
    azure_stack,
    drop,
    edit,
    gcp_stack,
    resource,
)

RULE = "security-no-public-access"


def test_s3_without_public_access_block():
    assert_has_violation(drop(aws_stack(), "acme-lake-pab"), RULE, "acme-lake", "BucketPublicAccessBlock")


def test_s3_public_access_block_partial():
    assert_has_violation(edit(aws_stack(), "acme-lake-pab", "restrictPublicBuckets", False), RULE, "acme-lake")


def test_s3_public_canned_acl():
    assert_has_violation(edit(aws_stack(), "acme-lake", "acl", "public-read"), RULE, "acme-lake", "public-read")


def test_gcs_public_access_prevention_inherited():
    assert_has_violation(edit(gcp_stack(), "acme-gcs-lake", "publicAccessPrevention", "inherited"), RULE, "acme-gcs-lake")


def test_gcs_all_users_grant():
    doc = add(gcp_stack(), resource("gcp:storage/bucketIAMMember:BucketIAMMember", "public-read",
                                    {"bucket": "acme-gcs-lake", "role": "roles/storage.objectViewer", "member": "allUsers"}))
    assert_has_violation(doc, RULE, "acme-gcs-lake", "allUsers")


def test_azure_blob_public_access_allowed():
    assert_has_violation(edit(azure_stack(), "lake", "allowBlobPublicAccess", True), RULE, "lake")


def test_public_data_class_can_be_exempted_by_config():
    config = PackConfig.from_mapping({RULE: {"byDataClass": {"pii": "disabled"}}})
    assert_no_violations(edit(azure_stack(), "lake", "allowBlobPublicAccess", True), config)


def test_override_to_advisory_keeps_violation_non_blocking():
    config = PackConfig.from_mapping({RULE: {"byJurisdiction": {"eu": "advisory"}}})
    v = assert_has_violation(edit(azure_stack(), "lake", "allowBlobPublicAccess", True), RULE, "lake", config=config)
    assert v.enforcement == "advisory"

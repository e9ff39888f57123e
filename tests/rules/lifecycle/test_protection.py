from meridian.rules import PackConfig
from tests.rules.exports import DELETE, assert_has_violation, assert_no_violations, aws_stack, edit, gcp_stack

RULE = "lifecycle-prod-protection"


def test_prod_bucket_unprotected():
    doc = edit(edit(aws_stack(), "acme-lake", "@protect", DELETE), "acme-lake", "@retainOnDelete", DELETE)
    assert_has_violation(doc, RULE, "acme-lake", "neither protected")


def test_retain_on_delete_is_enough():
    assert_no_violations(edit(aws_stack(), "acme-lake", "@protect", DELETE))


def test_prod_key_unprotected():
    assert_has_violation(edit(gcp_stack(), "lake-key", "@protect", DELETE), RULE, "lake-key")


def test_dev_environment_needs_no_protection():
    doc = edit(gcp_stack(), "lake-key", "@protect", DELETE)
    doc = edit(edit(doc, "lake-key", "labels.environment", "dev"), "lake-key", "outputs.labels.environment", "dev")
    assert_no_violations(doc)


def test_protected_environments_from_config():
    config = PackConfig.from_mapping({RULE: {"protectedEnvironments": ["staging"]}})
    assert_no_violations(edit(gcp_stack(), "lake-key", "@protect", DELETE), config)

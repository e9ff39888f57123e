from tests.rules.exports import (
    add,
    assert_has_violation,
    assert_no_violations,
    aws_stack,
    edit,
    gcp_stack,
    provider,
    s3_bucket,
)

RULE = "residency-logs-backups"


def _us_log_bucket(doc):
    p, ref = provider("aws", "virginia", "us-east-1")
    res = s3_bucket("acme-us-logs", ref, dc="internal", j="us", region="us-east-1")
    return add(doc, p, *res)


def test_s3_access_logs_to_us_bucket():
    doc = edit(_us_log_bucket(aws_stack()), "acme-lake-logging", "targetBucket", "acme-us-logs")
    assert_has_violation(doc, RULE, "acme-lake", "acme-us-logs")


def test_s3_access_logs_to_bucket_outside_stack_fails_closed():
    doc = edit(aws_stack(), "acme-lake-logging", "targetBucket", "someone-elses-bucket")
    assert_has_violation(doc, RULE, "acme-lake", "fail closed")


def test_s3_inline_loggings_on_bucket():
    doc = edit(_us_log_bucket(aws_stack()), "acme-lake", "loggings", [{"targetBucket": "acme-us-logs"}])
    assert_has_violation(doc, RULE, "acme-lake", "acme-us-logs")


def test_backup_copy_to_us_vault():
    doc = edit(aws_stack(), "daily", "rules.0.copyActions.0.destinationVaultArn",
               "arn:aws:backup:us-west-2:111122223333:backup-vault:dr")
    assert_has_violation(doc, RULE, "acme-lake", "us-west-2")


def test_backups_in_eu_pass():
    assert_no_violations(aws_stack())


def test_gcs_log_bucket_in_uk():
    doc = edit(gcp_stack(), "acme-gcs-lake", "logging.logBucket", "uk-logs")
    assert_has_violation(doc, RULE, "acme-gcs-lake", "fail closed")


def test_azure_diagnostic_logs_to_account_outside_jurisdiction():
    from tests.rules.exports import azure_stack

    doc = edit(edit(azure_stack(), "logs", "location", "eastus"), "logs", "tags.jurisdiction", "us")
    assert_has_violation(doc, RULE, "lake", "eastus")


def test_azure_diagnostic_logs_to_workspace_outside_stack_fails_closed():
    from tests.rules.exports import azure_stack

    doc = edit(azure_stack(), "lake-access-logs", "workspaceId", "/subscriptions/s/workspaces/elsewhere")
    assert_has_violation(doc, RULE, "lake", "fail closed")

from tests.rules.exports import assert_has_violation, aws_stack, azure_stack, drop, edit

RULE = "security-tls-only"


def test_s3_without_secure_transport_policy():
    assert_has_violation(drop(aws_stack(), "acme-lake-tls"), RULE, "acme-lake", "SecureTransport")


def test_s3_policy_that_allows_instead_of_denies():
    doc = edit(aws_stack(), "acme-lake-tls", "policy", '{"Statement": [{"Effect": "Allow", "Principal": "*"}]}')
    assert_has_violation(doc, RULE, "acme-lake")


def test_azure_http_allowed():
    assert_has_violation(edit(azure_stack(), "lake", "enableHttpsTrafficOnly", False), RULE, "lake", "enableHttpsTrafficOnly")


def test_azure_tls_1_0():
    assert_has_violation(edit(azure_stack(), "lake", "minimumTlsVersion", "TLS1_0"), RULE, "lake", "TLS1_0")

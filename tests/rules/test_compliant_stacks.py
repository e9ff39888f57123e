"""Each factory stack is compliant as written: every other test changes one field of one of them."""

import pytest

from tests.rules.exports import assert_no_violations, aws_stack, azure_stack, cloudflare_stack, gcp_stack


@pytest.mark.parametrize("build", [aws_stack, gcp_stack, azure_stack, cloudflare_stack])
def test_factory_stack_is_compliant(build):
    assert_no_violations(build())

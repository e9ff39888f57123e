"""The offline runner's contract with `meridian plan`: evaluate(document, config) -> [Violation]."""

import pytest

from meridian.policy_runner import evaluate, mandatory
from meridian.rules import PackConfig
from tests.rules.exports import azure_stack, edit


def test_evaluate_returns_violations_with_the_fields_plan_prints():
    [v] = evaluate(edit(azure_stack(), "lake", "minimumTlsVersion", "TLS1_0"))
    assert (v.rule, v.enforcement, v.severity, v.jurisdiction, v.data_class) == (
        "security-tls-only", "mandatory", "high", "eu", "pii")
    assert v.urn.endswith("::lake") and v.type == "azure-native:storage:StorageAccount" and v.message


def test_advisory_and_disabled_levels():
    doc = edit(azure_stack(), "lake", "minimumTlsVersion", "TLS1_0")
    assert mandatory(evaluate(doc, PackConfig.from_mapping({"security-tls-only": "advisory"}))) == []
    assert evaluate(doc, PackConfig.from_mapping({"security-tls-only": "disabled"})) == []
    assert evaluate(doc, PackConfig.from_mapping({"all": "disabled"})) == []


def test_bad_enforcement_value_is_refused():
    with pytest.raises(ValueError, match="not one of"):
        PackConfig.from_mapping({"security-tls-only": {"byDataClass": {"pii": "off"}}})


def test_not_a_stack_export_raises_value_error():
    with pytest.raises(ValueError):
        evaluate({"hello": "world"})

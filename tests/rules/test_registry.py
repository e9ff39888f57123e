"""The evaluation loop: fail closed on surprises, every rule carries its metadata."""
import json

from meridian.rules import RULES, Rule, StackView, evaluate_view
from meridian.rules.registry import findings
from tests.rules.exports import SECRET_SIG, assert_has_violation, azure_stack, edit, gcp_stack


def test_every_rule_has_metadata():
    assert len({r.id for r in RULES}) == len(RULES)
    for r in RULES:
        assert r.name and r.description and r.remediation and r.frameworks and r.types
        assert r.severity in ("low", "medium", "high", "critical")


def test_a_crashing_check_fails_closed():
    def boom(res, view, settings):
        raise RuntimeError("surprise")

    rule = Rule("x-boom", "boom", "high", ("GDPR",), "d", "r", frozenset({"gcp:storage/bucket:Bucket"}), boom)
    view = StackView.from_document(gcp_stack())
    [violation, _] = evaluate_view(view, rules=(rule,))
    assert "fail closed" in violation.message and "surprise" in violation.message
    assert findings(rule, view.resources[-1], view)


def test_secret_values_are_opaque_not_fatal():
    secret = {SECRET_SIG: "1b47061264138c4ac30d75fd1eb44270", "ciphertext": "v1:abc"}
    doc = edit(azure_stack(), "lake", "encryption.keyVaultProperties.keyVaultUri", secret)
    assert_has_violation(doc, "residency-customer-key", "lake", "fail closed")


def test_odd_shapes_do_not_crash():
    doc = edit(azure_stack(), "lake", "sku", "Standard_GRS")  # a string where an object belongs
    doc = edit(doc, "lake", "tags", ["data-class=pii"])
    found = {v.rule for v in evaluate_view(StackView.from_document(doc))}
    assert "residency-classification" in found
    assert not any("could not evaluate" in v.message for v in evaluate_view(StackView.from_document(doc)))


def test_resources_pending_delete_are_ignored():
    doc = edit(gcp_stack(), "acme-gcs-lake", "location", "US")
    doc = edit(doc, "acme-gcs-lake", "@delete", True)
    assert not evaluate_view(StackView.from_document(doc))


def test_show_secrets_exports_are_decoded():
    """`pulumi stack export --show-secrets` writes each secret's value JSON-encoded under `plaintext`:
    a secret region or key reference is read as the value it encodes, not as a quoted string."""
    plaintext = {SECRET_SIG: "1b47061264138c4ac30d75fd1eb44270", "plaintext": '"us-east-1"'}
    doc = edit(gcp_stack(), "acme-gcs-lake", "location", plaintext)
    assert_has_violation(doc, "residency-location", "acme-gcs-lake", "us-east-1")
    block = {SECRET_SIG: "1b47061264138c4ac30d75fd1eb44270",
             "plaintext": json.dumps({"defaultKmsKeyName": "projects/acme/locations/us-central1/keyRings/r/cryptoKeys/k"})}
    doc = edit(gcp_stack(), "acme-gcs-lake", "encryption", block)
    assert_has_violation(doc, "residency-customer-key", "acme-gcs-lake", "us-central1")

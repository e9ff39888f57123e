"""Every registered store kind, on `pulumi stack export`-shaped documents: the compliant store passes,
each one-field edit causes exactly the violations it must, an untagged store is unclassified, and
every type token of the kind (old and new provider majors) is recognised."""

from __future__ import annotations

import copy

import pytest

from meridian.rules import PackConfig, StackView
from meridian.rules.facts import classify
from meridian.rules.model import RuleSettings
from meridian.rules.stores import KINDS, kind_for
from tests.rules.exports import DELETE, edit, find, violations
from tests.rules.stores.factory import CASES

# Firestore databases carry no labels: the pack config classifies them (as users would).
CONFIG = PackConfig({"residency-classification": RuleSettings.from_mapping({"classifications": [
    {"type": "gcp:firestore/database:Database", "urn": "*", "dataClass": "pii", "jurisdiction": "eu"},
    {"type": "aws:ecr/replicationConfiguration:*", "urn": "*::registry-replication", "dataClass": "pii",
     "jurisdiction": "eu"},
]})})
TAGGABLE = {k.id: k.taggable for k in KINDS}
BREAKS = [(kid, why, ed, want) for kid, case in CASES.items() for why, ed, want in case.breaks]


def found(doc, config=CONFIG):  # type: ignore[no-untyped-def]
    return {(v.rule, v.urn.rsplit("::", 1)[-1]) for v in violations(doc, config)}


def describe(doc, config=CONFIG) -> str:  # type: ignore[no-untyped-def]
    return "\n".join(f"{v.rule} {v.urn.rsplit('::', 1)[-1]}: {v.message}" for v in violations(doc, config))


def test_every_kind_has_a_case():
    assert {k.id for k in KINDS} == set(CASES)


@pytest.mark.parametrize("kind_id", sorted(CASES))
def test_compliant_store_passes(kind_id):
    doc = CASES[kind_id].build()
    store = find(doc, CASES[kind_id].store)
    assert kind_for(store["type"]) is not None and kind_for(store["type"]).id == kind_id
    assert not found(doc), describe(doc)


@pytest.mark.parametrize(("kind_id", "why", "ed", "want"), BREAKS, ids=[f"{b[0]}: {b[1]}" for b in BREAKS])
def test_violating_store_is_caught(kind_id, why, ed, want):
    doc = ed(CASES[kind_id].build())
    assert found(doc) == want, describe(doc)


@pytest.mark.parametrize("kind_id", sorted(k for k in CASES if TAGGABLE[k]))
def test_untagged_store_is_unclassified(kind_id):
    case = CASES[kind_id]
    doc = case.build()
    for path in ("tags", "tagsAll", "labels", "effectiveLabels", "settings.userLabels"):
        doc = edit(doc, case.store, path, DELETE)
    got = violations(doc, CONFIG)
    mine = [v for v in got if v.urn.endswith(f"::{case.store}") and v.rule == "residency-classification"]
    assert len(mine) == 1 and "no 'data-class'" in mine[0].message, describe(doc)


@pytest.mark.parametrize("kind_id", sorted(k for k in CASES if not TAGGABLE[k]))
def test_untaggable_store_without_owner_or_config_is_unclassified(kind_id):
    case = CASES[kind_id]
    doc = case.build()
    if not found(doc, PackConfig()):  # classified without config: only through its owner or description
        view = StackView.from_document(doc)
        store = next(r for r in view.resources if r.urn.endswith(f"::{case.store}"))
        source = classify(store, view).source
        assert source.startswith("owner ") or source == "description", source
        return
    mine = [v for v in violations(doc, PackConfig()) if v.urn.endswith(f"::{case.store}")]
    assert any(v.rule == "residency-classification" and "classifications" in v.message for v in mine), describe(doc)


@pytest.mark.parametrize(("kind_id", "token"), [(k.id, t) for k in KINDS for t in k.types if len(k.types) > 1])
def test_every_type_token_of_the_kind_is_checked(kind_id, token):
    """The same store under each token of its kind (old and new provider majors): moved out of its
    jurisdiction, it is caught under every one."""
    case = CASES[kind_id]
    doc = copy.deepcopy(case.build())
    store = find(doc, case.store)
    old = store["type"]
    store["type"] = token
    store["urn"] = store["urn"].replace(f"::{old}::", f"::{token}::")
    assert not found(doc), describe(doc)
    cloud = kind_for(token).cloud
    if cloud == "azure":
        moved = edit(doc, case.store, "location", "eastus")
        if "locations" in store.get("inputs", {}):  # a multi-location account sits where its locations are
            moved = edit(moved, case.store, "locations", [{"locationName": "eastus"}])
    elif cloud == "gcp":
        moved = edit(edit(doc, case.store, "location", "us-central1"), case.store, "region", "us-central1")
    else:
        moved = edit(edit(doc, case.store, "region", "us-east-1"), case.store, "@provider", None)
    assert ("residency-location", case.store) in found(moved) or any(
        r == "residency-location" for r, _ in found(moved)), describe(moved)


def test_azure_api_version_tokens_are_the_same_kind():
    assert kind_for("azure-native:cache/v20230801:Redis").id == "azure-redis-cache"
    assert kind_for("azure-native:documentdb/v20240515:DatabaseAccount").id == "azure-cosmosdb-account"

"""The store kinds against the provider SDKs we did not write: every type token a kind claims is a
resource the installed SDK registers (or a token of another supported major, listed below with the
major it comes from), and every top-level property a kind reads from a resource is an input or an
output of that resource in the installed SDK (read off the SDK's own `pulumi.getter` names)."""

from __future__ import annotations

import importlib
import json
import re
from functools import cache
from pathlib import Path

import pytest

from meridian.rules import StackView
from meridian.rules.stores import KINDS, kind_for
from tests.rules.stores.factory import CASES
from tests.rules.stores.test_kinds import CONFIG

# Tokens of supported majors other than the installed ones (pulumi-aws 6, pulumi-gcp 8,
# azure-native 2), checked against those SDKs' own resource registrations (their
# `_utilities.register` tables) when the kinds were written and the providers upgraded.
OTHER_MAJORS = {
    "azure-native:cache:Redis": "azure-native 2", "azure-native:cache:LinkedServer": "azure-native 2",
    "azure-native:cache:RedisEnterprise": "azure-native 2", "azure-native:documentdb:DatabaseAccount": "azure-native 2",
    "azure-native:insights:DiagnosticSetting": "azure-native 2",
}
# Properties of another supported major read as well (checked in that SDK): pulumi-aws 6's BucketV2
# nests inline logging under `loggings` (v7's Bucket: `logging`); v6's Redshift cluster had inline
# `logging` and `snapshotCopy` blocks, which v7 moved to their own resources.
OTHER_MAJOR_PROPERTIES = {"aws-s3-bucket": {"logging", "loggings", "serverSideEncryptionConfigurations", "versionings"},
                          "aws-redshift-cluster": {"logging", "snapshotCopy"}}
# Generic keys every kind may read (identity, classification, placement), not service properties.
GENERIC = {"__id", "id", "tags", "tagsAll", "labels", "effectiveLabels", "region", "location", "name",
           "arn", "keyId", "bucket", "vaultName", "accountName", "resourceGroupName", "selfLink", "vaultUri",
           "identifier", "clusterIdentifier", "replicationGroupId", "globalReplicationGroupId",
           "globalClusterIdentifier", "domainName", "keyUri", "namespaceName", "serverName", "settings",
           "locationId", "zone", "availabilityZone"}


@cache
def registry() -> dict[str, tuple[str, str]]:
    out: dict[str, tuple[str, str]] = {}
    for pkg in ("pulumi_aws", "pulumi_gcp", "pulumi_azure_native"):
        spec = importlib.util.find_spec(pkg)
        assert spec is not None and spec.origin
        src = Path(spec.origin).read_text()
        m = re.search(r'resource_modules="""(.*?)"""', src, re.S)
        assert m, pkg
        for entry in json.loads(m.group(1)):
            for token, cls in entry["classes"].items():
                out[token] = (entry["fqn"], cls)
    return out


@cache
def sdk_properties(token: str) -> frozenset[str]:
    fqn, cls_name = registry()[token]
    module = importlib.import_module(fqn)
    names: set[str] = set()
    for cls in (getattr(module, cls_name), getattr(module, f"{cls_name}Args", None)):
        for value in vars(cls).values() if cls is not None else ():
            fget = getattr(value, "fget", None)
            if fget is not None and hasattr(fget, "_pulumi_name"):
                names.add(fget._pulumi_name)
    return frozenset(names)


@pytest.mark.parametrize("token", sorted({t for k in KINDS for t in k.types}))
def test_every_token_is_a_real_resource(token):
    assert token in registry() or token in OTHER_MAJORS, f"{token} is in no supported provider SDK"


class Recording(dict):  # type: ignore[type-arg]
    """A resource's props that remember which top-level keys were read."""

    def __init__(self, data: dict, seen: set[str]) -> None:  # type: ignore[type-arg]
        super().__init__(data)
        self.seen = seen

    def get(self, key, default=None):  # type: ignore[no-untyped-def]
        self.seen.add(key)
        return super().get(key, default)

    def __getitem__(self, key):  # type: ignore[no-untyped-def]
        self.seen.add(key)
        return super().__getitem__(key)

    def __contains__(self, key):  # type: ignore[no-untyped-def]
        self.seen.add(key)
        return super().__contains__(key)


@pytest.mark.parametrize("kind_id", sorted(CASES))
def test_properties_read_exist_in_the_sdk(kind_id):
    case = CASES[kind_id]
    view = StackView.from_document(case.build())
    from meridian.rules.registry import classifications

    view.classifications = classifications(CONFIG)
    res = next(r for r in view.resources if r.name == case.store)
    kind = kind_for(res.type)
    assert kind is not None
    seen: set[str] = set()
    res.props = Recording(res.props, seen)
    kind.locate(res, view)
    for facet in kind.FACETS:
        fn = kind.facet(facet)
        if callable(fn):
            fn(res, view)
    tokens = [t for t in kind.types if t in registry()]
    assert tokens, f"{kind_id}: no token of the installed SDK"
    known = frozenset().union(*(sdk_properties(t) for t in tokens))
    unknown = sorted(k for k in seen - GENERIC - OTHER_MAJOR_PROPERTIES.get(kind_id, set()) if k not in known)
    assert not unknown, f"{kind_id} reads {unknown}, which {tokens} do not have in the installed SDK"

"""The store-kind registry: every resource kind that holds data (or a key that decrypts it).

One module per service, each declaring its kinds next to the code that reads them (see kind.py for
what a kind declares). The rules iterate this registry; adding a kind is one module (or one entry
in a module) plus its tests. `kind_for(type token)` finds the kind of any type token, including
azure-native's explicit API-version tokens (`azure-native:cache/v20230801:Redis`)."""

from __future__ import annotations

from functools import cache

from meridian.rules.stack import canonical_type
from meridian.rules.stores import (
    aws_dynamodb,
    aws_ebs,
    aws_efs,
    aws_elasticache,
    aws_kms,
    aws_misc,
    aws_opensearch,
    aws_rds,
    aws_redshift,
    aws_s3,
    aws_streams,
    azure_data,
    azure_keyvault,
    azure_storage,
    gcp_data,
    gcp_kms,
    gcp_storage,
)
from meridian.rules.stores.kind import FacetUndeclaredError, NotApplicable, StoreKind

KINDS: tuple[StoreKind, ...] = (
    aws_s3.KIND,
    aws_kms.KIND,
    aws_kms.REPLICA_KIND,
    *aws_rds.KINDS,
    *aws_dynamodb.KINDS,
    *aws_elasticache.KINDS,
    *aws_ebs.KINDS,
    *aws_efs.KINDS,
    *aws_redshift.KINDS,
    *aws_opensearch.KINDS,
    *aws_streams.KINDS,
    *aws_misc.KINDS,
    gcp_storage.KIND,
    gcp_kms.KIND,
    gcp_kms.RING_KIND,
    *gcp_data.KINDS,
    azure_storage.KIND,
    azure_keyvault.KIND,
    azure_keyvault.VAULT_KIND,
    *azure_data.KINDS,
)


@cache
def _by_type() -> dict[str, StoreKind]:
    out: dict[str, StoreKind] = {}
    for kind in KINDS:
        for t in kind.types:
            if t in out:
                raise RuntimeError(f"store kinds {out[t].id} and {kind.id} both claim {t}")
            out[t] = kind
    return out


def kind_for(type_token: str) -> StoreKind | None:
    by_type = _by_type()
    return by_type.get(type_token) or by_type.get(canonical_type(type_token))


def tokens(*roles: str) -> frozenset[str]:
    """Every type token of the kinds with these roles (default: all)."""
    return frozenset(t for k in KINDS if not roles or k.role in roles for t in k.types)


STORE_TOKENS = tokens("store")
KEY_TOKENS = tokens("key")
CLASSIFIED_TOKENS = tokens()

__all__ = ["CLASSIFIED_TOKENS", "KEY_TOKENS", "KINDS", "STORE_TOKENS", "FacetUndeclaredError", "NotApplicable",
           "StoreKind", "kind_for", "tokens"]

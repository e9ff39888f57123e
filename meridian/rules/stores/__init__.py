"""The store-kind registry: every resource kind that holds data (or a key that decrypts it).

One module per service (its kinds, e.g. RDS instances, clusters and global clusters in aws_rds.py),
each declaring its kinds next to the code that reads them (see kind.py for
what a kind declares). The rules iterate this registry; adding a kind is one module (or one entry
in a module) plus its tests. `kind_for(type token)` finds the kind of any type token, including
azure-native's explicit API-version tokens (`azure-native:cache/v20230801:Redis`)."""

from __future__ import annotations

from functools import cache

from meridian.rules.stack import canonical_type
from meridian.rules.stores import (
    aws_amp,
    aws_backup,
    aws_cloudwatch_logs,
    aws_dynamodb,
    aws_ebs,
    aws_ecr,
    aws_efs,
    aws_elasticache,
    aws_kinesis,
    aws_kms,
    aws_msk,
    aws_opensearch,
    aws_rds,
    aws_redshift,
    aws_s3,
    aws_secretsmanager,
    aws_sqs,
    azure_cosmosdb,
    azure_eventhub,
    azure_flexible_servers,
    azure_keyvault,
    azure_log_analytics,
    azure_monitor_workspace,
    azure_redis,
    azure_servicebus,
    azure_sql,
    azure_storage,
    gcp_artifact_registry,
    gcp_bigquery,
    gcp_bigtable,
    gcp_filestore,
    gcp_firestore,
    gcp_kms,
    gcp_logging,
    gcp_memorystore,
    gcp_pubsub,
    gcp_spanner,
    gcp_sql,
    gcp_storage,
)
from meridian.rules.stores.kind import FacetUndeclaredError, NotApplicable, StoreKind

KINDS: tuple[StoreKind, ...] = (
    # AWS
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
    *aws_kinesis.KINDS,
    *aws_sqs.KINDS,
    *aws_msk.KINDS,
    *aws_secretsmanager.KINDS,
    *aws_ecr.KINDS,
    *aws_backup.KINDS,
    *aws_cloudwatch_logs.KINDS,
    *aws_amp.KINDS,
    # GCP
    gcp_storage.KIND,
    gcp_kms.KIND,
    gcp_kms.RING_KIND,
    *gcp_bigquery.KINDS,
    *gcp_sql.KINDS,
    *gcp_spanner.KINDS,
    *gcp_bigtable.KINDS,
    *gcp_firestore.KINDS,
    *gcp_pubsub.KINDS,
    *gcp_memorystore.KINDS,
    *gcp_filestore.KINDS,
    *gcp_artifact_registry.KINDS,
    *gcp_logging.KINDS,
    # Azure
    azure_storage.KIND,
    azure_keyvault.KIND,
    azure_keyvault.VAULT_KIND,
    *azure_sql.KINDS,
    *azure_cosmosdb.KINDS,
    *azure_flexible_servers.KINDS,
    *azure_redis.KINDS,
    *azure_eventhub.KINDS,
    *azure_servicebus.KINDS,
    *azure_log_analytics.KINDS,
    *azure_monitor_workspace.KINDS,
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

"""AWS KMS keys: single- and multi-Region keys, their replica keys, and imported (external) keys.

Location: the key's region (own `region`, else its provider's). A multi-Region primary's replicas
are the ReplicaKey / ReplicaExternalKey resources whose `primaryKeyArn` is the primary's ARN (exact)
or that depend on it; each is placed in its own region. Keys are data-protecting: the classification,
location, replication and prod-protection rules apply; the encryption, TLS, public-access and
versioning facets describe stores, not keys."""

from __future__ import annotations

from meridian.rules.facts import (
    AWS_KMS_EXTERNAL,
    AWS_KMS_KEY,
    AWS_KMS_REPLICA,
    AWS_KMS_REPLICA_EXTERNAL,
    Target,
    aws_region,
    placement,
)
from meridian.rules.stack import Resource, StackView
from meridian.rules.stores.kind import NotApplicable, StoreKind

_KEY_ONLY = NotApplicable("a key is not a data store")


def replicas(res: Resource, view: StackView) -> list[Target]:
    out: list[Target] = []
    for t in (AWS_KMS_REPLICA, AWS_KMS_REPLICA_EXTERNAL):
        for rep in view.attached(res, t, "primaryKeyArn"):
            out.append(Target("replica", rep.name, placement(rep, view), rep.urn))
    return out


KIND = StoreKind(
    id="aws-kms-key", title="KMS key", cloud="aws", role="key", types=(AWS_KMS_KEY, AWS_KMS_EXTERNAL),
    locate=aws_region, replicas=replicas, key=_KEY_ONLY, logs_backups=NotApplicable("keys have no access logs"),
    public_access=NotApplicable("key policies are IAM"), tls_only=NotApplicable("the KMS API is TLS only"),
    versioning=NotApplicable("key material is rotated, not versioned"), name_keys=("description",),
    doc=__doc__ or "",
)
REPLICA_KIND = StoreKind(
    id="aws-kms-replica-key", title="KMS replica key", cloud="aws", role="key",
    types=(AWS_KMS_REPLICA, AWS_KMS_REPLICA_EXTERNAL), locate=aws_region,
    replicas=NotApplicable("a replica key is itself the replica; its primary lists it"), key=_KEY_ONLY,
    logs_backups=NotApplicable("keys have no access logs"), public_access=NotApplicable("key policies are IAM"),
    tls_only=NotApplicable("the KMS API is TLS only"), versioning=NotApplicable("keys are not versioned"),
    owner=lambda res, view: view.referenced(res, "primaryKeyArn", res.props.get("primaryKeyArn"), AWS_KMS_KEY,
                                            AWS_KMS_EXTERNAL),
    name_keys=("description",), doc=__doc__ or "",
)

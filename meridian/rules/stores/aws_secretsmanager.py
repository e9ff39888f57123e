"""Secrets Manager secrets: `kmsKeyId` (always encrypted); replica regions in `replicas[].region`,
each a copy of the secret in that region."""

from __future__ import annotations

from meridian.rules.facts import (
    Target,
    aws_key_use,
    aws_region,
    dig,
    region_target,
)
from meridian.rules.stack import Resource, StackView
from meridian.rules.stores.kind import NotApplicable, StoreKind

SECRET = "aws:secretsmanager/secret:Secret"

_HTTPS = NotApplicable("the service API is HTTPS only")

_IAM = NotApplicable("access is IAM")


def secret_replicas(res: Resource, view: StackView) -> list[Target]:
    return [
        region_target("aws", dig(r, "region"), "replicas", f"replica region of secret {res.name}")
        for r in res.props.get("replicas") or []
        if isinstance(r, dict)
    ]


SECRET_KIND = StoreKind(
    id="aws-secretsmanager-secret",
    title="Secrets Manager secret",
    cloud="aws",
    types=(SECRET,),
    locate=aws_region,
    replicas=secret_replicas,
    key=aws_key_use("kmsKeyId", always=True),
    logs_backups=NotApplicable("secret access is recorded by CloudTrail"),
    public_access=_IAM,
    tls_only=_HTTPS,
    versioning=NotApplicable("secret versions are kept by the service"),
    doc=__doc__ or "",
)

KINDS = (SECRET_KIND,)

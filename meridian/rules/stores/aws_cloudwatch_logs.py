"""CloudWatch log groups: always encrypted (`kmsKeyId` for a customer key); they hold whatever is
logged to them, in their region."""

from __future__ import annotations

from meridian.rules.facts import (
    aws_key_use,
    aws_region,
)
from meridian.rules.stores.kind import NotApplicable, StoreKind

LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"

_HTTPS = NotApplicable("the service API is HTTPS only")

_IAM = NotApplicable("access is IAM")

LOG_GROUP_KIND = StoreKind(
    id="aws-cloudwatch-log-group",
    title="CloudWatch log group",
    cloud="aws",
    types=(LOG_GROUP,),
    locate=aws_region,
    replicas=NotApplicable("log groups stay in their region (subscriptions are separate resources)"),
    key=aws_key_use("kmsKeyId", always=True),
    logs_backups=NotApplicable("a log group is itself a log store"),
    public_access=_IAM,
    tls_only=_HTTPS,
    versioning=NotApplicable("log events are append-only"),
    doc=__doc__ or "",
)

KINDS = (LOG_GROUP_KIND,)

"""Kinesis data streams: data kept for the stream's retention in its region. Encryption:
`encryptionType` KMS with `kmsKeyId` (NONE is unencrypted). Endpoints are HTTPS only; access is IAM."""

from __future__ import annotations

from meridian.rules.facts import (
    aws_key_use,
    aws_region,
)
from meridian.rules.stores.kind import NotApplicable, StoreKind

STREAM = "aws:kinesis/stream:Stream"

_VERSIONS = NotApplicable("messages are retained, not versioned")

_NO_COPY = NotApplicable("the service keeps data in its own region")

STREAM_KIND = StoreKind(
    id="aws-kinesis-stream",
    title="Kinesis data stream",
    cloud="aws",
    types=(STREAM,),
    locate=aws_region,
    replicas=_NO_COPY,
    key=lambda res, view: (
        aws_key_use("kmsKeyId")(res, view)
        if res.props.get("encryptionType") == "KMS"
        else aws_key_use()(res, view)
    ),
    logs_backups=NotApplicable("a stream has no access logs of its own (CloudTrail records API calls)"),
    public_access=NotApplicable("access is IAM"),
    tls_only=NotApplicable("Kinesis endpoints are HTTPS only"),
    versioning=_VERSIONS,
    doc=__doc__ or "",
)

KINDS = (STREAM_KIND,)

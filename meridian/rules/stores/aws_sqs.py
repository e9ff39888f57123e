"""SQS queues: messages kept for the retention period in the queue's region. Encryption:
`kmsMasterKeyId` (customer key) or `sqsManagedSseEnabled`. TLS-only: a queue policy (inline or a
`QueuePolicy`) denying aws:SecureTransport=false. Public: a policy statement allowing Principal '*'
without a condition."""

from __future__ import annotations

import json

from meridian.rules.facts import (
    aws_key_use,
    aws_region,
    walk_key,
)
from meridian.rules.stack import Resource, StackView
from meridian.rules.stores.kind import NotApplicable, StoreKind

QUEUE = "aws:sqs/queue:Queue"

QUEUE_POLICY = "aws:sqs/queuePolicy:QueuePolicy"

_VERSIONS = NotApplicable("messages are retained, not versioned")

_NO_COPY = NotApplicable("the service keeps data in its own region")


def _policy_denies_insecure(policy: object) -> bool:
    if isinstance(policy, str):
        try:
            policy = json.loads(policy)
        except ValueError:
            return False
    return any(str(v).lower() == "false" for v in walk_key(policy, "aws:SecureTransport"))


def queue_tls(res: Resource, view: StackView) -> list[str]:
    policies = [res.props.get("policy")] + [
        p.props.get("policy") for p in view.attached(res, QUEUE_POLICY, "queueUrl")
    ]
    return (
        []
        if any(_policy_denies_insecure(p) for p in policies)
        else ["no queue policy denies requests with aws:SecureTransport=false"]
    )


def _statements(policy: object) -> list[object]:
    if isinstance(policy, str):
        try:
            policy = json.loads(policy)
        except ValueError:
            return []
    stmts = policy.get("Statement") if isinstance(policy, dict) else None
    return stmts if isinstance(stmts, list) else [stmts] if stmts else []


QUEUE_KIND = StoreKind(
    id="aws-sqs-queue",
    title="SQS queue",
    cloud="aws",
    types=(QUEUE,),
    locate=aws_region,
    replicas=_NO_COPY,
    key=aws_key_use("kmsMasterKeyId", flag_path="sqsManagedSseEnabled"),
    logs_backups=NotApplicable("a queue has no access logs of its own"),
    public_access=lambda res, view: (
        ["the queue policy allows Principal '*' without a condition"]
        if any(
            isinstance(s, dict)
            and s.get("Effect") == "Allow"
            and s.get("Principal") in ("*", {"AWS": "*"})
            and not s.get("Condition")
            for s in _statements(res.props.get("policy"))
        )
        else []
    ),
    tls_only=queue_tls,
    versioning=_VERSIONS,
    doc=__doc__ or "",
)

KINDS = (QUEUE_KIND,)

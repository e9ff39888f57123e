"""Pub/Sub topics: messages are stored in `messageStoragePolicy.allowedPersistenceRegions`; without a
policy Pub/Sub may store them in any Google region (fail closed for a classified topic). CMEK: `kmsKeyName`."""

from __future__ import annotations

from meridian.rules.facts import (
    Placement,
    dig,
    gcp_key_use,
    place_all,
    unplaced,
)
from meridian.rules.stack import Resource, StackView
from meridian.rules.stores.gcp_common import (
    IAM,
    NOLOGS,
    NOVER,
    TLS,
    gcp_kind,
    members_target,
)

PUBSUB_TOPIC = "gcp:pubsub/topic:Topic"


def topic_locate(res: Resource, view: StackView) -> Placement:
    regions = dig(res.props, "messageStoragePolicy.allowedPersistenceRegions")
    if not regions:
        return unplaced(
            "gcp",
            f"topic {res.name} has no messageStoragePolicy: Pub/Sub may store its messages in "
            "any Google region (fail closed)",
        )
    return place_all(
        "gcp", regions if isinstance(regions, list) else [regions], f"persistence regions of {res.name}"
    )


TOPIC_KIND = gcp_kind(
    "gcp-pubsub-topic",
    "Pub/Sub topic",
    (PUBSUB_TOPIC,),
    topic_locate,
    replicas=lambda res, view: members_target(topic_locate(res, view), "messageStoragePolicy"),
    key=gcp_key_use("kmsKeyName"),
    logs_backups=NOLOGS,
    public_access=IAM,
    tls_only=TLS,
    versioning=NOVER,
    doc=__doc__ or "",
)

KINDS = (TOPIC_KIND,)

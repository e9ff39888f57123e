"""Cloud Logging buckets (project log bucket configs): where routed logs are stored.

Location: `location` - a region, or `global` (the `_Default` and `_Required` buckets' location), which
is nowhere in particular and fails closed. Log buckets carry no labels: their classification is read
from the description (`meridian:data-class=<c>;jurisdiction=<j>`, meridian.classification_meta), else
the pack config `classifications`. CMEK: `cmekSettings.kmsKeyName`."""

from __future__ import annotations

from meridian.rules.facts import Placement, gcp_key_use, place, unplaced
from meridian.rules.stack import Resource, StackView
from meridian.rules.stores.kind import NotApplicable, StoreKind

LOG_BUCKET = "gcp:logging/projectBucketConfig:ProjectBucketConfig"


def locate(res: Resource, view: StackView) -> Placement:
    loc = res.props.get("location")
    if isinstance(loc, str) and loc.lower() == "global":
        return unplaced("gcp", f"log bucket {res.name} is in location 'global', which is nowhere in particular "
                               "(fail closed)")
    return place("gcp", loc, f"location of log bucket {res.name}")


KINDS = (StoreKind(
    id="gcp-logging-bucket", title="Cloud Logging bucket", cloud="gcp", types=(LOG_BUCKET,), locate=locate,
    replicas=NotApplicable("a log bucket keeps its logs in its location"), key=gcp_key_use("cmekSettings.kmsKeyName"),
    logs_backups=NotApplicable("a log bucket is itself a log store"),
    public_access=NotApplicable("access is IAM (log views)"), tls_only=NotApplicable("Google APIs are TLS only"),
    versioning=NotApplicable("log entries are append-only"), taggable=False, name_keys=("bucketId",),
    doc=__doc__ or "",
),)

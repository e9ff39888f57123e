"""Cloud Storage buckets, and Storage Transfer Service jobs that copy a bucket's objects elsewhere.

Location: `location` (a region, a dual-region such as EUR4, or a multi-region US/EU/ASIA whose members
are the catalog's), with `customPlacementConfig.dataLocations` for configurable dual-regions.
Replicas: every member of a dual/multi-region, and every transfer job whose source is the bucket
(sink: a GCS bucket in the stack, or an S3/Azure sink that cannot be placed -> fail closed)."""

from __future__ import annotations

from meridian.rules.facts import (
    Placement,
    Target,
    dig,
    gcp_key_use,
    known,
    place,
    placement,
    unplaced,
    walk_key,
)
from meridian.rules.stack import Resource, StackView
from meridian.rules.stores.kind import NotApplicable, StoreKind

GCS_BUCKET = "gcp:storage/bucket:Bucket"
GCS_IAM = ("gcp:storage/bucketIAMMember:BucketIAMMember", "gcp:storage/bucketIAMBinding:BucketIAMBinding")
TRANSFER_JOB = "gcp:storage/transferJob:TransferJob"
_PUBLIC_MEMBERS = ("allUsers", "allAuthenticatedUsers")


def locate(res: Resource, view: StackView) -> Placement:
    data_locations = [loc for v in walk_key(res.props.get("customPlacementConfig"), "dataLocations")
                      if isinstance(v, list) for loc in v]
    if data_locations and not all(known(d) for d in data_locations):
        return unplaced("gcp", "custom dual-region data locations cannot be determined")
    return place("gcp", res.props.get("location"), f"location of {res.name}",
                 [str(d) for d in data_locations] or None)


def _gcs_sink(name: object, job: Resource, view: StackView) -> Target:
    bucket = view.referenced(job, "transferSpec", name, GCS_BUCKET)
    p = placement(bucket, view) if bucket is not None else unplaced(
        "gcp", f"transfer sink bucket {name!r} is not in the stack (fail closed)")
    return Target("replica", str(name), p, job.urn)


def transfer_targets(res: Resource, view: StackView, source_key: str, ident: object) -> list[Target]:
    """Transfer jobs whose `transferSpec.<source_key>.bucketName` is this bucket copy it to their sink."""
    out: list[Target] = []
    for job in view.of_type(TRANSFER_JOB):
        spec = job.props.get("transferSpec") or job.props.get("replicationSpec")
        sources = [v for v in walk_key(spec, source_key)]
        if not any(dig(s, "bucketName") == ident for s in sources) and \
                res.urn not in job.property_dependencies.get("transferSpec", ()):
            continue
        for s in walk_key(spec, "gcsDataSink"):
            out.append(_gcs_sink(dig(s, "bucketName"), job, view))
        if not any(True for _ in walk_key(spec, "gcsDataSink")):
            out.append(Target("replica", "transfer sink", unplaced(
                "gcp", "the transfer job's sink is not a Cloud Storage bucket in the stack (fail closed)"), job.urn))
    return out


def replicas(res: Resource, view: StackView) -> list[Target]:
    out: list[Target] = []
    home = locate(res, view)
    if home.region is not None and (home.region.kind != "region" or len(home.members) > 1):
        for m in home.members:
            out.append(Target("replica", m.id, Placement("gcp", m.id, m, None, (m,)),
                              f"{home.region.kind} location {home.region_id}"))
    return out + transfer_targets(res, view, "gcsDataSource", res.props.get("name"))


def logs_backups(res: Resource, view: StackView) -> list[Target]:
    out: list[Target] = []
    for lb in walk_key(res.props.get("logging"), "logBucket"):
        bucket = view.referenced(res, "logging", lb, GCS_BUCKET)
        p = placement(bucket, view) if bucket is not None else unplaced(
            "gcp", f"log bucket {lb!r} is not in the stack, its location is unknown (fail closed)")
        out.append(Target("access-logs", str(lb), p, "logging.logBucket"))
    return out


def public_access(res: Resource, view: StackView) -> list[str]:
    out: list[str] = []
    if str(res.props.get("publicAccessPrevention", "")).lower() != "enforced":
        out.append("publicAccessPrevention is not 'enforced'")
    for t in GCS_IAM:
        for m in view.attached(res, t, "bucket"):
            members = [m.props.get("member"), *(m.props.get("members") or [])]
            out += [f"IAM grants {m.props.get('role')} to {x}" for x in members if x in _PUBLIC_MEMBERS]
    return out


KIND = StoreKind(
    id="gcp-storage-bucket", title="Cloud Storage bucket", cloud="gcp", types=(GCS_BUCKET,), locate=locate,
    replicas=replicas, key=gcp_key_use("encryption.defaultKmsKeyName"), logs_backups=logs_backups,
    public_access=public_access, tls_only=NotApplicable("Cloud Storage serves only HTTPS"),
    versioning=lambda res, view: res.get("versioning", "enabled") is True, doc=__doc__ or "",
)

"""S3 buckets (pulumi-aws v6 `Bucket` and `BucketV2`; v7 `Bucket` is the V2 shape, `BucketV2` an alias).

Location: the bucket's `region` output (v7 input), else its provider's region. Companions link by
the bucket name/id in `bucket`: SSE, versioning, public access block, policy, ACL, logging and
replication configurations, in their v6 `...V2` and v7 names. Replicas: replication destinations
(inline `replicationConfiguration` or `BucketReplicationConfig`), placed by the destination bucket,
which must be in the stack. Access-log targets must be in the stack too; AWS Backup selections that
name the bucket's ARN count as backups."""

from __future__ import annotations

import json

from meridian.rules.facts import (
    KeyUse,
    Target,
    aws_backup_targets,
    aws_key,
    aws_region,
    known,
    placement,
    unplaced,
    walk_key,
)
from meridian.rules.stack import Resource, StackView
from meridian.rules.stores.kind import DeferredCheck, StoreKind

S3_BUCKET = "aws:s3/bucket:Bucket"
S3_BUCKET_V2 = "aws:s3/bucketV2:BucketV2"
S3_BUCKETS = (S3_BUCKET, S3_BUCKET_V2)
S3_SSE = ("aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2",
          "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration")
S3_REPLICATION = "aws:s3/bucketReplicationConfig:BucketReplicationConfig"
S3_LOGGING = ("aws:s3/bucketLoggingV2:BucketLoggingV2", "aws:s3/bucketLogging:BucketLogging")
S3_VERSIONING = ("aws:s3/bucketVersioningV2:BucketVersioningV2", "aws:s3/bucketVersioning:BucketVersioning")
S3_PAB = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"
S3_ACCOUNT_PAB = "aws:s3/accountPublicAccessBlock:AccountPublicAccessBlock"
S3_ACL = ("aws:s3/bucketAclV2:BucketAclV2", "aws:s3/bucketAcl:BucketAcl")
S3_POLICY = "aws:s3/bucketPolicy:BucketPolicy"

_PAB_FLAGS = ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets")
_PUBLIC_ACLS = ("public-read", "public-read-write", "authenticated-read")


def bucket_target(kind: str, ident: object, view: StackView, via: str, owner: Resource, prop: str) -> Target:
    name = str(ident)
    if isinstance(ident, str) and ident.startswith("arn:aws:s3:::"):
        name = ident.removeprefix("arn:aws:s3:::")
    bucket = view.referenced(owner, prop, name, *S3_BUCKETS)
    if bucket is None:
        return Target(kind, name, unplaced("aws", f"bucket {name!r} is not in the stack, its region is unknown "
                                                  "(fail closed)"), via)
    return Target(kind, bucket.props.get("bucket") or bucket.name, placement(bucket, view), via)


def replicas(res: Resource, view: StackView) -> list[Target]:
    out: list[Target] = []
    configs = [(res, res.props.get("replicationConfiguration"), "inline replicationConfiguration")]
    configs += [(c, c.props.get("rules"), c.urn) for c in view.attached(res, S3_REPLICATION, "bucket")]
    for owner, cfg, via in configs:
        for dest in walk_key(cfg, "destination"):
            for d in dest if isinstance(dest, list) else [dest]:
                if isinstance(d, dict) and "bucket" in d:
                    out.append(bucket_target("replica", d["bucket"], view, via, owner, "rules"))
    return out


def key(res: Resource, view: StackView) -> KeyUse:
    sources = [(res, res.props, "serverSideEncryptionConfiguration")]
    for t in S3_SSE:
        sources += [(c, c.props, "rules") for c in view.attached(res, t, "bucket")]
    encrypted, ref, place = False, None, None
    for owner, props, prop in sources:
        block = props.get(prop) if owner is not res else {
            k: props.get(k) for k in ("serverSideEncryptionConfiguration", "serverSideEncryptionConfigurations")}
        if any(known(a) for a in walk_key(block, "sseAlgorithm")):
            encrypted = True
        for kid in walk_key(block, "kmsMasterKeyId"):
            if kid:
                ref = str(kid)
                place = aws_key(ref, owner, prop, view)
    return KeyUse(encrypted, ref, place)


def logs_backups(res: Resource, view: StackView) -> list[Target]:
    out: list[Target] = []
    for tb in walk_key({k: res.props.get(k) for k in ("loggings", "logging")}, "targetBucket"):
        out.append(bucket_target("access-logs", tb, view, "inline logging", res, "loggings"))
    for t in S3_LOGGING:
        for lg in view.attached(res, t, "bucket"):
            out.append(bucket_target("access-logs", lg.props.get("targetBucket"), view, lg.urn, lg, "targetBucket"))
    return out + aws_backup_targets(res, view)


def public_access(res: Resource, view: StackView) -> list[str]:
    out: list[str] = []
    blocks = view.attached(res, S3_PAB, "bucket") + view.of_type(S3_ACCOUNT_PAB)
    if not any(all(b.props.get(f) is True for f in _PAB_FLAGS) for b in blocks):
        out.append("no BucketPublicAccessBlock with all four block/ignore/restrict flags true")
    acls = [res.props.get("acl")] + [a.props.get("acl") for t in S3_ACL for a in view.attached(res, t, "bucket")]
    return out + [f"canned ACL {a!r} makes it public" for a in acls if a in _PUBLIC_ACLS]


def denies_insecure(policy: object) -> bool | None:
    """True when the policy denies aws:SecureTransport=false; None when it is not known yet."""
    if not known(policy):
        return None
    if isinstance(policy, str):
        try:
            policy = json.loads(policy)
        except ValueError:
            return False
    if not isinstance(policy, dict):
        return False
    stmts = policy.get("Statement") or []
    for s in stmts if isinstance(stmts, list) else [stmts]:
        if not isinstance(s, dict) or s.get("Effect") != "Deny":
            continue
        cond = s.get("Condition") or {}
        for op in cond.values() if isinstance(cond, dict) else []:
            if isinstance(op, dict) and str(op.get("aws:SecureTransport", "")).lower() == "false":
                return True
    return False


def tls_only(res: Resource, view: StackView) -> list[str]:
    policies = [p.props.get("policy") for p in view.attached(res, S3_POLICY, "bucket")]
    if res.props.get("policy") is not None:
        policies.append(res.props.get("policy"))
    verdicts = [denies_insecure(p) for p in policies]
    if any(verdicts):
        return []
    if None in verdicts:  # a policy built from the bucket's ARN is not known at a first preview
        raise DeferredCheck("the bucket policy", "is not known until the update")
    return ["no bucket policy denies requests with aws:SecureTransport=false"]


def versioning(res: Resource, view: StackView) -> bool:
    inline = {k: res.props.get(k) for k in ("versioning", "versionings")}
    if any(v is True for v in walk_key(inline, "enabled")):
        return True
    return any(
        str((v.props.get("versioningConfiguration") or {}).get("status", "")).lower() == "enabled"
        for t in S3_VERSIONING for v in view.attached(res, t, "bucket"))


KIND = StoreKind(
    id="aws-s3-bucket", title="S3 bucket", cloud="aws", types=S3_BUCKETS, locate=aws_region,
    replicas=replicas, key=key, logs_backups=logs_backups, public_access=public_access, tls_only=tls_only,
    versioning=versioning, name_keys=("bucket",), doc=__doc__ or "",
)

"""ECR repositories and the registry's replication configuration.

The registry's `ReplicationConfiguration` copies every repository its rules' `repositoryFilters` select
(PREFIX_MATCH on the repository name, as ECR does; no filter = every repository) to each destination
region. The configuration carries no tags: the pack config classifies it. Repositories are always
encrypted (AES256, or KMS with `encryptionConfigurations[].kmsKey`)."""

from __future__ import annotations

from meridian.rules.facts import (
    Placement,
    Target,
    aws_key_use,
    aws_region,
    place_all,
    region_target,
    walk_key,
)
from meridian.rules.stack import Resource, StackView
from meridian.rules.stores.kind import NotApplicable, StoreKind

ECR_REPOSITORY = "aws:ecr/repository:Repository"

ECR_REPLICATION = "aws:ecr/replicationConfiguration:ReplicationConfiguration"

_HTTPS = NotApplicable("the service API is HTTPS only")

_IAM = NotApplicable("access is IAM")


def _ecr_rules(cfg: Resource) -> list[dict[str, object]]:
    return [
        r
        for v in walk_key(cfg.props.get("replicationConfiguration"), "rules")
        if isinstance(v, list)
        for r in v
        if isinstance(r, dict)
    ]


def _selects(rule: dict[str, object], repo_name: str) -> bool:
    filters = [f for f in walk_key(rule.get("repositoryFilters"), "filter")]
    return not filters or any(isinstance(f, str) and repo_name.startswith(f) for f in filters)


def ecr_repo_replicas(res: Resource, view: StackView) -> list[Target]:
    home = aws_region(res, view)
    name = str(res.props.get("name") or res.name)
    out: list[Target] = []
    for cfg in view.of_type(ECR_REPLICATION):
        if aws_region(cfg, view).region_id != home.region_id:
            continue
        for rule in _ecr_rules(cfg):
            if _selects(rule, name):
                for d in walk_key(rule.get("destinations"), "region"):
                    out.append(region_target("aws", d, cfg.urn, f"replication destination of {cfg.name}"))
    return out


def ecr_config_locate(res: Resource, view: StackView) -> Placement:
    regions = [d for rule in _ecr_rules(res) for d in walk_key(rule.get("destinations"), "region")]
    return place_all("aws", [aws_region(res, view).region_id, *regions], f"regions of {res.name}")


ECR_KIND = StoreKind(
    id="aws-ecr-repository",
    title="ECR repository",
    cloud="aws",
    types=(ECR_REPOSITORY,),
    locate=aws_region,
    replicas=ecr_repo_replicas,
    key=aws_key_use("encryptionConfigurations.kmsKey", always=True),
    logs_backups=NotApplicable("pulls are recorded by CloudTrail"),
    public_access=_IAM,
    tls_only=_HTTPS,
    versioning=NotApplicable("image tags may be immutable; images are not versioned"),
    doc=__doc__ or "",
)

ECR_REPLICATION_KIND = StoreKind(
    id="aws-ecr-replication",
    title="ECR replication configuration",
    cloud="aws",
    types=(ECR_REPLICATION,),
    locate=ecr_config_locate,
    replicas=NotApplicable("listed as replicas of the repositories it selects"),
    key=NotApplicable("replicated images are encrypted by the destination registry"),
    logs_backups=NotApplicable("no logs of its own"),
    public_access=_IAM,
    tls_only=_HTTPS,
    versioning=NotApplicable("not a store of versions"),
    taggable=False,
    doc=__doc__ or "",
)

KINDS = (ECR_KIND, ECR_REPLICATION_KIND)

"""AWS-specific config checks: what the AWS APIs would refuse at deploy time, refused here instead,
before any resource exists, with the key path and the bad value."""

from __future__ import annotations

from typing import TYPE_CHECKING

from meridian import catalog
from meridian.config.problems import FULL_KEY, is_private

if TYPE_CHECKING:
    from meridian.config.stack import StackConfig

# S3 keeps objects at least 30 days in STANDARD before STANDARD_IA, and 30 days in STANDARD_IA
# before any later transition.
S3_MIN_DAYS_BEFORE_IA = 30
S3_MIN_DAYS_IN_IA = 30


def check_aws(cfg: StackConfig) -> list[str]:
    problems: list[str] = []
    for i, c in enumerate(cfg.clusters):
        if c.cloud != "aws":
            continue
        base = f"{FULL_KEY}.clusters[{i}].network"
        if not 16 <= c.network.cidr.prefixlen <= 22:
            problems.append(
                f"{base}.cidr: {c.network.cidr} ({c.name}): an AWS VPC range must be /16 to /22 (AWS allows at "
                "most /16; Meridian carves private and public subnets per AZ from it)"
            )
        svc = c.network.service_cidr
        if not is_private(svc) or not 12 <= svc.prefixlen <= 24:
            problems.append(
                f"{base}.serviceCidr: {svc} ({c.name}): EKS needs a service range of /12 to /24 inside "
                "10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16"
            )
    for i, lake in enumerate(cfg.data_lakes):
        if lake.cloud != "aws":
            continue
        base = f"{FULL_KEY}.dataLakes[{i}]"
        t = lake.tiers
        if t.warm_after_days < S3_MIN_DAYS_BEFORE_IA:
            problems.append(
                f"{base}.tiers.warmAfterDays: {t.warm_after_days} ({lake.name}): S3 moves objects to STANDARD_IA "
                f"after {S3_MIN_DAYS_BEFORE_IA} days at the earliest"
            )
        if t.cold_after_days - t.warm_after_days < S3_MIN_DAYS_IN_IA:
            problems.append(
                f"{base}.tiers.coldAfterDays: {t.cold_after_days} ({lake.name}): S3 keeps objects at least "
                f"{S3_MIN_DAYS_IN_IA} days in STANDARD_IA, so coldAfterDays must be at least warmAfterDays + "
                f"{S3_MIN_DAYS_IN_IA} = {t.warm_after_days + S3_MIN_DAYS_IN_IA}"
            )
        try:
            partition = catalog.aws_partition(lake.region)
        except catalog.UnknownRegionError:
            continue  # reported by the region check
        for k, rep in enumerate(lake.replication):
            try:
                rpart = catalog.aws_partition(rep.region)
            except catalog.UnknownRegionError:
                continue
            if rpart != partition:
                problems.append(
                    f"{base}.replication[{k}].region: {rep.region!r} is in AWS partition {rpart!r} but lake "
                    f"{lake.name!r} is in {partition!r}; S3 replication does not cross partitions"
                )
    return problems

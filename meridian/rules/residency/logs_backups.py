"""Access logs and backups of a pii (or unclassified) store land in the same jurisdiction."""

from __future__ import annotations

from collections.abc import Iterator

from meridian.rules.facts import STORE_TYPES, classify, log_and_backup_targets
from meridian.rules.model import Finding, Rule, RuleSettings
from meridian.rules.stack import Resource, StackView


def check(res: Resource, view: StackView, settings: RuleSettings) -> Iterator[Finding]:
    c = classify(res)
    if c.jurisdiction is None or not c.sensitive:
        return
    for t in log_and_backup_targets(res, view):
        if t.placement.error:
            yield Finding(f"{t.kind} go to {t.name}: {t.placement.error}", c.jurisdiction, c.data_class)
        elif not t.placement.within(c.jurisdiction):
            yield Finding(f"{t.kind} go to {t.name} in {t.placement.region_id}, outside '{c.jurisdiction}'",
                          c.jurisdiction, c.data_class)


RULE = Rule(
    id="residency-logs-backups",
    name="Access logs and backups stay in the jurisdiction",
    severity="high",
    frameworks=("GDPR Art. 44", "UK-GDPR Art. 44"),
    description="S3 access-log target buckets (BucketLoggingV2, inline loggings), GCS logging.logBucket and "
    "AWS Backup vaults (plan target vault and copy actions of a selection covering the bucket) of a "
    "pii/restricted store are in its jurisdiction. A target outside the stack fails closed.",
    remediation="Send access logs and backups to a bucket/vault in the same jurisdiction, created in "
    "the same stack.",
    types=STORE_TYPES,
    check=check,
    tags=("residency",),
)

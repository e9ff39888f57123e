"""Access logs and backups of a pii (or unclassified) store land in the same jurisdiction."""

from __future__ import annotations

from collections.abc import Iterator

from meridian.rules.facts import classify, log_and_backup_targets
from meridian.rules.model import Finding, Rule, RuleSettings
from meridian.rules.stack import Resource, StackView
from meridian.rules.stores import STORE_TOKENS


def check(res: Resource, view: StackView, settings: RuleSettings) -> Iterator[Finding]:
    c = classify(res, view)
    if c.jurisdiction is None or not c.sensitive:
        return
    for t in log_and_backup_targets(res, view):
        if t.placement.error:
            yield Finding(f"{t.kind} go to {t.name}: {t.placement.error}", c.jurisdiction, c.data_class,
                          deferred=t.placement.deferred)
        elif not t.placement.within(c.jurisdiction):
            yield Finding(f"{t.kind} go to {t.name} in {t.placement.region_id}, outside '{c.jurisdiction}'",
                          c.jurisdiction, c.data_class)


RULE = Rule(
    id="residency-logs-backups",
    name="Access logs and backups stay in the jurisdiction",
    severity="high",
    frameworks=("GDPR Art. 44", "UK-GDPR Art. 44"),
    description="Where a pii/restricted store's access logs and backups land is in its jurisdiction: S3/GCS "
    "log buckets, CloudWatch log groups, Azure diagnostic settings (matched by exact ARM id), AWS Backup "
    "vaults and copy actions of selections naming the store, Cloud SQL backup locations, geo-redundant "
    "backups of Azure databases. A target outside the stack fails closed.",
    remediation="Send access logs and backups to a bucket/vault in the same jurisdiction, created in "
    "the same stack.",
    types=STORE_TOKENS,
    check=check,
    tags=("residency",),
)

"""AWS Backup vaults: always encrypted (`kmsKeyArn` for a customer key). Where backups of other
stores land is read from the plans and selections that name them (facts.aws_backup_targets)."""

from __future__ import annotations

from meridian.rules.facts import (
    aws_key_use,
    aws_region,
)
from meridian.rules.stores.kind import NotApplicable, StoreKind

BACKUP_VAULT = "aws:backup/vault:Vault"

_HTTPS = NotApplicable("the service API is HTTPS only")

_IAM = NotApplicable("access is IAM")

BACKUP_VAULT_KIND = StoreKind(
    id="aws-backup-vault",
    title="AWS Backup vault",
    cloud="aws",
    types=(BACKUP_VAULT,),
    locate=aws_region,
    replicas=NotApplicable("copies are the copy actions of the plans that back up into it"),
    key=aws_key_use("kmsKeyArn", always=True),
    logs_backups=NotApplicable("a vault holds backups"),
    public_access=_IAM,
    tls_only=_HTTPS,
    versioning=NotApplicable("recovery points are immutable"),
    doc=__doc__ or "",
)

KINDS = (BACKUP_VAULT_KIND,)

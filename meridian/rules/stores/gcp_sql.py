"""Cloud SQL instances. Location: `region`; replicas are the instances whose `masterInstanceName` names
it; backups go to `settings.backupConfiguration.location`, and without it to the multi-region nearest
the instance, which Google does not pin (fail closed). Classification: `settings.userLabels`. Public:
an authorized network 0.0.0.0/0. TLS: `settings.ipConfiguration.sslMode` ENCRYPTED_ONLY or
TRUSTED_CLIENT_CERTIFICATE_REQUIRED (or the older requireSsl). CMEK: `encryptionKeyName`."""

from __future__ import annotations

from meridian.rules.facts import (
    Target,
    dig,
    gcp_key_use,
    gcp_place,
    place,
    pointing_here,
    unplaced,
    walk_key,
)
from meridian.rules.stack import Resource, StackView
from meridian.rules.stores.gcp_common import (
    gcp_kind,
)
from meridian.rules.stores.kind import NotApplicable

SQL_INSTANCE = "gcp:sql/databaseInstance:DatabaseInstance"


def sql_backups(res: Resource, view: StackView) -> list[Target]:
    cfg = dig(res.props, "settings.backupConfiguration") or {}
    if dig(cfg, "enabled") is False:
        return []
    loc = dig(cfg, "location")
    if loc:
        return [
            Target(
                "backup",
                str(loc),
                place("gcp", loc, f"backup location of {res.name}"),
                "settings.backupConfiguration.location",
            )
        ]
    return [
        Target(
            "backup",
            "default",
            unplaced(
                "gcp",
                "no settings.backupConfiguration.location: Cloud SQL stores "
                "backups in the nearest multi-region (fail closed)",
            ),
            "settings.backupConfiguration",
        )
    ]


def sql_public(res: Resource, view: StackView) -> list[str]:
    nets = [n for n in walk_key(dig(res.props, "settings.ipConfiguration"), "value")]
    return ["an authorized network is 0.0.0.0/0"] if "0.0.0.0/0" in nets else []


def sql_tls(res: Resource, view: StackView) -> list[str]:
    ip = dig(res.props, "settings.ipConfiguration") or {}
    if (
        dig(ip, "sslMode") in ("ENCRYPTED_ONLY", "TRUSTED_CLIENT_CERTIFICATE_REQUIRED")
        or dig(ip, "requireSsl") is True
    ):
        return []
    return [f"settings.ipConfiguration.sslMode is {dig(ip, 'sslMode')!r}, not ENCRYPTED_ONLY"]


SQL_KIND = gcp_kind(
    "gcp-sql-instance",
    "Cloud SQL instance",
    (SQL_INSTANCE,),
    lambda res, view: gcp_place(res, view, "region"),
    replicas=lambda res, view: pointing_here(res, view, (SQL_INSTANCE,), "masterInstanceName"),
    key=gcp_key_use("encryptionKeyName"),
    logs_backups=sql_backups,
    public_access=sql_public,
    tls_only=sql_tls,
    versioning=NotApplicable("a database has point-in-time recovery, not object versions"),
    owner=lambda res, view: view.referenced(
        res, "masterInstanceName", res.props.get("masterInstanceName"), SQL_INSTANCE
    ),
    doc=__doc__ or "",
)

KINDS = (SQL_KIND,)

"""Azure Database for PostgreSQL and MySQL flexible servers: `backup.geoRedundantBackup` Enabled copies
backups to the catalog's geo pair; read replicas are servers whose `sourceServerResourceId` names this
one. CMEK: `dataEncryption.primaryKeyURI`. Public: `network.publicNetworkAccess` without a delegated subnet."""

from __future__ import annotations

from meridian.rules.facts import (
    Target,
    azure_diagnostic_targets,
    azure_key_use,
    dig,
    placement,
    pointing_here,
)
from meridian.rules.stack import Resource, StackView
from meridian.rules.stores.azure_common import NOVER, kind
from meridian.rules.stores.azure_storage import geo_pair_target
from meridian.rules.stores.kind import NotApplicable, StoreKind

POSTGRES = "azure-native:dbforpostgresql:Server"

MYSQL = "azure-native:dbformysql:Server"


def flex_replicas(types: tuple[str, ...]):  # type: ignore[no-untyped-def]
    def replicas(res: Resource, view: StackView) -> list[Target]:
        out = pointing_here(res, view, types, "sourceServerResourceId")
        if str(dig(res.props, "backup.geoRedundantBackup") or "Disabled").lower() == "enabled":
            out.append(geo_pair_target(placement(res, view), "backup.geoRedundantBackup Enabled"))
        return out

    return replicas


def flex_public(res: Resource, view: StackView) -> list[str]:
    v = dig(res.props, "network.publicNetworkAccess")
    delegated = dig(res.props, "network.delegatedSubnetResourceId")
    return [] if delegated or str(v).lower() == "disabled" else [f"network.publicNetworkAccess is {v!r}"]


def _flexible(kind_id: str, title: str, server_type: str) -> StoreKind:
    return kind(
        kind_id,
        title,
        (server_type,),
        replicas=flex_replicas((server_type,)),
        key=azure_key_use("dataEncryption.primaryKeyURI"),
        logs_backups=azure_diagnostic_targets,
        public_access=flex_public,
        tls_only=NotApplicable("TLS is enforced by the require_secure_transport server parameter"),
        versioning=NOVER,
        doc=__doc__ or "",
    )


POSTGRES_KIND = _flexible("azure-postgresql-flexible-server", "PostgreSQL flexible server", POSTGRES)
MYSQL_KIND = _flexible("azure-mysql-flexible-server", "MySQL flexible server", MYSQL)

KINDS = (POSTGRES_KIND, MYSQL_KIND)

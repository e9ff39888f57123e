"""Azure SQL servers, databases and failover groups. A geo-secondary database (`sourceDatabaseId`) is a
replica of its source; a failover group copies its databases to every partner server. Database backups:
`requestedBackupStorageRedundancy` Geo or GeoZone (Azure's default when unset) copy backups to the
catalog's geo pair; Local/Zone stay in the region."""

from __future__ import annotations

from meridian.rules.facts import (
    Placement,
    Target,
    arm_name,
    azure_diagnostic_targets,
    azure_key_use,
    azure_location,
    known,
    place,
    placement,
    pointing_here,
    unplaced,
)
from meridian.rules.stack import Resource, StackView
from meridian.rules.stores.azure_common import NOVER, kind, public_network, tls12
from meridian.rules.stores.azure_storage import geo_pair_target
from meridian.rules.stores.kind import NotApplicable

SQL_SERVER = "azure-native:sql:Server"

SQL_DATABASE = "azure-native:sql:Database"

SQL_FAILOVER_GROUP = "azure-native:sql:FailoverGroup"


def _owner_server(res: Resource, view: StackView) -> Resource | None:
    return view.referenced(res, "serverName", res.props.get("serverName"), SQL_SERVER)


def _fg_targets(fg: Resource, view: StackView, via: str) -> list[Target]:
    out: list[Target] = []
    for p in fg.props.get("partnerServers") or []:
        pid = p.get("id") if isinstance(p, dict) else p
        server = view.find(arm_name(pid) or pid, SQL_SERVER) if known(pid) else None
        if server is None:
            for dep in fg.property_dependencies.get("partnerServers", ()):
                d = view.by_urn.get(dep)
                server = d if d is not None and d.type == SQL_SERVER else server
        pl = (
            placement(server, view)
            if server is not None
            else unplaced("azure", f"failover partner server {pid!r} is not in the stack (fail closed)")
        )
        out.append(Target("replica", str(arm_name(pid) or pid), pl, via))
    return out


def database_replicas(res: Resource, view: StackView) -> list[Target]:
    out = pointing_here(res, view, (SQL_DATABASE,), "sourceDatabaseId")
    server = _owner_server(res, view)
    idents = StackView.identifiers(res) | {res.urn}
    for fg in view.of_type(SQL_FAILOVER_GROUP):
        same_server = server is not None and fg.props.get("serverName") in StackView.identifiers(server)
        dbs = [str(d).lower() for d in fg.props.get("databases") or []]
        mine = (
            any(str(i).lower() in dbs for i in idents)
            or res.urn in fg.property_dependencies.get("databases", ())
            or any(arm_name(d) == res.props.get("databaseName") for d in fg.props.get("databases") or [])
        )
        if same_server and mine:
            out += _fg_targets(fg, view, fg.urn)
    return out


def database_backups(res: Resource, view: StackView) -> list[Target]:
    red = str(res.props.get("requestedBackupStorageRedundancy") or "Geo")
    out = azure_diagnostic_targets(res, view)
    if red.lower() in ("geo", "geozone"):
        out.append(
            geo_pair_target(
                placement(res, view), f"backup storage redundancy {red} (Azure's default is Geo)", "backup"
            )
        )
    return out


def database_locate(res: Resource, view: StackView) -> Placement:
    loc = azure_location(res, view) if known(res.props.get("location")) else None
    server = _owner_server(res, view)
    if loc is None and server is not None:
        return placement(server, view)
    return place("azure", loc, f"location of {res.name}")


SERVER_KIND = kind(
    "azure-sql-server",
    "Azure SQL server",
    (SQL_SERVER,),
    replicas=NotApplicable("servers hold databases; their replicas are listed per database"),
    key=azure_key_use("keyId"),
    logs_backups=azure_diagnostic_targets,
    public_access=public_network(),
    tls_only=tls12("minimalTlsVersion"),
    versioning=NOVER,
    doc=__doc__ or "",
)

DATABASE_KIND = kind(
    "azure-sql-database",
    "Azure SQL database",
    (SQL_DATABASE,),
    locate=database_locate,
    replicas=database_replicas,
    key=NotApplicable("encrypted by the server's TDE protector"),
    logs_backups=database_backups,
    public_access=NotApplicable("network access is the server's"),
    tls_only=NotApplicable("TLS is the server's minimalTlsVersion"),
    versioning=NOVER,
    owner=_owner_server,
    doc=__doc__ or "",
)

FAILOVER_GROUP_KIND = kind(
    "azure-sql-failover-group",
    "Azure SQL failover group",
    (SQL_FAILOVER_GROUP,),
    locate=lambda res, view: (
        placement(s, view)
        if (s := _owner_server(res, view)) is not None
        else unplaced("azure", f"the server of failover group {res.name} is not in the stack (fail closed)")
    ),
    replicas=lambda res, view: (
        [] if _owner_server(res, view) is not None else _fg_targets(res, view, res.urn)
    ),
    key=NotApplicable("databases are encrypted by their servers"),
    logs_backups=NotApplicable("no logs"),
    public_access=NotApplicable("network access is the server's"),
    tls_only=NotApplicable("the server's"),
    versioning=NOVER,
    owner=_owner_server,
    doc=__doc__ or "",
)

KINDS = (SERVER_KIND, DATABASE_KIND, FAILOVER_GROUP_KIND)

"""Azure data services: SQL servers and databases (geo-replicas, failover groups), Cosmos DB accounts,
PostgreSQL and MySQL flexible servers, Azure Cache for Redis (and its geo-replication links, and
Redis Enterprise), Event Hubs and Service Bus namespaces (with their geo-disaster-recovery pairings),
and Log Analytics workspaces.

Decisions:
- SQL database backups: `requestedBackupStorageRedundancy` Geo or GeoZone (Azure's default when unset)
  copy backups to the catalog's geo pair; Local/Zone stay in the region. A geo-secondary database
  (`createMode` Secondary / `sourceDatabaseId`) is a replica of its source; a failover group copies
  its databases to every partner server.
- Cosmos DB: every entry of `locations[]` holds a full copy; a periodic backup with Geo redundancy
  (the default) copies backups to the write region's pair.
- PostgreSQL/MySQL flexible servers: `backup.geoRedundantBackup` Enabled copies backups to the pair;
  read replicas are servers whose `sourceServerResourceId` names this one.
- Redis: a `LinkedServer` (geo-replication link) copies the cache to `linkedRedisCacheLocation`.
- Event Hubs / Service Bus: a `DisasterRecoveryConfig` pairs the namespace with `partnerNamespace`
  (metadata replication; Event Hubs geo-replication copies data too): placed by the partner."""

from __future__ import annotations

from meridian.rules.facts import (
    Placement,
    Target,
    arm_name,
    azure_diagnostic_targets,
    azure_key_use,
    azure_location,
    azure_place,
    dig,
    known,
    place,
    place_all,
    placement,
    pointing_here,
    unplaced,
)
from meridian.rules.stack import Resource, StackView
from meridian.rules.stores.azure_storage import geo_pair_target
from meridian.rules.stores.kind import NotApplicable, StoreKind

SQL_SERVER = "azure-native:sql:Server"
SQL_DATABASE = "azure-native:sql:Database"
SQL_FAILOVER_GROUP = "azure-native:sql:FailoverGroup"
COSMOS = "azure-native:documentdb:DatabaseAccount"
POSTGRES = "azure-native:dbforpostgresql:Server"
MYSQL = "azure-native:dbformysql:Server"
REDIS = ("azure-native:cache:Redis", "azure-native:redis:Redis")
REDIS_LINK = ("azure-native:cache:LinkedServer", "azure-native:redis:LinkedServer")
REDIS_ENTERPRISE = ("azure-native:cache:RedisEnterprise", "azure-native:redisenterprise:RedisEnterprise")
EVENTHUB_NS = "azure-native:eventhub:Namespace"
EVENTHUB_DR = "azure-native:eventhub:DisasterRecoveryConfig"
SERVICEBUS_NS = "azure-native:servicebus:Namespace"
SERVICEBUS_DR = "azure-native:servicebus:DisasterRecoveryConfig"
WORKSPACE = "azure-native:operationalinsights:Workspace"

_NOVER = NotApplicable("not a store of object versions")


def _tls12(prop: str):  # type: ignore[no-untyped-def]
    def check(res: Resource, view: StackView) -> list[str]:
        v = res.props.get(prop)
        return [] if str(v) in ("1.2", "1.3", "Tls12", "Tls13", "TLS1_2", "TLS1_3") else [f"{prop} is {v!r}, not 1.2"]

    return check


def _public_network(prop: str = "publicNetworkAccess"):  # type: ignore[no-untyped-def]
    def check(res: Resource, view: StackView) -> list[str]:
        v = dig(res.props, prop)
        return [] if str(v).lower() in ("disabled", "securedbyperimeter") else [f"{prop} is {v!r}, not Disabled"]

    return check


def _owner_server(res: Resource, view: StackView) -> Resource | None:
    return view.referenced(res, "serverName", res.props.get("serverName"), SQL_SERVER)


# --- SQL -----------------------------------------------------------------------------------------
def _fg_targets(fg: Resource, view: StackView, via: str) -> list[Target]:
    out: list[Target] = []
    for p in fg.props.get("partnerServers") or []:
        pid = p.get("id") if isinstance(p, dict) else p
        server = view.find(arm_name(pid) or pid, SQL_SERVER) if known(pid) else None
        if server is None:
            for dep in fg.property_dependencies.get("partnerServers", ()):
                d = view.by_urn.get(dep)
                server = d if d is not None and d.type == SQL_SERVER else server
        pl = placement(server, view) if server is not None else unplaced(
            "azure", f"failover partner server {pid!r} is not in the stack (fail closed)")
        out.append(Target("replica", str(arm_name(pid) or pid), pl, via))
    return out


def database_replicas(res: Resource, view: StackView) -> list[Target]:
    out = pointing_here(res, view, (SQL_DATABASE,), "sourceDatabaseId")
    server = _owner_server(res, view)
    idents = StackView.identifiers(res) | {res.urn}
    for fg in view.of_type(SQL_FAILOVER_GROUP):
        same_server = server is not None and fg.props.get("serverName") in StackView.identifiers(server)
        dbs = [str(d).lower() for d in fg.props.get("databases") or []]
        mine = any(str(i).lower() in dbs for i in idents) or res.urn in fg.property_dependencies.get("databases", ()) \
            or any(arm_name(d) == res.props.get("databaseName") for d in fg.props.get("databases") or [])
        if same_server and mine:
            out += _fg_targets(fg, view, fg.urn)
    return out


def database_backups(res: Resource, view: StackView) -> list[Target]:
    red = str(res.props.get("requestedBackupStorageRedundancy") or "Geo")
    out = azure_diagnostic_targets(res, view)
    if red.lower() in ("geo", "geozone"):
        out.append(geo_pair_target(placement(res, view), f"backup storage redundancy {red} (Azure's default is Geo)",
                                   "backup"))
    return out


def database_locate(res: Resource, view: StackView) -> Placement:
    loc = azure_location(res, view) if known(res.props.get("location")) else None
    server = _owner_server(res, view)
    if loc is None and server is not None:
        return placement(server, view)
    return place("azure", loc, f"location of {res.name}")


# --- Cosmos DB -----------------------------------------------------------------------------------
def _cosmos_locations(res: Resource) -> list[object]:
    return [dig(loc, "locationName") for loc in res.props.get("locations") or [] if isinstance(loc, dict)]


def cosmos_locate(res: Resource, view: StackView) -> Placement:
    locs = _cosmos_locations(res) or [azure_location(res, view)]
    return place_all("azure", locs, f"locations of {res.name}")


def cosmos_replicas(res: Resource, view: StackView) -> list[Target]:
    locs = _cosmos_locations(res)
    home = azure_location(res, view)
    out = [Target("replica", str(loc), place("azure", loc, f"location of {res.name}"), "locations[]")
           for loc in locs if str(loc).replace(" ", "").lower() != str(home).replace(" ", "").lower()]
    policy = res.props.get("backupPolicy") or {}
    periodic = str(dig(policy, "type") or "Periodic").lower() == "periodic"
    red = str(dig(policy, "periodicModeProperties.backupStorageRedundancy") or "Geo")
    if periodic and red.lower() == "geo":
        out.append(geo_pair_target(place("azure", locs[0] if locs else home, f"write region of {res.name}"),
                                   "periodic backup with Geo redundancy (the default)"))
    return out


# --- flexible servers ----------------------------------------------------------------------------
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


# --- Redis ---------------------------------------------------------------------------------------
def redis_replicas(res: Resource, view: StackView) -> list[Target]:
    out: list[Target] = []
    for t in REDIS_LINK:
        for link in view.of_type(t):
            owner = view.referenced(link, "name", link.props.get("name"), *REDIS)
            if owner is not res:
                continue
            loc = link.props.get("linkedRedisCacheLocation")
            out.append(Target("replica", str(arm_name(link.props.get("linkedRedisCacheId")) or loc),
                              place("azure", loc, f"linkedRedisCacheLocation of {link.name}"), link.urn))
    return out


def redis_tls(res: Resource, view: StackView) -> list[str]:
    out = _tls12("minimumTlsVersion")(res, view)
    if res.props.get("enableNonSslPort") is True:
        out.append("enableNonSslPort is true")
    return out


# --- namespaces ----------------------------------------------------------------------------------
def ns_replicas(dr_type: str, ns_types: tuple[str, ...]):  # type: ignore[no-untyped-def]
    def replicas(res: Resource, view: StackView) -> list[Target]:
        out: list[Target] = []
        for dr in view.attached(res, dr_type, "namespaceName"):
            partner = dr.props.get("partnerNamespace")
            target = view.find(arm_name(partner) or partner, *ns_types) if known(partner) else None
            p = placement(target, view) if target is not None else unplaced(
                "azure", f"partner namespace {partner!r} is not in the stack (fail closed)")
            out.append(Target("replica", str(arm_name(partner) or partner), p, dr.urn))
        return out

    return replicas


def _kind(kind_id: str, title: str, types: tuple[str, ...], **kw):  # type: ignore[no-untyped-def]
    kw.setdefault("locate", azure_place)
    return StoreKind(id=kind_id, title=title, cloud="azure", types=types, doc=__doc__ or "", **kw)


KINDS = (
    _kind("azure-sql-server", "Azure SQL server", (SQL_SERVER,),
          replicas=NotApplicable("servers hold databases; their replicas are listed per database"),
          key=azure_key_use("keyId"), logs_backups=azure_diagnostic_targets, public_access=_public_network(),
          tls_only=_tls12("minimalTlsVersion"), versioning=_NOVER),
    _kind("azure-sql-database", "Azure SQL database", (SQL_DATABASE,), locate=database_locate,
          replicas=database_replicas, key=NotApplicable("encrypted by the server's TDE protector"),
          logs_backups=database_backups, public_access=NotApplicable("network access is the server's"),
          tls_only=NotApplicable("TLS is the server's minimalTlsVersion"), versioning=_NOVER, owner=_owner_server),
    _kind("azure-sql-failover-group", "Azure SQL failover group", (SQL_FAILOVER_GROUP,),
          locate=lambda res, view: placement(s, view) if (s := _owner_server(res, view)) is not None else
          unplaced("azure", f"the server of failover group {res.name} is not in the stack (fail closed)"),
          replicas=lambda res, view: [] if _owner_server(res, view) is not None else _fg_targets(res, view, res.urn),
          key=NotApplicable("databases are encrypted by their servers"), logs_backups=NotApplicable("no logs"),
          public_access=NotApplicable("network access is the server's"), tls_only=NotApplicable("the server's"),
          versioning=_NOVER, owner=_owner_server),
    _kind("azure-cosmosdb-account", "Cosmos DB account", (COSMOS,), locate=cosmos_locate, replicas=cosmos_replicas,
          key=azure_key_use("keyVaultKeyUri"), logs_backups=azure_diagnostic_targets,
          public_access=_public_network(), tls_only=_tls12("minimalTlsVersion"), versioning=_NOVER),
    _kind("azure-postgresql-flexible-server", "PostgreSQL flexible server", (POSTGRES,),
          replicas=flex_replicas((POSTGRES,)), key=azure_key_use("dataEncryption.primaryKeyURI"),
          logs_backups=azure_diagnostic_targets, public_access=flex_public,
          tls_only=NotApplicable("TLS is enforced by the require_secure_transport server parameter"),
          versioning=_NOVER),
    _kind("azure-mysql-flexible-server", "MySQL flexible server", (MYSQL,),
          replicas=flex_replicas((MYSQL,)), key=azure_key_use("dataEncryption.primaryKeyURI"),
          logs_backups=azure_diagnostic_targets, public_access=flex_public,
          tls_only=NotApplicable("TLS is enforced by the require_secure_transport server parameter"),
          versioning=_NOVER),
    _kind("azure-redis-cache", "Azure Cache for Redis", REDIS, replicas=redis_replicas,
          key=NotApplicable("Azure Cache for Redis encrypts at rest with platform keys only"),
          logs_backups=azure_diagnostic_targets, public_access=_public_network(), tls_only=redis_tls,
          versioning=_NOVER),
    _kind("azure-redis-enterprise", "Azure Cache for Redis Enterprise / Azure Managed Redis", REDIS_ENTERPRISE,
          replicas=NotApplicable("active geo-replication is configured on its databases"),
          key=azure_key_use("encryption.customerManagedKeyEncryption.keyEncryptionKeyUrl"),
          logs_backups=azure_diagnostic_targets, public_access=NotApplicable("reached through private endpoints"),
          tls_only=_tls12("minimumTlsVersion"), versioning=_NOVER),
    _kind("azure-eventhub-namespace", "Event Hubs namespace", (EVENTHUB_NS,),
          replicas=ns_replicas(EVENTHUB_DR, (EVENTHUB_NS,)),
          key=azure_key_use("encryption.keyVaultProperties.keyVaultUri"), logs_backups=azure_diagnostic_targets,
          public_access=_public_network(), tls_only=_tls12("minimumTlsVersion"), versioning=_NOVER),
    _kind("azure-servicebus-namespace", "Service Bus namespace", (SERVICEBUS_NS,),
          replicas=ns_replicas(SERVICEBUS_DR, (SERVICEBUS_NS,)),
          key=azure_key_use("encryption.keyVaultProperties.keyVaultUri"), logs_backups=azure_diagnostic_targets,
          public_access=_public_network(), tls_only=_tls12("minimumTlsVersion"), versioning=_NOVER),
    _kind("azure-log-analytics-workspace", "Log Analytics workspace", (WORKSPACE,),
          replicas=NotApplicable("a workspace keeps its data in its region (the installed SDK has no workspace "
                                 "replication setting)"),
          key=NotApplicable("a customer key is set on a dedicated cluster, not the workspace"),
          logs_backups=NotApplicable("a workspace is itself a log store"),
          public_access=NotApplicable("ingestion and query need Entra ID credentials"),
          tls_only=NotApplicable("Azure Monitor endpoints are TLS 1.2+ only"), versioning=_NOVER),
)

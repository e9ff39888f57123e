"""GCP data services: BigQuery datasets, Cloud SQL instances, Spanner instances and instance configs,
Bigtable instances, Firestore databases, Pub/Sub topics, Memorystore (Redis, Valkey), Filestore and
Artifact Registry repositories.

Decisions (fail closed where Google does not publish the members):
- BigQuery `location` may be a multi-region (US, EU): every member region of the catalog's multi-region.
- Cloud SQL: `region`; replicas are the instances whose `masterInstanceName` names it; backups go to
  `settings.backupConfiguration.location`, and without it to the multi-region nearest the instance,
  which Google does not pin: unset on a sensitive instance fails closed. Public access: an
  authorized network 0.0.0.0/0; TLS: `settings.ipConfiguration.sslMode` ENCRYPTED_ONLY or
  TRUSTED_CLIENT_CERTIFICATE_REQUIRED (or the older requireSsl).
- Spanner: `config` "regional-<region>" is that region; a multi-region config is placed by the
  catalog's Spanner configurations (read-write, read-only and witness replicas), or by an
  InstanceConfig resource in the stack (`replicas[].location`); any other config fails closed.
- Firestore `locationId` may be a multi-region (eur3, nam5, nam7); Firestore databases carry no
  labels, so they are classified by the pack config.
- Pub/Sub: messages are stored in `messageStoragePolicy.allowedPersistenceRegions`; no policy means
  any Google region (fail closed for a classified topic).
- Memorystore: `locationId`/`alternativeLocationId` (Redis) or `location` (Valkey), placed by zone.
- Filestore `location` (a zone or region); Artifact Registry `location` (may be a multi-region)."""

from __future__ import annotations

from meridian import catalog
from meridian.rules.facts import (
    Placement,
    Target,
    dig,
    first,
    gcp_key_use,
    gcp_place,
    known,
    place,
    place_all,
    pointing_here,
    unplaced,
    walk_key,
)
from meridian.rules.stack import Resource, StackView
from meridian.rules.stores.kind import NotApplicable, StoreKind

BQ_DATASET = "gcp:bigquery/dataset:Dataset"
SQL_INSTANCE = "gcp:sql/databaseInstance:DatabaseInstance"
SPANNER_INSTANCE = "gcp:spanner/instance:Instance"
SPANNER_CONFIG = "gcp:spanner/instanceConfig:InstanceConfig"
BIGTABLE = "gcp:bigtable/instance:Instance"
FIRESTORE = "gcp:firestore/database:Database"
PUBSUB_TOPIC = "gcp:pubsub/topic:Topic"
REDIS = "gcp:redis/instance:Instance"
REDIS_CLUSTER = "gcp:redis/cluster:Cluster"
VALKEY = "gcp:memorystore/instance:Instance"
FILESTORE = "gcp:filestore/instance:Instance"
ARTIFACT_REPO = "gcp:artifactregistry/repository:Repository"

_IAM = NotApplicable("access is IAM; Google APIs are TLS only")
_TLS = NotApplicable("Google APIs are TLS only")
_NOVER = NotApplicable("not a store of object versions")
_NOLOGS = NotApplicable("access is recorded by Cloud Audit Logs (see the Cloud Logging buckets)")


def members_target(home: Placement, via: str) -> list[Target]:
    if home.region is None or len(home.members) <= 1:
        return []
    return [Target("replica", m.id, Placement("gcp", m.id, m, None, (m,)), via) for m in home.members]


def service_place(service: str, location: object, what: str) -> Placement:
    """A service-specific multi-region (Spanner/Firestore configurations), else a catalog location."""
    if isinstance(location, str):
        svc = catalog.service_location(service, location)
        if svc is not None:
            return place_all("gcp", svc.members, f"{what} ({service} configuration {svc.id})")
    return place("gcp", location, what)


# --- BigQuery ------------------------------------------------------------------------------------
def bq_locate(res: Resource, view: StackView) -> Placement:
    return place("gcp", res.props.get("location") or "US", f"location of dataset {res.name} (BigQuery's default is US)")


# --- Cloud SQL -----------------------------------------------------------------------------------
def sql_backups(res: Resource, view: StackView) -> list[Target]:
    cfg = dig(res.props, "settings.backupConfiguration") or {}
    if dig(cfg, "enabled") is False:
        return []
    loc = dig(cfg, "location")
    if loc:
        return [Target("backup", str(loc), place("gcp", loc, f"backup location of {res.name}"),
                       "settings.backupConfiguration.location")]
    return [Target("backup", "default", unplaced("gcp", "no settings.backupConfiguration.location: Cloud SQL stores "
                                                        "backups in the nearest multi-region (fail closed)"),
                   "settings.backupConfiguration")]


def sql_public(res: Resource, view: StackView) -> list[str]:
    nets = [n for n in walk_key(dig(res.props, "settings.ipConfiguration"), "value")]
    return ["an authorized network is 0.0.0.0/0"] if "0.0.0.0/0" in nets else []


def sql_tls(res: Resource, view: StackView) -> list[str]:
    ip = dig(res.props, "settings.ipConfiguration") or {}
    if dig(ip, "sslMode") in ("ENCRYPTED_ONLY", "TRUSTED_CLIENT_CERTIFICATE_REQUIRED") or dig(ip, "requireSsl") is True:
        return []
    return [f"settings.ipConfiguration.sslMode is {dig(ip, 'sslMode')!r}, not ENCRYPTED_ONLY"]


# --- Spanner -------------------------------------------------------------------------------------
def spanner_locate(res: Resource, view: StackView) -> Placement:
    cfg = res.props.get("config")
    if not known(cfg):
        return unplaced("gcp", f"the config of {res.name} cannot be determined (fail closed)")
    cfg = str(cfg).rsplit("/", 1)[-1]
    if cfg.startswith("regional-"):
        return place("gcp", cfg.removeprefix("regional-"), f"config of {res.name}")
    custom = view.find(cfg, SPANNER_CONFIG)
    if custom is not None:
        return config_locate(custom, view)
    svc = catalog.service_location("spanner", cfg)
    if svc is None:
        return unplaced("gcp", f"Spanner configuration {cfg!r} is not in the catalog and not in the stack; its "
                               "replica regions are unknown (fail closed)")
    return place_all("gcp", svc.members, f"Spanner configuration {cfg}")


def config_locate(res: Resource, view: StackView) -> Placement:
    locs = [r.get("location") for r in res.props.get("replicas") or [] if isinstance(r, dict)]
    return place_all("gcp", locs, f"replica locations of {res.name}")


# --- Bigtable ------------------------------------------------------------------------------------
def bigtable_locate(res: Resource, view: StackView) -> Placement:
    zones = [c.get("zone") for c in res.props.get("clusters") or [] if isinstance(c, dict)]
    return place_all("gcp", zones, f"cluster zones of {res.name}")


def bigtable_key(res: Resource, view: StackView):  # type: ignore[no-untyped-def]
    """Each cluster names its own key; the first one stands for the instance (clusters in other
    regions must use keys of their own region, which the location of each cluster already bounds)."""
    keys = [c.get("kmsKeyName") for c in res.props.get("clusters") or [] if isinstance(c, dict) and c.get("kmsKeyName")]
    if not keys:
        return gcp_key_use()(res, view)
    return gcp_key_use("k")(Resource(res.urn, res.type, {"k": keys[0]}, property_dependencies={
        "k": res.property_dependencies.get("clusters", ())}), view)


# --- Pub/Sub -------------------------------------------------------------------------------------
def topic_locate(res: Resource, view: StackView) -> Placement:
    regions = dig(res.props, "messageStoragePolicy.allowedPersistenceRegions")
    if not regions:
        return unplaced("gcp", f"topic {res.name} has no messageStoragePolicy: Pub/Sub may store its messages in "
                               "any Google region (fail closed)")
    return place_all("gcp", regions if isinstance(regions, list) else [regions], f"persistence regions of {res.name}")


# --- Memorystore ---------------------------------------------------------------------------------
def redis_locate(res: Resource, view: StackView) -> Placement:
    zones = [z for z in (first(res, "locationId"), first(res, "alternativeLocationId")) if z]
    if zones:
        return place_all("gcp", zones, f"zones of {res.name}")
    return gcp_place(res, view, "region")


def redis_tls(res: Resource, view: StackView) -> list[str]:
    mode = res.props.get("transitEncryptionMode")
    return [] if mode in ("SERVER_AUTHENTICATION", "SERVER_AUTHENTICATION_MODE") else [
        f"transitEncryptionMode is {mode!r}, not SERVER_AUTHENTICATION"]


def _labels_or_config(kind_id: str, title: str, types: tuple[str, ...], locate, **facets):  # type: ignore[no-untyped-def]
    return StoreKind(id=kind_id, title=title, cloud="gcp", types=types, locate=locate, doc=__doc__ or "", **facets)


BQ_KIND = _labels_or_config(
    "gcp-bigquery-dataset", "BigQuery dataset", (BQ_DATASET,), bq_locate,
    replicas=lambda res, view: members_target(bq_locate(res, view), f"multi-region {res.props.get('location')}"),
    key=gcp_key_use("defaultEncryptionConfiguration.kmsKeyName"), logs_backups=_NOLOGS,
    public_access=lambda res, view: [f"access grants {g} to the dataset" for g in walk_key(
        res.props.get("accesses"), "specialGroup") if g == "allAuthenticatedUsers"] + [
        "access grants allUsers" for a in walk_key(res.props.get("accesses"), "iamMember") if a == "allUsers"],
    tls_only=_TLS, versioning=NotApplicable("BigQuery has time travel, not object versions"),
)
SQL_KIND = _labels_or_config(
    "gcp-sql-instance", "Cloud SQL instance", (SQL_INSTANCE,), lambda res, view: gcp_place(res, view, "region"),
    replicas=lambda res, view: pointing_here(res, view, (SQL_INSTANCE,), "masterInstanceName"),
    key=gcp_key_use("encryptionKeyName"), logs_backups=sql_backups, public_access=sql_public, tls_only=sql_tls,
    versioning=NotApplicable("a database has point-in-time recovery, not object versions"),
    owner=lambda res, view: view.referenced(res, "masterInstanceName", res.props.get("masterInstanceName"),
                                            SQL_INSTANCE),
)
SPANNER_KIND = _labels_or_config(
    "gcp-spanner-instance", "Spanner instance", (SPANNER_INSTANCE,), spanner_locate,
    replicas=lambda res, view: members_target(spanner_locate(res, view), f"instance config {res.props.get('config')}"),
    key=NotApplicable("Spanner keys are set per database (encryptionConfig)"), logs_backups=_NOLOGS,
    public_access=_IAM, tls_only=_TLS, versioning=_NOVER,
)
SPANNER_CONFIG_KIND = _labels_or_config(
    "gcp-spanner-instance-config", "Spanner instance configuration", (SPANNER_CONFIG,), config_locate,
    replicas=lambda res, view: members_target(config_locate(res, view), f"instance config {res.name}"),
    key=NotApplicable("a configuration holds no data of its own"), logs_backups=_NOLOGS, public_access=_IAM,
    tls_only=_TLS, versioning=_NOVER,
)
BIGTABLE_KIND = _labels_or_config(
    "gcp-bigtable-instance", "Bigtable instance", (BIGTABLE,), bigtable_locate,
    replicas=lambda res, view: members_target(bigtable_locate(res, view), "clusters"),
    key=bigtable_key, logs_backups=_NOLOGS, public_access=_IAM, tls_only=_TLS, versioning=_NOVER,
)
FIRESTORE_KIND = _labels_or_config(
    "gcp-firestore-database", "Firestore database", (FIRESTORE,),
    lambda res, view: service_place("firestore", res.props.get("locationId"), f"locationId of {res.name}"),
    replicas=lambda res, view: members_target(service_place("firestore", res.props.get("locationId"), res.name),
                                              f"multi-region {res.props.get('locationId')}"),
    key=gcp_key_use("cmekConfig.kmsKeyName"), logs_backups=_NOLOGS, public_access=_IAM, tls_only=_TLS,
    versioning=_NOVER, taggable=False,
)
TOPIC_KIND = _labels_or_config(
    "gcp-pubsub-topic", "Pub/Sub topic", (PUBSUB_TOPIC,), topic_locate,
    replicas=lambda res, view: members_target(topic_locate(res, view), "messageStoragePolicy"),
    key=gcp_key_use("kmsKeyName"), logs_backups=_NOLOGS, public_access=_IAM, tls_only=_TLS, versioning=_NOVER,
)
REDIS_KIND = _labels_or_config(
    "gcp-memorystore-redis", "Memorystore for Redis instance", (REDIS,), redis_locate,
    replicas=lambda res, view: [], key=gcp_key_use("customerManagedKey"), logs_backups=_NOLOGS,
    public_access=NotApplicable("Memorystore is reachable only from its authorized VPC network"),
    tls_only=redis_tls, versioning=_NOVER,
)
VALKEY_KIND = _labels_or_config(
    "gcp-memorystore-instance", "Memorystore instance (Valkey) / Redis Cluster", (VALKEY, REDIS_CLUSTER),
    lambda res, view: gcp_place(res, view, "location", "region"),
    replicas=lambda res, view: [] if not dig(res.props, "crossInstanceReplicationConfig.secondaryInstances") and not
    dig(res.props, "crossClusterReplicationConfig.secondaryClusters") else [Target("replica", "secondary", unplaced(
        "gcp", "cross-instance replication secondaries are placed by their own resources; their regions are not "
               "stated here (fail closed)"), "crossInstanceReplicationConfig")],
    key=gcp_key_use("kmsKey"), logs_backups=_NOLOGS,
    public_access=NotApplicable("reachable only through Private Service Connect"),
    tls_only=lambda res, view: [] if res.props.get("transitEncryptionMode") in (
        "SERVER_AUTHENTICATION", "TRANSIT_ENCRYPTION_MODE_SERVER_AUTHENTICATION") else [
        f"transitEncryptionMode is {res.props.get('transitEncryptionMode')!r}"], versioning=_NOVER,
)
FILESTORE_KIND = _labels_or_config(
    "gcp-filestore-instance", "Filestore instance", (FILESTORE,), lambda res, view: gcp_place(res, view, "location", "zone"),
    replicas=lambda res, view: [], key=gcp_key_use("kmsKeyName"), logs_backups=_NOLOGS,
    public_access=NotApplicable("reachable only from its VPC network"),
    tls_only=NotApplicable("NFS traffic stays in the VPC network"), versioning=_NOVER,
)
ARTIFACT_KIND = _labels_or_config(
    "gcp-artifact-registry-repository", "Artifact Registry repository", (ARTIFACT_REPO,),
    lambda res, view: gcp_place(res, view, "location"),
    replicas=lambda res, view: members_target(gcp_place(res, view, "location"), "multi-region"),
    key=gcp_key_use("kmsKeyName"), logs_backups=_NOLOGS, public_access=_IAM, tls_only=_TLS, versioning=_NOVER,
)
KINDS = (BQ_KIND, SQL_KIND, SPANNER_KIND, SPANNER_CONFIG_KIND, BIGTABLE_KIND, FIRESTORE_KIND, TOPIC_KIND,
         REDIS_KIND, VALKEY_KIND, FILESTORE_KIND, ARTIFACT_KIND)

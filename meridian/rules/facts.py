"""What the rules (and the audit report) need to know about a resource, derived once: is it a data
store or a key, how is it classified, where does it live, where do its replicas, key, logs and
backups live. Every location goes through the region catalog; anything that cannot be placed is
returned with an error so that callers fail closed."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from meridian import catalog
from meridian.rules.stack import SECRET, UNKNOWN, Resource, StackView, urn_stack
from meridian.tags import DATA_CLASS_KEY, DATA_CLASSES, JURISDICTION_KEY

# --- type tokens ---------------------------------------------------------------------------------
S3_BUCKET = "aws:s3/bucket:Bucket"
S3_BUCKET_V2 = "aws:s3/bucketV2:BucketV2"
S3_BUCKETS = (S3_BUCKET, S3_BUCKET_V2)
S3_SSE = ("aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2",
          "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration")
S3_REPLICATION = "aws:s3/bucketReplicationConfig:BucketReplicationConfig"
S3_LOGGING = ("aws:s3/bucketLoggingV2:BucketLoggingV2", "aws:s3/bucketLogging:BucketLogging")
S3_VERSIONING = ("aws:s3/bucketVersioningV2:BucketVersioningV2", "aws:s3/bucketVersioning:BucketVersioning")
S3_PAB = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"
S3_ACCOUNT_PAB = "aws:s3/accountPublicAccessBlock:AccountPublicAccessBlock"
S3_ACL = ("aws:s3/bucketAclV2:BucketAclV2", "aws:s3/bucketAcl:BucketAcl")
S3_POLICY = "aws:s3/bucketPolicy:BucketPolicy"
AWS_KMS_KEY = "aws:kms/key:Key"
AWS_KMS_REPLICA = "aws:kms/replicaKey:ReplicaKey"
AWS_KMS_ALIAS = "aws:kms/alias:Alias"
AWS_BACKUP_SELECTION = "aws:backup/selection:Selection"
AWS_BACKUP_PLAN = "aws:backup/plan:Plan"
AWS_BACKUP_VAULT = "aws:backup/vault:Vault"

GCS_BUCKET = "gcp:storage/bucket:Bucket"
GCS_IAM = ("gcp:storage/bucketIAMMember:BucketIAMMember", "gcp:storage/bucketIAMBinding:BucketIAMBinding")
GCP_KMS_KEY = "gcp:kms/cryptoKey:CryptoKey"
GCP_KEY_RING = "gcp:kms/keyRing:KeyRing"

AZ_ACCOUNT = "azure-native:storage:StorageAccount"
AZ_BLOB_SERVICE = "azure-native:storage:BlobServiceProperties"
AZ_KEY = "azure-native:keyvault:Key"
AZ_VAULT = "azure-native:keyvault:Vault"
AZ_RESOURCE_GROUP = "azure-native:resources:ResourceGroup"
AZ_DIAGNOSTIC = "azure-native:insights:DiagnosticSetting"
AZ_WORKSPACE = "azure-native:operationalinsights:Workspace"

CF_LB = "cloudflare:index/loadBalancer:LoadBalancer"
CF_POOL = "cloudflare:index/loadBalancerPool:LoadBalancerPool"

STORE_TYPES = frozenset({*S3_BUCKETS, GCS_BUCKET, AZ_ACCOUNT})
KEY_TYPES = frozenset({AWS_KMS_KEY, AWS_KMS_REPLICA, GCP_KMS_KEY, AZ_KEY})
CLASSIFIED_TYPES = STORE_TYPES | KEY_TYPES
SENSITIVE = ("pii", "restricted")
GEO_REDUNDANT_SKUS = ("GRS", "RAGRS", "GZRS", "RAGZRS")


def cloud_of(type_token: str) -> str:
    pkg = type_token.split(":", 1)[0]
    return {"aws": "aws", "gcp": "gcp", "azure-native": "azure", "azure": "azure"}.get(pkg, pkg)


def known(value: Any) -> bool:
    return value is not None and value != "" and value not in (UNKNOWN, SECRET)


def walk_key(obj: Any, key: str) -> Iterator[Any]:
    """Every value stored under `key` anywhere inside obj (handles the list- and object-shaped
    variants the providers use for the same nested block)."""
    if isinstance(obj, dict):
        for k, v in obj.items():
            if k == key:
                yield v
            yield from walk_key(v, key)
    elif isinstance(obj, list):
        for v in obj:
            yield from walk_key(v, key)


# --- classification ------------------------------------------------------------------------------
def labels(res: Resource) -> dict[str, Any]:
    """Tags (AWS, Azure) or labels (GCP); the provider-computed variants fill gaps."""
    out: dict[str, Any] = {}
    for key in ("tagsAll", "effectiveLabels", "tags", "labels"):
        v = res.props.get(key)
        if isinstance(v, dict):
            out.update(v)
    return out


@dataclass(frozen=True, slots=True)
class Classification:
    data_class: str | None  # valid class or None
    jurisdiction: str | None  # known catalog jurisdiction or None
    problems: tuple[str, ...]

    @property
    def sensitive(self) -> bool:
        """pii/restricted, or unclassified (fail closed: treated as the most sensitive)."""
        return self.data_class is None or self.data_class in SENSITIVE


def classify(res: Resource) -> Classification:
    tags = labels(res)
    problems: list[str] = []
    dc = tags.get(DATA_CLASS_KEY)
    jid = tags.get(JURISDICTION_KEY)
    if not known(dc):
        problems.append(f"no '{DATA_CLASS_KEY}' tag/label")
        dc = None
    elif dc not in DATA_CLASSES:
        problems.append(f"'{DATA_CLASS_KEY}' is {dc!r}, not one of {', '.join(DATA_CLASSES)}")
        dc = None
    if not known(jid):
        problems.append(f"no '{JURISDICTION_KEY}' tag/label")
        jid = None
    else:
        try:
            jid = catalog.jurisdiction(str(jid)).id
        except catalog.UnknownJurisdictionError as e:
            problems.append(f"'{JURISDICTION_KEY}': {e}")
            jid = None
    return Classification(dc, jid, tuple(problems))


# --- placement -----------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Placement:
    cloud: str
    region_id: str | None
    region: catalog.Region | None
    error: str | None = None
    # Physical regions the data may sit in (members of dual/multi regions, or the region itself).
    members: tuple[catalog.Region, ...] = ()

    def within(self, jurisdiction: str) -> bool:
        return self.region is not None and all(m.within(jurisdiction) for m in (self.members or (self.region,)))

    def describe(self) -> str:
        return self.region_id or "unknown"


def _place(cloud: str, region_id: Any, what: str, members: list[str] | None = None) -> Placement:
    if not known(region_id):
        return Placement(cloud, None, None, f"the {what} cannot be determined (fail closed)")
    try:
        reg = catalog.region(cloud, str(region_id))
    except catalog.UnknownRegionError as e:
        return Placement(cloud, str(region_id), None, f"{e} (fail closed)")
    try:
        if members:
            mem = tuple(catalog.region(cloud, m) for m in members)
        else:
            mem = catalog.replication_regions(cloud, reg.id)
    except catalog.UnknownRegionError as e:
        return Placement(cloud, str(region_id), None, f"{e} (fail closed)")
    return Placement(cloud, reg.id, reg, None, mem)


def _azure_location(res: Resource, view: StackView) -> Any:
    loc = res.props.get("location")
    if known(loc):
        return loc
    rg = view.referenced(res, "resourceGroupName", res.props.get("resourceGroupName"), AZ_RESOURCE_GROUP)
    return rg.props.get("location") if rg is not None else None


_GCP_LOCATION = re.compile(r"/locations/([^/]+)/")
_AWS_ARN_REGION = re.compile(r"^arn:aws[a-z-]*:[a-z0-9-]+:([a-z0-9-]+):")


def placement(res: Resource, view: StackView) -> Placement:
    """Where a store, key, pool's resource or vault lives."""
    t = res.type
    cloud = cloud_of(t)
    if cloud == "aws":
        region = res.props.get("region")
        if not known(region):
            region = view.provider_of(res).get("region")
        return _place("aws", region, f"region of {res.name} (no region on it or on its provider)")
    if t == GCS_BUCKET:
        data_locations = [loc for v in walk_key(res.props.get("customPlacementConfig"), "dataLocations")
                          if isinstance(v, list) for loc in v]
        if data_locations and not all(known(d) for d in data_locations):
            return Placement("gcp", None, None, "custom dual-region data locations cannot be determined")
        return _place("gcp", res.props.get("location"), f"location of {res.name}",
                      [str(d) for d in data_locations] or None)
    if t == GCP_KMS_KEY:
        ring = res.props.get("keyRing")
        m = _GCP_LOCATION.search(f"{ring}/") if known(ring) else None
        if m:
            return _place("gcp", m.group(1), f"location of key {res.name}")
        ring_res = view.referenced(res, "keyRing", ring, GCP_KEY_RING)
        loc = ring_res.props.get("location") if ring_res is not None else None
        return _place("gcp", loc, f"location of key {res.name} (its key ring is not in the stack)")
    if cloud == "gcp":
        return _place("gcp", res.props.get("location") or res.props.get("region"), f"location of {res.name}")
    if t == AZ_KEY:
        vault = view.referenced(res, "vaultName", res.props.get("vaultName"), AZ_VAULT)
        loc = _azure_location(vault, view) if vault is not None else None
        return _place("azure", loc, f"location of key {res.name} (its key vault is not in the stack)")
    if cloud == "azure":
        return _place("azure", _azure_location(res, view), f"location of {res.name}")
    return Placement(cloud, None, None, f"{t} has no known location")


# --- replication ---------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Target:
    """Somewhere a store's data (a replica, its access logs, a backup copy) lands."""

    kind: str  # "replica" | "access-logs" | "backup"
    name: str
    placement: Placement
    via: str  # what sends it there


def _bucket_target(kind: str, ident: Any, view: StackView, via: str, owner: Resource, prop: str) -> Target:
    name = str(ident)
    if isinstance(ident, str) and ident.startswith("arn:aws:s3:::"):
        name = ident.removeprefix("arn:aws:s3:::")
    bucket = view.referenced(owner, prop, name, *S3_BUCKETS)
    if bucket is None:
        return Target(kind, name, Placement("aws", None, None,
                                            f"bucket {name!r} is not in the stack, its region is unknown (fail closed)"), via)
    return Target(kind, bucket.props.get("bucket") or bucket.name, placement(bucket, view), via)


def replicas(res: Resource, view: StackView) -> list[Target]:
    """Every place other than its home region a store's data is copied to by the platform."""
    out: list[Target] = []
    if res.type in S3_BUCKETS:
        configs = [(res, res.props.get("replicationConfiguration"), "inline replicationConfiguration")]
        configs += [(c, c.props.get("rules"), c.urn) for c in view.attached(res, S3_REPLICATION, "bucket")]
        for owner, cfg, via in configs:
            for dest in walk_key(cfg, "destination"):
                for d in dest if isinstance(dest, list) else [dest]:
                    if isinstance(d, dict) and "bucket" in d:
                        out.append(_bucket_target("replica", d["bucket"], view, via, owner, "rules"))
    elif res.type == GCS_BUCKET:
        home = placement(res, view)
        if home.region is not None and (home.region.kind != "region" or len(home.members) > 1):
            for m in home.members:
                out.append(Target("replica", m.id, Placement("gcp", m.id, m, None, (m,)),
                                  f"{home.region.kind} location {home.region_id}"))
    elif res.type == AZ_ACCOUNT:
        sku = str(res.get("sku", "name", default="")).split("_")[-1].upper()
        if sku in GEO_REDUNDANT_SKUS:
            home = placement(res, view)
            via = f"sku {res.get('sku', 'name')}"
            if home.region is None:
                out.append(Target("replica", "geo pair", Placement("azure", None, None,
                                  "the geo pair of an unknown location cannot be determined (fail closed)"), via))
            else:
                pair = catalog.geo_pair(home.region.id)
                if pair is None:
                    out.append(Target("replica", "geo pair", Placement(
                        "azure", None, None, f"{home.region_id} has no geo pair in the catalog (fail closed)"), via))
                else:
                    out.append(Target("replica", pair.id, Placement("azure", pair.id, pair, None, (pair,)), via))
    return out


# --- customer keys -------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class KeyUse:
    encrypted: bool  # an explicit encryption-at-rest configuration exists (or the cloud forces it)
    key_ref: str | None  # the customer-managed key, if any
    placement: Placement | None


def _aws_key(ref: str, owner: Resource, prop: str, view: StackView) -> Placement:
    key = view.referenced(owner, prop, ref, AWS_KMS_KEY, AWS_KMS_REPLICA)
    if key is None:
        alias = view.find(ref, AWS_KMS_ALIAS) or view.find(ref.split(":alias/")[-1], AWS_KMS_ALIAS)
        if alias is not None:
            key = view.referenced(alias, "targetKeyId", alias.props.get("targetKeyId"), AWS_KMS_KEY, AWS_KMS_REPLICA)
    if key is not None:
        return placement(key, view)
    m = _AWS_ARN_REGION.match(ref) if known(ref) else None
    if m:
        return _place("aws", m.group(1), f"region of key {ref}")
    return Placement("aws", None, None, f"key {ref!r} is not in the stack and its region cannot be read (fail closed)")


def key_use(res: Resource, view: StackView) -> KeyUse:
    if res.type in S3_BUCKETS:
        sources = [(res, res.props, "serverSideEncryptionConfiguration")]
        for t in S3_SSE:
            sources += [(c, c.props, "rules") for c in view.attached(res, t, "bucket")]
        encrypted, ref, place = False, None, None
        for owner, props, prop in sources:
            block = props.get(prop) if owner is not res else {
                k: props.get(k) for k in ("serverSideEncryptionConfiguration", "serverSideEncryptionConfigurations")}
            if any(known(a) for a in walk_key(block, "sseAlgorithm")):
                encrypted = True
            for kid in walk_key(block, "kmsMasterKeyId"):
                if kid:
                    ref = str(kid)
                    place = _aws_key(ref, owner, prop, view)
        return KeyUse(encrypted, ref, place)
    if res.type == GCS_BUCKET:
        name = res.get("encryption", "defaultKmsKeyName") or next(
            (v for v in walk_key(res.props.get("encryption"), "defaultKmsKeyName") if v), None)
        if not name:
            return KeyUse(True, None, None)
        m = _GCP_LOCATION.search(str(name))
        if m:
            return KeyUse(True, str(name), _place("gcp", m.group(1), f"location of key {name}"))
        key = view.referenced(res, "encryption", name, GCP_KMS_KEY)
        place = placement(key, view) if key is not None else Placement(
            "gcp", None, None, f"key {name!r} cannot be placed (fail closed)")
        return KeyUse(True, str(name), place)
    if res.type == AZ_ACCOUNT:
        enc = res.props.get("encryption") or {}
        disabled = any(v is False for v in walk_key(enc, "enabled"))
        source = str(enc.get("keySource", "Microsoft.Storage")) if isinstance(enc, dict) else "Microsoft.Storage"
        if source.lower() != "microsoft.keyvault":
            return KeyUse(not disabled, None, None)
        kvp = enc.get("keyVaultProperties") or {}
        uri = kvp.get("keyVaultUri") or ""
        ref = f"{uri.rstrip('/')}/keys/{kvp.get('keyName', '?')}" if known(uri) else str(kvp.get("keyName") or "?")
        vault = None
        if known(uri):
            m = re.match(r"^https://([^.]+)\.vault\.", str(uri))
            vault = view.find(m.group(1), AZ_VAULT) if m else None
        if vault is None:
            for dep in res.property_dependencies.get("encryption", ()):
                d = view.by_urn.get(dep)
                if d is not None and d.type == AZ_VAULT:
                    vault = d
                elif d is not None and d.type == AZ_KEY:
                    vault = view.referenced(d, "vaultName", d.props.get("vaultName"), AZ_VAULT)
                if vault is not None:
                    break
        if vault is None:
            return KeyUse(not disabled, ref, Placement(
                "azure", None, None, f"key vault of {ref!r} is not in the stack (fail closed)"))
        return KeyUse(not disabled, ref, _place("azure", _azure_location(vault, view), f"location of vault {vault.name}"))
    return KeyUse(False, None, None)


def is_s3_log_target(res: Resource, view: StackView) -> bool:
    """S3 server access logs can only be delivered to an SSE-S3 bucket, so a bucket that is a log
    target in this stack is exempt from the customer-key requirement (not from its location)."""
    if res.type not in S3_BUCKETS:
        return False
    return any(view.attached(res, t, "targetBucket") for t in S3_LOGGING)


# --- access logs and backups ---------------------------------------------------------------------
def log_and_backup_targets(res: Resource, view: StackView) -> list[Target]:
    out: list[Target] = []
    if res.type in S3_BUCKETS:
        for tb in walk_key({k: res.props.get(k) for k in ("loggings", "logging")}, "targetBucket"):
            out.append(_bucket_target("access-logs", tb, view, "inline logging", res, "loggings"))
        for t in S3_LOGGING:
            for lg in view.attached(res, t, "bucket"):
                out.append(_bucket_target("access-logs", lg.props.get("targetBucket"), view, lg.urn, lg, "targetBucket"))
        arn = res.props.get("arn")
        for sel in view.of_type(AWS_BACKUP_SELECTION):
            if arn in (sel.props.get("resources") or []) or res.urn in sel.property_dependencies.get("resources", ()):
                out.extend(_backup_targets(sel, view))
    elif res.type == AZ_ACCOUNT:
        out.extend(_azure_diagnostic_targets(res, view))
    elif res.type == GCS_BUCKET:
        for lb in walk_key(res.props.get("logging"), "logBucket"):
            bucket = view.referenced(res, "logging", lb, GCS_BUCKET)
            place = placement(bucket, view) if bucket is not None else Placement(
                "gcp", None, None, f"log bucket {lb!r} is not in the stack, its location is unknown (fail closed)")
            out.append(Target("access-logs", str(lb), place, "logging.logBucket"))
    return out


def _azure_diagnostic_targets(account: Resource, view: StackView) -> list[Target]:
    """Diagnostic settings whose resourceUri is the account (or one of its services) send its
    access logs to a storage account and/or a Log Analytics workspace."""
    ids = [i for i in (account.props.get("__id"), account.props.get("id")) if known(i)]
    out: list[Target] = []
    for ds in view.of_type(AZ_DIAGNOSTIC):
        uri = ds.props.get("resourceUri")
        mine = account.urn in ds.property_dependencies.get("resourceUri", ()) or (
            isinstance(uri, str) and any(uri.lower().startswith(str(i).lower()) for i in ids))
        if not mine:
            continue
        sa = ds.props.get("storageAccountId")
        if sa is not None:
            target = view.referenced(ds, "storageAccountId", sa, AZ_ACCOUNT)
            place = placement(target, view) if target is not None else Placement(
                "azure", None, None, f"log storage account {sa!r} is not in the stack (fail closed)")
            out.append(Target("access-logs", str(target.props.get("accountName") if target else sa), place, ds.urn))
        ws = ds.props.get("workspaceId")
        if ws is not None:
            target = view.referenced(ds, "workspaceId", ws, AZ_WORKSPACE)
            place = placement(target, view) if target is not None else Placement(
                "azure", None, None, f"Log Analytics workspace {ws!r} is not in the stack (fail closed)")
            out.append(Target("access-logs", str(ws if target is None else target.name), place, ds.urn))
        if known(ds.props.get("eventHubAuthorizationRuleId")):
            out.append(Target("access-logs", "event hub", Placement(
                "azure", None, None, "diagnostic logs streamed to an event hub cannot be placed (fail closed)"), ds.urn))
    return out


def _backup_targets(sel: Resource, view: StackView) -> list[Target]:
    plan = view.referenced(sel, "planId", sel.props.get("planId"), AWS_BACKUP_PLAN)
    if plan is None:
        return [Target("backup", "backup plan", Placement("aws", None, None,
                       "the backup plan is not in the stack (fail closed)"), sel.urn)]
    out: list[Target] = []
    for name in walk_key(plan.props.get("rules"), "targetVaultName"):
        vault = view.referenced(plan, "rules", name, AWS_BACKUP_VAULT)
        place = placement(vault, view) if vault is not None else placement(plan, view)
        out.append(Target("backup", str(name), place, plan.urn))
    for arn in walk_key(plan.props.get("rules"), "destinationVaultArn"):
        vault = view.find(arn, AWS_BACKUP_VAULT)
        if vault is not None:
            place = placement(vault, view)
        else:
            m = _AWS_ARN_REGION.match(str(arn)) if known(arn) else None
            place = _place("aws", m.group(1) if m else None, f"region of backup vault {arn}")
        out.append(Target("backup", str(arn), place, plan.urn))
    return out


# --- environment ---------------------------------------------------------------------------------
def environment(res: Resource) -> str:
    """The resource's environment tag, else the stack name from its URN."""
    env = labels(res).get("environment")
    return str(env) if known(env) else urn_stack(res.urn)


# --- Cloudflare ----------------------------------------------------------------------------------
def lb_jurisdiction(lb: Resource, options: dict[str, Any] | None = None) -> tuple[str | None, str | None]:
    """(jurisdiction, error) of a load balancer, from the `meridian.cloudflare_meta` description
    (`meridian:hostname=<h>;jurisdiction=<j>|none`); the policy config `residencyHostnames`
    ({hostname: jurisdiction}) wins. A description with the Meridian prefix that does not parse
    is an error (fail closed); a foreign description means "not residency-bound"."""
    from meridian import cloudflare_meta

    hostnames = (options or {}).get("residencyHostnames") or {}
    jid = hostnames.get(lb.props.get("name"))
    if not jid:
        desc = lb.props.get("description")
        if not isinstance(desc, str) or not desc.startswith(cloudflare_meta.PREFIX):
            return None, None
        try:
            jid = cloudflare_meta.parse_load_balancer(desc).jurisdiction
        except cloudflare_meta.MetaError as e:
            return None, f"unreadable load balancer description: {e} (fail closed)"
        if jid is None:
            return None, None
    try:
        return catalog.jurisdiction(jid).id, None
    except catalog.UnknownJurisdictionError as e:
        return None, str(e)


def pool_placement(pool: Resource, options: dict[str, Any] | None = None) -> Placement:
    """Where a pool's origins are: the `meridian.cloudflare_meta` pool description
    (`meridian:cloud=<c>;region=<r>;cluster=<n>`), or the policy config `poolRegions`
    ({pool name: "<cloud>:<region>"}). A pool that states nothing fails closed."""
    from meridian import cloudflare_meta

    spec = ((options or {}).get("poolRegions") or {}).get(pool.props.get("name"))
    if spec and ":" in spec:
        cloud, rid = spec.split(":", 1)
        return _place(cloud, rid, f"region of pool {pool.name}")
    try:
        meta = cloudflare_meta.parse_pool(pool.props.get("description"))
    except cloudflare_meta.MetaError as e:
        return Placement("?", None, None,
                         f"pool {pool.props.get('name') or pool.name!r} does not state its region: {e} (fail closed)")
    return _place(meta.cloud, meta.region, f"region of pool {pool.name}")


POOL_KEYS = ("defaultPoolIds", "fallbackPoolId", "regionPools", "countryPools", "popPools", "rules")


def lb_routes(lb: Resource, view: StackView) -> list[tuple[str, str, Resource | None]]:
    """(route, pool id, pool) for every pool the LB can send a request to: default pools,
    fallback, region/country/pop steering pools and rule overrides."""
    out: list[tuple[str, str, Resource | None]] = []

    def add(route: str, prop: str, ids: Any) -> None:
        ids = [p for p in (ids if isinstance(ids, list) else [ids]) if p is not None]
        deps = [d for u in lb.property_dependencies.get(prop, ())
                if (d := view.by_urn.get(u)) is not None and d.type == CF_POOL]
        unresolved = 0
        for pid in ids:
            pool = view.find(pid, CF_POOL)
            if pool is not None:
                out.append((route, str(pid), pool))
            elif known(pid) and view.has_ids:
                out.append((route, str(pid), None))  # a pool this stack does not have
            else:
                unresolved += 1
        if unresolved:
            # Ids unknown at preview, or a CrossGuard view (no ids in props): every pool the
            # property depends on is reachable through it; more ids than pools fails closed.
            out.extend((route, d.urn, d) for d in deps)
            known_ids = {p for p in ids if known(p) and view.find(p, CF_POOL) is None}
            if not deps or len(known_ids) > len(deps):
                out.append((route, f"<{prop}: reference not resolvable>", None))

    def scan(block: dict[str, Any], prop_root: str | None = None) -> None:
        add("default", prop_root or "defaultPoolIds", block.get("defaultPoolIds") or block.get("defaultPools"))
        add("fallback", prop_root or "fallbackPoolId", block.get("fallbackPoolId") or block.get("fallbackPool"))
        for key, field_ in (("regionPools", "region"), ("countryPools", "country"), ("popPools", "pop")):
            for entry in block.get(key) or []:
                if isinstance(entry, dict):
                    add(f"{field_}:{entry.get(field_)}", prop_root or key, entry.get("poolIds"))

    scan(lb.props)
    for rule in lb.props.get("rules") or []:
        for ov in walk_key(rule, "overrides"):
            for o in ov if isinstance(ov, list) else [ov]:
                if isinstance(o, dict):
                    scan(o, "rules")
    return out

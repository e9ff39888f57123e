"""What the rules (and the audit report) need to know about a resource, derived once: is it a data
store or a key (its store kind, meridian.rules.stores), how is it classified, where does it live,
where do its replicas, key, logs and backups live. Every location goes through the region catalog;
anything that cannot be placed is returned with an error so that callers fail closed.

This module is the shared toolkit the store kinds are written with (placement from a region, a
zone, an ARN or an ARM id; AWS/GCP/Azure key placement; AWS Backup and Azure diagnostic-setting
targets) plus the dispatch from a resource to its kind. Per-service knowledge lives in the kinds."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Any

from meridian import catalog
from meridian.rules.stack import SECRET, UNKNOWN, Resource, StackView, canonical_type, urn_stack
from meridian.tags import DATA_CLASS_KEY, DATA_CLASSES, JURISDICTION_KEY

# --- type tokens shared by several kinds ----------------------------------------------------------
AWS_KMS_KEY = "aws:kms/key:Key"
AWS_KMS_REPLICA = "aws:kms/replicaKey:ReplicaKey"
AWS_KMS_REPLICA_EXTERNAL = "aws:kms/replicaExternalKey:ReplicaExternalKey"
AWS_KMS_EXTERNAL = "aws:kms/externalKey:ExternalKey"
AWS_KMS_KEYS = (AWS_KMS_KEY, AWS_KMS_REPLICA, AWS_KMS_EXTERNAL, AWS_KMS_REPLICA_EXTERNAL)
AWS_KMS_ALIAS = "aws:kms/alias:Alias"
AWS_BACKUP_SELECTION = "aws:backup/selection:Selection"
AWS_BACKUP_PLAN = "aws:backup/plan:Plan"
AWS_BACKUP_VAULT = "aws:backup/vault:Vault"
AWS_LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"

GCP_KMS_KEY = "gcp:kms/cryptoKey:CryptoKey"
GCP_KEY_RING = "gcp:kms/keyRing:KeyRing"

AZ_RESOURCE_GROUP = "azure-native:resources:ResourceGroup"
# Kubernetes objects live in the cluster behind their provider; the ones Meridian classifies also
# state that cluster's region and cloud as labels (the only placement a policy run can see: there the
# provider's kubeconfig is a secret and its dependencies are not passed).
K8S_CLUSTER_TYPES = frozenset({"aws:eks/cluster:Cluster", "gcp:container/cluster:Cluster",
                               "azure-native:containerservice:ManagedCluster"})
K8S_REGION_LABEL = "topology.kubernetes.io/region"
K8S_CLOUD_LABEL = "meridian.io/cloud"
AZ_DIAGNOSTICS = ("azure-native:insights:DiagnosticSetting", "azure-native:monitor:DiagnosticSetting")
AZ_WORKSPACE = "azure-native:operationalinsights:Workspace"
AZ_ACCOUNT = "azure-native:storage:StorageAccount"
AZ_VAULT = "azure-native:keyvault:Vault"
AZ_KEY = "azure-native:keyvault:Key"

CF_LB = "cloudflare:index/loadBalancer:LoadBalancer"
CF_POOL = "cloudflare:index/loadBalancerPool:LoadBalancerPool"
CF_REGIONAL_HOSTNAME = "cloudflare:index/regionalHostname:RegionalHostname"


def regional_services(hostname: Any, view: StackView) -> str | None:
    """The Regional Services region key of a hostname (its RegionalHostname, matched by exact
    hostname), or None when the stack does not regionalize it."""
    for r in view.of_type(CF_REGIONAL_HOSTNAME):
        if r.props.get("hostname") == hostname and known(r.props.get("regionKey")):
            return str(r.props["regionKey"])
    return None

SENSITIVE = ("pii", "restricted")


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


def dig(obj: Any, path: str) -> Any:
    """The value at a dotted path ("encryptAtRest.kmsKeyId") inside obj, or None; list-shaped
    blocks (`[{...}]`, as pulumi-aws v6 nests single blocks) are looked through."""
    cur = obj
    for step in path.split("."):
        while isinstance(cur, list) and len(cur) == 1:
            cur = cur[0]
        cur = cur.get(step) if isinstance(cur, dict) else None
        if cur is None:
            return None
    while isinstance(cur, list) and len(cur) == 1 and isinstance(cur[0], (str, bool)):
        cur = cur[0]
    return cur


def first(res: Resource, *paths: str) -> Any:
    """The first value set at one of the dotted paths of the resource's properties: a known value,
    or UNKNOWN when the first one set is not known yet (a preview) - present, so never "absent"."""
    unknown = False
    for path in paths:
        v = dig(res.props, path)
        if known(v):
            return v
        unknown = unknown or v == UNKNOWN
    return UNKNOWN if unknown else None


def flag(res: Resource, path: str) -> bool | None:
    v = first(res, path)
    return v if isinstance(v, bool) else None


# --- classification ------------------------------------------------------------------------------
def labels(res: Resource) -> dict[str, Any]:
    """Tags (AWS, Azure) or labels (GCP, incl. Cloud SQL's settings.userLabels); the
    provider-computed variants fill gaps."""
    out: dict[str, Any] = {}
    for key in ("tagsAll", "effectiveLabels", "tags", "labels"):
        v = res.props.get(key)
        if isinstance(v, dict):
            out.update(v)
    settings = res.props.get("settings")
    for s in settings if isinstance(settings, list) else [settings]:
        if isinstance(s, dict) and isinstance(s.get("userLabels"), dict):
            out.update(s["userLabels"])
    if res.type.startswith("kubernetes:"):  # Kubernetes objects: metadata.labels
        meta = res.props.get("metadata")
        if isinstance(meta, dict) and isinstance(meta.get("labels"), dict):
            out.update(meta["labels"])
    return out


@dataclass(frozen=True, slots=True)
class Classification:
    data_class: str | None  # valid class or None
    jurisdiction: str | None  # known catalog jurisdiction or None
    problems: tuple[str, ...]
    source: str = "tags"  # tags | owner <urn> | config

    @property
    def sensitive(self) -> bool:
        """pii/restricted, or unclassified (fail closed: treated as the most sensitive)."""
        return self.data_class is None or self.data_class in SENSITIVE


@dataclass(frozen=True, slots=True)
class ClassificationOverride:
    """Pack config `classifications` entry: resources of `type` (glob over the type token) whose
    URN matches `urn` (glob) are classified `data_class` / `jurisdiction`. For kinds that cannot
    carry tags or labels and have no owning store in the stack."""

    type: str
    urn: str
    data_class: str
    jurisdiction: str

    def matches(self, res: Resource) -> bool:
        return fnmatchcase(res.type, self.type) and fnmatchcase(res.urn, self.urn)

    @classmethod
    def parse(cls, raw: Iterable[Any], where: str = "classifications") -> tuple[ClassificationOverride, ...]:
        out: list[ClassificationOverride] = []
        for i, entry in enumerate(raw or ()):
            if not isinstance(entry, dict):
                raise ValueError(f"{where}[{i}]: expected an object with type, urn, dataClass, jurisdiction")
            dc, jid = entry.get("dataClass"), entry.get("jurisdiction")
            if dc not in DATA_CLASSES:
                raise ValueError(f"{where}[{i}].dataClass: {dc!r} is not one of {', '.join(DATA_CLASSES)}")
            try:
                jid = catalog.jurisdiction(str(jid)).id
            except catalog.UnknownJurisdictionError as e:
                raise ValueError(f"{where}[{i}].jurisdiction: {e}") from None
            out.append(cls(str(entry.get("type") or "*"), str(entry.get("urn") or "*"), str(dc), jid))
        return tuple(out)


def _classify_tags(tags: dict[str, Any], source: str = "tags") -> Classification:
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
    return Classification(dc, jid, tuple(problems), source)


def classify(res: Resource, view: StackView | None = None) -> Classification:
    """From the resource's own tags/labels; else from the pack config `classifications`; else, for
    kinds that cannot carry tags or labels, from its description's Meridian classification
    (meridian.classification_meta) or the store that owns it. A taggable store without
    tags is unclassified (fail closed): problems name what is missing."""
    own = labels(res)
    if DATA_CLASS_KEY in own or JURISDICTION_KEY in own or view is None:
        return _classify_tags(own)
    for o in view.classifications:
        if o.matches(res):
            return Classification(o.data_class, o.jurisdiction, (), "config")
    kind = kind_of(res)
    if kind is not None and not kind.taggable:
        from meridian.classification_meta import ClassificationMetaError, parse

        try:
            meta = parse(res.props.get("description"))
        except ClassificationMetaError as e:
            return Classification(None, None, (f"{e} (fail closed)",), "description")
        if meta is not None:
            c = _classify_tags({DATA_CLASS_KEY: meta[0], JURISDICTION_KEY: meta[1]}, "description")
            return c
    if kind is not None and not kind.taggable and kind.owner is not None:
        owner = kind.owner(res, view)
        if owner is not None and owner is not res:
            c = classify(owner, view)
            return Classification(c.data_class, c.jurisdiction,
                                  tuple(f"{p} (on its owner {owner.name})" for p in c.problems), f"owner {owner.urn}")
        return Classification(None, None, (
            f"{kind.title} resources carry no tags/labels and its owning store is not in the stack: classify it "
            "with the pack config 'classifications' (type/urn pattern -> dataClass, jurisdiction)",), "none")
    if kind is not None and not kind.taggable:
        return Classification(None, None, (
            f"{kind.title} resources carry no tags/labels: classify it with the pack config 'classifications'",),
            "none")
    return _classify_tags(own)


# --- placement -----------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Placement:
    cloud: str
    region_id: str | None
    region: catalog.Region | None
    error: str | None = None
    # Physical regions the data may sit in (members of dual/multi regions, or the region itself).
    members: tuple[catalog.Region, ...] = ()
    # The error comes from a value that is unknown until `pulumi up` (a preview): deferred, not final.
    deferred: bool = False

    def within(self, jurisdiction: str) -> bool:
        return self.region is not None and all(m.within(jurisdiction) for m in (self.members or (self.region,)))

    def describe(self) -> str:
        return self.region_id or "unknown"


def unplaced(cloud: str, why: str, deferred: bool = False) -> Placement:
    return Placement(cloud, None, None, why, deferred=deferred)


_ZONE = {"aws": re.compile(r"^([a-z]{2}(?:-[a-z]+)+-\d+)[a-z]$"),
         "gcp": re.compile(r"^([a-z]+(?:-[a-z]+)*\d+)-[a-z]$"),
         "azure": re.compile(r"^$")}


def place(cloud: str, region_id: Any, what: str, members: list[str] | None = None) -> Placement:
    """The catalog placement of a region id (a zone is placed in its region; a multi-region in
    every member). Unknown or undeterminable: a Placement carrying the error (fail closed)."""
    if region_id == UNKNOWN:
        return Placement(cloud, None, None, f"the {what} is not known until the update", deferred=True)
    if not known(region_id) or not isinstance(region_id, str):
        return Placement(cloud, None, None, f"the {what} cannot be determined (fail closed)")
    rid = region_id
    try:
        reg = catalog.region(cloud, rid)
    except catalog.UnknownRegionError as e:
        m = _ZONE.get(cloud, _ZONE["azure"]).match(rid.strip().lower())
        if not m:
            return Placement(cloud, rid, None, f"{e} (fail closed)")
        try:
            reg = catalog.region(cloud, m.group(1))
        except catalog.UnknownRegionError as e2:
            return Placement(cloud, rid, None, f"{e2} (fail closed)")
    try:
        if members:
            mem = tuple(catalog.region(cloud, m) for m in members)
        else:
            mem = catalog.replication_regions(cloud, reg.id)
    except catalog.UnknownRegionError as e:
        return Placement(cloud, rid, None, f"{e} (fail closed)")
    return Placement(cloud, reg.id, reg, None, mem)


def place_all(cloud: str, region_ids: Iterable[Any], what: str) -> Placement:
    """One placement spanning several regions (a multi-location account, a Bigtable instance's
    clusters): inside a jurisdiction only when every one of them is."""
    ids = list(region_ids)
    if not ids:
        return unplaced(cloud, f"the {what} cannot be determined (fail closed)")
    parts = [place(cloud, r, what) for r in ids]
    bad = next((p for p in parts if p.error), None)
    if bad is not None:
        return bad
    members: dict[str, catalog.Region] = {}
    for p in parts:
        for m in p.members or ((p.region,) if p.region else ()):
            members[m.id] = m
    head = parts[0]
    if len(members) == 1:
        return head
    return Placement(cloud, "+".join(p.region_id or "?" for p in parts), head.region, None, tuple(members.values()))


_GCP_LOCATION = re.compile(r"/locations/([^/]+)(?:/|$)")
_AWS_ARN_REGION = re.compile(r"^arn:aws[a-z-]*:[a-z0-9-]+:([a-z0-9-]+):")


def arn_region(arn: Any) -> str | None:
    m = _AWS_ARN_REGION.match(arn) if isinstance(arn, str) else None
    return m.group(1) if m and m.group(1) else None


def gcp_location_in(name: Any) -> str | None:
    m = _GCP_LOCATION.search(name) if isinstance(name, str) else None
    return m.group(1) if m else None


def provider_region(res: Resource, view: StackView) -> Any:
    return view.provider_of(res).get("region")


def aws_region(res: Resource, view: StackView) -> Placement:
    """pulumi-aws v7 has `region` on every resource; v6 takes it from the provider."""
    region = res.props.get("region")
    if not known(region):
        region = provider_region(res, view)
    return place("aws", region, f"region of {res.name} (no region on it or on its provider)")


def azure_location(res: Resource, view: StackView) -> Any:
    loc = res.props.get("location")
    if known(loc):
        return loc
    rg = view.referenced(res, "resourceGroupName", res.props.get("resourceGroupName"), AZ_RESOURCE_GROUP)
    return rg.props.get("location") if rg is not None else None


def azure_place(res: Resource, view: StackView) -> Placement:
    return place("azure", azure_location(res, view), f"location of {res.name}")


def gcp_place(res: Resource, view: StackView, *keys: str) -> Placement:
    unknown = None
    for key in keys or ("location", "region", "zone"):
        v = first(res, key)
        if known(v):
            return place("gcp", v, f"{key} of {res.name}")
        unknown = unknown or (key if v == UNKNOWN else None)
    if unknown:
        return place("gcp", UNKNOWN, f"{unknown} of {res.name}")
    v = provider_region(res, view)
    return place("gcp", v, f"location of {res.name} (none on it or on its provider)")


_ARM_ID = re.compile(r"^(/subscriptions/[^/]+/resourcegroups/[^/]+/providers/[^/]+/[^/]+/[^/]+)", re.I)


def arm_resource_id(uri: Any) -> str | None:
    """The top-level ARM resource id a (sub-)resource id belongs to, lower case: a diagnostic
    setting on `<account id>/blobServices/default` belongs to exactly `<account id>`."""
    m = _ARM_ID.match(uri) if isinstance(uri, str) else None
    return m.group(1).lower() if m else None


def arm_name(uri: Any) -> str | None:
    rid = arm_resource_id(uri)
    return uri.split("/")[8] if rid and isinstance(uri, str) else None


def kubernetes_cluster(res: Resource, view: StackView) -> Resource | None:
    """The cluster a Kubernetes object is deployed to: the one its provider depends on (state
    documents and plans record provider dependencies; a policy run does not)."""
    prov = view.by_urn.get(res.provider) if res.provider else None
    for dep in prov.dependencies if prov is not None else ():
        d = view.by_urn.get(dep)
        if d is not None and canonical_type(d.type) in K8S_CLUSTER_TYPES:
            return d
    return None


def kubernetes_placement(res: Resource, view: StackView) -> Placement:
    """A Kubernetes object is where its cluster is: the cluster behind its provider, and/or the
    region its `topology.kubernetes.io/region` + `meridian.io/cloud` labels state. Both known and
    different: it is in both places (fail closed on either). Neither: undeterminable (fail closed)."""
    lab = labels(res)
    parts: list[Placement] = []
    cluster = kubernetes_cluster(res, view)
    if cluster is not None:
        parts.append(generic_placement(cluster, view))
    region, cloud = lab.get(K8S_REGION_LABEL), lab.get(K8S_CLOUD_LABEL)
    if region is not None or cloud is not None:
        if cloud not in ("aws", "gcp", "azure"):
            parts.append(unplaced("kubernetes", f"label '{K8S_CLOUD_LABEL}' of {res.name} is {cloud!r}, not aws, "
                                  "gcp or azure (fail closed)"))
        else:
            parts.append(place(str(cloud), region, f"'{K8S_REGION_LABEL}' label of {res.name}"))
    if not parts:
        return unplaced("kubernetes", f"the cluster of {res.name} cannot be determined: its provider's cluster is "
                        f"not in the stack and it has no '{K8S_REGION_LABEL}' / '{K8S_CLOUD_LABEL}' labels (fail closed)")
    bad = next((p for p in parts if p.error), None)
    if bad is not None:
        return bad
    head = parts[0]
    if len(parts) == 1 or (parts[1].cloud == head.cloud and parts[1].region_id == head.region_id):
        return head
    members = {m.id: m for p in parts for m in (p.members or ((p.region,) if p.region else ()))}
    return Placement(head.cloud, "+".join(p.region_id or "?" for p in parts), head.region, None,
                     tuple(members.values()))


def generic_placement(res: Resource, view: StackView) -> Placement:
    """Any resource: its own region/location (zone) field and/or its provider's region. Both
    known and different: the resource is in both places (fail closed on either). Kubernetes
    objects: their cluster's placement (kubernetes_placement)."""
    if res.type.startswith("kubernetes:"):
        return kubernetes_placement(res, view)
    cloud = cloud_of(res.type)
    own = None
    for key in ("region", "location", "locationId", "zone", "availabilityZone"):
        v = res.props.get(key)
        if known(v) and isinstance(v, str):
            own = v
            break
    prov = provider_region(res, view) if res.provider or res.provider_props else None
    if cloud == "azure" and own is None:
        own = azure_location(res, view)
    if own is None and not known(prov):
        return unplaced(cloud, f"the location of {res.name} cannot be determined: no region/location on it "
                        "or on its provider (fail closed)")
    if cloud == "gcp" and known(own) and isinstance(own, str) and own.lower() == "global":
        return unplaced(cloud, f"{res.name} is in location 'global', which is nowhere in particular (fail closed)")
    ids = [x for x in (own, prov if known(prov) else None) if x is not None]
    return place_all(cloud, dict.fromkeys(ids), f"location of {res.name}")


# --- replication, keys, logs ------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Target:
    """Somewhere a store's data (a replica, its access logs, a backup copy) lands."""

    kind: str  # "replica" | "access-logs" | "backup"
    name: str
    placement: Placement
    via: str  # what sends it there


@dataclass(frozen=True, slots=True)
class KeyUse:
    encrypted: bool  # an explicit encryption-at-rest configuration exists (or the cloud forces it)
    key_ref: str | None  # the customer-managed key, if any
    placement: Placement | None


def pointing_here(res: Resource, view: StackView, types: Iterable[str], prop: str, kind: str = "replica") -> list[Target]:
    """Separate resources whose `prop` names this one exactly (id, ARN, name or a recorded property
    dependency), each placed where it is: read replicas, replica tables, replication targets."""
    out: list[Target] = []
    for t in types:
        for other in view.attached(res, t, prop):
            if other is not res:
                out.append(Target(kind, str(first(other, "name", "identifier", "arn") or other.name),
                                  placement(other, view), other.urn))
    return out


def region_target(cloud: str, region_id: Any, via: str, what: str, kind: str = "replica") -> Target:
    return Target(kind, str(region_id), place(cloud, region_id, what), via)


def aws_key(ref: str, owner: Resource, prop: str, view: StackView) -> Placement:
    """Where an AWS KMS key (ARN, id or alias) lives: the key in the stack, else its ARN's region."""
    key = view.referenced(owner, prop, ref, *AWS_KMS_KEYS)
    if key is None:
        alias = view.find(ref, AWS_KMS_ALIAS) or view.find(ref.split(":alias/")[-1], AWS_KMS_ALIAS)
        if alias is not None:
            key = view.referenced(alias, "targetKeyId", alias.props.get("targetKeyId"), *AWS_KMS_KEYS)
    if key is not None:
        return placement(key, view)
    region = arn_region(ref)
    if region:
        return place("aws", region, f"region of key {ref}")
    if ref == UNKNOWN:
        return unplaced("aws", "the key is not known until the update", deferred=True)
    return unplaced("aws", f"key {ref!r} is not in the stack and its region cannot be read (fail closed)")


def aws_key_use(*paths: str, flag_path: str | None = None, always: bool = False):  # type: ignore[no-untyped-def]
    """Key facet for an AWS service: the customer key at the first of `paths`; encrypted when the
    service always encrypts, when `flag_path` is true, or when a key is set."""

    def key(res: Resource, view: StackView) -> KeyUse:
        ref = first(res, *paths)
        encrypted = always or ref is not None or (flag_path is not None and flag(res, flag_path) is True)
        if ref is None:
            return KeyUse(encrypted, None, None)
        prop = paths[0].split(".")[0]
        return KeyUse(encrypted, str(ref), aws_key(str(ref), res, prop, view))

    return key


def gcp_key_place(name: str, owner: Resource, prop: str, view: StackView) -> Placement:
    loc = gcp_location_in(name)
    if loc:
        return _gcp_key_location(loc, f"key {name}")
    key = view.referenced(owner, prop, name, GCP_KMS_KEY)
    if key is not None:
        return placement(key, view)
    if name == UNKNOWN:
        return unplaced("gcp", "the key is not known until the update", deferred=True)
    return unplaced("gcp", f"key {name!r} cannot be placed (fail closed)")


def _gcp_key_location(loc: str, what: str) -> Placement:
    if loc.lower() == "global":
        return unplaced("gcp", f"{what} is in a 'global' key ring, which is nowhere in particular (fail closed)")
    return place("gcp", loc, f"location of {what}")


def gcp_key_use(*paths: str):  # type: ignore[no-untyped-def]
    """Key facet for a GCP service: Google always encrypts; a CMEK at the first of `paths`."""

    def key(res: Resource, view: StackView) -> KeyUse:
        ref = first(res, *paths)
        if ref is None:
            return KeyUse(True, None, None)
        return KeyUse(True, str(ref), gcp_key_place(str(ref), res, paths[0].split(".")[0], view))

    return key


def azure_vault_key_place(uri: Any, owner: Resource, prop: str, view: StackView) -> Placement:
    """A Key Vault key URI (https://<vault>.vault.azure.net/keys/<k>[/<version>]) or key id."""
    vault = None
    if known(uri) and isinstance(uri, str):
        m = re.match(r"^https://([^.]+)\.vault\.", uri)
        vault = view.find(m.group(1), AZ_VAULT) if m else None
    if vault is None:
        for dep in owner.property_dependencies.get(prop, ()):
            d = view.by_urn.get(dep)
            if d is not None and d.type == AZ_VAULT:
                vault = d
            elif d is not None and d.type == AZ_KEY:
                vault = view.referenced(d, "vaultName", d.props.get("vaultName"), AZ_VAULT)
            if vault is not None:
                break
    if vault is None:
        if uri == UNKNOWN:
            return unplaced("azure", "the key vault is not known until the update", deferred=True)
        return unplaced("azure", f"key vault of {uri!r} is not in the stack (fail closed)")
    return place("azure", azure_location(vault, view), f"location of vault {vault.name}")


def azure_key_use(*paths: str):  # type: ignore[no-untyped-def]
    """Key facet for an Azure service: Azure always encrypts at rest; a customer key by Key Vault URI."""

    def key(res: Resource, view: StackView) -> KeyUse:
        ref = first(res, *paths)
        if ref is None:
            return KeyUse(True, None, None)
        return KeyUse(True, str(ref), azure_vault_key_place(ref, res, paths[0].split(".")[0], view))

    return key


def aws_backup_targets(res: Resource, view: StackView) -> list[Target]:
    """AWS Backup: every plan whose selection names this resource's ARN exactly (or depends on it,
    or selects by one of its tags) copies its backups to the plan's vault and copy-action vaults."""
    arn = res.props.get("arn")
    tags = labels(res)
    out: list[Target] = []
    for sel in view.of_type(AWS_BACKUP_SELECTION):
        chosen = (known(arn) and arn in (sel.props.get("resources") or [])) or \
            res.urn in sel.property_dependencies.get("resources", ())
        for st in sel.props.get("selectionTags") or []:
            if isinstance(st, dict) and st.get("type", "STRINGEQUALS") == "STRINGEQUALS" and \
                    known(st.get("key")) and tags.get(st["key"]) == st.get("value"):
                chosen = True
        if chosen:
            out.extend(_backup_targets(sel, view))
    return out


def _backup_targets(sel: Resource, view: StackView) -> list[Target]:
    plan = view.referenced(sel, "planId", sel.props.get("planId"), AWS_BACKUP_PLAN)
    if plan is None:
        return [Target("backup", "backup plan", unplaced("aws", "the backup plan is not in the stack (fail closed)"),
                       sel.urn)]
    out: list[Target] = []
    for name in walk_key(plan.props.get("rules"), "targetVaultName"):
        vault = view.referenced(plan, "rules", name, AWS_BACKUP_VAULT)
        p = placement(vault, view) if vault is not None else placement(plan, view)
        out.append(Target("backup", str(name), p, plan.urn))
    for arn in walk_key(plan.props.get("rules"), "destinationVaultArn"):
        vault = view.find(arn, AWS_BACKUP_VAULT)
        p = placement(vault, view) if vault is not None else place(
            "aws", arn_region(arn), f"region of backup vault {arn}")
        out.append(Target("backup", str(arn), p, plan.urn))
    return out


def aws_log_group_target(arn_or_name: Any, owner: Resource, prop: str, view: StackView, via: str) -> Target:
    """A CloudWatch log group a service publishes to, by ARN or name."""
    ident = str(arn_or_name).removesuffix(":*") if known(arn_or_name) else arn_or_name
    group = view.referenced(owner, prop, ident, AWS_LOG_GROUP)
    if group is not None:
        return Target("access-logs", str(group.props.get("name") or group.name), placement(group, view), via)
    region = arn_region(ident)
    p = place("aws", region, f"region of log group {ident}") if region else unplaced(
        "aws", f"log group {ident!r} is not in the stack and its region cannot be read (fail closed)")
    return Target("access-logs", str(ident), p, via)


def azure_diagnostic_targets(res: Resource, view: StackView) -> list[Target]:
    """Diagnostic settings whose resourceUri is this resource (or one of its sub-resources), matched
    by exact ARM id, send its logs to a storage account and/or a Log Analytics workspace."""
    ids = {arm_resource_id(i) for i in (res.props.get("__id"), res.props.get("id")) if known(i)} - {None}
    out: list[Target] = []
    for ds in view.of_type(*AZ_DIAGNOSTICS):
        mine = res.urn in ds.property_dependencies.get("resourceUri", ()) or \
            (arm_resource_id(ds.props.get("resourceUri")) in ids if ids else False)
        if not mine:
            continue
        sa = ds.props.get("storageAccountId")
        if sa is not None:
            target = view.referenced(ds, "storageAccountId", sa, AZ_ACCOUNT)
            p = placement(target, view) if target is not None else unplaced(
                "azure", f"log storage account {sa!r} is not in the stack (fail closed)")
            out.append(Target("access-logs", str(target.props.get("accountName") if target else sa), p, ds.urn))
        ws = ds.props.get("workspaceId")
        if ws is not None:
            target = view.referenced(ds, "workspaceId", ws, AZ_WORKSPACE)
            p = placement(target, view) if target is not None else unplaced(
                "azure", f"Log Analytics workspace {ws!r} is not in the stack (fail closed)")
            out.append(Target("access-logs", str(ws if target is None else target.name), p, ds.urn))
        if known(ds.props.get("eventHubAuthorizationRuleId")):
            out.append(Target("access-logs", "event hub", unplaced(
                "azure", "diagnostic logs streamed to an event hub cannot be placed (fail closed)"), ds.urn))
    return out


# --- dispatch to the store kinds -------------------------------------------------------------------
def kind_of(res: Resource):  # type: ignore[no-untyped-def]  # -> StoreKind | None
    from meridian.rules.stores import kind_for

    return kind_for(res.type)


def placement(res: Resource, view: StackView) -> Placement:
    """Where a store, key or any other resource lives."""
    kind = kind_of(res)
    return kind.locate(res, view) if kind is not None else generic_placement(res, view)


def _facet_list(res: Resource, view: StackView, name: str) -> list[Target]:
    kind = kind_of(res)
    if kind is None:
        return []
    fn = kind.facet(name)
    return [] if not callable(fn) else list(fn(res, view))  # type: ignore[arg-type]


def replicas(res: Resource, view: StackView) -> list[Target]:
    """Every place other than its home a store's data is copied to."""
    return _facet_list(res, view, "replicas")


def log_and_backup_targets(res: Resource, view: StackView) -> list[Target]:
    return _facet_list(res, view, "logs_backups")


def key_use(res: Resource, view: StackView) -> KeyUse:
    kind = kind_of(res)
    if kind is None:
        return KeyUse(False, None, None)
    fn = kind.facet("key")
    if not callable(fn):
        return KeyUse(True, None, None)
    return fn(res, view)  # type: ignore[return-value]


def problems_of(res: Resource, view: StackView, facet: str) -> list[str] | None:
    """A security facet's findings; None where the facet does not apply to the kind."""
    kind = kind_of(res)
    if kind is None:
        return None
    fn = kind.facet(facet)
    return list(fn(res, view)) if callable(fn) else None  # type: ignore[arg-type]


def is_s3_log_target(res: Resource, view: StackView) -> bool:
    """S3 server access logs can only be delivered to an SSE-S3 bucket, so a bucket that is a log
    target in this stack is exempt from the customer-key requirement (not from its location)."""
    from meridian.rules.stores.aws_s3 import S3_BUCKETS, S3_LOGGING

    if res.type not in S3_BUCKETS:
        return False
    return any(view.attached(res, t, "targetBucket") for t in S3_LOGGING)


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
        return place(cloud, rid, f"region of pool {pool.name}")
    try:
        meta = cloudflare_meta.parse_pool(pool.props.get("description"))
    except cloudflare_meta.MetaError as e:
        return Placement("?", None, None,
                         f"pool {pool.props.get('name') or pool.name!r} does not state its region: {e} (fail closed)")
    return place(meta.cloud, meta.region, f"region of pool {pool.name}")


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
        # pulumi-cloudflare 5: defaultPoolIds / fallbackPoolId / regionPools [{region, poolIds}];
        # pulumi-cloudflare 6: defaultPools / fallbackPool / regionPools {region: [ids]}.
        for route, keys in (("default", ("defaultPoolIds", "defaultPools")), ("fallback", ("fallbackPoolId", "fallbackPool"))):
            key = next((k for k in keys if k in block), keys[0])
            add(route, prop_root or key, block.get(key))
        for key, field_ in (("regionPools", "region"), ("countryPools", "country"), ("popPools", "pop")):
            entries = block.get(key) or []
            if isinstance(entries, dict):  # v6: {code: [pool ids]}
                for code, ids in entries.items():
                    add(f"{field_}:{code}", prop_root or key, ids)
                continue
            for entry in entries:
                if isinstance(entry, dict):
                    add(f"{field_}:{entry.get(field_)}", prop_root or key, entry.get("poolIds"))

    scan(lb.props)
    for rule in lb.props.get("rules") or []:
        for ov in walk_key(rule, "overrides"):
            for o in ov if isinstance(ov, list) else [ov]:
                if isinstance(o, dict):
                    scan(o, "rules")
    return out

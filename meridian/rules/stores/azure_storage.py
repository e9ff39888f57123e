"""Azure storage accounts (Blob/ADLS Gen2), and object-replication policies between accounts.

Location: `location`, else the resource group's. Replicas: the catalog's geo pair for a geo-redundant
SKU (GRS, RA-GRS, GZRS, RA-GZRS; a location without a pair fails closed), and the destination account
of every object-replication policy whose `sourceAccount` is this account (matched by exact name or
ARM id). Logs: diagnostic settings on the account or its services, matched by exact ARM id."""

from __future__ import annotations

from meridian import catalog
from meridian.rules.facts import (
    AZ_ACCOUNT,
    KeyUse,
    Placement,
    Target,
    arm_name,
    azure_diagnostic_targets,
    azure_place,
    azure_vault_key_place,
    known,
    placement,
    unplaced,
    walk_key,
)
from meridian.rules.stack import Resource, StackView
from meridian.rules.stores.kind import StoreKind

AZ_BLOB_SERVICE = "azure-native:storage:BlobServiceProperties"
AZ_OBJECT_REPLICATION = "azure-native:storage:ObjectReplicationPolicy"
GEO_REDUNDANT_SKUS = ("GRS", "RAGRS", "GZRS", "RAGZRS")


def geo_pair_target(home: Placement, via: str, kind: str = "replica") -> Target:
    """Where a geo-redundant copy lands: the catalog's pair of the home region (none: fail closed)."""
    if home.region is None:
        return Target(kind, "geo pair", unplaced(
            "azure", "the geo pair of an unknown location cannot be determined (fail closed)"), via)
    pair = catalog.geo_pair(home.region.id)
    if pair is None:
        return Target(kind, "geo pair", unplaced(
            "azure", f"{home.region_id} has no geo pair in the catalog (fail closed)"), via)
    return Target(kind, pair.id, Placement("azure", pair.id, pair, None, (pair,)), via)


def _account_names(res: Resource) -> set[str]:
    names = {str(res.props.get("accountName") or res.name).lower()}
    for i in (res.props.get("__id"), res.props.get("id")):
        if known(i):
            names.add(str(i).lower())
    return names


def replicas(res: Resource, view: StackView) -> list[Target]:
    out: list[Target] = []
    sku = str(res.get("sku", "name", default="")).split("_")[-1].upper()
    if sku in GEO_REDUNDANT_SKUS:
        out.append(geo_pair_target(placement(res, view), f"sku {res.get('sku', 'name')}"))
    mine = _account_names(res)
    for pol in view.of_type(AZ_OBJECT_REPLICATION):
        src = pol.props.get("sourceAccount")
        src_names = {str(src).lower(), str(arm_name(src) or "").lower()} if known(src) else set()
        if not (mine & src_names) and res.urn not in pol.property_dependencies.get("sourceAccount", ()):
            continue
        dest = pol.props.get("destinationAccount") or pol.props.get("accountName")
        target = view.referenced(pol, "destinationAccount", arm_name(dest) or dest, AZ_ACCOUNT) or \
            view.referenced(pol, "accountName", pol.props.get("accountName"), AZ_ACCOUNT)
        p = placement(target, view) if target is not None else unplaced(
            "azure", f"object-replication destination {dest!r} is not in the stack (fail closed)")
        out.append(Target("replica", str(dest), p, pol.urn))
    return out


def key(res: Resource, view: StackView) -> KeyUse:
    enc = res.props.get("encryption") or {}
    disabled = any(v is False for v in walk_key(enc, "enabled"))
    source = str(enc.get("keySource", "Microsoft.Storage")) if isinstance(enc, dict) else "Microsoft.Storage"
    if source.lower() != "microsoft.keyvault":
        return KeyUse(not disabled, None, None)
    kvp = enc.get("keyVaultProperties") or {}
    uri = kvp.get("keyVaultUri") or ""
    ref = f"{uri.rstrip('/')}/keys/{kvp.get('keyName', '?')}" if known(uri) else str(kvp.get("keyName") or "?")
    return KeyUse(not disabled, ref, azure_vault_key_place(uri, res, "encryption", view))


def public_access(res: Resource, view: StackView) -> list[str]:
    if res.props.get("allowBlobPublicAccess") is not False:
        return ["allowBlobPublicAccess is not explicitly false"]
    return []


def tls_only(res: Resource, view: StackView) -> list[str]:
    out = []
    if res.props.get("enableHttpsTrafficOnly") is False:
        out.append("enableHttpsTrafficOnly is false")
    if res.props.get("minimumTlsVersion") not in ("TLS1_2", "TLS1_3"):
        out.append(f"minimumTlsVersion is {res.props.get('minimumTlsVersion')!r}, not TLS1_2")
    return out


def versioning(res: Resource, view: StackView) -> bool:
    return any(s.props.get("isVersioningEnabled") is True for s in view.attached(res, AZ_BLOB_SERVICE, "accountName"))


KIND = StoreKind(
    id="azure-storage-account", title="storage account", cloud="azure", types=(AZ_ACCOUNT,), locate=azure_place,
    replicas=replicas, key=key, logs_backups=azure_diagnostic_targets, public_access=public_access,
    tls_only=tls_only, versioning=versioning, name_keys=("accountName",), doc=__doc__ or "",
)

"""Azure Key Vaults and their keys.

A key lives in its vault (`vaultName` -> the Vault resource's location, else its resource group's).
A vault holds keys and secrets: it is classified and placed like a store, and Azure replicates its
contents to the region's pair (the catalog's geo pair: a region without one fails closed); public network access
enabled without a deny-by-default network ACL makes it reachable from the internet."""

from __future__ import annotations

from meridian.rules.facts import (
    AZ_KEY,
    AZ_VAULT,
    Placement,
    azure_diagnostic_targets,
    azure_location,
    azure_place,
    dig,
    place,
    unplaced,
)
from meridian.rules.stack import Resource, StackView
from meridian.rules.stores.azure_storage import geo_pair_target
from meridian.rules.stores.kind import NotApplicable, StoreKind


def locate_key(res: Resource, view: StackView) -> Placement:
    vault = view.referenced(res, "vaultName", res.props.get("vaultName"), AZ_VAULT)
    if vault is None:
        return unplaced("azure", f"the location of key {res.name} cannot be determined: its key vault is not in the "
                                 "stack (fail closed)")
    return place("azure", azure_location(vault, view), f"location of key {res.name}")


def vault_public(res: Resource, view: StackView) -> list[str]:
    """Key Vault has no anonymous access: every operation needs an Entra ID token that RBAC (or an
    access policy) authorizes. Open network access is reported where nothing else guards it: a vault
    without RBAC authorization whose firewall admits everyone. (AKS KMS in its public key-vault mode
    needs default action Allow; Meridian's etcd vaults use RBAC.)"""
    props = res.props.get("properties") or {}
    pna = str(dig(props, "publicNetworkAccess") or "Enabled").lower()
    default = str(dig(props, "networkAcls.defaultAction") or "Allow").lower()
    rbac = dig(props, "enableRbacAuthorization") is True
    if pna != "disabled" and default != "deny" and not rbac:
        return ["publicNetworkAccess is not Disabled, networkAcls.defaultAction is not Deny and the vault does not "
                "use RBAC authorization"]
    return []


KIND = StoreKind(
    id="azure-keyvault-key", title="Key Vault key", cloud="azure", role="key", types=(AZ_KEY,), locate=locate_key,
    replicas=NotApplicable("Key Vault replicates keys within the vault's geography; the vault is placed"),
    key=NotApplicable("a key is not a data store"), logs_backups=NotApplicable("the vault's diagnostics cover keys"),
    public_access=NotApplicable("the vault's network rules cover keys"),
    tls_only=NotApplicable("Key Vault is TLS only"), versioning=NotApplicable("key versions are kept by the vault"),
    owner=lambda res, view: view.referenced(res, "vaultName", res.props.get("vaultName"), AZ_VAULT),
    name_keys=("keyName",), doc=__doc__ or "",
)
VAULT_KIND = StoreKind(
    id="azure-keyvault", title="Key Vault", cloud="azure", types=(AZ_VAULT,), locate=azure_place,
    replicas=lambda res, view: [geo_pair_target(azure_place(res, view), "Key Vault replication to the region pair")],
    key=NotApplicable("Key Vault encrypts its contents with HSM-protected keys"),
    logs_backups=azure_diagnostic_targets,
    public_access=vault_public, tls_only=NotApplicable("Key Vault is TLS 1.2+ only"),
    versioning=NotApplicable("secrets and keys are versioned by the service"), name_keys=("vaultName",),
    doc=__doc__ or "",
)

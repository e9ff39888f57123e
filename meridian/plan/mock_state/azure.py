"""Mock answers for azure-native resource types and invokes (offline plan only; never used by the
program).

Values are deterministic (derived from the resource name) and shaped like Azure's. PlanMocks merges
the top-level keys returned here with `setdefault`; computed fields nested inside an input object
(the vault URI in `properties`, the OIDC issuer in `oidcIssuerProfile`) are merged into that object
in place, which is the state the mock returns (the recorded inputs are a separate copy)."""

from __future__ import annotations

import base64
import hashlib
import json
import uuid
from typing import Any

SUBSCRIPTION_ID = "00000000-0000-0000-0000-0000000000aa"
TENANT_ID = "00000000-0000-0000-0000-0000000000bb"
CLIENT_OBJECT_ID = "00000000-0000-0000-0000-0000000000cc"


def _hex(name: str, n: int = 32) -> str:
    return hashlib.sha256(name.encode()).hexdigest()[:n]


def _guid(name: str) -> str:
    return str(uuid.UUID(_hex(name)))


def _nested(inputs: dict[str, Any], key: str, extra: dict[str, Any]) -> dict[str, Any]:
    """Merge computed fields into a nested input object (shared with the mock's returned state);
    also returned for the (rare) case the input object was absent."""
    target = inputs.get(key)
    if isinstance(target, dict):
        for k, v in extra.items():
            target.setdefault(k, v)
        return {}
    return {key: extra}


def _user_assigned(inputs: dict[str, Any]) -> None:
    """The inputs list user-assigned identity ids; Azure answers with a map id -> {principalId,
    clientId} (the SDK's output type is a mapping)."""
    identity = inputs.get("identity")
    if isinstance(identity, dict) and isinstance(identity.get("userAssignedIdentities"), list):
        identity["userAssignedIdentities"] = {
            i: {"principalId": _guid(f"principal/{i}"), "clientId": _guid(f"client/{i}")}
            for i in identity["userAssignedIdentities"]
        }


def _identity(name: str, inputs: dict[str, Any]) -> dict[str, Any]:
    return {
        "principalId": _guid(f"principal/{name}"),
        "clientId": _guid(f"client/{name}"),
        "tenantId": TENANT_ID,
    }


def _vault(name: str, inputs: dict[str, Any]) -> dict[str, Any]:
    vault = inputs.get("vaultName") or name
    return _nested(inputs, "properties", {"vaultUri": f"https://{vault}.vault.azure.net/"})


def _key(name: str, inputs: dict[str, Any]) -> dict[str, Any]:
    vault = inputs.get("vaultName") or "vault"
    key = inputs.get("keyName") or name
    uri = f"https://{vault}.vault.azure.net/keys/{key}"
    return {"keyUri": uri, "keyUriWithVersion": f"{uri}/{_hex(name)}"}


def _managed_cluster(name: str, inputs: dict[str, Any]) -> dict[str, Any]:
    _user_assigned(inputs)
    cluster = inputs.get("resourceName") or name
    location = inputs.get("location", "mock")
    h = _hex(name, 8)
    out: dict[str, Any] = {
        "fqdn": f"{cluster}-{h}.hcp.{location}.azmk8s.io",
        "privateFQDN": f"{cluster}-{h}.{_hex(cluster, 36)}.privatelink.{location}.azmk8s.io",
        "provisioningState": "Succeeded",
        "identityProfile": {
            "kubeletidentity": {
                "resourceId": f"/subscriptions/{SUBSCRIPTION_ID}/resourceGroups/{cluster}-nodes/providers/"
                f"Microsoft.ManagedIdentity/userAssignedIdentities/{cluster}-agentpool",
                "clientId": _guid(f"kubelet-client/{name}"),
                "objectId": _guid(f"kubelet-object/{name}"),
            }
        },
    }
    out.update(
        _nested(
            inputs,
            "oidcIssuerProfile",
            {"issuerURL": f"https://{location}.oic.prod-aks.azure.com/{TENANT_ID}/{_guid(f'oidc/{name}')}/"},
        )
    )
    return out


def _storage_account(name: str, inputs: dict[str, Any]) -> dict[str, Any]:
    _user_assigned(inputs)
    account = inputs.get("accountName") or name
    return {
        "primaryEndpoints": {
            "blob": f"https://{account}.blob.core.windows.net/",
            "dfs": f"https://{account}.dfs.core.windows.net/",
            "web": f"https://{account}.z6.web.core.windows.net/",
        },
        "primaryLocation": inputs.get("location"),
        "provisioningState": "Succeeded",
    }


def _public_ip(name: str, inputs: dict[str, Any]) -> dict[str, Any]:
    h = hashlib.sha256(f"pip/{name}".encode()).digest()
    return {"ipAddress": f"203.0.113.{h[0] % 254 + 1}"}


def _random_id(name: str, inputs: dict[str, Any]) -> dict[str, Any]:
    # The random suffix of globally unique Azure names (infra/azure/names.py).
    raw = hashlib.sha256(f"randomid/{name}".encode()).digest()[: int(inputs.get("byteLength", 3))]
    b64 = base64.urlsafe_b64encode(raw).decode().rstrip("=")
    return {
        "hex": raw.hex(),
        "b64Url": b64,
        "b64Std": base64.b64encode(raw).decode(),
        "dec": str(int(raw.hex(), 16)),
    }


def _client_config(args: dict[str, Any]) -> dict[str, Any]:
    return {
        "clientId": _guid("meridian-deployer"),
        "objectId": CLIENT_OBJECT_ID,
        "subscriptionId": SUBSCRIPTION_ID,
        "tenantId": TENANT_ID,
    }


def _user_credentials(args: dict[str, Any]) -> dict[str, Any]:
    cluster = args.get("resourceName") or "cluster"
    server = f"https://{cluster}-{_hex(cluster, 8)}.privatelink.mock.azmk8s.io:443"
    ca = base64.b64encode(
        f"-----BEGIN CERTIFICATE-----\nmock-ca-{cluster}\n-----END CERTIFICATE-----\n".encode()
    ).decode()
    user = f"clusterUser_{args.get('resourceGroupName', 'rg')}_{cluster}"
    kubeconfig = {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": cluster, "cluster": {"server": server, "certificate-authority-data": ca}}],
        "contexts": [{"name": cluster, "context": {"cluster": cluster, "user": user}}],
        "current-context": cluster,
        "users": [{"name": user, "user": {"token": _hex(f"token/{cluster}", 64)}}],
    }
    value = base64.b64encode(json.dumps(kubeconfig).encode()).decode()
    return {"kubeconfigs": [{"name": "clusterUser", "value": value}]}


OUTPUTS: dict[str, Any] = {
    "azure-native:managedidentity:UserAssignedIdentity": _identity,
    "azure-native:keyvault:Vault": _vault,
    "azure-native:keyvault:Key": _key,
    "azure-native:containerservice:ManagedCluster": _managed_cluster,
    "azure-native:storage:StorageAccount": _storage_account,
    "azure-native:network:PublicIPAddress": _public_ip,
    # ARM names a private zone by its DNS name (the path parameter), not by the Pulumi resource name.
    "azure-native:network:PrivateZone": lambda _name, inputs: {"name": inputs["privateZoneName"]},
    "azure-native:privatedns:PrivateZone": lambda _name, inputs: {"name": inputs["privateZoneName"]},
    "random:index/randomId:RandomId": _random_id,
}
CALLS: dict[str, Any] = {
    "azure-native:authorization:getClientConfig": _client_config,
    "azure-native:containerservice:listManagedClusterUserCredentials": _user_credentials,
}

"""Mock answers for gcp resource types and invokes (offline plan only; never used by the program).

Values are deterministic (derived from the resource name or project) and shaped like the real
provider's: auto-named buckets and key rings get a random-looking suffix, GKE a private endpoint and a
CA, service accounts their email, invokes the project number, zones and service agents."""

from __future__ import annotations

import base64
import hashlib
import ipaddress
from typing import Any

# Zones that are UP in the regions the shipped stacks use; other regions get a, b, c.
_ZONES = {
    "us-central1": "abcf",
    "europe-west1": "bcd",
    "asia-east1": "abc",
    "us-east1": "bcd",
    "europe-west4": "abc",
}


def _hex(name: str, n: int = 8) -> str:
    return hashlib.sha256(name.encode()).hexdigest()[:n]


def _number(project: str | None) -> str:
    return str(int(_hex(project or "mock-project", 10), 16) % 10**12).rjust(12, "1")


def _autoname(name: str, inputs: dict[str, Any]) -> dict[str, Any]:
    return {"name": inputs.get("name") or f"{name}-{_hex(name, 7)}"}


def _bucket(name: str, inputs: dict[str, Any]) -> dict[str, Any]:
    bucket = inputs.get("name") or f"{name}-{_hex(name, 7)}"
    return {"name": bucket, "url": f"gs://{bucket}", "project": "mock-project"}


def _gke(name: str, inputs: dict[str, Any]) -> dict[str, Any]:
    h = hashlib.sha256(name.encode()).digest()
    ca = base64.b64encode(f"-----BEGIN CERTIFICATE-----\nmock-ca-{name}\n-----END CERTIFICATE-----\n".encode()).decode()
    master = dict(inputs.get("masterAuth") or {})
    master["clusterCaCertificate"] = ca
    private = inputs.get("privateClusterConfig") or {}
    block = private.get("masterIpv4CidrBlock")
    # The control plane answers on the second address of its /28 (private endpoint) or on a public address.
    # (Outputs the program also sets as inputs, e.g. privateClusterConfig.peeringName, keep their input value.)
    endpoint = str(ipaddress.IPv4Network(block)[2]) if block and private.get("enablePrivateEndpoint") else None
    return {
        "endpoint": endpoint or f"34.{h[0] % 128}.{h[1]}.{h[2] % 254 + 1}",
        "masterAuth": master,
        "masterVersion": f"{inputs.get('minMasterVersion', '1.30')}.5-gke.1000",
        "status": "RUNNING",
    }


def _service_account(name: str, inputs: dict[str, Any]) -> dict[str, Any]:
    project = inputs.get("project") or "mock-project"
    email = f"{inputs['accountId']}@{project}.iam.gserviceaccount.com"
    return {"email": email, "member": f"serviceAccount:{email}", "uniqueId": str(int(_hex(name, 12), 16))}


def _zones(args: dict[str, Any]) -> dict[str, Any]:
    region = args.get("region") or "mock-region1"
    letters = _ZONES.get(region, "abc")
    return {"names": [f"{region}-{c}" for c in letters], "id": region, "region": region, "project": args.get("project")}


def _project(args: dict[str, Any]) -> dict[str, Any]:
    pid = args.get("projectId") or "mock-project"
    return {"projectId": pid, "number": _number(pid), "name": pid, "id": f"projects/{pid}"}


def _gcs_agent(args: dict[str, Any]) -> dict[str, Any]:
    email = f"service-{_number(args.get('project'))}@gs-project-accounts.iam.gserviceaccount.com"
    return {"emailAddress": email, "member": f"serviceAccount:{email}", "id": email, "project": args.get("project")}


def _sts_agent(args: dict[str, Any]) -> dict[str, Any]:
    email = f"project-{_number(args.get('project'))}@storage-transfer-service.iam.gserviceaccount.com"
    return {"email": email, "member": f"serviceAccount:{email}", "id": email, "subjectId": _number(email)}


OUTPUTS: dict[str, Any] = {
    "gcp:container/cluster:Cluster": _gke,
    "gcp:storage/bucket:Bucket": _bucket,
    "gcp:kms/keyRing:KeyRing": _autoname,
    "gcp:kms/cryptoKey:CryptoKey": _autoname,
    "gcp:serviceaccount/account:Account": _service_account,
    "gcp:storage/transferJob:TransferJob": lambda n, i: {"name": f"transferJobs/{int(_hex(n, 12), 16)}"},
}
CALLS: dict[str, Any] = {
    "gcp:compute/getZones:getZones": _zones,
    "gcp:organizations/getProject:getProject": _project,
    "gcp:storage/getProjectServiceAccount:getProjectServiceAccount": _gcs_agent,
    "gcp:storage/getTransferProjectServiceAccount:getTransferProjectServiceAccount": _sts_agent,
}

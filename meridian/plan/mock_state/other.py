"""Mock answers for other resource types and invokes (offline plan only; never used by the program).

Also the computed outputs of the interconnect and ingress resources (addresses a cloud assigns)."""

from __future__ import annotations

import hashlib
from typing import Any


def _ip(name: str, salt: str = "") -> str:
    """A deterministic documentation address (RFC 5737) for a resource name."""
    h = hashlib.sha256(f"{salt}/{name}".encode()).digest()
    return f"{(192, 198, 203)[h[0] % 3]}.{(0, 51, 0)[h[0] % 3] if h[0] % 3 != 2 else 0}.{(2, 100, 113)[h[0] % 3]}.{h[1] % 254 + 1}"


def _password(name: str, inputs: dict[str, Any]) -> dict[str, Any]:
    n = int(inputs.get("length", 32))
    return {"result": hashlib.sha256(f"pw/{name}".encode()).hexdigest()[:n], "bcryptHash": "mock"}


OUTPUTS: dict[str, Any] = {
    "random:index/randomPassword:RandomPassword": _password,
    "aws:ec2/eip:Eip": lambda n, i: {"publicIp": _ip(n, "eip"), "allocationId": f"eipalloc-{hashlib.sha256(n.encode()).hexdigest()[:8]}"},
    "aws:ec2/vpnConnection:VpnConnection": lambda n, i: {"tunnel1Address": _ip(n, "t1"), "tunnel2Address": _ip(n, "t2")},
    "gcp:compute/address:Address": lambda n, i: {"address": _ip(n, "gaddr")},
    "gcp:compute/haVpnGateway:HaVpnGateway": lambda n, i: {
        "vpnInterfaces": [{"id": k, "ipAddress": _ip(n, f"if{k}")} for k in range(2)]
    },
    "gcp:compute/interconnectAttachment:InterconnectAttachment": lambda n, i: {"pairingKey": f"{n}/us-central1/1"},
    "azure-native:network:PublicIPAddress": lambda n, i: {"ipAddress": _ip(n, "pip")},
    "azure-native:network:ExpressRouteCircuit": lambda n, i: {"serviceKey": hashlib.sha256(n.encode()).hexdigest()[:32]},
}
CALLS: dict[str, Any] = {}

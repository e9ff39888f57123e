"""Mock answers for other resource types and invokes (offline plan only; never used by the program).

Also the computed outputs of the interconnect and ingress resources (addresses a cloud assigns)."""

from __future__ import annotations

import hashlib
from typing import Any

# The engine stores a provider's secret outputs (additionalSecretOutputs) encrypted; the mock hands
# them back in the wire format of a secret so the plan document shows an envelope, as a real state would.
_SECRET_SIG_KEY = "4dabf18193072939515e22adb298388d"
_SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270"


def _secret(value: str) -> dict[str, Any]:
    return {_SECRET_SIG_KEY: _SECRET_SIG, "value": value}


def _pem(kind: str, name: str) -> str:
    body = hashlib.sha256(f"{kind}/{name}".encode()).hexdigest()
    return f"-----BEGIN {kind}-----\nMOCK{body}\n-----END {kind}-----\n"


def _tls_private_key(name: str, inputs: dict[str, Any]) -> dict[str, Any]:
    return {
        "privateKeyPem": _secret(_pem("PRIVATE KEY", name)),
        "privateKeyPemPkcs8": _secret(_pem("PRIVATE KEY", name)),
        "privateKeyOpenssh": _secret(_pem("OPENSSH PRIVATE KEY", name)),
        "publicKeyPem": _pem("PUBLIC KEY", name),
    }


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
    # Vault (infra/vault): TLS material and PKI certificates.
    "tls:index/privateKey:PrivateKey": _tls_private_key,
    "tls:index/selfSignedCert:SelfSignedCert": lambda name, inputs: {"certPem": _pem("CERTIFICATE", name)},
    "tls:index/certRequest:CertRequest": lambda name, inputs: {"certRequestPem": _pem("CERTIFICATE REQUEST", name)},
    "tls:index/locallySignedCert:LocallySignedCert": lambda name, inputs: {"certPem": _pem("CERTIFICATE", name)},
    # Cloudflare (infra/cloudflare/origin_tls.py): the Origin CA signs the CSR.
    "cloudflare:index/originCaCertificate:OriginCaCertificate": lambda name, inputs: {
        "certificate": _pem("CERTIFICATE", name)
    },
    "vault:pkiSecret/secretBackendRootCert:SecretBackendRootCert": lambda name, inputs: {
        "certificate": _pem("CERTIFICATE", name), "issuingCa": _pem("CERTIFICATE", name)
    },
    "vault:pkiSecret/secretBackendIntermediateCertRequest:SecretBackendIntermediateCertRequest": lambda name, inputs: {
        "csr": _pem("CERTIFICATE REQUEST", name)
    },
    "vault:pkiSecret/secretBackendRootSignIntermediate:SecretBackendRootSignIntermediate": lambda name, inputs: {
        "certificate": _pem("CERTIFICATE", name), "issuingCa": _pem("CERTIFICATE", name)
    },
}
CALLS: dict[str, Any] = {}

"""Mock answers for kubernetes resource types and invokes (offline plan only; never used by the program).

LoadBalancer Services get an address in status.loadBalancer.ingress (what a cloud controller would
write: a DNS name for AWS NLBs, an IP elsewhere); the router's managed Redis gets the endpoints its cloud service would report."""

from __future__ import annotations

import hashlib
from typing import Any


def _ip(name: str) -> str:
    h = hashlib.sha256(name.encode()).digest()
    return f"10.{h[0]}.{h[1]}.{max(h[2], 1)}"


def _service(name: str, inputs: dict[str, Any]) -> dict[str, Any]:
    spec = inputs.get("spec") or {}
    if spec.get("type") != "LoadBalancer":
        return {}
    annotations = (inputs.get("metadata") or {}).get("annotations") or {}
    if any(k.startswith("service.beta.kubernetes.io/aws-load-balancer-") for k in annotations):
        # The AWS Load Balancer Controller reports an NLB by its DNS name, never by an IP.
        scheme = (
            "internal-"
            if annotations.get("service.beta.kubernetes.io/aws-load-balancer-scheme") == "internal"
            else ""
        )
        h = hashlib.sha256(name.encode()).hexdigest()
        return {
            "status": {
                "loadBalancer": {
                    "ingress": [{"hostname": f"{scheme}k8s-{h[:8]}-{h[8:18]}.elb.amazonaws.com"}]
                }
            }
        }
    ip = spec.get("loadBalancerIP") or _ip(name)
    return {"status": {"loadBalancer": {"ingress": [{"ip": ip}]}}}


OUTPUTS: dict[str, Any] = {
    "kubernetes:core/v1:Service": _service,
    "aws:elasticache/replicationGroup:ReplicationGroup": lambda name, _i: {
        "primaryEndpointAddress": f"master.{name}.mock.cache.amazonaws.com"
    },
    "gcp:redis/instance:Instance": lambda name, _i: {"host": _ip(name), "authString": "offline-plan-auth"},
    "azure-native:cache:Redis": lambda name, _i: {"hostName": f"{name}.redis.cache.windows.net"},
    "azure-native:redis:Redis": lambda name, _i: {"hostName": f"{name}.redis.cache.windows.net"},  # azure-native 3
}
CALLS: dict[str, Any] = {
    "azure-native:cache:listRedisKeys": lambda _a: {
        "primaryKey": "offline-plan-key",
        "secondaryKey": "offline-plan-key2",
    },
    "azure-native:redis:listRedisKeys": lambda _a: {  # azure-native 3
        "primaryKey": "offline-plan-key",
        "secondaryKey": "offline-plan-key2",
    },
}

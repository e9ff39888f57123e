"""Mock answers for AWS resource types and invokes (offline plan only; never used by the program).

Values are deterministic (derived from the resource name) and shaped like the real provider's, so
the program's graph (outputs feeding inputs: endpoint, CA, OIDC issuer, bucket names) is the same as
in a real deploy."""

from __future__ import annotations

import base64
import hashlib
from typing import Any

_AZ_LETTERS = "abcdef"


def _hex(name: str, n: int = 32) -> str:
    return hashlib.sha256(name.encode()).hexdigest()[:n]


def _azs(args: dict[str, Any]) -> dict[str, Any]:
    # The provider answers for its own region; the program passes a `region-name` filter, so the mock
    # can answer with real-looking names. Three standard AZs, as most regions have at least.
    region = "mock-region-1"
    for f in args.get("filters") or []:
        if f.get("name") == "region-name" and f.get("values"):
            region = f["values"][0]
    names = [f"{region}{letter}" for letter in _AZ_LETTERS[:3]]
    return {"names": names, "zoneIds": [f"mock-az{i + 1}" for i in range(3)], "id": region, "groupNames": [region]}


def _caller(args: dict[str, Any]) -> dict[str, Any]:
    return {"accountId": "123456789012", "arn": "arn:aws:iam::123456789012:user/meridian", "userId": "AIDA", "id": "123456789012"}


def _eks_cluster(name: str, inputs: dict[str, Any]) -> dict[str, Any]:
    h = _hex(name).upper()
    ca = base64.b64encode(f"-----BEGIN CERTIFICATE-----\nmock-ca-{name}\n-----END CERTIFICATE-----\n".encode()).decode()
    return {
        "endpoint": f"https://{h}.gr7.mock.eks.amazonaws.com",
        "certificateAuthority": {"data": ca},
        "identities": [{"oidcs": [{"issuer": f"https://oidc.eks.mock.amazonaws.com/id/{h}"}]}],
        "status": "ACTIVE",
        "platformVersion": "eks.1",
        "clusterId": _hex(name, 36),
        "vpcConfig": {"clusterSecurityGroupId": f"sg-{_hex('sg/' + name, 17)}"},
    }


def _kms_key(name: str, inputs: dict[str, Any]) -> dict[str, Any]:
    h = _hex(name)
    return {"keyId": f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:32]}"}


def _bucket(name: str, inputs: dict[str, Any]) -> dict[str, Any]:
    # Pulumi auto-names buckets: the resource name plus a random suffix.
    bucket = inputs.get("bucket") or f"{name}-{_hex(name, 7)}"
    return {"bucket": bucket, "bucketDomainName": f"{bucket}.s3.amazonaws.com"}


def _role(name: str, inputs: dict[str, Any]) -> dict[str, Any]:
    return {"name": inputs.get("name") or f"{name}-{_hex(name, 7)}"}


def _node_group(name: str, inputs: dict[str, Any]) -> dict[str, Any]:
    return {"status": "ACTIVE"}


OUTPUTS: dict[str, Any] = {
    "aws:eks/cluster:Cluster": _eks_cluster,
    "aws:kms/key:Key": _kms_key,
    "aws:s3/bucketV2:BucketV2": _bucket,
    "aws:s3/bucket:Bucket": _bucket,  # pulumi-aws 7: the V2 shape under the old name
    "aws:iam/role:Role": _role,
    "aws:eks/nodeGroup:NodeGroup": _node_group,
    "aws:route53/zone:Zone": lambda name, _i: {"zoneId": "Z" + _hex(name, 20).upper()},
}
CALLS: dict[str, Any] = {
    "aws:index/getAvailabilityZones:getAvailabilityZones": _azs,
    "aws:index/getCallerIdentity:getCallerIdentity": _caller,
}

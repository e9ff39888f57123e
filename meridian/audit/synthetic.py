"""A large synthetic stack export (for the audit test and benchmarks/audit_bench.py): many regional
lakes across the three clouds with keys, companions, replicas and Cloudflare hostnames."""

from __future__ import annotations

import json
from typing import Any

_TLS = json.dumps({"Statement": [{"Effect": "Deny", "Principal": "*", "Action": "s3:*",
                                  "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]})
_PLACES = [("aws", "eu-west-1", "eu"), ("aws", "us-east-1", "us"), ("gcp", "europe-west1", "eu"),
           ("gcp", "us-central1", "us"), ("azure", "westeurope", "eu"), ("azure", "eastus", "us")]


def synthetic_export(n_resources: int = 10_000, stack: str = "prod") -> dict[str, Any]:
    def urn(t: str, n: str) -> str:
        return f"urn:pulumi:{stack}::synthetic::{t}::{n}"

    res: list[dict[str, Any]] = []

    def add(t: str, n: str, props: dict[str, Any], prov: str | None = None, protect: bool = False,
            rid: str | None = None) -> None:
        r: dict[str, Any] = {"urn": urn(t, n), "custom": True, "id": rid or n, "type": t,
                             "inputs": props, "outputs": props}
        if prov:
            r["provider"] = prov
        if protect:
            r["protect"] = True
        res.append(r)

    provs: dict[str, str] = {}
    for cloud, region, _ in _PLACES:
        pkg = {"aws": "aws", "gcp": "gcp", "azure": "azure-native"}[cloud]
        name = f"{cloud}-{region}"
        add(f"pulumi:providers:{pkg}", name, {"region": region} if cloud == "aws" else {}, rid="0")
        provs[name] = f"{urn(f'pulumi:providers:{pkg}', name)}::0"
    i = 0
    while len(res) < n_resources:
        cloud, region, j = _PLACES[i % len(_PLACES)]
        prov = provs[f"{cloud}-{region}"]
        tags = {"data-class": "pii" if i % 2 else "internal", "jurisdiction": j, "environment": stack}
        n = f"lake{i}"
        if cloud == "aws":
            arn = f"arn:aws:kms:{region}:111122223333:key/k{i}"
            add("aws:kms/key:Key", f"{n}-key", {"arn": arn, "tags": tags}, prov, True)
            add("aws:s3/bucketV2:BucketV2", n, {"bucket": n, "tags": tags, "arn": f"arn:aws:s3:::{n}"}, prov, True)
            add("aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2",
                f"{n}-sse", {"bucket": n, "rules": [{"applyServerSideEncryptionByDefault": {
                    "sseAlgorithm": "aws:kms", "kmsMasterKeyId": arn}}]}, prov)
            add("aws:s3/bucketVersioningV2:BucketVersioningV2", f"{n}-ver",
                {"bucket": n, "versioningConfiguration": {"status": "Enabled"}}, prov)
            add("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", f"{n}-pab",
                {"bucket": n, "blockPublicAcls": True, "blockPublicPolicy": True, "ignorePublicAcls": True,
                 "restrictPublicBuckets": True}, prov)
            add("aws:s3/bucketPolicy:BucketPolicy", f"{n}-tls", {"bucket": n, "policy": _TLS}, prov)
            add("aws:rds/instance:Instance", f"{n}-db", {"identifier": f"{n}-db", "tags": tags, "kmsKeyId": arn,
                                                         "storageEncrypted": True, "publiclyAccessible": False}, prov, True)
        elif cloud == "gcp":
            key = f"projects/p/locations/{region}/keyRings/r{i}/cryptoKeys/k"
            add("gcp:kms/cryptoKey:CryptoKey", f"{n}-key", {"name": "k", "keyRing": key.rsplit("/cryptoKeys", 1)[0],
                                                           "labels": tags}, prov, True, rid=key)
            add("gcp:storage/bucket:Bucket", n, {"name": n, "location": region.upper(), "labels": tags,
                                                  "publicAccessPrevention": "enforced",
                                                  "versioning": {"enabled": True},
                                                  "encryption": {"defaultKmsKeyName": key}}, prov, True)
            add("gcp:bigquery/dataset:Dataset", f"{n}-ds", {"datasetId": f"{n}_ds", "location": region, "labels": tags,
                                                          "defaultEncryptionConfiguration": {"kmsKeyName": key}},
                prov, True)
        else:
            vault = f"v{i}"
            add("azure-native:keyvault:Vault", vault, {"vaultName": vault, "location": region, "tags": tags,
                                                       "properties": {"enableRbacAuthorization": True}}, prov, True)
            add("azure-native:keyvault:Key", f"{n}-key", {"keyName": "k", "vaultName": vault, "tags": tags}, prov, True)
            add("azure-native:storage:StorageAccount", n, {
                "accountName": n, "location": region, "sku": {"name": "Standard_GRS"}, "tags": tags,
                "minimumTlsVersion": "TLS1_2", "allowBlobPublicAccess": False, "enableHttpsTrafficOnly": True,
                "encryption": {"keySource": "Microsoft.Keyvault",
                               "keyVaultProperties": {"keyVaultUri": f"https://{vault}.vault.azure.net/", "keyName": "k"}}},
                prov, True)
            add("azure-native:storage:BlobServiceProperties", f"{n}-blob", {"accountName": n, "isVersioningEnabled": True}, prov)
            add("azure-native:documentdb:DatabaseAccount", f"{n}-cosmos", {
                "accountName": f"{n}-cosmos", "location": region, "tags": tags, "locations": [{"locationName": region}],
                "keyVaultKeyUri": f"https://{vault}.vault.azure.net/keys/k", "publicNetworkAccess": "Disabled",
                "minimalTlsVersion": "Tls12", "backupPolicy": {"type": "Continuous"}}, prov, True)
        i += 1
    # a few residency-bound hostnames over per-region pools
    for cloud, region, _ in _PLACES:
        add("cloudflare:index/loadBalancerPool:LoadBalancerPool", f"pool-{cloud}-{region}", {
            "name": f"pool-{cloud}-{region}", "description": f"meridian:cloud={cloud};region={region};cluster=c"},
            rid=f"pid-{cloud}-{region}")
    for j in ("eu", "us"):
        pools = [f"pid-{c}-{r}" for c, r, jj in _PLACES if jj == j]
        add("cloudflare:index/regionalHostname:RegionalHostname", f"lb-{j}-regional", {
            "hostname": f"{j}.api.example.com", "regionKey": j})
        add("cloudflare:index/loadBalancer:LoadBalancer", f"lb-{j}", {
            "name": f"{j}.api.example.com", "description": f"meridian:hostname={j}.api.example.com;jurisdiction={j}",
            "defaultPoolIds": pools, "fallbackPoolId": pools[0]})
    return {"version": 3, "deployment": {"manifest": {"version": "synthetic"}, "resources": res}}

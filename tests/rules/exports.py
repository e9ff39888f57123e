"""Hand-written `pulumi stack export` documents, shaped like the state of a program that is NOT
Meridian (project "acme-lake", its own names), using the real provider type tokens.

Fixture-factory style: each builder returns one fully compliant stack; a test changes exactly one
field (`edit`) or removes one resource (`drop`) and asserts the one violation it causes."""

from __future__ import annotations

import copy
import json
from typing import Any

from meridian.policy_runner import evaluate
from meridian.rules import PackConfig, Violation

PROJECT = "acme-lake"
SECRET_SIG = "4dabf18193072939515e22adb298388d"


def urn(typ: str, name: str, stack: str = "prod") -> str:
    return f"urn:pulumi:{stack}::{PROJECT}::{typ}::{name}"


def resource(typ: str, name: str, inputs: dict[str, Any], outputs: dict[str, Any] | None = None, *,
             rid: str | None = None, provider: str | None = None, protect: bool = False,
             retain: bool = False, stack: str = "prod", deps: dict[str, list[str]] | None = None) -> dict[str, Any]:
    r: dict[str, Any] = {
        "urn": urn(typ, name, stack), "custom": True, "id": rid or f"{name}-id", "type": typ,
        "inputs": inputs, "outputs": {**inputs, **(outputs or {})},
    }
    if provider:
        r["provider"] = provider
    if protect:
        r["protect"] = True
    if retain:
        r["retainOnDelete"] = True
    if deps:
        r["propertyDependencies"] = deps
        r["dependencies"] = sorted({u for v in deps.values() for u in v})
    return r


def provider(pkg: str, name: str, region: str | None = None, stack: str = "prod") -> tuple[dict[str, Any], str]:
    typ = f"pulumi:providers:{pkg}"
    inputs = {"region": region} if region else {}
    r = {"urn": urn(typ, name, stack), "custom": True, "id": f"{name}-0000", "type": typ,
         "inputs": inputs, "outputs": dict(inputs)}
    return r, f"{r['urn']}::{r['id']}"


def document(resources: list[dict[str, Any]], stack: str = "prod") -> dict[str, Any]:
    stack_res = {"urn": urn("pulumi:pulumi:Stack", f"{PROJECT}-{stack}", stack), "custom": False,
                 "type": "pulumi:pulumi:Stack", "outputs": {"secretThing": {SECRET_SIG: "1b47061264138c4ac30d75fd1eb44270",
                                                                             "ciphertext": "AAAA"}}}
    return link({"version": 3, "deployment": {"manifest": {"time": "2026-01-01T00:00:00Z", "magic": "x",
                                                           "version": "v3.140.0"},
                                              "secrets_providers": {"type": "service"},
                                              "resources": [stack_res, *resources]}})


def _strings(value: Any) -> set[str]:
    if isinstance(value, str):
        return {value}
    if isinstance(value, dict):
        return set().union(*(_strings(v) for v in value.values())) if value else set()
    if isinstance(value, list):
        return set().union(*(_strings(v) for v in value)) if value else set()
    return set()


def link(doc: dict[str, Any]) -> dict[str, Any]:
    """Record propertyDependencies the way the engine does when a program passes one resource's
    id/arn output into another's input (the policy pack sees references only through these)."""
    resources = doc["deployment"]["resources"]
    refs: dict[str, str] = {}
    for r in resources:
        if r.get("custom") and not r["type"].startswith("pulumi:providers:"):
            for v in (r.get("id"), (r.get("outputs") or {}).get("arn")):
                if isinstance(v, str):
                    refs[v] = r["urn"]
    for r in resources:
        pdeps = r.setdefault("propertyDependencies", {})
        for key, value in (r.get("inputs") or {}).items():
            found = sorted({refs[s] for s in _strings(value) if s in refs and refs[s] != r["urn"]})
            if found:
                pdeps[key] = sorted(set(pdeps.get(key, [])) | set(found))
        if not pdeps:
            r.pop("propertyDependencies")
            r.pop("dependencies", None)
        else:
            r["dependencies"] = sorted({u for v in pdeps.values() for u in v})
    return doc


def tags(dc: str = "pii", j: str = "eu", env: str = "prod", **extra: str) -> dict[str, str]:
    return {"data-class": dc, "jurisdiction": j, "environment": env, "owner": "acme", **extra}


TLS_POLICY = json.dumps({"Version": "2012-10-17", "Statement": [{
    "Sid": "DenyInsecure", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
    "Resource": ["arn:aws:s3:::x", "arn:aws:s3:::x/*"], "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]})


def s3_bucket(name: str, prov: str, dc: str = "pii", j: str = "eu", key_arn: str | None = None,
              region: str = "eu-west-1") -> list[dict[str, Any]]:
    """A compliant BucketV2 and its companions (SSE, versioning, public access block, TLS policy)."""
    sse = {"sseAlgorithm": "aws:kms", "kmsMasterKeyId": key_arn} if key_arn else {"sseAlgorithm": "AES256"}
    return [
        resource("aws:s3/bucketV2:BucketV2", name, {"bucket": name, "tags": tags(dc, j)},
                 {"arn": f"arn:aws:s3:::{name}", "region": region, "tagsAll": tags(dc, j)},
                 rid=name, provider=prov, protect=True, retain=True),
        resource("aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2",
                 f"{name}-sse", {"bucket": name, "rules": [{"applyServerSideEncryptionByDefault": sse}]}, provider=prov),
        resource("aws:s3/bucketVersioningV2:BucketVersioningV2", f"{name}-versioning",
                 {"bucket": name, "versioningConfiguration": {"status": "Enabled"}}, provider=prov),
        resource("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", f"{name}-pab",
                 {"bucket": name, "blockPublicAcls": True, "blockPublicPolicy": True,
                  "ignorePublicAcls": True, "restrictPublicBuckets": True}, provider=prov),
        resource("aws:s3/bucketPolicy:BucketPolicy", f"{name}-tls", {"bucket": name, "policy": TLS_POLICY}, provider=prov),
    ]


def kms_key(name: str, prov: str, region: str, j: str = "eu") -> tuple[dict[str, Any], str]:
    arn = f"arn:aws:kms:{region}:111122223333:key/{name}-0001"
    return resource("aws:kms/key:Key", name, {"description": name, "enableKeyRotation": True, "tags": tags("pii", j)},
                    {"arn": arn, "keyId": f"{name}-0001", "tagsAll": tags("pii", j)},
                    rid=f"{name}-0001", provider=prov, protect=True), arn


def aws_stack() -> dict[str, Any]:
    """A pii lake in eu-west-1 with a CMK, replicated to eu-central-1, access logs and backups in the EU."""
    p_ie, ie = provider("aws", "ireland", "eu-west-1")
    p_de, de = provider("aws", "frankfurt", "eu-central-1")
    key, key_arn = kms_key("lake-key", ie, "eu-west-1")
    rkey, rkey_arn = kms_key("replica-key", de, "eu-central-1")
    res = [p_ie, p_de, key, rkey]
    res += s3_bucket("acme-lake", ie, key_arn=key_arn)
    res += s3_bucket("acme-lake-replica", de, key_arn=rkey_arn, region="eu-central-1")
    res += s3_bucket("acme-lake-logs", ie, dc="internal")
    res += [
        resource("aws:s3/bucketLoggingV2:BucketLoggingV2", "acme-lake-logging",
                 {"bucket": "acme-lake", "targetBucket": "acme-lake-logs", "targetPrefix": "s3/"}, provider=ie),
        resource("aws:s3/bucketReplicationConfig:BucketReplicationConfig", "acme-lake-replication",
                 {"bucket": "acme-lake", "role": "arn:aws:iam::111122223333:role/repl", "rules": [{
                     "id": "all", "status": "Enabled",
                     "destination": {"bucket": "arn:aws:s3:::acme-lake-replica", "storageClass": "STANDARD",
                                     "encryptionConfiguration": {"replicaKmsKeyId": rkey_arn}}}]}, provider=ie),
        resource("aws:backup/vault:Vault", "eu-vault", {"name": "eu-vault", "kmsKeyArn": key_arn, "tags": tags()},
                 {"arn": "arn:aws:backup:eu-west-1:111122223333:backup-vault:eu-vault", "tagsAll": tags()},
                 provider=ie, protect=True),
        resource("aws:backup/plan:Plan", "daily", {"name": "daily", "rules": [{
            "ruleName": "daily", "targetVaultName": "eu-vault", "schedule": "cron(0 3 * * ? *)",
            "copyActions": [{"destinationVaultArn": "arn:aws:backup:eu-central-1:111122223333:backup-vault:dr"}]}]},
            rid="plan-0001", provider=ie),
        resource("aws:backup/selection:Selection", "lake-selection",
                 {"name": "lake", "planId": "plan-0001", "iamRoleArn": "arn:aws:iam::111122223333:role/backup",
                  "resources": ["arn:aws:s3:::acme-lake"]}, provider=ie),
    ]
    return document(res)


def gcp_stack() -> dict[str, Any]:
    """A pii GCS bucket in europe-west1 with a Cloud KMS key in the same location and an EU log bucket."""
    _, gp = provider("gcp", "gcp")
    ring_id = "projects/acme/locations/europe-west1/keyRings/lake"
    key_id = f"{ring_id}/cryptoKeys/lake"

    def bucket(name: str, extra: dict[str, Any]) -> dict[str, Any]:
        return resource("gcp:storage/bucket:Bucket", name, {
            "name": name, "location": "EUROPE-WEST1", "labels": tags(), "uniformBucketLevelAccess": True,
            "publicAccessPrevention": "enforced", "versioning": {"enabled": True}, **extra},
            {"selfLink": f"https://www.googleapis.com/storage/v1/b/{name}", "effectiveLabels": tags()},
            rid=name, provider=gp, protect=True)

    res = [
        provider("gcp", "gcp")[0],
        resource("gcp:kms/keyRing:KeyRing", "lake-ring", {"name": "lake", "location": "europe-west1"}, rid=ring_id,
                 provider=gp, protect=True),
        resource("gcp:kms/cryptoKey:CryptoKey", "lake-key", {"name": "lake", "keyRing": ring_id, "labels": tags()},
                 rid=key_id, provider=gp, protect=True),
        bucket("acme-gcs-lake", {"encryption": {"defaultKmsKeyName": key_id}, "logging": {"logBucket": "acme-gcs-logs"}}),
        bucket("acme-gcs-logs", {"encryption": {"defaultKmsKeyName": key_id}}),
    ]
    return document(res)


def azure_stack() -> dict[str, Any]:
    """A pii storage account in westeurope, GRS (pair: northeurope), CMK from a westeurope Key Vault."""
    _, ap = provider("azure-native", "azure")
    res = [
        provider("azure-native", "azure")[0],
        resource("azure-native:resources:ResourceGroup", "rg", {"resourceGroupName": "acme-rg", "location": "westeurope"},
                 provider=ap),
        resource("azure-native:keyvault:Vault", "vault", {"vaultName": "acmevault", "resourceGroupName": "acme-rg",
                 "location": "westeurope", "properties": {"sku": {"name": "premium", "family": "A"},
                                                           "networkAcls": {"defaultAction": "Deny", "bypass": "AzureServices"}},
                 "tags": tags()}, provider=ap, protect=True),
        resource("azure-native:keyvault:Key", "lake-key", {"keyName": "lake", "vaultName": "acmevault",
                 "resourceGroupName": "acme-rg", "properties": {"kty": "RSA"}, "tags": tags()},
                 {"keyUri": "https://acmevault.vault.azure.net/keys/lake"}, provider=ap, protect=True),
        resource("azure-native:storage:StorageAccount", "lake", {
            "accountName": "acmelake", "resourceGroupName": "acme-rg", "location": "westeurope",
            "kind": "StorageV2", "sku": {"name": "Standard_GRS"}, "isHnsEnabled": True, "tags": tags(),
            "enableHttpsTrafficOnly": True, "minimumTlsVersion": "TLS1_2", "allowBlobPublicAccess": False,
            "encryption": {"keySource": "Microsoft.Keyvault", "keyVaultProperties": {
                "keyVaultUri": "https://acmevault.vault.azure.net/", "keyName": "lake"},
                "services": {"blob": {"enabled": True}}}}, provider=ap, protect=True,
            rid="/subscriptions/s/resourceGroups/acme-rg/providers/Microsoft.Storage/storageAccounts/acmelake"),
        resource("azure-native:storage:StorageAccount", "logs", {
            "accountName": "acmelogs", "resourceGroupName": "acme-rg", "location": "northeurope",
            "kind": "StorageV2", "sku": {"name": "Standard_LRS"}, "tags": tags("internal"),
            "minimumTlsVersion": "TLS1_2", "allowBlobPublicAccess": False}, provider=ap, protect=True,
            rid="/subscriptions/s/resourceGroups/acme-rg/providers/Microsoft.Storage/storageAccounts/acmelogs"),
        resource("azure-native:storage:BlobServiceProperties", "logs-blob", {
            "accountName": "acmelogs", "resourceGroupName": "acme-rg", "blobServicesName": "default",
            "isVersioningEnabled": True}, provider=ap),
        resource("azure-native:insights:DiagnosticSetting", "lake-access-logs", {
            "name": "lake-access-logs",
            "resourceUri": "/subscriptions/s/resourceGroups/acme-rg/providers/Microsoft.Storage/storageAccounts/acmelake"
                           "/blobServices/default",
            "storageAccountId": "/subscriptions/s/resourceGroups/acme-rg/providers/Microsoft.Storage/storageAccounts/acmelogs",
            "logs": [{"category": "StorageRead", "enabled": True}]}, provider=ap),
        resource("azure-native:storage:BlobServiceProperties", "lake-blob", {
            "accountName": "acmelake", "resourceGroupName": "acme-rg", "blobServicesName": "default",
            "isVersioningEnabled": True}, provider=ap),
    ]
    return document(res)


def cloudflare_stack() -> dict[str, Any]:
    """A hostname bound to the EU steering to two EU pools, with an EU fallback; per-country pools for DE."""
    _, cp = provider("cloudflare", "cloudflare")

    def pool(name: str, cloud: str, region: str) -> dict[str, Any]:
        return resource("cloudflare:index/loadBalancerPool:LoadBalancerPool", name, {
            "accountId": "acc", "name": name,
            "description": f"meridian:cloud={cloud};region={region};cluster={name}",
            "origins": [{"name": "ingress", "address": f"{name}.origin.example.com", "enabled": True}]},
            rid=f"pool-{name}", provider=cp)

    res = [
        provider("cloudflare", "cloudflare")[0],
        pool("aws-euw1", "aws", "eu-west-1"),
        pool("gcp-euw1", "gcp", "europe-west1"),
        pool("azure-weu", "azure", "westeurope"),
        pool("aws-use1", "aws", "us-east-1"),
        resource("cloudflare:index/loadBalancer:LoadBalancer", "eu-api", {
            "zoneId": "zone", "name": "eu.api.acme.example",
            "description": "meridian:hostname=eu.api.acme.example;jurisdiction=eu",
            "defaultPoolIds": ["pool-aws-euw1", "pool-gcp-euw1"], "fallbackPoolId": "pool-azure-weu",
            "steeringPolicy": "geo", "countryPools": [{"country": "DE", "poolIds": ["pool-gcp-euw1"]}],
            "regionPools": [{"region": "WEU", "poolIds": ["pool-aws-euw1"]}]}, provider=cp),
        resource("cloudflare:index/regionalHostname:RegionalHostname", "eu-api-regional", {
            "zoneId": "zone", "hostname": "eu.api.acme.example", "regionKey": "eu"}, provider=cp),
        resource("cloudflare:index/loadBalancer:LoadBalancer", "global-api", {
            "zoneId": "zone", "name": "api.acme.example",
            "description": "meridian:hostname=api.acme.example;jurisdiction=none",
            "defaultPoolIds": ["pool-aws-use1", "pool-aws-euw1"], "fallbackPoolId": "pool-aws-use1"}, provider=cp),
    ]
    return document(res)


# --- editing ---------------------------------------------------------------------------------------
def find(doc: dict[str, Any], name: str) -> dict[str, Any]:
    for r in doc["deployment"]["resources"]:
        if r["urn"].endswith(f"::{name}"):
            return r
    raise KeyError(name)


def edit(doc: dict[str, Any], name: str, path: str, value: Any) -> dict[str, Any]:
    """Set inputs and outputs at a dotted path ("sku.name", "rules.0.destination.bucket") in a copy.
    value=DELETE removes the key. Paths starting with '@' set a top-level field (e.g. "@protect")."""
    doc = copy.deepcopy(doc)
    r = find(doc, name)
    if path.startswith("@"):
        if value is DELETE:
            r.pop(path[1:], None)
        else:
            r[path[1:]] = value
        return doc
    (r.get("propertyDependencies") or {}).pop(path.split(".")[0], None)
    for side in ("inputs", "outputs"):
        cur: Any = r.setdefault(side, {})
        steps = path.split(".")
        for s in steps[:-1]:
            cur = cur[int(s)] if isinstance(cur, list) else cur.setdefault(s, {})
        last = steps[-1]
        if value is DELETE:
            if isinstance(cur, dict):
                cur.pop(last, None)
        elif isinstance(cur, list):
            cur[int(last)] = copy.deepcopy(value)
        else:
            cur[last] = copy.deepcopy(value)
    return link(doc)


def drop(doc: dict[str, Any], name: str) -> dict[str, Any]:
    doc = copy.deepcopy(doc)
    doc["deployment"]["resources"] = [r for r in doc["deployment"]["resources"] if not r["urn"].endswith(f"::{name}")]
    return doc


def add(doc: dict[str, Any], *resources: dict[str, Any]) -> dict[str, Any]:
    doc = copy.deepcopy(doc)
    doc["deployment"]["resources"].extend(copy.deepcopy(resources))
    return link(doc)


DELETE = object()


# --- assertions ------------------------------------------------------------------------------------
def violations(doc: dict[str, Any], config: PackConfig | None = None) -> list[Violation]:
    return evaluate(doc, config)


def assert_no_violations(doc: dict[str, Any], config: PackConfig | None = None) -> None:
    found = violations(doc, config)
    assert not found, "\n".join(f"{v.rule} {v.urn}: {v.message}" for v in found)


def assert_has_violation(doc: dict[str, Any], rule: str, name: str, contains: str = "",
                         config: PackConfig | None = None) -> Violation:
    """Exactly one violation, of `rule`, on the resource called `name`, mentioning `contains`."""
    found = violations(doc, config)
    desc = "\n".join(f"{v.rule} {v.urn}: {v.message}" for v in found)
    assert len(found) == 1, f"expected one {rule} violation on {name}, got:\n{desc}"
    v = found[0]
    assert v.rule == rule and v.urn.endswith(f"::{name}"), desc
    assert contains in v.message, desc
    return v


def assert_violations(doc: dict[str, Any], expected: set[tuple[str, str]], config: PackConfig | None = None) -> None:
    """Exactly these (rule, resource name) violations - for changes that rightly break two rules."""
    found = violations(doc, config)
    got = {(v.rule, v.urn.rsplit("::", 1)[-1]) for v in found}
    assert got == expected, "\n".join(f"{v.rule} {v.urn}: {v.message}" for v in found)

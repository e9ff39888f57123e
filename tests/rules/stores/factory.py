"""Fixture factory for every registered store kind: one compliant EU pii store per kind, in stack
exports shaped like `pulumi stack export` (explicit provider resources, per-resource `region`
outputs where pulumi-aws v7 has them, tags and tagsAll, ids and ARNs, propertyDependencies), and
the one-field edits that break it.

`CASES[kind id]` is a Case: `build()` returns the compliant document, `store` names the resource
of that kind, and `breaks` lists (why, edit, the exact violations it must cause)."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from tests.rules.exports import DELETE, document, edit, kms_key, provider, resource, tags

Doc = dict[str, Any]
Edit = Callable[[Doc], Doc]

P_IE, IE = provider("aws", "ireland", "eu-west-1")
P_DE, DE = provider("aws", "frankfurt", "eu-central-1")
P_US, US = provider("aws", "virginia", "us-east-1")
P_GCP, GP = provider("gcp", "gcp")
P_AZ, AP = provider("azure-native", "azure")
ACCOUNT = "111122223333"
KEY, KEY_ARN = kms_key("eu-key", IE, "eu-west-1")
US_KEY_ARN = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/us-key-0001"
GCP_KEY = "projects/acme/locations/europe-west1/keyRings/lake/cryptoKeys/lake"
GCP_US_KEY = "projects/acme/locations/us-central1/keyRings/lake/cryptoKeys/lake"
AZ_VAULT_URI = "https://acmevault.vault.azure.net/"
AZ_KEY_URI = "https://acmevault.vault.azure.net/keys/lake"
RG_ID = "/subscriptions/s/resourceGroups/acme-rg"


def arm(provider_type: str, name: str) -> str:
    return f"{RG_ID}/providers/{provider_type}/{name}"


def aws(typ: str, name: str, inputs: dict[str, Any], outputs: dict[str, Any] | None = None, *, prov: str = IE,
        region: str | None = "eu-west-1", dc: str = "pii", j: str = "eu", tagged: bool = True,
        rid: str | None = None) -> dict[str, Any]:
    t = tags(dc, j)
    ins = {**inputs, **({"tags": t} if tagged else {})}
    outs = {"arn": f"arn:aws:{typ.split(':')[1].split('/')[0]}:{region or 'eu-west-1'}:{ACCOUNT}:{name}",
            **({"tagsAll": t} if tagged else {}), **({"region": region} if region else {}), **(outputs or {})}
    return resource(typ, name, ins, outs, rid=rid or name, provider=prov, protect=True)


def gcp(typ: str, name: str, inputs: dict[str, Any], outputs: dict[str, Any] | None = None, *,
        labels: bool = True, rid: str | None = None) -> dict[str, Any]:
    t = tags()
    ins = {"project": "acme", **inputs, **({"labels": t} if labels else {})}
    outs = {**({"effectiveLabels": t} if labels else {}), **(outputs or {})}
    return resource(typ, name, ins, outs, rid=rid or f"projects/acme/{name}", provider=GP, protect=True)


def azure(typ: str, name: str, inputs: dict[str, Any], outputs: dict[str, Any] | None = None, *,
          rid: str | None = None, tagged: bool = True) -> dict[str, Any]:
    ins = {"resourceGroupName": "acme-rg", **inputs, **({"tags": tags()} if tagged else {})}
    return resource(typ, name, ins, outputs, rid=rid or arm("Microsoft.X/things", name), provider=AP, protect=True)


def azure_base() -> list[dict[str, Any]]:
    return [
        P_AZ,
        resource("azure-native:resources:ResourceGroup", "rg", {"resourceGroupName": "acme-rg", "location": "westeurope"},
                 rid=RG_ID, provider=AP),
        azure("azure-native:keyvault:Vault", "vault", {"vaultName": "acmevault", "location": "westeurope", "properties": {
            "sku": {"name": "premium", "family": "A"}, "enableRbacAuthorization": True,
            "networkAcls": {"defaultAction": "Deny"}, "vaultUri": AZ_VAULT_URI}},
            rid=arm("Microsoft.KeyVault/vaults", "acmevault")),
    ]


@dataclass
class Case:
    store: str
    resources: Callable[[], list[dict[str, Any]]]
    breaks: list[tuple[str, Edit, set[tuple[str, str]]]] = field(default_factory=list)

    def build(self) -> Doc:
        return document(self.resources())


def e(name: str, path: str, value: Any) -> Edit:
    return lambda d: edit(d, name, path, value)


def chain(*edits: Edit) -> Edit:
    def run(d: Doc) -> Doc:
        for ed in edits:
            d = ed(d)
        return d

    return run


def move_aws(name: str, prov: str = US, region: str = "us-east-1") -> Edit:
    return chain(e(name, "@provider", prov), e(name, "region", region))


def loc(name: str) -> set[tuple[str, str]]:
    return {("residency-location", name)}


def repl(name: str) -> set[tuple[str, str]]:
    return {("residency-replication", name)}


def key(name: str) -> set[tuple[str, str]]:
    return {("residency-customer-key", name)}


CASES: dict[str, Case] = {}

# ------------------------------------------------------------------------------------------- AWS
CASES["aws-rds-instance"] = Case("orders-db", lambda: [P_IE, P_DE, P_US, KEY,
    aws("aws:rds/instance:Instance", "orders-db", {"identifier": "orders-db", "engine": "postgres",
        "instanceClass": "db.r6g.large", "storageEncrypted": True, "kmsKeyId": KEY_ARN, "publiclyAccessible": False}),
    aws("aws:rds/instance:Instance", "orders-db-replica", {"identifier": "orders-db-replica",
        "replicateSourceDb": "arn:aws:rds:eu-west-1:111122223333:orders-db", "storageEncrypted": True,
        "kmsKeyId": KEY_ARN, "publiclyAccessible": False}, prov=DE, region="eu-central-1"),
], [
    ("instance in us-east-1", move_aws("orders-db"), loc("orders-db")),
    ("read replica in us-east-1", move_aws("orders-db-replica"),
     repl("orders-db") | loc("orders-db-replica")),
    ("key in the US", e("orders-db", "kmsKeyId", US_KEY_ARN), key("orders-db")),
    ("public", e("orders-db", "publiclyAccessible", True), {("security-no-public-access", "orders-db")}),
    ("unencrypted", chain(e("orders-db", "storageEncrypted", False), e("orders-db", "kmsKeyId", DELETE)),
     {("security-encryption-at-rest", "orders-db"), ("residency-customer-key", "orders-db")}),
])
CASES["aws-rds-cluster"] = Case("aurora-eu", lambda: [P_IE, P_DE, P_US, KEY,
    aws("aws:rds/cluster:Cluster", "aurora-eu", {"clusterIdentifier": "aurora-eu", "engine": "aurora-postgresql",
        "storageEncrypted": True, "kmsKeyId": KEY_ARN, "globalClusterIdentifier": "orders-global"}),
    aws("aws:rds/cluster:Cluster", "aurora-de", {"clusterIdentifier": "aurora-de", "engine": "aurora-postgresql",
        "storageEncrypted": True, "kmsKeyId": KEY_ARN, "globalClusterIdentifier": "orders-global"},
        prov=DE, region="eu-central-1"),
    aws("aws:rds/globalCluster:GlobalCluster", "orders-global", {"globalClusterIdentifier": "orders-global",
        "engine": "aurora-postgresql", "storageEncrypted": True}),
], [
    ("global member in us-east-1", move_aws("aurora-de"),
     repl("aurora-eu") | loc("aurora-de") | loc("orders-global") | repl("orders-global")),
    ("cluster key in the US", e("aurora-eu", "kmsKeyId", US_KEY_ARN), key("aurora-eu")),
])
CASES["aws-rds-global-cluster"] = Case("orders-global", CASES["aws-rds-cluster"].resources, [
    ("no members in the stack", lambda d: edit(edit(d, "aurora-eu", "globalClusterIdentifier", DELETE), "aurora-de",
                                               "globalClusterIdentifier", DELETE), loc("orders-global")),
])
CASES["aws-dynamodb-table"] = Case("sessions", lambda: [P_IE, P_DE, P_US, KEY,
    aws("aws:dynamodb/table:Table", "sessions", {"name": "sessions", "hashKey": "id", "billingMode": "PAY_PER_REQUEST",
        "serverSideEncryption": {"enabled": True, "kmsKeyArn": KEY_ARN},
        "replicas": [{"regionName": "eu-central-1", "kmsKeyArn": KEY_ARN}]}),
    aws("aws:dynamodb/tableReplica:TableReplica", "sessions-paris", {"globalTableArn":
        "arn:aws:dynamodb:eu-west-1:111122223333:sessions", "kmsKeyArn": KEY_ARN}, prov=DE, region="eu-central-1"),
], [
    ("inline replica in us-west-2", e("sessions", "replicas", [{"regionName": "us-west-2"}]), repl("sessions")),
    ("TableReplica in us-east-1", move_aws("sessions-paris"), repl("sessions") | loc("sessions-paris")),
    ("untagged table", chain(e("sessions", "tags", DELETE), e("sessions", "tagsAll", DELETE)),
     {("residency-classification", "sessions")}),
])
CASES["aws-dynamodb-table-replica"] = Case("sessions-paris", CASES["aws-dynamodb-table"].resources, [
    ("replica key in the US", e("sessions-paris", "kmsKeyArn", US_KEY_ARN), key("sessions-paris")),
])
CASES["aws-elasticache-replication-group"] = Case("cache-eu", lambda: [P_IE, P_DE, P_US, KEY,
    aws("aws:elasticache/replicationGroup:ReplicationGroup", "cache-eu", {"replicationGroupId": "cache-eu",
        "description": "x", "atRestEncryptionEnabled": True, "kmsKeyId": KEY_ARN, "transitEncryptionEnabled": True,
        "logDeliveryConfigurations": [{"destinationType": "cloudwatch-logs", "destination": "cache-logs",
                                       "logFormat": "json", "logType": "slow-log"}]},
        {"globalReplicationGroupId": "ldgnf-cache"}),
    aws("aws:cloudwatch/logGroup:LogGroup", "cache-logs", {"name": "cache-logs", "kmsKeyId": KEY_ARN,
                                                           "retentionInDays": 365}),
    aws("aws:elasticache/globalReplicationGroup:GlobalReplicationGroup", "cache-global", {
        "globalReplicationGroupIdSuffix": "cache", "primaryReplicationGroupId": "cache-eu"},
        {"globalReplicationGroupId": "ldgnf-cache"}, tagged=False),
    aws("aws:elasticache/replicationGroup:ReplicationGroup", "cache-de", {"replicationGroupId": "cache-de",
        "description": "x", "atRestEncryptionEnabled": True, "kmsKeyId": KEY_ARN, "transitEncryptionEnabled": True,
        "globalReplicationGroupId": "ldgnf-cache"}, prov=DE, region="eu-central-1"),
], [
    ("secondary in us-east-1", move_aws("cache-de"),
     repl("cache-eu") | loc("cache-de") | loc("cache-global") | repl("cache-global")),
    ("plain-text", e("cache-eu", "transitEncryptionEnabled", False), {("security-tls-only", "cache-eu")}),
    ("logs to a US log group", move_aws("cache-logs"), loc("cache-logs") | {("residency-logs-backups", "cache-eu")}),
])
CASES["aws-elasticache-global-datastore"] = Case("cache-global", CASES["aws-elasticache-replication-group"].resources)
CASES["aws-elasticache-serverless"] = Case("sessions-cache", lambda: [P_IE, P_US, KEY,
    aws("aws:elasticache/serverlessCache:ServerlessCache", "sessions-cache", {"name": "sessions-cache",
        "engine": "valkey", "kmsKeyId": KEY_ARN}),
], [("in us-east-1", move_aws("sessions-cache"), loc("sessions-cache"))])
CASES["aws-ebs-volume"] = Case("data-vol", lambda: [P_IE, P_DE, P_US, KEY,
    aws("aws:ebs/volume:Volume", "data-vol", {"availabilityZone": "eu-west-1a", "size": 100, "encrypted": True,
        "kmsKeyId": KEY_ARN}, region=None, rid="vol-0001"),
    aws("aws:ebs/snapshot:Snapshot", "data-snap", {"volumeId": "vol-0001", "encrypted": True, "kmsKeyId": KEY_ARN},
        rid="snap-0001"),
    aws("aws:ebs/snapshotCopy:SnapshotCopy", "data-snap-de", {"sourceSnapshotId": "snap-0001",
        "sourceRegion": "eu-west-1", "encrypted": True, "kmsKeyId": KEY_ARN}, prov=DE, region="eu-central-1"),
], [
    ("volume in us-east-1a", e("data-vol", "availabilityZone", "us-east-1a"), loc("data-vol")),
    ("snapshot copied to the US", move_aws("data-snap-de"),
     repl("data-vol") | repl("data-snap") | loc("data-snap-de")),
    ("unencrypted", chain(e("data-vol", "encrypted", False), e("data-vol", "kmsKeyId", DELETE)),
     {("security-encryption-at-rest", "data-vol"), ("residency-customer-key", "data-vol")}),
])
CASES["aws-ebs-snapshot"] = Case("data-snap", CASES["aws-ebs-volume"].resources)
CASES["aws-ebs-snapshot-copy"] = Case("data-snap-de", CASES["aws-ebs-volume"].resources)
CASES["aws-efs-file-system"] = Case("shared-fs", lambda: [P_IE, P_DE, P_US, KEY,
    aws("aws:efs/fileSystem:FileSystem", "shared-fs", {"encrypted": True, "kmsKeyId": KEY_ARN}, rid="fs-0001"),
    resource("aws:efs/replicationConfiguration:ReplicationConfiguration", "shared-fs-replication", {
        "sourceFileSystemId": "fs-0001", "destination": {"region": "eu-central-1", "kmsKeyId": KEY_ARN}},
        provider=IE, protect=True),
], [
    ("replicated to us-east-1", e("shared-fs-replication", "destination.region", "us-east-1"), repl("shared-fs")),
    ("source not in the stack: the configuration reports its destination, and needs config classification",
     chain(e("shared-fs-replication", "sourceFileSystemId", "fs-elsewhere")),
     {("residency-classification", "shared-fs-replication")}),
])
CASES["aws-efs-replication"] = Case("shared-fs-replication", CASES["aws-efs-file-system"].resources)
CASES["aws-redshift-cluster"] = Case("warehouse", lambda: [P_IE, P_US, KEY,
    aws("aws:redshift/cluster:Cluster", "warehouse", {"clusterIdentifier": "warehouse", "nodeType": "ra3.xlplus",
        "encrypted": True, "kmsKeyId": KEY_ARN, "publiclyAccessible": False,
        "snapshotCopy": {"destinationRegion": "eu-central-1"}}),
], [
    ("snapshots copied to us-west-2", e("warehouse", "snapshotCopy.destinationRegion", "us-west-2"),
     repl("warehouse")),
    ("SnapshotCopy resource to us-east-1", lambda d: __import__("tests.rules.exports", fromlist=["x"]).add(d, resource(
        "aws:redshift/snapshotCopy:SnapshotCopy", "warehouse-copy", {"clusterIdentifier": "warehouse",
                                                                     "destinationRegion": "us-east-1"}, provider=IE)),
     repl("warehouse")),
    ("public", e("warehouse", "publiclyAccessible", True), {("security-no-public-access", "warehouse")}),
])
CASES["aws-opensearch-domain"] = Case("search", lambda: [P_IE, P_US, KEY,
    aws("aws:opensearch/domain:Domain", "search", {"domainName": "search", "encryptAtRest": {"enabled": True,
        "kmsKeyId": KEY_ARN}, "nodeToNodeEncryption": {"enabled": True},
        "domainEndpointOptions": {"enforceHttps": True, "tlsSecurityPolicy": "Policy-Min-TLS-1-2-2019-07"},
        "vpcOptions": {"subnetIds": ["subnet-1"]}, "logPublishingOptions": [{"logType": "AUDIT_LOGS",
            "cloudwatchLogGroupArn": "arn:aws:logs:eu-west-1:111122223333:log-group:search-audit"}]}),
], [
    ("in us-east-1", move_aws("search"), loc("search")),
    ("audit logs to a US log group", e("search", "logPublishingOptions.0.cloudwatchLogGroupArn",
                                       "arn:aws:logs:us-east-1:111122223333:log-group:x"),
     {("residency-logs-backups", "search")}),
    ("public endpoint", e("search", "vpcOptions", DELETE), {("security-no-public-access", "search")}),
])
CASES["aws-kinesis-stream"] = Case("events", lambda: [P_IE, P_US, KEY,
    aws("aws:kinesis/stream:Stream", "events", {"name": "events", "encryptionType": "KMS", "kmsKeyId": KEY_ARN}),
], [
    ("in us-east-1", move_aws("events"), loc("events")),
    ("not encrypted", chain(e("events", "encryptionType", "NONE")),
     {("security-encryption-at-rest", "events"), ("residency-customer-key", "events")}),
])
CASES["aws-sqs-queue"] = Case("jobs", lambda: [P_IE, P_US, KEY,
    aws("aws:sqs/queue:Queue", "jobs", {"name": "jobs", "kmsMasterKeyId": KEY_ARN, "policy": json.dumps({
        "Statement": [{"Effect": "Deny", "Principal": "*", "Action": "sqs:*",
                       "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]})}),
], [
    ("in us-east-1", move_aws("jobs"), loc("jobs")),
    ("no TLS-only policy", e("jobs", "policy", DELETE), {("security-tls-only", "jobs")}),
])
CASES["aws-msk-cluster"] = Case("kafka-eu", lambda: [P_IE, P_DE, P_US, KEY,
    aws("aws:msk/cluster:Cluster", "kafka-eu", {"clusterName": "kafka-eu", "kafkaVersion": "3.6.0",
        "encryptionInfo": {"encryptionAtRestKmsKeyArn": KEY_ARN, "encryptionInTransit": {"clientBroker": "TLS",
                                                                                         "inCluster": True}}},
        {"arn": "arn:aws:kafka:eu-west-1:111122223333:cluster/kafka-eu/1"}),
    aws("aws:msk/replicator:Replicator", "kafka-dr", {"replicatorName": "kafka-dr", "serviceExecutionRoleArn": "r",
        "kafkaClusters": [], "replicationInfoList": {
            "sourceKafkaClusterArn": "arn:aws:kafka:eu-west-1:111122223333:cluster/kafka-eu/1",
            "targetKafkaClusterArn": "arn:aws:kafka:eu-central-1:111122223333:cluster/kafka-de/1"}},
        prov=DE, region="eu-central-1"),
], [
    ("replicated to the US", e("kafka-dr", "replicationInfoList.targetKafkaClusterArn",
                               "arn:aws:kafka:us-east-1:111122223333:cluster/kafka-us/1"),
     repl("kafka-eu") | loc("kafka-dr")),
    ("plaintext clients", e("kafka-eu", "encryptionInfo.encryptionInTransit.clientBroker", "TLS_PLAINTEXT"),
     {("security-tls-only", "kafka-eu")}),
])
CASES["aws-msk-replicator"] = Case("kafka-dr", CASES["aws-msk-cluster"].resources)
CASES["aws-secretsmanager-secret"] = Case("db-password", lambda: [P_IE, P_US, KEY,
    aws("aws:secretsmanager/secret:Secret", "db-password", {"name": "db-password", "kmsKeyId": KEY_ARN,
        "replicas": [{"region": "eu-central-1", "kmsKeyId": KEY_ARN}]}),
], [("replica in us-east-1", e("db-password", "replicas", [{"region": "us-east-1"}]), repl("db-password"))])
CASES["aws-ecr-repository"] = Case("models", lambda: [P_IE, P_US, KEY,
    aws("aws:ecr/repository:Repository", "models", {"name": "models", "encryptionConfigurations": [
        {"encryptionType": "KMS", "kmsKey": KEY_ARN}]}),
    resource("aws:ecr/replicationConfiguration:ReplicationConfiguration", "registry-replication", {
        "replicationConfiguration": {"rules": [{"destinations": [{"region": "eu-central-1", "registryId": ACCOUNT}],
                                                "repositoryFilters": [{"filter": "mod", "filterType": "PREFIX_MATCH"}]}]}},
        {"region": "eu-west-1"}, provider=IE, protect=True),
], [
    ("registry replicates to us-east-1", e("registry-replication",
                                           "replicationConfiguration.rules.0.destinations.0.region", "us-east-1"),
     repl("models") | loc("registry-replication")),
])
CASES["aws-ecr-replication"] = Case("registry-replication", CASES["aws-ecr-repository"].resources)
CASES["aws-backup-vault"] = Case("eu-vault", lambda: [P_IE, P_US, KEY,
    aws("aws:backup/vault:Vault", "eu-vault", {"name": "eu-vault", "kmsKeyArn": KEY_ARN}),
], [("in us-east-1", move_aws("eu-vault"), loc("eu-vault"))])
CASES["aws-cloudwatch-log-group"] = Case("app-logs", lambda: [P_IE, P_US, KEY,
    aws("aws:cloudwatch/logGroup:LogGroup", "app-logs", {"name": "app-logs", "kmsKeyId": KEY_ARN,
                                                         "retentionInDays": 365}),
], [("in us-east-1", move_aws("app-logs"), loc("app-logs"))])
CASES["aws-amp-workspace"] = Case("router-metrics", lambda: [P_IE, P_US, KEY,
    aws("aws:amp/workspace:Workspace", "router-metrics", {"alias": "router-metrics", "kmsKeyArn": KEY_ARN}),
], [("in us-east-1", move_aws("router-metrics"), loc("router-metrics"))])
CASES["aws-kms-key"] = Case("mrk", lambda: [P_IE, P_DE, P_US,
    aws("aws:kms/key:Key", "mrk", {"description": "mrk", "multiRegion": True}, rid="mrk-0001"),
    aws("aws:kms/replicaKey:ReplicaKey", "mrk-de", {"primaryKeyArn": "arn:aws:kms:eu-west-1:111122223333:mrk"},
        prov=DE, region="eu-central-1"),
], [("replica key in us-east-1", move_aws("mrk-de"), repl("mrk") | loc("mrk-de"))])
CASES["aws-kms-replica-key"] = Case("mrk-de", CASES["aws-kms-key"].resources)
CASES["aws-s3-bucket"] = Case("acme-lake", lambda: __import__("tests.rules.exports", fromlist=["x"]).aws_stack()[
    "deployment"]["resources"][1:], [
    ("bucket in us-east-1", e("acme-lake", "region", "us-east-1"), loc("acme-lake")),
])

# ------------------------------------------------------------------------------------------- GCP
def gcp_base() -> list[dict[str, Any]]:
    return [P_GCP]


CASES["gcp-bigquery-dataset"] = Case("analytics", lambda: [*gcp_base(),
    gcp("gcp:bigquery/dataset:Dataset", "analytics", {"datasetId": "analytics", "location": "EU",
        "defaultEncryptionConfiguration": {"kmsKeyName": GCP_KEY}}),
], [
    ("dataset in the US multi-region", e("analytics", "location", "US"), loc("analytics") | repl("analytics")),
    ("no location (BigQuery's default is US)", e("analytics", "location", DELETE), loc("analytics") | repl("analytics")),
    ("CMEK in the US", e("analytics", "defaultEncryptionConfiguration.kmsKeyName", GCP_US_KEY), key("analytics")),
])
CASES["gcp-sql-instance"] = Case("orders-sql", lambda: [*gcp_base(),
    gcp("gcp:sql/databaseInstance:DatabaseInstance", "orders-sql", {"name": "orders-sql", "region": "europe-west1",
        "databaseVersion": "POSTGRES_16", "encryptionKeyName": GCP_KEY, "settings": {"tier": "db-custom-2-7680",
            "userLabels": tags(), "backupConfiguration": {"enabled": True, "location": "europe-west1"},
            "ipConfiguration": {"ipv4Enabled": False, "sslMode": "ENCRYPTED_ONLY"}}}, labels=False),
    gcp("gcp:sql/databaseInstance:DatabaseInstance", "orders-sql-replica", {"name": "orders-sql-replica",
        "region": "europe-west4", "masterInstanceName": "orders-sql", "encryptionKeyName":
        "projects/acme/locations/europe-west4/keyRings/lake/cryptoKeys/lake", "settings": {"tier": "db-custom-2-7680",
            "userLabels": tags(), "ipConfiguration": {"ipv4Enabled": False, "sslMode": "ENCRYPTED_ONLY"},
            "backupConfiguration": {"enabled": False}}}, labels=False),
], [
    ("replica in us-central1", e("orders-sql-replica", "region", "us-central1"),
     repl("orders-sql") | loc("orders-sql-replica")),
    ("backups to the default multi-region", e("orders-sql", "settings.backupConfiguration.location", DELETE),
     {("residency-logs-backups", "orders-sql")}),
    ("no TLS", e("orders-sql", "settings.ipConfiguration.sslMode", "ALLOW_UNENCRYPTED_AND_ENCRYPTED"),
     {("security-tls-only", "orders-sql")}),
    ("open to the internet", e("orders-sql", "settings.ipConfiguration.authorizedNetworks",
                               [{"name": "all", "value": "0.0.0.0/0"}]), {("security-no-public-access", "orders-sql")}),
])
CASES["gcp-spanner-instance"] = Case("ledger", lambda: [*gcp_base(),
    gcp("gcp:spanner/instance:Instance", "ledger", {"name": "ledger", "config": "eur3", "displayName": "ledger"}),
], [
    ("nam-eur-asia1 (members not in the catalog)", e("ledger", "config", "nam-eur-asia1"), loc("ledger")),
    ("eur5 spans London", e("ledger", "config", "eur5"), loc("ledger") | repl("ledger")),
    ("regional-us-central1", e("ledger", "config", "projects/acme/instanceConfigs/regional-us-central1"),
     loc("ledger")),
])
CASES["gcp-spanner-instance-config"] = Case("ledger-config", lambda: [*gcp_base(),
    gcp("gcp:spanner/instanceConfig:InstanceConfig", "ledger-config", {"name": "custom-eu", "baseConfig": "eur3",
        "displayName": "x", "replicas": [{"location": "europe-west1", "type": "READ_WRITE"},
                                         {"location": "europe-west4", "type": "READ_WRITE"}]}),
], [("a read-only replica in the US", e("ledger-config", "replicas.1.location", "us-east1"),
     loc("ledger-config") | repl("ledger-config"))])
CASES["gcp-bigtable-instance"] = Case("timeseries", lambda: [*gcp_base(),
    gcp("gcp:bigtable/instance:Instance", "timeseries", {"name": "timeseries", "clusters": [
        {"clusterId": "a", "zone": "europe-west1-b", "kmsKeyName": GCP_KEY},
        {"clusterId": "b", "zone": "europe-west1-c", "kmsKeyName": GCP_KEY}]}),
], [("a cluster in us-east1-b", e("timeseries", "clusters.1.zone", "us-east1-b"), loc("timeseries") | repl("timeseries"))])
CASES["gcp-firestore-database"] = Case("(default)", lambda: [*gcp_base(),
    gcp("gcp:firestore/database:Database", "(default)", {"name": "(default)", "locationId": "eur3",
        "type": "FIRESTORE_NATIVE", "cmekConfig": {"kmsKeyName": GCP_KEY}}, labels=False),
], [
    ("nam5 multi-region", e("(default)", "locationId", "nam5"), loc("(default)") | repl("(default)")),
])
CASES["gcp-pubsub-topic"] = Case("clicks", lambda: [*gcp_base(),
    gcp("gcp:pubsub/topic:Topic", "clicks", {"name": "clicks", "kmsKeyName": GCP_KEY, "messageStoragePolicy": {
        "allowedPersistenceRegions": ["europe-west1", "europe-west4"]}}),
], [
    ("no message storage policy (anywhere)", e("clicks", "messageStoragePolicy", DELETE), loc("clicks")),
    ("persisted in us-east1 too", e("clicks", "messageStoragePolicy.allowedPersistenceRegions",
                                    ["europe-west1", "us-east1"]), loc("clicks") | repl("clicks")),
])
CASES["gcp-memorystore-redis"] = Case("cache", lambda: [*gcp_base(),
    gcp("gcp:redis/instance:Instance", "cache", {"name": "cache", "region": "europe-west1", "memorySizeGb": 1,
        "locationId": "europe-west1-b", "alternativeLocationId": "europe-west1-c", "customerManagedKey": GCP_KEY,
        "transitEncryptionMode": "SERVER_AUTHENTICATION"}),
], [
    ("zone in us-central1", chain(e("cache", "locationId", "us-central1-a"),
                                  e("cache", "alternativeLocationId", "us-central1-b")), loc("cache")),
    ("no TLS", e("cache", "transitEncryptionMode", "DISABLED"), {("security-tls-only", "cache")}),
])
CASES["gcp-memorystore-instance"] = Case("valkey", lambda: [*gcp_base(),
    gcp("gcp:memorystore/instance:Instance", "valkey", {"instanceId": "valkey", "location": "europe-west1",
        "shardCount": 1, "kmsKey": GCP_KEY, "transitEncryptionMode": "SERVER_AUTHENTICATION"}),
], [("in us-central1", e("valkey", "location", "us-central1"), loc("valkey"))])
CASES["gcp-filestore-instance"] = Case("nfs", lambda: [*gcp_base(),
    gcp("gcp:filestore/instance:Instance", "nfs", {"name": "nfs", "location": "europe-west1-b", "tier": "BASIC_HDD",
                                                   "kmsKeyName": GCP_KEY}),
], [("in us-central1-a", e("nfs", "location", "us-central1-a"), loc("nfs"))])
CASES["gcp-artifact-registry-repository"] = Case("images", lambda: [*gcp_base(),
    gcp("gcp:artifactregistry/repository:Repository", "images", {"repositoryId": "images", "format": "DOCKER",
                                                                 "location": "europe-west1", "kmsKeyName": GCP_KEY}),
], [("in the us multi-region", e("images", "location", "us"), loc("images") | repl("images"))])
CASES["gcp-kms-crypto-key"] = Case("lake-key", lambda: __import__("tests.rules.exports", fromlist=["x"]).gcp_stack()[
    "deployment"]["resources"][1:], [
    ("global key ring (the ring in the stack then holds no key: unclassified)",
     e("lake-key", "keyRing", "projects/acme/locations/global/keyRings/lake"),
     loc("lake-key") | {("residency-classification", "lake-ring")}),
])
CASES["gcp-kms-key-ring"] = Case("lake-ring", CASES["gcp-kms-crypto-key"].resources, [
    ("global key ring", e("lake-ring", "location", "global"), loc("lake-ring")),
])
CASES["gcp-storage-bucket"] = Case("acme-gcs-lake", CASES["gcp-kms-crypto-key"].resources, [
    ("transfer job into a US bucket", lambda d: __import__("tests.rules.exports", fromlist=["x"]).add(d, resource(
        "gcp:storage/transferJob:TransferJob", "copy-out", {"description": "nightly", "transferSpec": {
            "gcsDataSource": {"bucketName": "acme-gcs-lake"}, "gcsDataSink": {"bucketName": "us-bucket"}}},
        provider=GP)), repl("acme-gcs-lake")),
])

# ----------------------------------------------------------------------------------------- Azure
AZ_SQL = "azure-native:sql:Server"
CASES["azure-sql-server"] = Case("sql-weu", lambda: [*azure_base(),
    azure(AZ_SQL, "sql-weu", {"serverName": "sql-weu", "location": "westeurope", "minimalTlsVersion": "1.2",
                              "publicNetworkAccess": "Disabled", "keyId": AZ_KEY_URI},
          rid=arm("Microsoft.Sql/servers", "sql-weu")),
    azure(AZ_SQL, "sql-neu", {"serverName": "sql-neu", "location": "northeurope", "minimalTlsVersion": "1.2",
                              "publicNetworkAccess": "Disabled", "keyId": AZ_KEY_URI},
          rid=arm("Microsoft.Sql/servers", "sql-neu")),
    azure("azure-native:sql:Database", "orders", {"serverName": "sql-weu", "databaseName": "orders",
                                                  "location": "westeurope", "requestedBackupStorageRedundancy": "Geo"},
          rid=arm("Microsoft.Sql/servers", "sql-weu") + "/databases/orders"),
    azure("azure-native:sql:FailoverGroup", "orders-fg", {"serverName": "sql-weu", "failoverGroupName": "orders-fg",
        "partnerServers": [{"id": arm("Microsoft.Sql/servers", "sql-neu")}],
        "databases": [arm("Microsoft.Sql/servers", "sql-weu") + "/databases/orders"],
        "readWriteEndpoint": {"failoverPolicy": "Automatic", "failoverWithDataLossGracePeriodMinutes": 60}}),
], [
    ("partner server in eastus", e("sql-neu", "location", "eastus"), loc("sql-neu") | repl("orders")),
    ("TLS 1.0", e("sql-weu", "minimalTlsVersion", "1.0"), {("security-tls-only", "sql-weu")}),
    ("public network", e("sql-weu", "publicNetworkAccess", "Enabled"), {("security-no-public-access", "sql-weu")}),
])
CASES["azure-sql-database"] = Case("orders", CASES["azure-sql-server"].resources, [
    ("geo backups from brazilsouth reach the US", chain(e("sql-weu", "location", "brazilsouth"),
                                                        e("orders", "location", "brazilsouth")),
     loc("sql-weu") | loc("orders") | loc("orders-fg") | {("residency-logs-backups", "orders")}),
])
CASES["azure-sql-failover-group"] = Case("orders-fg", CASES["azure-sql-server"].resources)
CASES["azure-cosmosdb-account"] = Case("cosmos", lambda: [*azure_base(),
    azure("azure-native:documentdb:DatabaseAccount", "cosmos", {"accountName": "cosmos", "location": "westeurope",
        "databaseAccountOfferType": "Standard", "locations": [{"locationName": "westeurope", "failoverPriority": 0},
                                                              {"locationName": "northeurope", "failoverPriority": 1}],
        "keyVaultKeyUri": AZ_KEY_URI, "publicNetworkAccess": "Disabled", "minimalTlsVersion": "Tls12",
        "backupPolicy": {"type": "Periodic", "periodicModeProperties": {"backupStorageRedundancy": "Geo"}}}),
], [
    ("a location in eastus", e("cosmos", "locations.1.locationName", "eastus"), loc("cosmos") | repl("cosmos")),
    ("key vault in another stack", e("cosmos", "keyVaultKeyUri", "https://other.vault.azure.net/keys/k"),
     key("cosmos")),
])
for kid, typ, name in (("azure-postgresql-flexible-server", "azure-native:dbforpostgresql:Server", "pg"),
                       ("azure-mysql-flexible-server", "azure-native:dbformysql:Server", "mysql")):
    def _flex(typ: str = typ, name: str = name) -> list[dict[str, Any]]:
        return [*azure_base(), azure(typ, name, {"serverName": name, "location": "westeurope",
            "backup": {"geoRedundantBackup": "Enabled", "backupRetentionDays": 35},
            "dataEncryption": {"type": "AzureKeyVault", "primaryKeyURI": AZ_KEY_URI},
            "network": {"publicNetworkAccess": "Disabled"}}, rid=arm("Microsoft.DB/flexibleServers", name))]

    CASES[kid] = Case(name, _flex, [
        ("geo-redundant backup from brazilsouth", e(name, "location", "brazilsouth"), loc(name) | repl(name)),
        ("public network", e(name, "network.publicNetworkAccess", "Enabled"), {("security-no-public-access", name)}),
    ])
CASES["azure-redis-cache"] = Case("redis", lambda: [*azure_base(),
    azure("azure-native:cache:Redis", "redis", {"name": "redis", "location": "westeurope", "minimumTlsVersion": "1.2",
        "enableNonSslPort": False, "publicNetworkAccess": "Disabled", "sku": {"name": "Premium", "family": "P",
                                                                            "capacity": 1}},
          rid=arm("Microsoft.Cache/redis", "redis")),
    resource("azure-native:cache:LinkedServer", "redis-geo", {"name": "redis", "resourceGroupName": "acme-rg",
        "linkedServerName": "redis-neu", "linkedRedisCacheId": arm("Microsoft.Cache/redis", "redis-neu"),
        "linkedRedisCacheLocation": "northeurope", "serverRole": "Secondary"}, provider=AP),
], [
    ("geo-replica in eastus", e("redis-geo", "linkedRedisCacheLocation", "eastus"), repl("redis")),
    ("non-TLS port", e("redis", "enableNonSslPort", True), {("security-tls-only", "redis")}),
])
CASES["azure-redis-enterprise"] = Case("amr", lambda: [*azure_base(),
    azure("azure-native:cache:RedisEnterprise", "amr", {"clusterName": "amr", "location": "westeurope",
        "minimumTlsVersion": "1.2", "sku": {"name": "Enterprise_E10"}, "encryption": {
            "customerManagedKeyEncryption": {"keyEncryptionKeyUrl": AZ_KEY_URI}}}),
], [("in eastus", e("amr", "location", "eastus"), loc("amr"))])
for kid, ns_t, dr_t, name in (("azure-eventhub-namespace", "azure-native:eventhub:Namespace",
                               "azure-native:eventhub:DisasterRecoveryConfig", "hub"),
                              ("azure-servicebus-namespace", "azure-native:servicebus:Namespace",
                               "azure-native:servicebus:DisasterRecoveryConfig", "bus")):
    def _ns(ns_t: str = ns_t, dr_t: str = dr_t, name: str = name) -> list[dict[str, Any]]:
        def ns(n: str, where: str) -> dict[str, Any]:
            return azure(ns_t, n, {"namespaceName": n, "location": where, "minimumTlsVersion": "1.2",
                                   "publicNetworkAccess": "Disabled", "encryption": {
                                       "keySource": "Microsoft.KeyVault", "keyVaultProperties": [
                                           {"keyName": "lake", "keyVaultUri": AZ_VAULT_URI}]}},
                         rid=arm("Microsoft.X/namespaces", n))
        return [*azure_base(), ns(name, "westeurope"), ns(f"{name}-dr", "northeurope"),
                resource(dr_t, f"{name}-pairing", {"namespaceName": name, "resourceGroupName": "acme-rg",
                                                   "alias": f"{name}-alias",
                                                   "partnerNamespace": arm("Microsoft.X/namespaces", f"{name}-dr")},
                         provider=AP)]

    CASES[kid] = Case(name, _ns, [
        ("paired with eastus", e(f"{name}-dr", "location", "eastus"), loc(f"{name}-dr") | repl(name)),
        ("TLS 1.0", e(name, "minimumTlsVersion", "1.0"), {("security-tls-only", name)}),
    ])
CASES["azure-log-analytics-workspace"] = Case("logs", lambda: [*azure_base(),
    azure("azure-native:operationalinsights:Workspace", "logs", {"workspaceName": "logs", "location": "westeurope",
                                                                 "retentionInDays": 90}),
], [("in eastus", e("logs", "location", "eastus"), loc("logs"))])
CASES["azure-monitor-workspace"] = Case("metrics", lambda: [*azure_base(),
    azure("azure-native:monitor:AzureMonitorWorkspace", "metrics", {"azureMonitorWorkspaceName": "metrics",
                                                                    "location": "westeurope"}),
], [("in eastus", e("metrics", "location", "eastus"), loc("metrics"))])
CASES["azure-keyvault"] = Case("vault", lambda: [*azure_base()], [
    ("in brazilsouth (pair in the US)", e("vault", "location", "brazilsouth"), loc("vault") | repl("vault")),
])
CASES["azure-keyvault-key"] = Case("lake-key", lambda: __import__("tests.rules.exports", fromlist=["x"]).azure_stack()[
    "deployment"]["resources"][1:])
CASES["azure-storage-account"] = Case("lake", CASES["azure-keyvault-key"].resources, [
    ("object replication to an eastus account", lambda d: __import__("tests.rules.exports", fromlist=["x"]).add(
        edit(d, "logs", "location", "northeurope"), resource(
            "azure-native:storage:ObjectReplicationPolicy", "lake-orp", {"accountName": "acmeus",
             "resourceGroupName": "acme-rg", "objectReplicationPolicyId": "default",
             "sourceAccount": arm("Microsoft.Storage/storageAccounts", "acmelake"),
             "destinationAccount": arm("Microsoft.Storage/storageAccounts", "acmeus")}, provider=AP)),
     repl("lake")),
])

CASES["gcp-logging-bucket"] = Case("gke-logs", lambda: [*gcp_base(),
    resource("gcp:logging/projectBucketConfig:ProjectBucketConfig", "gke-logs", {
        "project": "acme", "bucketId": "gke-euw1", "location": "europe-west1", "retentionDays": 365,
        "description": "meridian:data-class=internal;jurisdiction=eu - logs of GKE cluster euw1"},
        provider=GP, protect=True),
], [
    ("global, like _Default", e("gke-logs", "location", "global"), loc("gke-logs")),
    ("in us-central1", e("gke-logs", "location", "us-central1"), loc("gke-logs")),
    ("no classification in the description", e("gke-logs", "description", "gke logs"),
     {("residency-classification", "gke-logs")}),
    ("a garbled classification", e("gke-logs", "description", "meridian:data-class=secret"),
     {("residency-classification", "gke-logs")}),
])

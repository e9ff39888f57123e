"""ADLS Gen2 data lakes in the offline plan: hardening, customer-managed keys in the lake's region,
versioning, lifecycle tiers, retention, access logs, replication and protection."""

from __future__ import annotations

import pytest

from meridian import catalog
from tests.infra.azure.helpers import View

ACCOUNT = "azure-native:storage:StorageAccount"
VAULT = "azure-native:keyvault:Vault"
KEY = "azure-native:keyvault:Key"
LAKE = "meridian:azure:DataLake"
ZONES = ("raw", "processed", "curated", "models")


def _lake_parts(view: View, lake_name: str) -> dict[str, list[dict]]:
    """The lake component's resources by type."""
    comp = view.named(LAKE, lake_name)
    parts: dict[str, list[dict]] = {}
    for r in view.under(comp["urn"]):
        parts.setdefault(r["type"], []).append(r)
    return parts


def _accounts(parts: dict[str, list[dict]]) -> tuple[dict, dict]:
    """(lake account, log account)."""
    lake = [a for a in parts[ACCOUNT] if a["inputs"]["isHnsEnabled"]]
    logs = [a for a in parts[ACCOUNT] if not a["inputs"]["isHnsEnabled"]]
    assert len(lake) == 1 and len(logs) == 1
    return lake[0], logs[0]


@pytest.fixture(params=["dev", "prod"])
def view(request: pytest.FixtureRequest) -> View:
    return request.getfixturevalue(request.param)


def test_every_azure_lake_of_the_stack_exists(view: View) -> None:
    expected = {lake.name for lake in view.plan.config.data_lakes}
    assert {view.name(c) for c in view.of_type(LAKE)} == expected and expected


def test_accounts_are_adls_gen2_hardened_and_encrypted_with_the_lake_key(view: View) -> None:
    for lake in view.plan.config.data_lakes:
        parts = _lake_parts(view, lake.name)
        (vault,) = parts[VAULT]
        (key,) = parts[KEY]
        for account in _accounts(parts):
            i = account["inputs"]
            assert (
                i["kind"] == "StorageV2"
                and i["location"] == lake.region
                and view.region(account) == lake.region
            )
            assert i["enableHttpsTrafficOnly"] is True and i["minimumTlsVersion"] == "TLS1_2"
            assert i["allowBlobPublicAccess"] is False and i["allowCrossTenantReplication"] is False
            assert i["networkRuleSet"]["defaultAction"] == "Deny"
            enc = i["encryption"]
            assert enc["keySource"] == "Microsoft.Keyvault" and enc["requireInfrastructureEncryption"] is True
            assert enc["keyVaultProperties"]["keyName"] == key["inputs"]["keyName"]
            assert enc["keyVaultProperties"]["keyVaultUri"] == vault["outputs"]["properties"]["vaultUri"]
            assert (
                enc["encryptionIdentity"]["encryptionUserAssignedIdentity"]
                in i["identity"]["userAssignedIdentities"]
            )
        lake_account, _ = _accounts(parts)
        assert lake_account["inputs"]["allowSharedKeyAccess"] is False
        # The key and its vault are in the lake's own region.
        assert vault["inputs"]["location"] == lake.region and view.region(vault) == lake.region
        assert view.region(key) == lake.region and key["inputs"]["vaultName"] == vault["outputs"]["name"]
        assert vault["inputs"]["properties"]["enablePurgeProtection"] is True
        # The storage identity may use the key before the accounts are created.
        (grant,) = parts["azure-native:authorization:RoleAssignment"]
        assert grant["inputs"]["roleDefinitionId"].endswith("e147488a-f6f5-4113-8e2d-b22465e65bf6")
        assert all(grant["urn"] in a.get("dependencies", []) for a in _accounts(parts))


def test_versioning_soft_delete_and_zones(view: View) -> None:
    for lake in view.plan.config.data_lakes:
        parts = _lake_parts(view, lake.name)
        services = parts["azure-native:storage:BlobServiceProperties"]
        # The lake account and its log store: both versioned, both with soft delete.
        assert len(services) == 2
        assert all(s["inputs"].get("isVersioningEnabled") is True for s in services)
        assert all(s["inputs"]["deleteRetentionPolicy"]["enabled"] is True for s in services)
        containers = parts["azure-native:storage:BlobContainer"]
        assert sorted(c["inputs"]["containerName"] for c in containers) == sorted(lake.zones)
        assert all(c["inputs"]["publicAccess"] == "None" for c in containers)
        uris = view.plan.stack_outputs["dataLakes"][lake.name]["zones"]
        assert set(uris) == set(ZONES)
        assert all(u.startswith(f"abfss://{z}@") and ".dfs.core.windows.net/" in u for z, u in uris.items())


def test_lifecycle_has_all_tiers_and_noncurrent_handling(view: View) -> None:
    for lake in view.plan.config.data_lakes:
        parts = _lake_parts(view, lake.name)
        policies = [
            p
            for p in parts["azure-native:storage:ManagementPolicy"]
            if p["inputs"]["policy"]["rules"][0]["name"] == "tiering"
        ]
        (policy,) = policies
        (rule,) = policy["inputs"]["policy"]["rules"]
        actions = rule["definition"]["actions"]
        base = actions["baseBlob"]
        t = lake.tiers
        assert base["tierToCool"]["daysAfterModificationGreaterThan"] == t.warm_after_days == 30
        assert base["tierToCold"]["daysAfterModificationGreaterThan"] == t.cold_after_days == 90
        assert base["tierToArchive"]["daysAfterModificationGreaterThan"] == t.archive_after_days
        assert actions["version"]["delete"]["daysAfterCreationGreaterThan"] == t.noncurrent_expire_days
        assert sorted(rule["definition"]["filters"]["prefixMatch"]) == sorted(f"{z}/" for z in lake.zones)


def test_compliance_retention_only_where_configured(prod: View) -> None:
    for lake in prod.plan.config.data_lakes:
        policies = _lake_parts(prod, lake.name).get(
            "azure-native:storage:BlobContainerImmutabilityPolicy", []
        )
        if lake.retention_years:
            assert len(policies) == len(lake.zones)
            assert {p["inputs"]["immutabilityPeriodSinceCreationInDays"] for p in policies} == {
                lake.retention_years * 365
            }
            assert all(p.get("protect") and p.get("retainOnDelete") for p in policies)
        else:
            assert policies == []
    assert any(lake.retention_years == 7 for lake in prod.plan.config.data_lakes)


def test_access_logs_go_to_a_log_store_in_the_same_region(view: View) -> None:
    for lake in view.plan.config.data_lakes:
        parts = _lake_parts(view, lake.name)
        lake_account, log_account = _accounts(parts)
        (setting,) = parts["azure-native:monitor:DiagnosticSetting"]
        i = setting["inputs"]
        assert i["resourceUri"] == f"{lake_account['id']}/blobServices/default"
        assert i["storageAccountId"] == log_account["id"]
        assert {entry["category"] for entry in i["logs"]} == {"StorageRead", "StorageWrite", "StorageDelete"}
        assert log_account["inputs"]["location"] == lake.region
        assert log_account["inputs"]["tags"]["data-class"] == lake.data_class


def test_replication_only_to_the_geo_pair(view: View) -> None:
    for lake in view.plan.config.data_lakes:
        lake_account, _ = _accounts(_lake_parts(view, lake.name))
        out = view.plan.stack_outputs["dataLakes"][lake.name]
        if lake.replication:
            assert [r.region for r in lake.replication] == [catalog.region("azure", lake.region).geo_pair]
            assert lake_account["inputs"]["sku"]["name"] == "Standard_GRS"
            assert out["replicaRegions"] == [lake.replication[0].region]
            # Same jurisdiction: the pair replica never leaves it.
            assert catalog.region("azure", lake.replication[0].region).within(lake.jurisdiction)
        else:
            assert lake_account["inputs"]["sku"]["name"] == "Standard_LRS"
            assert out["replicaRegions"] == []
    if view.plan.stack == "prod":
        assert {lake.name for lake in view.plan.config.data_lakes if lake.replication} == {
            "us-enterprise",
            "eu-enterprise",
        }


def test_stores_and_keys_protected_in_prod_only(view: View) -> None:
    protected = view.plan.stack == "prod"
    for lake in view.plan.config.data_lakes:
        parts = _lake_parts(view, lake.name)
        for token in (
            ACCOUNT,
            VAULT,
            KEY,
            "azure-native:storage:BlobContainer",
            "azure-native:storage:BlobServiceProperties",
            "azure-native:resources:ResourceGroup",
        ):
            for r in parts[token]:
                assert bool(r.get("protect")) is protected, f"{token} {view.name(r)}"
                assert bool(r.get("retainOnDelete")) is protected, f"{token} {view.name(r)}"


def test_residency_tags_on_every_data_holding_resource(view: View) -> None:
    for lake in view.plan.config.data_lakes:
        parts = _lake_parts(view, lake.name)
        for token in (ACCOUNT, VAULT, KEY, "azure-native:resources:ResourceGroup"):
            for r in parts[token]:
                tags = r["inputs"]["tags"]
                assert tags["data-class"] == lake.data_class, f"{token} {view.name(r)}"
                assert tags["jurisdiction"] == lake.jurisdiction, f"{token} {view.name(r)}"


def test_stack_outputs_name_the_keys(prod: View) -> None:
    for out in prod.plan.stack_outputs["dataLakes"].values():
        assert out["cloud"] == "azure" and out["keyUri"].startswith("https://")
        assert out["keyId"] and out["logStorageAccount"] and out["dfsEndpoint"].startswith("https://")


def test_global_names_are_valid_and_random_suffixed(prod: View) -> None:
    import re

    for a in prod.of_type(ACCOUNT):
        assert re.fullmatch(r"(dl|lg)[a-z0-9]{3,22}", a["inputs"]["accountName"]), a["inputs"]["accountName"]
    for v in prod.of_type(VAULT):
        assert re.fullmatch(r"kv[a-z0-9]{3,22}", v["inputs"]["vaultName"]), v["inputs"]["vaultName"]
    suffixes = prod.of_type("random:index/randomId:RandomId")
    assert len(suffixes) == len(prod.of_type(ACCOUNT)) + len(prod.of_type(VAULT))
    random_providers = {r["urn"] for r in prod.of_type("pulumi:providers:random")}
    assert all(s["provider"].rsplit("::", 1)[0] in random_providers for s in suffixes)
    assert all(s.get("protect") for s in suffixes)

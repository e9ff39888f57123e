"""Build VaultPlatform alone under the mock runtime, from small typed inputs (no regional classes)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import pulumi

from infra.regional import UnsealKey
from meridian.config import Cluster, StackConfig, load_stack_file
from meridian.plan.runner import Plan, run_plan
from tests.conftest import ROOT

TOKEN = "hvs.TEST-ROOT-TOKEN-must-never-appear"
AWS_SECRET = "AWS-SECRET-KEY-must-never-appear"
GCP_KEY = '{"type": "service_account", "private_key": "GCP-PRIVATE-KEY-must-never-appear"}'
AZURE_SECRET = "AZURE-CLIENT-SECRET-must-never-appear"
DB_PASSWORD = "DB-PASSWORD-must-never-appear"
UPSTREAM_KEY = "sk-UPSTREAM-KEY-must-never-appear"
SECRET_VALUES = (TOKEN, AWS_SECRET, "GCP-PRIVATE-KEY-must-never-appear", AZURE_SECRET, DB_PASSWORD, UPSTREAM_KEY)
UPSTREAM_CLUSTERS = ("gcp-dev-euw1", "az-dev-weu", "aws-use1", "aws-usw2", "aws-euw1", "gcp-usc1", "gcp-euw1",
                     "az-eus", "az-weu")
CA_PEM = "-----BEGIN CERTIFICATE-----\nMOCKCA\n-----END CERTIFICATE-----\n"


@dataclass
class Secrets:
    token: bool = True
    clouds: bool = True
    database: bool = True
    upstream: bool = True


def set_secrets(s: Secrets) -> None:
    import json

    values: dict[str, str] = {}
    if s.token:
        values["meridian:vaultToken"] = TOKEN
    if s.clouds:
        values["meridian:vaultAwsCredentials"] = json.dumps({"accessKey": "AKIAMOCK", "secretKey": AWS_SECRET})
        values["meridian:vaultGcpCredentials"] = GCP_KEY
        values["meridian:vaultAzureCredentials"] = json.dumps(
            {"tenantId": "t", "subscriptionId": "s", "clientId": "c", "clientSecret": AZURE_SECRET}
        )
    if s.database:
        values["meridian:vaultDatabaseCredentials"] = json.dumps({"orders": {"username": "vault", "password": DB_PASSWORD}})
    if s.upstream:
        # Azure OpenAI: one key per cluster (its region's resource); the edge key: the same everywhere.
        values["meridian:routerUpstreamKeys"] = json.dumps(
            {"azure-openai-api-key": {c: UPSTREAM_KEY for c in UPSTREAM_CLUSTERS}, "edge-api-key": UPSTREAM_KEY}
        )
    for key, value in values.items():
        pulumi.runtime.set_config(key, value)


def stack_config(stack: str, **vault_updates: Any) -> StackConfig:
    cfg = load_stack_file(ROOT / f"Pulumi.{stack}.yaml")
    assert cfg.vault is not None
    if vault_updates:
        cfg = cfg.model_copy(update={"vault": cfg.vault.model_copy(update=vault_updates)})
    return cfg


@dataclass(frozen=True)
class KeysOf:
    """The Vault cluster's UnsealKeySource without its region: the clouds' own unseal-key builders
    (infra/<cloud>/unseal.py) given what the region would (OIDC issuer, provider ARN, tenant)."""

    cluster: Cluster

    def unseal_key(
        self, name: str, *, stack: StackConfig, namespace: str, service_account: str, tags: dict[str, str],
        parent: pulumi.Resource, provider: pulumi.ProviderResource,
    ) -> UnsealKey:
        c = self.cluster
        issuer = f"https://oidc.example.com/{c.name}"
        common: dict[str, Any] = dict(
            cluster=c, stack=stack, namespace=namespace, service_account=service_account, tags=tags, parent=parent,
            provider=provider,
        )
        if c.cloud == "aws":
            from infra.aws.unseal import kms_unseal_key

            return kms_unseal_key(
                name, oidc_provider_arn=f"arn:aws:iam::123456789012:oidc-provider/oidc.example.com/{c.name}",
                oidc_issuer_url=issuer, **common,
            )
        if c.cloud == "gcp":
            from infra.gcp.unseal import cloud_kms_unseal_key

            return cloud_kms_unseal_key(name, **common)
        import pulumi_azure_native.authorization as authorization

        from infra.azure.unseal import key_vault_unseal_key

        client = authorization.get_client_config_output(opts=pulumi.InvokeOutputOptions(provider=provider))
        return key_vault_unseal_key(
            name, tenant_id=client.tenant_id, subscription_id=client.subscription_id, oidc_issuer_url=issuer, **common
        )


def vault_plan(stack: str, cfg: StackConfig | None = None, secrets: Secrets | None = None) -> Plan:
    cfg = cfg or stack_config(stack)

    def program() -> None:
        import pulumi_kubernetes as k8s

        from infra.providers import Providers
        from infra.vault import KubernetesAuthTarget, VaultHost, VaultPlatform

        set_secrets(secrets or Secrets())
        assert cfg.vault is not None
        providers = Providers(cfg)
        k8s_providers = {c.name: k8s.Provider(f"{c.name}-k8s", kubeconfig=pulumi.Output.secret("{}")) for c in cfg.clusters}
        host_cluster = cfg.cluster(cfg.vault.cluster)
        host = VaultHost(
            cluster=host_cluster,
            k8s_provider=k8s_providers[host_cluster.name],
            cloud_provider=providers.for_cloud(host_cluster.cloud, host_cluster.region),
            keys=KeysOf(host_cluster),
        )
        targets = [
            KubernetesAuthTarget(
                name=c.name, host=f"https://api.{c.name}.example.com", ca_cert=CA_PEM, jurisdiction=c.jurisdiction,
                k8s_provider=k8s_providers[c.name],
            )
            for c in cfg.clusters
        ]
        vault = VaultPlatform("vault", stack=cfg, host=host, targets=targets)
        pulumi.export("vault", vault.stack_outputs())

    plan = run_plan(stack, ROOT, program=program)
    plan.config = cfg
    return plan


def name_of(r: dict[str, Any]) -> str:
    return r["urn"].rsplit("::", 1)[-1]


def parse_policy(hcl: str) -> list[tuple[str, list[str]]]:
    """A Vault ACL policy's (path, capabilities) rules. Refuses anything it does not understand, so a
    construct this parser skips cannot hide a grant."""
    rules: list[tuple[str, list[str]]] = []
    block = re.compile(r'\s*path\s+"([^"]+)"\s*\{\s*capabilities\s*=\s*\[([^\]]*)\]\s*\}\s*', re.S)
    pos = 0
    while pos < len(hcl):
        m = block.match(hcl, pos)
        if not m:
            if hcl[pos:].strip():
                raise ValueError(f"unparsed policy text: {hcl[pos:pos + 60]!r}")
            break
        caps = [c.strip().strip('"') for c in m.group(2).split(",") if c.strip()]
        rules.append((m.group(1), caps))
        pos = m.end()
    return rules


def _glob_match(pattern: str, path: str) -> bool:
    """Vault path matching: `+` is one segment, a trailing `*` is a prefix match."""
    prefix = pattern.endswith("*")
    pat = pattern[:-1] if prefix else pattern
    p_parts, parts = pat.split("/"), path.split("/")
    if prefix:
        if len(parts) < len(p_parts):
            return False
        head, last = p_parts[:-1], p_parts[-1]
        for a, b in zip(head, parts, strict=False):
            if a != "+" and a != b:
                return False
        rest = "/".join(parts[len(head):])
        return rest.startswith(last) if last != "+" else True
    if len(parts) != len(p_parts):
        return False
    return all(a in ("+", b) for a, b in zip(p_parts, parts, strict=True))


def can(rules: list[tuple[str, list[str]]], capability: str, path: str) -> bool:
    matching = [(p, caps) for p, caps in rules if _glob_match(p, path)]
    if not matching:
        return False
    # The most specific match wins (longest pattern, as a good approximation of Vault's priority).
    _, caps = max(matching, key=lambda pc: len(pc[0].rstrip("*")))
    return "deny" not in caps and capability in caps

"""VaultUnsealKey: the cloud KMS key Vault auto-unseals with, in the Vault cluster's own region (so in
its jurisdiction), protected in prod, tagged, plus the workload identity that lets exactly Vault's
service account (vault/vault) use it. Vault never holds a static cloud credential for unsealing."""

from __future__ import annotations

import json

import pulumi
from pulumi import ResourceOptions

from infra.regional import data_store_options
from infra.vault.inputs import VAULT_NAMESPACE, VAULT_SERVICE_ACCOUNT, VaultHost
from meridian import catalog
from meridian.config import StackConfig
from meridian.tags import gcp_labels, residency_tags

SUBJECT = f"system:serviceaccount:{VAULT_NAMESPACE}:{VAULT_SERVICE_ACCOUNT}"
# Azure built-in role: read key metadata, wrap/unwrap with it (exactly what the azurekeyvault seal does).
AZURE_CRYPTO_SERVICE_ENCRYPTION_USER = "e147488a-f6f5-4113-8e2d-b22465e65bf6"


def _hcl(value: str) -> str:
    return json.dumps(value)  # an HCL string literal is a JSON string literal


def aws_seal(region: str, key_id: str) -> str:
    return f'seal "awskms" {{\n  region     = {_hcl(region)}\n  kms_key_id = {_hcl(key_id)}\n}}\n'


def gcp_seal(project: str, region: str, key_ring: str, crypto_key: str) -> str:
    return (
        f'seal "gcpckms" {{\n  project    = {_hcl(project)}\n  region     = {_hcl(region)}\n'
        f"  key_ring   = {_hcl(key_ring)}\n  crypto_key = {_hcl(crypto_key)}\n}}\n"
    )


def azure_seal(tenant_id: str, vault_name: str, key_name: str) -> str:
    return (
        f'seal "azurekeyvault" {{\n  tenant_id  = {_hcl(tenant_id)}\n  vault_name = {_hcl(vault_name)}\n'
        f"  key_name   = {_hcl(key_name)}\n}}\n"
    )


class VaultUnsealKey(pulumi.ComponentResource):
    """Public attributes:
      cloud, region, jurisdiction (str); tags (dict[str, str]);
      key_id (Output[str]): the KMS key's id (AWS key id, GCP crypto key id, Azure key id);
      seal_stanza (Output[str]): the Vault `seal "..." {}` HCL block for this key;
      service_account_annotations (Output[dict[str, str]]): for Vault's service account;
      pod_labels (dict[str, str]): extra labels Vault's pods need (Azure workload identity)."""

    def __init__(self, name: str, *, host: VaultHost, stack: StackConfig, opts: ResourceOptions | None = None) -> None:
        super().__init__("meridian:vault:VaultUnsealKey", name, None, opts)
        cluster = host.cluster
        region = catalog.region(cluster.cloud, cluster.region)  # fail closed on an unknown region
        if not region.within(cluster.jurisdiction):
            raise ValueError(
                f"Vault cluster {cluster.name!r}: region {cluster.region!r} is not in jurisdiction "
                f"{cluster.jurisdiction!r}; the unseal key must stay in the cluster's jurisdiction"
            )
        self.cloud = cluster.cloud
        self.cluster_name = cluster.name
        self.region = cluster.region
        self.jurisdiction = cluster.jurisdiction
        self.tags = residency_tags(
            "restricted", cluster.jurisdiction, stack.environment, cluster=cluster.name, purpose="vault-unseal"
        )
        self.pod_labels: dict[str, str] = {}
        keep = data_store_options(stack, ResourceOptions(parent=self, provider=host.cloud_provider))
        child = ResourceOptions(parent=self, provider=host.cloud_provider)
        if cluster.cloud == "aws":
            self._aws(name, host, keep, child)
        elif cluster.cloud == "gcp":
            self._gcp(name, host, stack, keep, child)
        else:
            self._azure(name, host, keep, child)
        self.register_outputs(
            {"keyId": self.key_id, "region": self.region, "jurisdiction": self.jurisdiction, "seal": self.seal_stanza}
        )

    def _aws(self, name: str, host: VaultHost, keep: ResourceOptions, child: ResourceOptions) -> None:
        import pulumi_aws.iam as iam
        import pulumi_aws.kms as kms

        if host.oidc_provider_arn is None or host.oidc_issuer_url is None:
            raise ValueError(f"Vault on AWS cluster {host.cluster.name!r} needs the cluster's IRSA OIDC provider")
        key = kms.Key(
            f"{name}-key",
            description=f"Vault auto-unseal for {host.cluster.name}",
            key_usage="ENCRYPT_DECRYPT",
            customer_master_key_spec="SYMMETRIC_DEFAULT",
            enable_key_rotation=True,
            deletion_window_in_days=30,
            tags=self.tags,
            opts=keep,
        )
        kms.Alias(
            f"{name}-alias", name=f"alias/meridian/vault-unseal/{host.cluster.name}", target_key_id=key.key_id,
            opts=keep,
        )
        trust = pulumi.Output.all(host.oidc_provider_arn, host.oidc_issuer_url).apply(
            lambda a: json.dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Principal": {"Federated": a[0]},
                            "Action": "sts:AssumeRoleWithWebIdentity",
                            "Condition": {
                                "StringEquals": {
                                    f"{a[1].removeprefix('https://')}:sub": SUBJECT,
                                    f"{a[1].removeprefix('https://')}:aud": "sts.amazonaws.com",
                                }
                            },
                        }
                    ],
                }
            )
        )
        role = iam.Role(
            f"{name}-role", assume_role_policy=trust, description=f"Vault unseal ({SUBJECT})", tags=self.tags,
            opts=child,
        )
        iam.RolePolicy(
            f"{name}-use-key",
            role=role.id,
            policy=key.arn.apply(
                lambda arn: json.dumps(
                    {
                        "Version": "2012-10-17",
                        "Statement": [
                            {"Effect": "Allow", "Action": ["kms:Encrypt", "kms:Decrypt", "kms:DescribeKey"],
                             "Resource": arn}
                        ],
                    }
                )
            ),
            opts=child,
        )
        self.key_id: pulumi.Output[str] = key.key_id
        self.seal_stanza: pulumi.Output[str] = key.key_id.apply(lambda k: aws_seal(self.region, k))
        self.service_account_annotations: pulumi.Output[dict[str, str]] = role.arn.apply(
            lambda arn: {"eks.amazonaws.com/role-arn": arn}
        )

    def _gcp(
        self, name: str, host: VaultHost, stack: StackConfig, keep: ResourceOptions, child: ResourceOptions
    ) -> None:
        import pulumi_gcp.kms as kms
        import pulumi_gcp.serviceaccount as serviceaccount

        project = stack.gcp_project
        if not project:
            raise ValueError("Vault on GCP needs meridian:platform.gcpProject")
        ring_name = f"vault-{host.cluster.name}"
        ring = kms.KeyRing(f"{name}-ring", name=ring_name, location=self.region, project=project, opts=keep)
        key = kms.CryptoKey(
            f"{name}-key",
            name="vault-unseal",
            key_ring=ring.id,
            purpose="ENCRYPT_DECRYPT",
            rotation_period="7776000s",
            labels=gcp_labels(self.tags),
            opts=keep,
        )
        gsa = serviceaccount.Account(
            f"{name}-gsa", account_id=f"vault-{host.cluster.name}"[:30], project=project,
            display_name=f"Vault unseal ({host.cluster.name})", opts=child,
        )
        member = gsa.email.apply(lambda e: f"serviceAccount:{e}")
        for role in ("roles/cloudkms.cryptoKeyEncrypterDecrypter", "roles/cloudkms.viewer"):
            kms.CryptoKeyIAMMember(
                f"{name}-{role.rsplit('.', 1)[-1].lower()}", crypto_key_id=key.id, role=role, member=member,
                opts=child,
            )
        serviceaccount.IAMMember(
            f"{name}-workload-identity",
            service_account_id=gsa.name,
            role="roles/iam.workloadIdentityUser",
            member=f"serviceAccount:{project}.svc.id.goog[{VAULT_NAMESPACE}/{VAULT_SERVICE_ACCOUNT}]",
            opts=child,
        )
        self.key_id = key.id
        self.seal_stanza = pulumi.Output.from_input(gcp_seal(project, self.region, ring_name, "vault-unseal"))
        self.service_account_annotations = gsa.email.apply(lambda e: {"iam.gke.io/gcp-service-account": e})

    def _azure(self, name: str, host: VaultHost, keep: ResourceOptions, child: ResourceOptions) -> None:
        import pulumi_azure_native.authorization as authorization
        import pulumi_azure_native.keyvault as keyvault
        import pulumi_azure_native.managedidentity as managedidentity
        import pulumi_azure_native.resources as resources

        if host.oidc_issuer_url is None:
            raise ValueError(f"Vault on Azure cluster {host.cluster.name!r} needs the cluster's OIDC issuer URL")
        client = authorization.get_client_config_output(opts=pulumi.InvokeOptions(provider=host.cloud_provider))
        group = resources.ResourceGroup(f"{name}-rg", location=self.region, tags=self.tags, opts=keep)
        vault = keyvault.Vault(
            f"{name}-kv",
            resource_group_name=group.name,
            location=self.region,
            properties=keyvault.VaultPropertiesArgs(
                tenant_id=client.tenant_id,
                sku=keyvault.SkuArgs(family="A", name=keyvault.SkuName.PREMIUM),
                enable_rbac_authorization=True,
                enable_soft_delete=True,
                soft_delete_retention_in_days=90,
                enable_purge_protection=True,
            ),
            tags=self.tags,
            opts=keep,
        )
        key = keyvault.Key(
            f"{name}-key",
            resource_group_name=group.name,
            vault_name=vault.name,
            key_name="vault-unseal",
            properties=keyvault.KeyPropertiesArgs(
                kty=keyvault.JsonWebKeyType.RS_A_HSM, key_size=3072,
                key_ops=[keyvault.JsonWebKeyOperation.WRAP_KEY, keyvault.JsonWebKeyOperation.UNWRAP_KEY],
            ),
            tags=self.tags,
            opts=keep,
        )
        identity = managedidentity.UserAssignedIdentity(
            f"{name}-identity", resource_group_name=group.name, location=self.region, tags=self.tags, opts=child
        )
        managedidentity.FederatedIdentityCredential(
            f"{name}-federation",
            resource_group_name=group.name,
            resource_name_=identity.name,
            issuer=host.oidc_issuer_url,
            subject=SUBJECT,
            audiences=["api://AzureADTokenExchange"],
            opts=child,
        )
        authorization.RoleAssignment(
            f"{name}-use-key",
            principal_id=identity.principal_id,
            principal_type=authorization.PrincipalType.SERVICE_PRINCIPAL,
            role_definition_id=client.subscription_id.apply(
                lambda sub: f"/subscriptions/{sub}/providers/Microsoft.Authorization/roleDefinitions/"
                f"{AZURE_CRYPTO_SERVICE_ENCRYPTION_USER}"
            ),
            scope=vault.id,
            opts=child,
        )
        self.key_id = key.id
        self.seal_stanza = pulumi.Output.all(client.tenant_id, vault.name).apply(
            lambda a: azure_seal(a[0], a[1], "vault-unseal")
        )
        self.service_account_annotations = identity.client_id.apply(
            lambda cid: {"azure.workload.identity/client-id": cid}
        )
        self.pod_labels = {"azure.workload.identity/use": "true"}

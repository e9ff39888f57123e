"""VaultConfig: everything inside Vault, through an explicit pulumi_vault Provider whose address is
the installed server's and whose token is a Pulumi config secret (`meridian:vaultToken`).

Mounts: file audit device, KV v2 (`kv/`), PKI (root `pki/` signing intermediate `pki_int/` with a
`service` role), database (configured connections), AWS / GCP / Azure dynamic credentials (each from
its own config secret), one Kubernetes auth backend per cluster (`kubernetes-<cluster>`), and per
cluster the router's policy and role, its AWS STS role and GCP roleset, and its seeded KV secrets - all
at the paths of infra.router_contract.vault, which the router's agent templates read too."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlparse

import pulumi
import pulumi_vault as vault
import pulumi_vault.aws as vault_aws
import pulumi_vault.azure as vault_azure
import pulumi_vault.database as database
import pulumi_vault.gcp as vault_gcp
import pulumi_vault.kubernetes as vault_k8s
import pulumi_vault.kv as kv
import pulumi_vault.pkisecret as pki
from pulumi import ResourceOptions

from infra.router_contract import vault as contract
from infra.vault.inputs import KubernetesAuthTarget
from infra.vault.policies import (
    KV_MOUNT,
    PKI_MOUNT,
    PKI_ROOT_MOUNT,
    SERVICE_CERT_ROLE,
    router_policy_name,
    router_rules,
    to_hcl,
)
from infra.vault.server import AUDIT_FILE
from meridian.config import StackConfig, Vault

# Config secrets (set with `pulumi config set --secret meridian:<key> ...`); never in the stack file.
TOKEN_KEY = "vaultToken"
CA_CERT_FILE_KEY = "vaultCaCertFile"  # path to the Vault CA (stack output vault.caCertPem), not secret
CLOUD_CREDENTIAL_KEYS = {
    "aws": "vaultAwsCredentials",  # {"accessKey": ..., "secretKey": ...}
    "gcp": "vaultGcpCredentials",  # a service account key (JSON)
    "azure": "vaultAzureCredentials",  # {"tenantId", "subscriptionId", "clientId", "clientSecret"}
}
DATABASE_CREDENTIALS_KEY = "vaultDatabaseCredentials"  # {"<db name>": {"username": ..., "password": ...}}
# The router's static upstream credentials, seeded to kv/router/<cluster>/<name> (field api_key) for
# every cluster whose router reads <name>: {"<name>": "<key>" | {"<cluster>": "<key>", ...}}, names
# from infra.router_contract.vault.STATIC_SECRETS (e.g. "azure-openai-api-key", "edge-api-key").
ROUTER_UPSTREAM_KEYS_KEY = "routerUpstreamKeys"

DB_PLUGINS = {"postgresql": "postgresql", "postgres": "postgresql", "mysql": "mysql"}
DB_READONLY = {
    "postgresql": [
        "CREATE ROLE \"{{name}}\" WITH LOGIN PASSWORD '{{password}}' VALID UNTIL '{{expiration}}';",
        'GRANT SELECT ON ALL TABLES IN SCHEMA public TO "{{name}}";',
    ],
    "mysql": ["CREATE USER '{{name}}'@'%' IDENTIFIED BY '{{password}}';", "GRANT SELECT ON *.* TO '{{name}}'@'%';"],
}


def db_plugin(name: str, url: str) -> str:
    scheme = urlparse(url).scheme
    if scheme not in DB_PLUGINS:
        raise ValueError(f"vault.databases.{name}: unsupported scheme {scheme!r} (use {', '.join(DB_PLUGINS)})")
    return DB_PLUGINS[scheme]


def _field(secret: pulumi.Output[Any], *keys: str) -> pulumi.Output[str]:
    """One field of a JSON config secret, still secret."""

    def pick(value: Any) -> str:
        for k in keys:
            value = (json.loads(value) if isinstance(value, str) else value)[k]
        return str(value)

    return pulumi.Output.secret(secret.apply(pick))


def upstream_key_for(layout: Any, secret: str, cluster: str) -> tuple[str, ...] | None:
    """Where in `meridian:routerUpstreamKeys` the key of `secret` for `cluster` is (the JSON keys to
    follow), or None when it has none. `layout` is the config's shape; values are never read here."""
    if not isinstance(layout, dict):
        raise ValueError(f"meridian:{ROUTER_UPSTREAM_KEYS_KEY} must be an object of secret name -> key")
    unknown = sorted(set(layout) - set(contract.STATIC_SECRETS))
    if unknown:
        raise ValueError(
            f"meridian:{ROUTER_UPSTREAM_KEYS_KEY}: unknown secret name(s) {', '.join(unknown)} "
            f"(the router reads {', '.join(contract.STATIC_SECRETS)})"
        )
    value = layout.get(secret)
    if isinstance(value, str):
        return (secret,)
    if isinstance(value, dict) and cluster in value:
        return (secret, cluster)
    return None


def _aws_engine(name: str, creds: pulumi.Output[Any], cfg: Vault, v: ResourceOptions) -> pulumi.CustomResource:
    """Vault's AWS secrets engine at aws/ (STS federation tokens for the router's Bedrock role)."""
    return vault_aws.SecretBackend(
        f"{name}-aws", path=contract.AWS_MOUNT, access_key=_field(creds, "accessKey"),
        secret_key=_field(creds, "secretKey"), region=cfg.aws_region, default_lease_ttl_seconds=3600,
        max_lease_ttl_seconds=14400, opts=v,
    )


def _gcp_engine(name: str, creds: pulumi.Output[Any], cfg: Vault, v: ResourceOptions) -> pulumi.CustomResource:
    """Vault's GCP secrets engine at gcp/ (OAuth tokens of the router's Vertex roleset)."""
    return vault_gcp.SecretBackend(
        f"{name}-gcp", path=contract.GCP_MOUNT,
        credentials=pulumi.Output.secret(creds.apply(lambda c: c if isinstance(c, str) else json.dumps(c))),
        default_lease_ttl_seconds=3600, max_lease_ttl_seconds=14400, opts=v,
    )


def _azure_engine(name: str, creds: pulumi.Output[Any], cfg: Vault, v: ResourceOptions) -> pulumi.CustomResource:
    """Vault's Azure secrets engine at azure/."""
    return vault_azure.Backend(
        f"{name}-azure", path="azure", tenant_id=_field(creds, "tenantId"),
        subscription_id=_field(creds, "subscriptionId"), client_id=_field(creds, "clientId"),
        client_secret=_field(creds, "clientSecret"), opts=v,
    )


# `vault.dynamicCredentials` -> the Vault secrets engine that issues that cloud's credentials.
CLOUD_ENGINES = {"aws": _aws_engine, "gcp": _gcp_engine, "azure": _azure_engine}


class VaultConfig(pulumi.ComponentResource):
    """Public attributes: provider (pulumi_vault.Provider); kv_path, pki_path (str);
    auth_paths (dict[cluster, str]); router_policies (dict[cluster, str]: policy HCL);
    engines (list[str]: mount paths of the dynamic-credential and database engines)."""

    def __init__(
        self, name: str, *, stack: StackConfig, address: pulumi.Input[str], token: pulumi.Output[str],
        targets: Sequence[KubernetesAuthTarget], ca_cert_file: str | None = None,
        opts: ResourceOptions | None = None,
    ) -> None:
        super().__init__("meridian:vault:VaultConfig", name, None, opts)
        assert stack.vault is not None
        cfg = stack.vault
        secrets = pulumi.Config("meridian")
        self.provider = vault.Provider(
            f"{name}-provider",
            address=address,
            token=pulumi.Output.secret(token),
            ca_cert_file=ca_cert_file,
            skip_tls_verify=False,
            opts=ResourceOptions(parent=self),
        )
        v = ResourceOptions(parent=self, provider=self.provider)

        vault.Audit(f"{name}-audit-file", type="file", path="file", options={"file_path": AUDIT_FILE}, opts=v)

        # ---- KV v2 for static secrets.
        kv_mount = vault.Mount(
            f"{name}-kv", path=KV_MOUNT, type="kv", options={"version": "2"},
            description="static secrets (e.g. upstream AI API keys of the router)", opts=v,
        )
        self.kv_path = KV_MOUNT

        # ---- PKI: root (key never leaves Vault: type internal) signs the intermediate that issues.
        root_mount = vault.Mount(
            f"{name}-pki-root", path=PKI_ROOT_MOUNT, type="pki", max_lease_ttl_seconds=10 * 365 * 86400, opts=v
        )
        root = pki.SecretBackendRootCert(
            f"{name}-pki-root-ca", backend=root_mount.path, type="internal",
            common_name=f"{cfg.pki_common_name} Root CA", ttl=str(10 * 365 * 86400), key_type="ec", key_bits=384,
            organization="Meridian", opts=v,
        )
        int_mount = vault.Mount(
            f"{name}-pki-int", path=PKI_MOUNT, type="pki", max_lease_ttl_seconds=5 * 365 * 86400, opts=v
        )
        csr = pki.SecretBackendIntermediateCertRequest(
            f"{name}-pki-int-csr", backend=int_mount.path, type="internal",
            common_name=f"{cfg.pki_common_name} Intermediate CA", key_type="ec", key_bits=256, opts=v,
        )
        signed = pki.SecretBackendRootSignIntermediate(
            f"{name}-pki-int-signed", backend=root_mount.path, csr=csr.csr,
            common_name=f"{cfg.pki_common_name} Intermediate CA", ttl=str(5 * 365 * 86400), organization="Meridian",
            opts=ResourceOptions.merge(v, ResourceOptions(depends_on=[root])),
        )
        pki.SecretBackendIntermediateSetSigned(
            f"{name}-pki-int-set", backend=int_mount.path, certificate=signed.certificate, opts=v
        )
        pki.SecretBackendConfigUrls(
            f"{name}-pki-int-urls", backend=int_mount.path,
            issuing_certificates=[pulumi.Output.concat(address, f"/v1/{PKI_MOUNT}/ca")],
            crl_distribution_points=[pulumi.Output.concat(address, f"/v1/{PKI_MOUNT}/crl")], opts=v,
        )
        pki.SecretBackendRole(
            f"{name}-pki-service", backend=int_mount.path, name=SERVICE_CERT_ROLE,
            allowed_domains=[cfg.pki_common_name, "svc", "svc.cluster.local"], allow_subdomains=True,
            allow_bare_domains=False, allow_any_name=False, enforce_hostnames=True, allow_ip_sans=True,
            server_flag=True, client_flag=True, key_type="ec", key_bits=256, ttl="86400", max_ttl="259200",
            opts=v,
        )
        self.pki_path = PKI_MOUNT

        # ---- Dynamic credentials: databases and clouds.
        self.engines: list[str] = []
        engines: dict[str, pulumi.CustomResource] = {}  # cloud -> its secrets engine
        if cfg.databases:
            db_creds = secrets.require_secret_object(DATABASE_CREDENTIALS_KEY)
            db_mount = vault.Mount(f"{name}-database", path="database", type="database", opts=v)
            self.engines.append("database")
            for db_name, url in sorted(cfg.databases.items()):
                plugin = db_plugin(db_name, url)
                role_name = f"{db_name}-readonly"
                common: dict[str, Any] = {
                    "connection_url": url,
                    "username": _field(db_creds, db_name, "username"),
                    "password": _field(db_creds, db_name, "password"),
                }
                conn = database.SecretBackendConnection(
                    f"{name}-db-{db_name}", backend=db_mount.path, name=db_name, allowed_roles=[role_name],
                    postgresql=database.SecretBackendConnectionPostgresqlArgs(**common)
                    if plugin == "postgresql" else None,
                    mysql=database.SecretBackendConnectionMysqlArgs(**common) if plugin == "mysql" else None,
                    opts=v,
                )
                database.SecretBackendRole(
                    f"{name}-db-{db_name}-readonly", backend=db_mount.path, name=role_name, db_name=conn.name,
                    creation_statements=DB_READONLY[plugin], default_ttl=3600, max_ttl=86400, opts=v,
                )
        for cloud in cfg.dynamic_credentials:
            key = CLOUD_CREDENTIAL_KEYS[cloud]
            creds = secrets.get_secret_object(key)
            if creds is None:
                pulumi.log.warn(
                    f"vault: no {cloud} secrets engine: set `pulumi config set --secret meridian:{key} ...` "
                    f"(or drop {cloud!r} from meridian:platform.vault.dynamicCredentials)",
                    resource=self,
                )
                continue
            self.engines.append(cloud)
            engines[cloud] = CLOUD_ENGINES[cloud](name, creds, cfg, v)

        # ---- Kubernetes auth per cluster; the router's policy, role, credentials and secrets in each.
        router = contract.router_identity(stack)
        upstream = secrets.get_secret_object(ROUTER_UPSTREAM_KEYS_KEY)
        upstream_layout = secrets.get_object(ROUTER_UPSTREAM_KEYS_KEY)  # names only; values stay secret
        self.auth_paths: dict[str, str] = {}
        self.router_policies: dict[str, str] = {}
        for t in targets:
            path = contract.auth_mount(t.name)
            backend = vault.AuthBackend(
                f"{name}-k8s-{t.name}", type="kubernetes", path=path,
                description=f"Kubernetes auth for cluster {t.name} ({t.jurisdiction})", opts=v,
            )
            vault_k8s.AuthBackendConfig(
                f"{name}-k8s-{t.name}-config", backend=backend.path, kubernetes_host=t.host,
                kubernetes_ca_cert=t.ca_cert,
                # Remote clusters: Vault reviews each login with the caller's own JWT (the caller's
                # service account holds system:auth-delegator there); Vault's own cluster: its pod token.
                disable_local_ca_jwt=t.name != cfg.cluster,
                opts=v,
            )
            self.auth_paths[t.name] = path
            reads = contract.router_reads(stack, t.name) if router is not None else []
            if router is None or not reads:
                continue
            hcl = to_hcl(router_rules(reads))
            policy = vault.Policy(f"{name}-policy-router-{t.name}", name=router_policy_name(t.name), policy=hcl, opts=v)
            vault_k8s.AuthBackendRole(
                f"{name}-k8s-{t.name}-router", backend=backend.path, role_name=router.role,
                bound_service_account_names=[router.service_account],
                bound_service_account_namespaces=[router.namespace],
                audience=contract.LOGIN_AUDIENCE,
                token_policies=[policy.name], token_no_default_policy=True, token_ttl=3600, token_max_ttl=14400,
                opts=v,
            )
            self.router_policies[t.name] = hcl
            for read in reads:
                if read.kind == "kv":
                    self._seed(name, t.name, read.file, kv_mount, upstream, upstream_layout, v)
                elif read.kind == "sts":
                    self._aws_role(name, stack, t.name, engines.get("aws"), v)
                else:
                    self._gcp_roleset(name, stack, t.name, engines.get("gcp"), v)

        self.register_outputs(
            {"kvPath": self.kv_path, "pkiPath": self.pki_path, "authPaths": self.auth_paths, "engines": self.engines}
        )

    def _seed(
        self, name: str, cluster: str, secret: str, kv_mount: vault.Mount, upstream: pulumi.Output[Any] | None,
        layout: Any, v: ResourceOptions,
    ) -> None:
        """kv/router/<cluster>/<secret> = {"api_key": ...}, from `meridian:routerUpstreamKeys`."""
        where = upstream_key_for(layout, secret, cluster) if upstream is not None else None
        if upstream is None or where is None:
            pulumi.log.warn(
                f"vault: the router on {cluster} reads {contract.kv_read_path(cluster, secret)} but "
                f"meridian:{ROUTER_UPSTREAM_KEYS_KEY} has no {secret!r} for it; write it with "
                f"`vault kv put {KV_MOUNT}/{contract.kv_secret_name(cluster, secret)} {contract.KV_FIELD}=...`",
                resource=self,
            )
            return
        kv.SecretV2(
            f"{name}-kv-router-{cluster}-{secret}", mount=kv_mount.path, name=contract.kv_secret_name(cluster, secret),
            data_json=pulumi.Output.secret(
                _field(upstream, *where).apply(lambda key: json.dumps({contract.KV_FIELD: key}))
            ),
            opts=v,
        )

    def _aws_role(
        self, name: str, stack: StackConfig, cluster: str, engine: pulumi.CustomResource | None, v: ResourceOptions
    ) -> None:
        """aws/sts/router-<cluster>: federation tokens allowed only to invoke Bedrock in the regions the
        cluster's router may use (the same policy document as its IRSA role)."""
        if engine is None:
            pulumi.log.warn(
                f"vault: the router on {cluster} reads {contract.aws_sts_path(cluster)} but the AWS secrets "
                "engine is not configured", resource=self,
            )
            return
        vault_aws.SecretBackendRole(
            f"{name}-aws-router-{cluster}", backend=contract.AWS_MOUNT, name=contract.dynamic_role(cluster),
            credential_type="federation_token",
            policy_document=contract.bedrock_policy(contract.bedrock_regions(stack, cluster)),
            default_sts_ttl=3600, max_sts_ttl=14400, opts=ResourceOptions.merge(v, ResourceOptions(depends_on=[engine])),
        )

    def _gcp_roleset(
        self, name: str, stack: StackConfig, cluster: str, engine: pulumi.CustomResource | None, v: ResourceOptions
    ) -> None:
        """gcp/roleset/router-<cluster>: OAuth access tokens of a service account with Vertex AI user on
        the stack's project (nothing else)."""
        if engine is None:
            pulumi.log.warn(
                f"vault: the router on {cluster} reads {contract.gcp_token_path(cluster)} but the GCP secrets "
                "engine is not configured", resource=self,
            )
            return
        if not stack.gcp_project:
            raise ValueError(f"the router on {cluster} uses Vertex AI: set meridian:platform.gcpProject")
        vault_gcp.SecretRoleset(
            f"{name}-gcp-router-{cluster}", backend=contract.GCP_MOUNT, roleset=contract.dynamic_role(cluster),
            secret_type="access_token", project=stack.gcp_project, token_scopes=list(contract.GCP_TOKEN_SCOPES),
            bindings=[
                vault_gcp.SecretRolesetBindingArgs(
                    resource=f"//cloudresourcemanager.googleapis.com/projects/{stack.gcp_project}",
                    roles=list(contract.VERTEX_ROLES),
                )
            ],
            opts=ResourceOptions.merge(v, ResourceOptions(depends_on=[engine])),
        )

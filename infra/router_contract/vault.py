"""The router's contract with Vault, written once.

Who the router is (namespace and ServiceAccount, from the `router` section), how it logs in (the
Kubernetes auth mount of its cluster and the role), where Vault is (the `vault` section's address),
and exactly what it reads: one `SecretRead` per file Vault Agent renders into /vault/secrets, with the
Vault path and the template.

Both sides call these functions and nothing else:
  Vault (infra/vault)         the role's bound namespace/ServiceAccount, the router policy (read on
                              exactly `router_reads`), the seeded KV secrets, the AWS STS role and
                              the GCP roleset per cluster, the injector's auth-delegator binding;
  router (infra/router_deploy) the ServiceAccount, the agent annotations and templates, the IRSA
                              policy (same Bedrock policy as the STS role).
tests/infra/router_contract/test_vault.py plans both and fails if they drift apart.

Secret layout: one KV v2 secret per upstream credential and cluster, field `api_key`:
  kv/router/<cluster>/<file>       (read path kv/data/router/<cluster>/<file>)
Dynamic credentials per cluster: aws/sts/router-<cluster> (federation token: Bedrock invoke only, in
the regions the cluster's router may use), gcp/roleset/router-<cluster>/token (Vertex AI user).

Pure: no Pulumi resources, so config code, tests and both components can import it."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Literal

from infra.router_contract import config_gen
from meridian import catalog
from meridian.config import StackConfig, Vault

ROUTER_ROLE = "router"  # Kubernetes auth role name, the same in every cluster's backend
ROUTER_SERVICE_ACCOUNT = "router"
# The login token's audience. None: the API server's own audience. Vault reviews remote clusters'
# logins with the caller's own JWT (disable_local_ca_jwt), so the API server must accept that token;
# a custom audience (e.g. "vault") would make every remote login fail with 401.
LOGIN_AUDIENCE: str | None = None

KV_MOUNT = "kv"
KV_FIELD = "api_key"  # the field of every static router secret
AWS_MOUNT = "aws"
GCP_MOUNT = "gcp"
API_PORT = 8200
VERTEX_ROLES = ("roles/aiplatform.user",)
GCP_TOKEN_SCOPES = ("https://www.googleapis.com/auth/cloud-platform",)

# Static credentials (KV) the router may read: the file names config_gen gives their backends.
STATIC_SECRETS = (config_gen.SECRET_AZURE_OPENAI, config_gen.SECRET_EDGE)


# --------------------------------------------------------------------------- identity


@dataclass(frozen=True)
class RouterIdentity:
    namespace: str
    service_account: str = ROUTER_SERVICE_ACCOUNT
    role: str = ROUTER_ROLE

    @property
    def subject(self) -> str:
        return f"system:serviceaccount:{self.namespace}:{self.service_account}"


def router_identity(stack: StackConfig) -> RouterIdentity | None:
    """The router's Kubernetes identity in every cluster (None: the stack deploys no router)."""
    if stack.router is None:
        return None
    return RouterIdentity(namespace=stack.router.namespace)


def auth_mount(cluster: str) -> str:
    """The Kubernetes auth backend of one cluster (its mount path, without `auth/`)."""
    return f"kubernetes-{cluster}"


def auth_path(cluster: str) -> str:
    """What Vault Agent logs in to (`vault.hashicorp.com/auth-path`)."""
    return f"auth/{auth_mount(cluster)}"


# --------------------------------------------------------------------------- address


def vault_hostname(cfg: Vault) -> str:
    return cfg.hostname or f"vault.{cfg.cluster}.{cfg.pki_common_name}"


def vault_api_address(cfg: Vault) -> str:
    """The installed Vault's API address (in its TLS certificate)."""
    return f"https://{vault_hostname(cfg)}:{API_PORT}"


def vault_address(stack: StackConfig) -> str | None:
    """The Vault the router talks to: the stack's own Vault; `router.vaultAddress` only for a Vault
    outside the stack (the config refuses both at once). None: no Vault known."""
    if stack.vault is not None:
        return vault_api_address(stack.vault)
    return stack.router.vault_address if stack.router is not None else None


# --------------------------------------------------------------------------- paths


def dynamic_role(cluster: str) -> str:
    """The AWS secrets engine role and the GCP roleset of one cluster's router."""
    return f"router-{cluster}"


def kv_secret_name(cluster: str, secret: str) -> str:
    """The KV v2 secret's name under the mount (what kv.SecretV2 `name` takes)."""
    return f"router/{cluster}/{secret}"


def kv_read_path(cluster: str, secret: str) -> str:
    return f"{KV_MOUNT}/data/{kv_secret_name(cluster, secret)}"


def aws_sts_path(cluster: str) -> str:
    return f"{AWS_MOUNT}/sts/{dynamic_role(cluster)}"


def gcp_token_path(cluster: str) -> str:
    return f"{GCP_MOUNT}/roleset/{dynamic_role(cluster)}/token"


def policy_name(cluster: str) -> str:
    return f"router-{cluster}"


@dataclass(frozen=True)
class SecretRead:
    """One file Vault Agent renders for the router: /vault/secrets/<file>, from Vault path `path`."""

    file: str
    path: str
    # what is read: a static KV secret, STS credentials of the AWS engine, an access token of the GCP engine
    kind: Literal["kv", "sts", "token"]
    template: str


def _kv_template(path: str) -> str:
    return f'{{{{- with secret "{path}" -}}}}{{{{ .Data.data.{KV_FIELD} }}}}{{{{- end -}}}}'


def _aws_template(path: str) -> str:
    # Shell-style lines the router's Bedrock adapter re-reads as the STS credentials rotate.
    return (
        f'{{{{- with secret "{path}" -}}}}\n'
        "export AWS_ACCESS_KEY_ID={{ .Data.access_key }}\n"
        "export AWS_SECRET_ACCESS_KEY={{ .Data.secret_key }}\n"
        "export AWS_SESSION_TOKEN={{ .Data.security_token }}\n"
        "{{- end -}}"
    )


def _gcp_template(path: str) -> str:
    return f'{{{{- with secret "{path}" -}}}}{{{{ .Data.token }}}}{{{{- end -}}}}'


def router_reads(stack: StackConfig, cluster: str) -> list[SecretRead]:
    """Everything the router of `cluster` reads from Vault: only what its backends use."""
    cfg = config_gen.router_config(stack, cluster, redis_url=None)
    backends = cfg.backends
    files = {b.api_key_file for b in backends if b.api_key_file}
    out: list[SecretRead] = []
    for name in STATIC_SECRETS:
        if config_gen.secret_file(name) in files:
            path = kv_read_path(cluster, name)
            out.append(SecretRead(name, path, "kv", _kv_template(path)))
    if any(b.provider == "bedrock" for b in backends):
        path = aws_sts_path(cluster)
        out.append(SecretRead(config_gen.SECRET_AWS, path, "sts", _aws_template(path)))
    if config_gen.secret_file(config_gen.SECRET_VERTEX) in files:
        path = gcp_token_path(cluster)
        out.append(SecretRead(config_gen.SECRET_VERTEX, path, "token", _gcp_template(path)))
    return out


# --------------------------------------------------------------------------- cloud permissions


def bedrock_regions(stack: StackConfig, cluster: str) -> list[str]:
    """The regions whose Bedrock the router of `cluster` may call (its allowed jurisdictions only)."""
    c = stack.cluster(cluster)
    return sorted({b.region or "" for b in config_gen.cloud_backends(stack, c) if b.provider == "bedrock"})


def bedrock_policy(regions: list[str]) -> str:
    """IAM policy: invoke Bedrock foundation models, only in the given regions (residency: nowhere
    else). The router's IRSA role and its Vault STS role carry exactly this document."""
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Action": ["bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream"],
                    "Resource": [
                        f"arn:{catalog.aws_partition(r)}:bedrock:{r}::foundation-model/*" for r in sorted(regions)
                    ],
                }
            ],
        }
    )


__all__ = [
    "LOGIN_AUDIENCE", "ROUTER_ROLE", "ROUTER_SERVICE_ACCOUNT", "RouterIdentity", "SecretRead", "auth_mount",
    "auth_path", "aws_sts_path", "bedrock_policy", "bedrock_regions", "dynamic_role", "gcp_token_path",
    "kv_read_path", "kv_secret_name", "policy_name", "router_identity", "router_reads", "vault_address",
    "vault_api_address", "vault_hostname",
]

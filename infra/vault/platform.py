"""VaultPlatform: Vault for the whole stack. The unseal key and the server on the Vault cluster, the
configuration inside Vault (once a token is configured), the agent injector on every other cluster."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pulumi
from pulumi import ResourceOptions

from infra.router_contract.vault import router_identity
from infra.vault.config import CA_CERT_FILE_KEY, TOKEN_KEY, VaultConfig
from infra.vault.injector import VaultAgentInjector
from infra.vault.inputs import KubernetesAuthTarget, VaultHost
from infra.vault.server import VaultServer
from infra.vault.unseal import VaultUnsealKey
from meridian.config import StackConfig


class VaultPlatform(pulumi.ComponentResource):
    """Public attributes: unseal_key (VaultUnsealKey); server (VaultServer); address (Output[str]);
    internal_address (Output[str]: the API's internal load balancer, for infra.vault.dns);
    ca_cert_pem (Output[str]); config (VaultConfig | None: None until `meridian:vaultToken` is set,
    i.e. before `vault operator init`); injectors (dict[cluster, VaultAgentInjector])."""

    def __init__(
        self, name: str, *, stack: StackConfig, host: VaultHost, targets: Sequence[KubernetesAuthTarget],
        opts: ResourceOptions | None = None,
    ) -> None:
        super().__init__("meridian:vault:VaultPlatform", name, None, opts)
        if stack.vault is None:
            raise ValueError("VaultPlatform needs meridian:platform.vault")
        cfg = stack.vault
        if host.cluster.name != cfg.cluster:
            raise ValueError(f"Vault runs on {cfg.cluster!r}, not on {host.cluster.name!r}")
        missing = {c.name for c in stack.clusters} - {t.name for t in targets}
        if missing:
            raise ValueError(f"clusters without a Kubernetes auth target: {', '.join(sorted(missing))}")
        self.unseal_key = VaultUnsealKey(f"{name}-unseal", host=host, stack=stack, opts=ResourceOptions(parent=self))
        self.server = VaultServer(
            f"{name}-server", stack=stack, unseal=self.unseal_key, k8s_provider=host.k8s_provider,
            opts=ResourceOptions(parent=self),
        )
        self.address = self.server.address
        self.internal_address = self.server.internal_address
        self.ca_cert_pem = self.server.ca_cert_pem

        secrets = pulumi.Config("meridian")
        token = secrets.get_secret(TOKEN_KEY)
        self.config: VaultConfig | None = None
        if token is None:
            pulumi.log.warn(
                f"vault: Vault is installed but not configured: run `vault operator init` once, then "
                f"`pulumi config set --secret meridian:{TOKEN_KEY} <token>` and `pulumi up` again",
                resource=self,
            )
        else:
            self.config = VaultConfig(
                f"{name}-config", stack=stack, address=self.address, token=token, targets=targets,
                ca_cert_file=secrets.get(CA_CERT_FILE_KEY), opts=ResourceOptions(parent=self),
            )
        self.injectors: dict[str, VaultAgentInjector] = {}
        for t in targets:
            if t.name == cfg.cluster or t.k8s_provider is None:
                continue
            self.injectors[t.name] = VaultAgentInjector(
                f"{name}-injector-{t.name}", cfg=cfg, cluster=t.name, address=self.address,
                router=router_identity(stack), k8s_provider=t.k8s_provider, opts=ResourceOptions(parent=self),
            )
        self.register_outputs(self.stack_outputs())

    def stack_outputs(self) -> dict[str, Any]:
        return {
            "cluster": self.unseal_key.cluster_name,
            "address": self.address,
            "internalAddress": self.internal_address,
            "caCertPem": self.ca_cert_pem,
            "unsealKeyId": self.unseal_key.key_id,
            "unsealKeyRegion": self.unseal_key.region,
            "jurisdiction": self.unseal_key.jurisdiction,
            "authPaths": self.config.auth_paths if self.config else {},
            "configured": self.config is not None,
        }

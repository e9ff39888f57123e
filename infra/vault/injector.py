"""VaultAgentInjector: the Vault Agent injector on a cluster that does not run Vault, pointed at the
Vault API, so workloads there read secrets through an injected agent (Kubernetes auth, no token in
their config). Also lets the router's service account review its own login token (auth-delegator):
Vault checks remote clusters' logins with the caller's JWT. The router's identity is the one of
infra.router_contract.vault (the `router` section's namespace), the same the Vault role binds."""

from __future__ import annotations

import pulumi
import pulumi_kubernetes.core.v1 as core
import pulumi_kubernetes.helm.v3 as helm
import pulumi_kubernetes.meta.v1 as meta
import pulumi_kubernetes.rbac.v1 as rbac
from pulumi import ResourceOptions

from infra.router_contract.vault import RouterIdentity, auth_path
from infra.vault.server import CHART_REPO
from meridian.config import Vault


def injector_values(cfg: Vault, address: str, cluster: str) -> dict[str, object]:
    return {
        "global": {"enabled": True, "externalVaultAddr": address, "tlsDisable": False},
        "server": {"enabled": False},
        "csi": {"enabled": False},
        "injector": {
            "enabled": True,
            "replicas": 2,
            "authPath": auth_path(cluster),
            "agentImage": {"repository": "hashicorp/vault", "tag": cfg.image_tag},
        },
    }


class VaultAgentInjector(pulumi.ComponentResource):
    """Public attributes: release (helm.Release). `router`: the router's identity (None: no router,
    no token-review binding)."""

    def __init__(
        self, name: str, *, cfg: Vault, cluster: str, address: pulumi.Input[str], router: RouterIdentity | None,
        k8s_provider: pulumi.ProviderResource, opts: ResourceOptions | None = None,
    ) -> None:
        super().__init__("meridian:vault:VaultAgentInjector", name, None, opts)
        k8s = ResourceOptions(parent=self, provider=k8s_provider)
        ns = core.Namespace(
            f"{name}-ns", metadata=meta.ObjectMetaArgs(name="vault", labels={"app.kubernetes.io/part-of": "meridian"}),
            opts=k8s,
        )
        if router is not None:
            rbac.ClusterRoleBinding(
                f"{name}-router-review",
                metadata=meta.ObjectMetaArgs(name="vault-router-token-review"),
                role_ref=rbac.RoleRefArgs(api_group="rbac.authorization.k8s.io", kind="ClusterRole",
                                          name="system:auth-delegator"),
                subjects=[rbac.SubjectArgs(kind="ServiceAccount", name=router.service_account,
                                           namespace=router.namespace)],
                opts=k8s,
            )
        self.release = helm.Release(
            f"{name}-release",
            name="vault",
            namespace=ns.metadata.name,
            chart="vault",
            version=cfg.chart_version,
            repository_opts=helm.RepositoryOptsArgs(repo=CHART_REPO),
            values=pulumi.Output.from_input(address).apply(lambda a: injector_values(cfg, a, cluster)),
            opts=k8s,
        )
        self.register_outputs({"cluster": cluster})

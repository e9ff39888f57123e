"""RouterRedis: the Redis the router's replicas on one cluster share budgets and breaker state through.

`router.redis`:
  in-cluster  a single-replica Redis Deployment (memory only, no disk; classified `internal` by its
              labels) + ClusterIP Service + NetworkPolicy (only router pods may connect) in the
              router's namespace, password-protected (random password, Secret)
  managed     the cloud's service in the cluster's region and network, TLS in transit + auth, made by
              the cluster's region through RegionalCluster.managed_redis (infra/<cloud>/redis.py):
              aws ElastiCache ReplicationGroup (2 nodes, multi-AZ failover, at-rest encryption,
              subnet group in the cluster's private subnets, SG open to the VPC range only);
              gcp Memorystore (STANDARD_HA, AUTH, SERVER_AUTHENTICATION TLS) on the cluster's VPC;
              azure Azure Cache for Redis (Standard C1, TLS 1.2, non-TLS port off, private endpoint).
The full URL (with the password) only lives in a Kubernetes Secret (`url_secret`, key `url`) the
router reads through an environment variable; the router's ConfigMap gets the password-less URL."""

from __future__ import annotations

import pulumi
import pulumi_kubernetes.apps.v1 as apps
import pulumi_kubernetes.core.v1 as core
import pulumi_kubernetes.meta.v1 as meta
import pulumi_kubernetes.networking.v1 as networking
import pulumi_random as random
from pulumi import ResourceOptions

from infra.observability.scrape import scraper_peers
from infra.regional import RegionalCluster
from meridian.config import Cluster, StackConfig
from meridian.rules.facts import K8S_CLOUD_LABEL, K8S_REGION_LABEL
from meridian.tags import gcp_labels, residency_tags

REDIS_APP = "router-redis"
SECRET_NAME = "router-redis"
PORT = 6379
NON_ROOT_UID = 10001
REDIS_POD_LABELS = {"app.kubernetes.io/name": REDIS_APP, "app.kubernetes.io/part-of": "meridian-router"}
EXPORTER_PORT = 9121
EXPORTER_PORT_NAME = "metrics"


def redis_tags(cfg: Cluster, stack: StackConfig) -> dict[str, str]:
    """Router state (budget ledgers, breaker state, tenant ids) is data: classified `internal`, in the
    jurisdiction of the cluster it serves."""
    return residency_tags("internal", cfg.jurisdiction, stack.environment, cluster=cfg.name, app="meridian-router")


def _restricted_container_security() -> core.SecurityContextArgs:
    return core.SecurityContextArgs(
        run_as_non_root=True,
        run_as_user=NON_ROOT_UID,
        run_as_group=NON_ROOT_UID,
        allow_privilege_escalation=False,
        read_only_root_filesystem=True,
        privileged=False,
        capabilities=core.CapabilitiesArgs(drop=["ALL"]),
        seccomp_profile=core.SeccompProfileArgs(type="RuntimeDefault"),
    )


class RouterRedis(pulumi.ComponentResource):
    """Public attributes: url (Output[str]: password-less URL for the ConfigMap), url_secret (str: the
    Secret holding the full URL under key `url`), port (int), host (Output[str]), mode (str)."""

    def __init__(
        self,
        name: str,
        *,
        cluster: RegionalCluster,
        stack: StackConfig,
        namespace: pulumi.Input[str],
        router_labels: dict[str, str],
        opts: ResourceOptions | None = None,
    ) -> None:
        super().__init__("meridian:router:RouterRedis", name, None, opts)
        assert stack.router is not None
        cfg: Cluster = cluster.config
        child = ResourceOptions(parent=self)
        self.mode = stack.router.redis
        self.url_secret = SECRET_NAME
        password = random.RandomPassword(f"{name}-password", length=40, special=False, opts=child)

        if self.mode == "in-cluster":
            self.port = PORT
            ns_name = stack.router.namespace
            self.host = pulumi.Output.from_input(f"{REDIS_APP}.{ns_name}.svc.cluster.local")
            self.url = self.host.apply(lambda h: f"redis://{h}:{PORT}/0")
            self._in_cluster(name, cfg, stack, namespace, router_labels, password.result, child)
        else:  # the cloud's own service, from the cluster's region (infra/<cloud>/redis.py)
            managed = cluster.managed_redis(
                name, stack=stack, password=password.result, tags=redis_tags(cfg, stack), parent=self
            )
            self._password = managed.password
            self.port = managed.port
            self.host = managed.host
            self.url = self.host.apply(lambda h: f"rediss://{h}:{managed.port}/0")

        full_url = pulumi.Output.secret(self._full_url())
        core.Secret(
            f"{name}-url",
            metadata=meta.ObjectMetaArgs(name=SECRET_NAME, namespace=namespace, labels={"app.kubernetes.io/name": REDIS_APP}),
            type="Opaque",
            string_data={"url": full_url, "password": pulumi.Output.secret(self._password)},
            opts=child,
        )
        self.register_outputs({"url": self.url, "mode": self.mode})

    # ------------------------------------------------------------------ the URL with credentials

    def _full_url(self) -> pulumi.Output[str]:
        scheme = "redis" if self.mode == "in-cluster" else "rediss"
        return pulumi.Output.all(self._password, self.host).apply(
            lambda a: f"{scheme}://:{a[0]}@{a[1]}:{self.port}/0"
        )

    # ------------------------------------------------------------------ in-cluster

    def _in_cluster(
        self,
        name: str,
        cfg: Cluster,
        stack: StackConfig,
        namespace: pulumi.Input[str],
        router_labels: dict[str, str],
        password: pulumi.Output[str],
        child: ResourceOptions,
    ) -> None:
        assert stack.router is not None
        self._password = password
        labels = dict(REDIS_POD_LABELS)
        # The router's state is data: the Deployment that holds it carries its classification and the
        # cluster's region and cloud (what the residency rules and the audit place it by).
        password_env = core.EnvVarArgs(  # Redis and its exporter, from the same Secret
            name="REDIS_PASSWORD",
            value_from=core.EnvVarSourceArgs(
                secret_key_ref=core.SecretKeySelectorArgs(name=SECRET_NAME, key="password")
            ),
        )
        classified = {**labels, **gcp_labels(redis_tags(cfg, stack)), K8S_REGION_LABEL: cfg.region,
                      K8S_CLOUD_LABEL: cfg.cloud}
        apps.Deployment(
            f"{name}-redis",
            metadata=meta.ObjectMetaArgs(name=REDIS_APP, namespace=namespace, labels=classified),
            spec=apps.DeploymentSpecArgs(
                replicas=1,
                strategy=apps.DeploymentStrategyArgs(type="Recreate"),
                selector=meta.LabelSelectorArgs(match_labels=labels),
                template=core.PodTemplateSpecArgs(
                    metadata=meta.ObjectMetaArgs(labels=labels),
                    spec=core.PodSpecArgs(
                        automount_service_account_token=False,
                        security_context=core.PodSecurityContextArgs(
                            run_as_non_root=True,
                            run_as_user=NON_ROOT_UID,
                            fs_group=NON_ROOT_UID,
                            seccomp_profile=core.SeccompProfileArgs(type="RuntimeDefault"),
                        ),
                        containers=[
                            core.ContainerArgs(
                                name="redis",
                                image=stack.router.redis_image,
                                image_pull_policy="Always",
                                # State is a cache of budgets/breakers the router can rebuild: no disk.
                                args=["--requirepass", "$(REDIS_PASSWORD)", "--save", "", "--appendonly", "no",
                                      "--maxmemory", "200mb", "--maxmemory-policy", "volatile-lru"],
                                env=[password_env],
                                ports=[core.ContainerPortArgs(name="redis", container_port=PORT)],
                                resources=core.ResourceRequirementsArgs(
                                    requests={"cpu": "100m", "memory": "128Mi"},
                                    limits={"cpu": "500m", "memory": "256Mi"},
                                ),
                                readiness_probe=core.ProbeArgs(
                                    tcp_socket=core.TCPSocketActionArgs(port="redis"), period_seconds=5
                                ),
                                liveness_probe=core.ProbeArgs(
                                    tcp_socket=core.TCPSocketActionArgs(port="redis"), period_seconds=10,
                                    failure_threshold=6,
                                ),
                                security_context=_restricted_container_security(),
                                volume_mounts=[core.VolumeMountArgs(name="data", mount_path="/data")],
                            ),
                            # Redis' own metrics (memory, clients, commands, evictions) for the collector.
                            core.ContainerArgs(
                                name="exporter",
                                image=stack.router.redis_exporter_image,
                                image_pull_policy="Always",
                                env=[
                                    core.EnvVarArgs(name="REDIS_ADDR", value=f"redis://localhost:{PORT}"),
                                    password_env,
                                ],
                                ports=[core.ContainerPortArgs(name=EXPORTER_PORT_NAME, container_port=EXPORTER_PORT)],
                                resources=core.ResourceRequirementsArgs(
                                    requests={"cpu": "10m", "memory": "32Mi"}, limits={"cpu": "100m", "memory": "64Mi"}
                                ),
                                readiness_probe=core.ProbeArgs(
                                    tcp_socket=core.TCPSocketActionArgs(port=EXPORTER_PORT_NAME), period_seconds=10
                                ),
                                liveness_probe=core.ProbeArgs(
                                    tcp_socket=core.TCPSocketActionArgs(port=EXPORTER_PORT_NAME), period_seconds=20,
                                    failure_threshold=6,
                                ),
                                security_context=_restricted_container_security(),
                            ),
                        ],
                        # Memory-backed: Redis persists nothing, so its state never touches a disk.
                        volumes=[core.VolumeArgs(name="data", empty_dir=core.EmptyDirVolumeSourceArgs(
                            medium="Memory", size_limit="256Mi"))],
                    ),
                ),
            ),
            opts=child,
        )
        core.Service(
            f"{name}-redis",
            metadata=meta.ObjectMetaArgs(name=REDIS_APP, namespace=namespace, labels=labels),
            spec=core.ServiceSpecArgs(
                type="ClusterIP",
                selector=labels,
                ports=[core.ServicePortArgs(name="redis", port=PORT, target_port="redis")],
            ),
            opts=child,
        )
        networking.NetworkPolicy(
            f"{name}-redis",
            metadata=meta.ObjectMetaArgs(name=REDIS_APP, namespace=namespace, labels=labels),
            spec=networking.NetworkPolicySpecArgs(
                pod_selector=meta.LabelSelectorArgs(match_labels=labels),
                policy_types=["Ingress", "Egress"],
                ingress=[
                    networking.NetworkPolicyIngressRuleArgs(
                        from_=[networking.NetworkPolicyPeerArgs(pod_selector=meta.LabelSelectorArgs(match_labels=router_labels))],
                        ports=[networking.NetworkPolicyPortArgs(protocol="TCP", port=PORT)],
                    ),
                    networking.NetworkPolicyIngressRuleArgs(  # the metrics collector, to the exporter only
                        from_=scraper_peers(stack.observability.collection, stack.observability.namespace, cfg.cloud,
                                            str(cfg.network.cidr)),
                        ports=[networking.NetworkPolicyPortArgs(protocol="TCP", port=EXPORTER_PORT)],
                    ),
                ],
                egress=[],  # Redis talks to no one
            ),
            opts=child,
        )

"""RouterRedis: the Redis the router's replicas on one cluster share budgets and breaker state through.

`router.redis`:
  in-cluster  a single-replica Redis Deployment (memory only, no disk; classified `internal` by its
              labels) + ClusterIP Service + NetworkPolicy (only router pods may connect) in the
              router's namespace, password-protected (random password, Secret)
  managed     the cloud's service in the cluster's region and network, TLS in transit + auth:
              aws ElastiCache ReplicationGroup (2 nodes, multi-AZ failover, at-rest encryption,
              subnet group in the cluster's private subnets, SG open to the VPC range only);
              gcp Memorystore (STANDARD_HA, AUTH, SERVER_AUTHENTICATION TLS) on the cluster's VPC;
              azure Azure Cache for Redis (Standard C1, TLS 1.2, non-TLS port off).
The full URL (with the password) only lives in a Kubernetes Secret (`url_secret`, key `url`) the
router reads through an environment variable; the router's ConfigMap gets the password-less URL."""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi_kubernetes.apps.v1 as apps
import pulumi_kubernetes.core.v1 as core
import pulumi_kubernetes.meta.v1 as meta
import pulumi_kubernetes.networking.v1 as networking
import pulumi_random as random
from pulumi import ResourceOptions

from infra.observability.scrape import scraper_peers
from infra.regional import data_store_options
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
AZURE_REDIS_PRIVATE_ZONE = "privatelink.redis.cache.windows.net"


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
        cluster: Any,
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
        elif cfg.cloud == "aws":
            self._elasticache(name, cluster, cfg, stack, password.result, child)
        elif cfg.cloud == "gcp":
            self._memorystore(name, cluster, cfg, stack, child)
        else:
            self._azure_cache(name, cluster, cfg, stack, child)

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

    # ------------------------------------------------------------------ managed

    def _elasticache(
        self, name: str, cluster: Any, cfg: Cluster, stack: StackConfig, password: pulumi.Output[str],
        child: ResourceOptions,
    ) -> None:
        import pulumi_aws.ec2 as ec2
        import pulumi_aws.elasticache as elasticache

        network = getattr(cluster, "network", None)
        if network is None or not hasattr(network, "private_subnet_ids"):
            raise ValueError(f"router on {cfg.name}: managed Redis needs the AWS cluster's network (vpc_id, private_subnet_ids)")
        self._password = password
        self.port = PORT
        tags = {"cluster": cfg.name, "app": "meridian-router"}
        subnets = elasticache.SubnetGroup(
            f"{name}-redis", subnet_ids=network.private_subnet_ids, description=f"router Redis on {cfg.name}",
            tags=tags, opts=child,
        )
        sg = ec2.SecurityGroup(
            f"{name}-redis",
            vpc_id=network.vpc_id,
            description=f"router Redis on {cfg.name}: TLS Redis from the cluster's VPC only",
            ingress=[ec2.SecurityGroupIngressArgs(protocol="tcp", from_port=PORT, to_port=PORT,
                                                  cidr_blocks=[str(cfg.network.cidr)], description="router pods")],
            tags=tags,
            opts=child,
        )
        group = elasticache.ReplicationGroup(
            f"{name}-redis",
            description=f"Meridian router shared state on {cfg.name}",
            engine="redis",
            engine_version="7.1",
            node_type="cache.t4g.small",
            num_cache_clusters=2,
            automatic_failover_enabled=True,
            multi_az_enabled=True,
            at_rest_encryption_enabled=True,
            transit_encryption_enabled=True,
            auth_token=password,
            port=PORT,
            subnet_group_name=subnets.name,
            security_group_ids=[sg.id],
            tags=redis_tags(cfg, stack),
            opts=data_store_options(stack, ResourceOptions(parent=self, additional_secret_outputs=["authToken"])),
        )
        self.host = group.primary_endpoint_address.apply(lambda h: h or "")
        self.url = self.host.apply(lambda h: f"rediss://{h}:{PORT}/0")

    def _memorystore(self, name: str, cluster: Any, cfg: Cluster, stack: StackConfig, child: ResourceOptions) -> None:
        import pulumi_gcp.redis as gredis

        network = getattr(cluster, "network", None)
        vpc = getattr(network, "network_self_link", None) or getattr(network, "network_id", None)
        if vpc is None:
            raise ValueError(f"router on {cfg.name}: managed Redis needs the GCP cluster's VPC (network.network_self_link)")
        inst = gredis.Instance(
            f"{name}-redis",
            name=f"router-{cfg.name}"[:40],
            project=stack.gcp_project,
            region=cfg.region,
            tier="STANDARD_HA",
            memory_size_gb=1,
            redis_version="REDIS_7_0",
            authorized_network=vpc,
            connect_mode="DIRECT_PEERING",  # VPC peering to the cluster's network; no PSA range needed
            auth_enabled=True,
            transit_encryption_mode="SERVER_AUTHENTICATION",
            labels=gcp_labels(redis_tags(cfg, stack)),
            opts=data_store_options(stack, ResourceOptions(parent=self, additional_secret_outputs=["authString"])),
        )
        self._password = inst.auth_string.apply(lambda s: s or "")
        self.port = 6378  # Memorystore's TLS port
        self.host = inst.host.apply(lambda h: h or "")
        self.url = self.host.apply(lambda h: f"rediss://{h}:6378/0")

    def _azure_cache(self, name: str, cluster: Any, cfg: Cluster, stack: StackConfig, child: ResourceOptions) -> None:
        import pulumi_azure_native.redis as cache  # azure-native 3: cache -> redis

        rg = getattr(cluster, "resource_group_name", None)
        network = getattr(cluster, "network", None)
        if rg is None or network is None or not hasattr(network, "node_subnet_id"):
            raise ValueError(f"router on {cfg.name}: managed Redis needs the Azure cluster's resource_group_name "
                             "and network (node_subnet_id, vnet_id)")
        redis = cache.Redis(
            f"{name}-redis",
            name=f"router-{cfg.name}",
            resource_group_name=rg,
            location=cfg.region,
            sku=cache.SkuArgs(name="Standard", family="C", capacity=1),
            enable_non_ssl_port=False,
            minimum_tls_version="1.2",
            redis_version="6",
            public_network_access="Disabled",
            tags=redis_tags(cfg, stack),
            opts=data_store_options(stack, child),
        )
        self._azure_private_endpoint(name, redis, rg, network, cfg, stack, child)
        keys = cache.list_redis_keys_output(name=redis.name, resource_group_name=rg, opts=pulumi.InvokeOptions(parent=self))
        self._password = pulumi.Output.secret(keys.primary_key)
        self.port = 6380
        self.host = redis.host_name.apply(lambda h: h or "")
        self.url = self.host.apply(lambda h: f"rediss://{h}:6380/0")

    def _azure_private_endpoint(
        self, name: str, redis: Any, rg: pulumi.Input[str], network: Any, cfg: Cluster, stack: StackConfig,
        child: ResourceOptions,
    ) -> None:
        """The cache has no public endpoint: the router reaches it through a private endpoint in the
        cluster's node subnet, and its host name resolves to that address through the
        privatelink.redis.cache.windows.net zone linked to the cluster's VNet."""
        import pulumi_azure_native.network as azure_network

        from infra.private_dns import azure_linked_zone

        tags = redis_tags(cfg, stack)
        endpoint = azure_network.PrivateEndpoint(
            f"{name}-redis-pe",
            resource_group_name=rg,
            location=cfg.region,
            subnet=azure_network.SubnetArgs(id=network.node_subnet_id),
            private_link_service_connections=[azure_network.PrivateLinkServiceConnectionArgs(
                name=f"{name}-redis", private_link_service_id=redis.id, group_ids=["redisCache"])],
            tags=tags,
            opts=child,
        )
        zone = azure_linked_zone(
            f"{name}-redis-zone", AZURE_REDIS_PRIVATE_ZONE, rg, network.vnet_id, f"{cfg.name}-redis", tags, child
        )
        azure_network.PrivateDnsZoneGroup(
            f"{name}-redis-dns",
            resource_group_name=rg,
            private_endpoint_name=endpoint.name,
            private_dns_zone_group_name="redis",
            private_dns_zone_configs=[azure_network.PrivateDnsZoneConfigArgs(name="redis", private_dns_zone_id=zone.id)],
            opts=child,
        )

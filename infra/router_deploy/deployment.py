"""RouterDeployment: the Meridian router on one cluster, with its config generated from the topology.

Resources (all on the cluster's Kubernetes provider, in namespace `router.namespace`):
  Namespace (Pod Security `restricted`), RouterIdentity (ServiceAccount + cloud workload identity),
  ConfigMap (generated router YAML, validated with the router's own model; no secrets),
  RouterRedis (shared state), Deployment, Services, HorizontalPodAutoscaler, PodDisruptionBudget,
  NetworkPolicy, and the ingress.

TLS: the public ingress is HTTPS end to end from Cloudflare. The Secret `router.tlsSecret`
(kubernetes.io/tls) holds the cluster's certificate - the Cloudflare Origin CA certificate for the
hostnames routed to it (infra.cloudflare.OriginCertificate), or, in a stack without Cloudflare, a
self-signed one - plus ca.crt when Authenticated Origin Pulls is on. It is mounted read-only into the
pod; the router serves HTTPS on config_gen.TLS_PORT (and requires Cloudflare's client certificate
with mTLS). Probes are HTTPS on that port (with mTLS: HTTP on the plain port, kubelet has no client
certificate).

Ingress (`router.ingress`), chosen per stack:
  loadbalancer (default)  a `type: LoadBalancer` Service on the cluster's reserved static address
                          (infra.ingress.IngressAddress: its annotations / loadBalancerIP) - the address
                          the Cloudflare pools point at; 443 -> the router's HTTPS port (TLS passes
                          through the L4 load balancer to the pod); the same on EKS, GKE and AKS.
  gateway                 Gateway API: a gateway.networking.k8s.io/v1 Gateway (HTTPS listener on 443
                          terminating TLS with the same Secret `router.tlsSecret`) + HTTPRoute to the
                          router Service's plain port inside the cluster, with the cloud's gateway class
                          (`router.gatewayClasses`). Use it where the cluster runs a Gateway controller.
Either way a second, internal LoadBalancer Service (`router-internal`) is what peer routers reach
over the interconnect (edge backends: http://router.<cluster>.<internalDomain>:<port>, a name that
infra.router_deploy.edge_dns resolves inside each linked cluster's network). It stays plain
HTTP: it is only reachable from the clusters' private ranges (NetworkPolicy) and crosses clouds inside
the IPsec mesh; `dedicated` links (Direct Connect / Interconnect / ExpressRoute) are not encrypted by
the link itself, so a stack relying on them should add TLS there (a Vault PKI certificate for
router.<cluster>.<internalDomain>) - not done yet.

Upstream credentials: the Vault Agent injector logs in to the cluster's Kubernetes auth backend and
role with the pod's projected ServiceAccount token, verifies Vault's TLS with the Vault CA (Secret
`vault-ca`), and writes each credential to /vault/secrets/<name>, which the config names as
`api_key_file` / `aws_credentials_file`. Role, auth path, Vault address, paths and templates all come
from infra.router_contract.vault, the same functions Vault's role and policy are built from."""

from __future__ import annotations

import hashlib
from typing import Any

import pulumi
import pulumi_kubernetes.apiextensions as apiextensions
import pulumi_kubernetes.apps.v1 as apps
import pulumi_kubernetes.autoscaling.v2 as autoscaling
import pulumi_kubernetes.core.v1 as core
import pulumi_kubernetes.meta.v1 as meta
import pulumi_kubernetes.networking.v1 as networking
import pulumi_kubernetes.policy.v1 as policy
import pulumi_tls as tls
import yaml
from pulumi import ResourceOptions

from infra.cloudflare.origin_tls import OriginTls
from infra.ingress.address import IngressAddress
from infra.internal_lb import INTERNAL_LB_ANNOTATIONS, lb_address, source_ranges
from infra.observability.scrape import scraper_peers
from infra.regional import RegionalCluster
from infra.router_contract import config_gen
from infra.router_contract import vault as contract
from infra.router_deploy.identity import SERVICE_ACCOUNT, RouterIdentity
from infra.router_deploy.redis import NON_ROOT_UID, RouterRedis
from meridian.config import Cluster, StackConfig
from meridian.config.problems import PRIVATE_RANGES as RFC1918

APP = "meridian-router"
LABELS = {"app.kubernetes.io/name": APP, "app.kubernetes.io/component": "router"}
VAULT_TOKEN_VOLUME = "vault-token"
VAULT_CA_SECRET = "vault-ca"  # Vault's CA certificate (public), mounted by the injector at /vault/tls
VAULT_CA_KEY = "ca.crt"
TLS_VOLUME = "tls"
SELF_SIGNED_VALIDITY_HOURS = 5 * 365 * 24

# Cloudflare's published origin-facing IPv4 ranges: the only internet sources of the public ingress.
CLOUDFLARE_IPV4 = (
    "173.245.48.0/20", "103.21.244.0/22", "103.22.200.0/22", "103.31.4.0/22", "141.101.64.0/18",
    "108.162.192.0/18", "190.93.240.0/20", "188.114.96.0/20", "197.234.240.0/22", "198.41.128.0/17",
    "162.158.0.0/15", "104.16.0.0/13", "104.24.0.0/14", "172.64.0.0/13", "131.0.72.0/22",
)
# Cloud load balancer health checkers (GCP's probers, Azure's host IP); AWS NLB probes from the VPC.
LB_HEALTH_CHECKERS = {"gcp": ("35.191.0.0/16", "130.211.0.0/22"), "azure": ("168.63.129.16/32",), "aws": ()}
PRIVATE_RANGES = tuple(str(n) for n in RFC1918)


def vault_annotations(
    stack: StackConfig, cluster_name: str, config_checksum: str, *, vault_ca: bool = False
) -> dict[str, str]:
    """Pod annotations for the Vault Agent injector: role, auth path and address of the contract, one
    agent-inject-secret-<file> + template per Vault read of this cluster's router, and the projected
    token it logs in with. No reads: no agent at all. `vault_ca`: the Secret VAULT_CA_SECRET exists."""
    out = {"meridian.dev/config-sha256": config_checksum}
    reads = contract.router_reads(stack, cluster_name)
    who = contract.router_identity(stack)
    address = contract.vault_address(stack)
    if not reads or who is None:
        return out
    if address is None:
        raise ValueError(
            f"the router on {cluster_name} reads {reads[0].path} from Vault, but the stack has no `vault` "
            "section and no router.vaultAddress"
        )
    out |= {
        "vault.hashicorp.com/agent-inject": "true",
        "vault.hashicorp.com/role": who.role,
        "vault.hashicorp.com/auth-path": contract.auth_path(cluster_name),
        "vault.hashicorp.com/service": address,
        "vault.hashicorp.com/agent-pre-populate": "true",
        "vault.hashicorp.com/agent-run-as-user": str(NON_ROOT_UID),
        "vault.hashicorp.com/agent-run-as-group": str(NON_ROOT_UID),
        "vault.hashicorp.com/agent-service-account-token-volume-name": VAULT_TOKEN_VOLUME,
        "vault.hashicorp.com/agent-limits-cpu": "100m",
        "vault.hashicorp.com/agent-limits-mem": "64Mi",
        "vault.hashicorp.com/agent-requests-cpu": "25m",
        "vault.hashicorp.com/agent-requests-mem": "32Mi",
    }
    if vault_ca:
        out["vault.hashicorp.com/tls-secret"] = VAULT_CA_SECRET
        out["vault.hashicorp.com/ca-cert"] = f"/vault/tls/{VAULT_CA_KEY}"
    for read in reads:
        out[f"vault.hashicorp.com/agent-inject-secret-{read.file}"] = read.path
        out[f"vault.hashicorp.com/agent-inject-template-{read.file}"] = read.template
    return out


class RouterDeployment(pulumi.ComponentResource):
    """The router on one cluster. Public attributes:
      config (RouterConfig: the generated router config, password-less); config_yaml (Output[str]);
      namespace (str); identity (RouterIdentity); redis (RouterRedis);
      public_address (Output[str]: the ingress address Cloudflare points at);
      internal_endpoint (str: what peer routers use); internal_address (Output[str]: the internal
      LB's address, for the private DNS record `router.<cluster>.<internalDomain>`);
      tls_secret (str: the Secret with the public certificate); mtls (bool: Cloudflare's client
      certificate required on the public port)."""

    def __init__(
        self,
        name: str,
        *,
        cluster: RegionalCluster,
        stack: StackConfig,
        cloud_provider: pulumi.ProviderResource | None = None,
        ingress: IngressAddress | None = None,
        vault_ca_cert: pulumi.Input[str] | None = None,
        origin_tls: OriginTls | None = None,
        opts: ResourceOptions | None = None,
    ) -> None:
        """`cluster`: the cluster's region (config, Kubernetes provider, and through the per-cloud
        interface its workload identity and managed Redis). `cloud_provider`: the cluster region's cloud provider (identity, managed
        Redis). `ingress`: the cluster's IngressAddress (service_annotations, load_balancer_ip) or None.
        `vault_ca_cert`: the PEM CA of the stack's Vault (VaultPlatform.ca_cert_pem), which Vault Agent
        verifies Vault's TLS with; None: Vault's certificate is publicly trusted.
        `origin_tls`: the cluster's public certificate (GlobalLoadBalancing.origin_tls(cluster)); None
        (no Cloudflare in the stack): a self-signed certificate, so the public port is HTTPS anyway."""
        providers = [cluster.k8s_provider] + ([cloud_provider] if cloud_provider is not None else [])
        super().__init__(
            "meridian:router:RouterDeployment",
            name,
            None,
            ResourceOptions.merge(opts or ResourceOptions(), ResourceOptions(providers=providers)),
        )
        if stack.router is None:
            raise ValueError("RouterDeployment needs the stack's `router` section")
        r = stack.router
        cfg: Cluster = cluster.config
        child = ResourceOptions(parent=self)
        self.namespace = r.namespace
        if stack.cloudflare is not None and stack.cloudflare.monitor.port != config_gen.PUBLIC_PORT:
            raise ValueError(
                f"meridian:platform.cloudflare.monitor.port: {stack.cloudflare.monitor.port}: the routers serve "
                f"HTTPS on {config_gen.PUBLIC_PORT} (the port Cloudflare connects to the origins on)"
            )
        self.mtls = origin_tls is not None and origin_tls.client_ca_pem is not None

        ns = core.Namespace(
            f"{name}-ns",
            metadata=meta.ObjectMetaArgs(
                name=r.namespace,
                labels={
                    "app.kubernetes.io/part-of": APP,
                    "pod-security.kubernetes.io/enforce": "restricted",
                    "pod-security.kubernetes.io/audit": "restricted",
                },
            ),
            opts=child,
        )
        in_ns = ResourceOptions(parent=self, depends_on=[ns])
        ns_name = ns.metadata.apply(lambda m: m.name or r.namespace)

        bedrock_regions = [
            b.region or "" for b in config_gen.cloud_backends(stack, cfg) if b.provider == "bedrock"
        ]
        self.identity = RouterIdentity(
            f"{name}-identity", cluster=cluster, stack=stack, namespace=ns_name,
            bedrock_regions=bedrock_regions, opts=in_ns,
        )
        self.redis = RouterRedis(
            f"{name}-redis", cluster=cluster, stack=stack, namespace=ns_name, router_labels=LABELS, opts=in_ns
        )

        # The config, built (and so validated by the router's model) now, pure, before any resource
        # depends on it, with the Redis URL's shape; then rendered with the real, password-less URL.
        # The password reaches the router through MERIDIAN_REDIS_URL from the Redis Secret.
        self.config = config_gen.router_config(
            stack, cfg.name, redis_url="redis://redis.invalid:6379/0", redis_url_env=config_gen.REDIS_URL_ENV,
            mtls=self.mtls,
        )
        self.config_yaml: pulumi.Output[str] = self.redis.url.apply(
            lambda url: config_gen.render(
                config_gen.router_config(
                    stack, cfg.name, redis_url=url, redis_url_env=config_gen.REDIS_URL_ENV, mtls=self.mtls
                )
            )
        )
        checksum = hashlib.sha256(yaml.safe_dump(config_gen.as_data(self.config), sort_keys=True).encode()).hexdigest()
        core.ConfigMap(
            f"{name}-config",
            metadata=meta.ObjectMetaArgs(name="router-config", namespace=ns_name, labels=LABELS),
            data={config_gen.CONFIG_FILE: self.config_yaml},
            opts=in_ns,
        )

        self.vault_ca = vault_ca_cert is not None
        if vault_ca_cert is not None:
            core.Secret(
                f"{name}-vault-ca",
                metadata=meta.ObjectMetaArgs(name=VAULT_CA_SECRET, namespace=ns_name, labels=LABELS),
                type="Opaque",
                string_data={VAULT_CA_KEY: vault_ca_cert},
                opts=in_ns,
            )
        self.tls_secret = r.tls_secret
        self._tls_secret(name, config_gen.peer_host(stack, cfg), ns_name, origin_tls, in_ns)
        self._deployment(name, stack, cfg, ns_name, checksum, in_ns)
        self._services(name, stack, cfg, ns_name, ingress, in_ns)
        self._scaling(name, stack, ns_name, in_ns)
        self._network_policy(name, stack, cfg, ns_name, in_ns)
        self.internal_endpoint = config_gen.peer_endpoint(stack, cfg)
        self.register_outputs(self.stack_outputs())

    # ------------------------------------------------------------------ TLS

    def _tls_secret(
        self, name: str, host: str, ns: pulumi.Output[str], origin_tls: OriginTls | None, opts: ResourceOptions
    ) -> None:
        """The public certificate as a kubernetes.io/tls Secret; every value a Pulumi secret."""
        if origin_tls is None:
            tls_provider = tls.Provider(f"{name}-tls", opts=ResourceOptions(parent=self))
            t = ResourceOptions(parent=self, provider=tls_provider)
            key = tls.PrivateKey(f"{name}-self-signed-key", algorithm="ECDSA", ecdsa_curve="P256", opts=t)
            cert = tls.SelfSignedCert(
                f"{name}-self-signed",
                private_key_pem=pulumi.Output.secret(key.private_key_pem),
                dns_names=[host],
                validity_period_hours=SELF_SIGNED_VALIDITY_HOURS,
                allowed_uses=["digital_signature", "server_auth"],
                subject=tls.SelfSignedCertSubjectArgs(common_name=host, organization="Meridian"),
                opts=t,
            )
            origin_tls = OriginTls(cert_pem=cert.cert_pem, key_pem=key.private_key_pem, hostnames=[host])
        data: dict[str, pulumi.Input[str]] = {
            config_gen.TLS_CERT: pulumi.Output.secret(origin_tls.cert_pem),
            config_gen.TLS_KEY: pulumi.Output.secret(origin_tls.key_pem),
        }
        if origin_tls.client_ca_pem is not None:
            data[config_gen.TLS_CLIENT_CA] = pulumi.Output.secret(origin_tls.client_ca_pem)
        core.Secret(
            f"{name}-tls",
            metadata=meta.ObjectMetaArgs(name=self.tls_secret, namespace=ns, labels=LABELS),
            type="kubernetes.io/tls",
            string_data=data,
            opts=opts,
        )

    # ------------------------------------------------------------------ workload

    def _deployment(
        self, name: str, stack: StackConfig, cfg: Cluster, ns: pulumi.Output[str], checksum: str,
        opts: ResourceOptions,
    ) -> None:
        assert stack.router is not None
        r = stack.router
        annotations = vault_annotations(stack, cfg.name, checksum, vault_ca=self.vault_ca)
        config_path = f"{config_gen.CONFIG_DIR}/{config_gen.CONFIG_FILE}"
        # Bedrock's short-lived STS keys are a file the router re-reads (aws_credentials_file), not
        # env vars sourced once at start, which would expire with the first lease.
        entry = f"exec meridian-router --config {config_path}"
        http = core.ContainerPortArgs(name="http", container_port=r.port, protocol="TCP")
        https = core.ContainerPortArgs(name="https", container_port=config_gen.TLS_PORT, protocol="TCP")
        # HTTPS probes check the listener Cloudflare uses; kubelet has no client certificate, so under
        # mTLS they use the plain port (the same app and /readyz).
        probe_port, probe_scheme = ("http", "HTTP") if self.mtls else ("https", "HTTPS")
        container = core.ContainerArgs(
            name="router",
            image=r.image,
            image_pull_policy="Always",
            command=["/bin/sh", "-c", entry],
            ports=[http, https],
            env=[
                core.EnvVarArgs(name="MERIDIAN_ROUTER_CONFIG", value=config_path),
                core.EnvVarArgs(
                    name=config_gen.REDIS_URL_ENV,
                    value_from=core.EnvVarSourceArgs(
                        secret_key_ref=core.SecretKeySelectorArgs(name=self.redis.url_secret, key="url")
                    ),
                ),
            ],
            resources=core.ResourceRequirementsArgs(
                requests={"cpu": r.cpu_request, "memory": r.memory_request},
                limits={"cpu": r.cpu_limit, "memory": r.memory_limit},
            ),
            readiness_probe=core.ProbeArgs(
                http_get=core.HTTPGetActionArgs(path=config_gen.READY_PATH, port=probe_port, scheme=probe_scheme),
                period_seconds=5, timeout_seconds=2, failure_threshold=2,
            ),
            liveness_probe=core.ProbeArgs(
                http_get=core.HTTPGetActionArgs(path=config_gen.HEALTH_PATH, port=probe_port, scheme=probe_scheme),
                initial_delay_seconds=10, period_seconds=10, timeout_seconds=2, failure_threshold=3,
            ),
            security_context=core.SecurityContextArgs(
                run_as_non_root=True,
                run_as_user=NON_ROOT_UID,
                run_as_group=NON_ROOT_UID,
                allow_privilege_escalation=False,
                privileged=False,
                read_only_root_filesystem=True,
                capabilities=core.CapabilitiesArgs(drop=["ALL"]),
                seccomp_profile=core.SeccompProfileArgs(type="RuntimeDefault"),
            ),
            volume_mounts=[
                core.VolumeMountArgs(name="config", mount_path=config_gen.CONFIG_DIR, read_only=True),
                core.VolumeMountArgs(name=TLS_VOLUME, mount_path=config_gen.TLS_DIR, read_only=True),
                core.VolumeMountArgs(name="tmp", mount_path="/tmp"),
            ],
        )
        labels = {**LABELS, **self.identity.pod_labels}
        spread = [
            core.TopologySpreadConstraintArgs(
                max_skew=1, topology_key=key, when_unsatisfiable=mode,
                label_selector=meta.LabelSelectorArgs(match_labels=LABELS),
            )
            for key, mode in (("topology.kubernetes.io/zone", "ScheduleAnyway"), ("kubernetes.io/hostname", "ScheduleAnyway"))
        ]
        self.deployment = apps.Deployment(
            f"{name}-router",
            metadata=meta.ObjectMetaArgs(name="router", namespace=ns, labels=LABELS),
            spec=apps.DeploymentSpecArgs(
                replicas=r.replicas,
                revision_history_limit=5,
                selector=meta.LabelSelectorArgs(match_labels=LABELS),
                strategy=apps.DeploymentStrategyArgs(
                    type="RollingUpdate",
                    rolling_update=apps.RollingUpdateDeploymentArgs(max_unavailable=0, max_surge=1),
                ),
                template=core.PodTemplateSpecArgs(
                    metadata=meta.ObjectMetaArgs(labels=labels, annotations=annotations),
                    spec=core.PodSpecArgs(
                        service_account_name=SERVICE_ACCOUNT,
                        # No default token: Vault Agent gets a projected, audience-bound one below.
                        automount_service_account_token=False,
                        security_context=core.PodSecurityContextArgs(
                            run_as_non_root=True,
                            run_as_user=NON_ROOT_UID,
                            run_as_group=NON_ROOT_UID,
                            fs_group=NON_ROOT_UID,
                            seccomp_profile=core.SeccompProfileArgs(type="RuntimeDefault"),
                        ),
                        termination_grace_period_seconds=30,
                        topology_spread_constraints=spread,
                        containers=[container],
                        volumes=[
                            core.VolumeArgs(name="config", config_map=core.ConfigMapVolumeSourceArgs(name="router-config")),
                            core.VolumeArgs(
                                name=TLS_VOLUME,
                                secret=core.SecretVolumeSourceArgs(secret_name=self.tls_secret, default_mode=0o440),
                            ),
                            core.VolumeArgs(name="tmp", empty_dir=core.EmptyDirVolumeSourceArgs(size_limit="64Mi")),
                            core.VolumeArgs(
                                name=VAULT_TOKEN_VOLUME,
                                projected=core.ProjectedVolumeSourceArgs(
                                    sources=[
                                        core.VolumeProjectionArgs(
                                            service_account_token=core.ServiceAccountTokenProjectionArgs(
                                                audience=contract.LOGIN_AUDIENCE, expiration_seconds=600, path="token"
                                            )
                                        )
                                    ]
                                ),
                            ),
                        ],
                    ),
                ),
            ),
            opts=ResourceOptions.merge(opts, ResourceOptions(depends_on=[self.identity, self.redis])),
        )

    # ------------------------------------------------------------------ services and ingress

    def _services(
        self, name: str, stack: StackConfig, cfg: Cluster, ns: pulumi.Output[str], ingress: IngressAddress | None,
        opts: ResourceOptions,
    ) -> None:
        assert stack.router is not None
        r = stack.router
        port = core.ServicePortArgs(name="http", port=r.port, target_port="http", protocol="TCP")
        https = core.ServicePortArgs(name="https", port=config_gen.PUBLIC_PORT, target_port="https", protocol="TCP")
        core.Service(
            f"{name}-svc",
            metadata=meta.ObjectMetaArgs(name="router", namespace=ns, labels=LABELS),
            spec=core.ServiceSpecArgs(type="ClusterIP", selector=LABELS, ports=[port, https]),
            opts=opts,
        )
        internal = core.Service(
            f"{name}-internal",
            metadata=meta.ObjectMetaArgs(
                name="router-internal", namespace=ns, labels=LABELS, annotations=INTERNAL_LB_ANNOTATIONS[cfg.cloud]
            ),
            spec=core.ServiceSpecArgs(
                type="LoadBalancer", selector=LABELS, ports=[port],
                load_balancer_source_ranges=source_ranges(stack, cfg),
            ),
            opts=opts,
        )
        self.internal_address = lb_address(internal)

        if r.ingress == "gateway":
            gateway_name = "router"
            addresses = None
            if ingress is not None:
                addresses = [{"type": "IPAddress", "value": ingress.address}]
            apiextensions.CustomResource(
                f"{name}-gateway",
                api_version="gateway.networking.k8s.io/v1",
                kind="Gateway",
                metadata=meta.ObjectMetaArgs(name=gateway_name, namespace=ns, labels=LABELS),
                spec={
                    "gatewayClassName": r.gateway_classes.get(cfg.cloud, "default"),
                    **({"addresses": addresses} if addresses else {}),
                    "listeners": [
                        {
                            "name": "https",
                            "protocol": "HTTPS",
                            "port": config_gen.PUBLIC_PORT,
                            "tls": {"mode": "Terminate", "certificateRefs": [{"kind": "Secret", "name": self.tls_secret}]},
                            "allowedRoutes": {"namespaces": {"from": "Same"}},
                        }
                    ],
                },
                opts=opts,
            )
            apiextensions.CustomResource(
                f"{name}-route",
                api_version="gateway.networking.k8s.io/v1",
                kind="HTTPRoute",
                metadata=meta.ObjectMetaArgs(name="router", namespace=ns, labels=LABELS),
                spec={
                    "parentRefs": [{"name": gateway_name, "sectionName": "https"}],
                    "rules": [
                        {
                            "matches": [{"path": {"type": "PathPrefix", "value": "/"}}],
                            "backendRefs": [{"name": "router", "port": r.port}],
                        }
                    ],
                },
                opts=opts,
            )
            self.public_address = ingress.address if ingress is not None else pulumi.Output.from_input("")
            return

        annotations: pulumi.Input[dict[str, str]] = ingress.service_annotations if ingress is not None else {}
        public = core.Service(
            f"{name}-public",
            metadata=meta.ObjectMetaArgs(name="router-public", namespace=ns, labels=LABELS, annotations=annotations),
            spec=core.ServiceSpecArgs(
                type="LoadBalancer",
                selector=LABELS,
                # Client (Cloudflare) source addresses reach the pods: the NetworkPolicy can allow them.
                external_traffic_policy="Local",
                load_balancer_ip=ingress.load_balancer_ip if ingress is not None else None,
                ports=[https],  # 443 -> the router's HTTPS listener: TLS from Cloudflare to the pod
            ),
            opts=opts,
        )
        self.public_address = ingress.address if ingress is not None else lb_address(public)

    # ------------------------------------------------------------------ scaling and disruption

    def _scaling(self, name: str, stack: StackConfig, ns: pulumi.Output[str], opts: ResourceOptions) -> None:
        assert stack.router is not None
        r = stack.router
        autoscaling.HorizontalPodAutoscaler(
            f"{name}-hpa",
            metadata=meta.ObjectMetaArgs(name="router", namespace=ns, labels=LABELS),
            spec=autoscaling.HorizontalPodAutoscalerSpecArgs(
                scale_target_ref=autoscaling.CrossVersionObjectReferenceArgs(
                    api_version="apps/v1", kind="Deployment", name="router"
                ),
                min_replicas=r.replicas,
                max_replicas=max(r.max_replicas, r.replicas),
                metrics=[
                    autoscaling.MetricSpecArgs(
                        type="Resource",
                        resource=autoscaling.ResourceMetricSourceArgs(
                            name="cpu",
                            target=autoscaling.MetricTargetArgs(type="Utilization", average_utilization=70),
                        ),
                    )
                ],
                behavior=autoscaling.HorizontalPodAutoscalerBehaviorArgs(
                    scale_down=autoscaling.HPAScalingRulesArgs(stabilization_window_seconds=300)
                ),
            ),
            opts=opts,
        )
        policy.PodDisruptionBudget(
            f"{name}-pdb",
            metadata=meta.ObjectMetaArgs(name="router", namespace=ns, labels=LABELS),
            spec=policy.PodDisruptionBudgetSpecArgs(
                # One replica may be evicted at a time; a single-replica router is never evicted voluntarily.
                max_unavailable=1 if r.replicas > 1 else 0,
                selector=meta.LabelSelectorArgs(match_labels=LABELS),
            ),
            opts=opts,
        )

    # ------------------------------------------------------------------ network policy

    def _network_policy(
        self, name: str, stack: StackConfig, cfg: Cluster, ns: pulumi.Output[str], opts: ResourceOptions
    ) -> None:
        assert stack.router is not None
        r = stack.router
        router_port = [networking.NetworkPolicyPortArgs(protocol="TCP", port=r.port)]
        tls_port = [networking.NetworkPolicyPortArgs(protocol="TCP", port=config_gen.TLS_PORT)]
        peers = stack.private_peers(cfg.name)
        checkers = list(LB_HEALTH_CHECKERS[cfg.cloud])
        # Public (HTTPS): Cloudflare, the cloud LB's health checkers, the VPC (AWS NLB probes).
        public_sources = list(CLOUDFLARE_IPV4) + checkers + [str(cfg.network.cidr)]
        # Internal (plain): the VPC (Gateway proxies, in-cluster clients) and peer routers (edge) over
        # the interconnect - the same sources the internal load balancer admits (GKE pod ranges
        # included); the Gateway's health checkers in gateway mode.
        internal_sources = source_ranges(stack, cfg)
        if r.ingress == "gateway":
            internal_sources += checkers

        def rule(cidrs: list[str], ports: list[networking.NetworkPolicyPortArgs]) -> networking.NetworkPolicyIngressRuleArgs:
            return networking.NetworkPolicyIngressRuleArgs(
                from_=[networking.NetworkPolicyPeerArgs(ip_block=networking.IPBlockArgs(cidr=c)) for c in cidrs],
                ports=ports,
            )

        ingress_rules = [
            rule(public_sources, tls_port),
            rule(internal_sources, router_port),
            # The metrics collector scrapes /metrics (infra/observability/scrape.py: never an empty `from`).
            networking.NetworkPolicyIngressRuleArgs(
                from_=scraper_peers(stack.observability.collection, stack.observability.namespace, cfg.cloud,
                                    str(cfg.network.cidr)),
                ports=router_port,
            ),
        ]
        redis_port = self.redis.port
        model_ports = sorted({ms.port for ms in r.model_servers if not ms.clusters or cfg.name in ms.clusters})
        model_namespaces = sorted(
            {ms.namespace for ms in r.model_servers if not ms.clusters or cfg.name in ms.clusters}
        )
        egress = [
            networking.NetworkPolicyEgressRuleArgs(  # DNS
                to=[networking.NetworkPolicyPeerArgs(
                    namespace_selector=meta.LabelSelectorArgs(match_labels={"kubernetes.io/metadata.name": "kube-system"})
                )],
                ports=[networking.NetworkPolicyPortArgs(protocol=p, port=53) for p in ("UDP", "TCP")],
            ),
            networking.NetworkPolicyEgressRuleArgs(  # Redis (in-cluster pods, or the managed endpoint in the VPC)
                to=[networking.NetworkPolicyPeerArgs(pod_selector=meta.LabelSelectorArgs(match_labels={"app.kubernetes.io/name": "router-redis"}))]
                if self.redis.mode == "in-cluster"
                else [networking.NetworkPolicyPeerArgs(ip_block=networking.IPBlockArgs(cidr=c)) for c in PRIVATE_RANGES],
                ports=[networking.NetworkPolicyPortArgs(protocol="TCP", port=redis_port)],
            ),
            networking.NetworkPolicyEgressRuleArgs(  # Vault (Agent sidecar), in-cluster or over the interconnect
                to=[networking.NetworkPolicyPeerArgs(ip_block=networking.IPBlockArgs(cidr=c)) for c in PRIVATE_RANGES],
                ports=[networking.NetworkPolicyPortArgs(protocol="TCP", port=8200)],
            ),
        ]
        if model_ports:
            egress.append(
                networking.NetworkPolicyEgressRuleArgs(  # local model servers
                    to=[
                        networking.NetworkPolicyPeerArgs(
                            namespace_selector=meta.LabelSelectorArgs(match_labels={"kubernetes.io/metadata.name": n})
                        )
                        for n in model_namespaces
                    ],
                    ports=[networking.NetworkPolicyPortArgs(protocol="TCP", port=p) for p in model_ports],
                )
            )
        if peers:
            egress.append(
                networking.NetworkPolicyEgressRuleArgs(  # peer routers (edge tier)
                    to=[networking.NetworkPolicyPeerArgs(ip_block=networking.IPBlockArgs(cidr=str(p.network.cidr))) for p in peers],
                    ports=router_port,
                )
            )
        # HTTPS: cloud AI APIs and token endpoints; airgapped routers reach no public address.
        https_to = (
            [networking.NetworkPolicyPeerArgs(ip_block=networking.IPBlockArgs(cidr=c)) for c in PRIVATE_RANGES]
            if r.airgap
            else [networking.NetworkPolicyPeerArgs(ip_block=networking.IPBlockArgs(cidr="0.0.0.0/0"))]
        )
        egress.append(
            networking.NetworkPolicyEgressRuleArgs(to=https_to, ports=[networking.NetworkPolicyPortArgs(protocol="TCP", port=443)])
        )
        networking.NetworkPolicy(
            f"{name}-netpol",
            metadata=meta.ObjectMetaArgs(name="router", namespace=ns, labels=LABELS),
            spec=networking.NetworkPolicySpecArgs(
                pod_selector=meta.LabelSelectorArgs(match_labels=LABELS),
                policy_types=["Ingress", "Egress"],
                ingress=ingress_rules,
                egress=egress,
            ),
            opts=opts,
        )

    def stack_outputs(self) -> dict[str, Any]:
        return {
            "namespace": self.namespace,
            "publicAddress": self.public_address,
            "internalAddress": self.internal_address,
            "internalEndpoint": self.internal_endpoint,
            "healthPath": config_gen.READY_PATH,
            "publicPort": config_gen.PUBLIC_PORT,
            "mtls": self.mtls,
            "redis": self.redis.mode,
            "backends": [b.name for b in self.config.backends],
        }

"""GlobalLoadBalancing: one pool per cluster ingress, one HTTPS health monitor, one load balancer
per hostname (steering, session affinity, adaptive routing, fallback), origin DNS records, and TLS to
the origins: an Origin CA certificate per cluster (`origin_tls(cluster)` feeds the router's public
HTTPS port) and, with `authenticatedOriginPulls`, zone-level mTLS (infra/cloudflare/origin_tls.py).

Residency: pools carry `meridian.cloudflare_meta` descriptions (cloud/region/cluster) and each load
balancer its jurisdiction, so the policy pack and the audit can check a deployed stack. Config
validation has already refused any residency-bound hostname that names a pool outside its
jurisdiction (meridian/config/checks_cloudflare.py); this component adds a last guard for it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pulumi
import pulumi_cloudflare as cloudflare
import pulumi_tls as tls

from infra.cloudflare.metadata_boundary import MetadataBoundary
from infra.cloudflare.origin_tls import OriginCertificate, OriginPullAuth, OriginTls
from meridian import catalog, cloudflare_meta
from meridian.config import Cloudflare, Cluster, Hostname


def regional_key(hostname: str, jurisdiction: str) -> str:
    """The catalog's Regional Services key for a bound hostname (config checks refuse the others)."""
    key = catalog.cloudflare_region(jurisdiction)
    if key is None:
        raise ValueError(f"cloudflare hostname {hostname}: jurisdiction {jurisdiction!r} has no Cloudflare region")
    return key

class GlobalLoadBalancing(pulumi.ComponentResource):
    provider: cloudflare.Provider
    monitor: cloudflare.LoadBalancerMonitor
    pools: dict[str, cloudflare.LoadBalancerPool]  # cluster name -> pool
    load_balancers: dict[str, cloudflare.LoadBalancer]  # hostname -> load balancer
    origin_records: dict[str, cloudflare.DnsRecord]  # cluster name -> A record
    origin_certificates: dict[str, OriginCertificate]  # cluster name -> its Origin CA certificate
    origin_pull: OriginPullAuth | None  # zone-level Authenticated Origin Pulls (mTLS), when configured
    metadata_boundary: MetadataBoundary | None  # the account's Customer Metadata Boundary, when configured

    def __init__(
        self,
        name: str,
        *,
        config: Cloudflare,
        clusters: Sequence[Cluster],
        origins: Mapping[str, pulumi.Input[Sequence[str]]],
        api_token: pulumi.Input[str] | None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        """`origins`: cluster name -> its ingress addresses (IngressAddress.addresses).
        `api_token`: the `cloudflare:apiToken` config secret; None lets the provider read
        CLOUDFLARE_API_TOKEN from the deploy environment (CI). Never a literal."""
        super().__init__("meridian:cloudflare:GlobalLoadBalancing", name, None, opts)
        by_name = {c.name: c for c in clusters}
        self.provider = cloudflare.Provider(
            f"{name}-cloudflare",
            api_token=pulumi.Output.secret(api_token) if api_token is not None else None,
            opts=pulumi.ResourceOptions(parent=self),
        )
        child = pulumi.ResourceOptions(parent=self, provider=self.provider)
        mon = config.monitor
        host_header = mon.host_header or (config.hostnames[0].name if config.hostnames else None)
        self.monitor = cloudflare.LoadBalancerMonitor(
            f"{name}-monitor",
            account_id=config.account_id,
            type="https",
            method="GET",
            path=mon.path,
            port=mon.port,
            expected_codes=mon.expected_codes,
            expected_body=mon.expected_body,
            interval=mon.interval_seconds,
            timeout=mon.timeout_seconds,
            retries=mon.retries,
            follow_redirects=False,
            allow_insecure=False,
            header={"Host": [host_header]} if host_header else None,
            description="meridian ingress readiness",
            opts=child,
        )

        self.pools = {}
        self.origin_records = {}
        for cluster_name, addresses in origins.items():
            cl = by_name[cluster_name]
            self.pools[cluster_name] = cloudflare.LoadBalancerPool(
                f"{name}-{cluster_name}",
                account_id=config.account_id,
                name=cluster_name,
                description=cloudflare_meta.format(cloudflare_meta.PoolMeta(cl.cloud, cl.region, cl.name)),
                monitor=self.monitor.id,
                check_regions=list(mon.check_regions),
                minimum_origins=1,
                origins=pulumi.Output.from_input(addresses).apply(
                    lambda xs, n=cluster_name: [
                        cloudflare.LoadBalancerPoolOriginArgs(name=f"{n}-{i}", address=x, enabled=True)
                        for i, x in enumerate(xs)
                    ]
                ),
                opts=child,
            )
            if config.origin_domain:
                self.origin_records[cluster_name] = cloudflare.DnsRecord(  # v6 name; the SDK aliases the v5 Record type
                    f"{name}-{cluster_name}-origin",
                    zone_id=config.zone_id,
                    name=f"{cluster_name}.{config.origin_domain}",
                    type="A",
                    content=pulumi.Output.from_input(addresses).apply(lambda xs: xs[0]),
                    proxied=False,
                    ttl=300,
                    comment=f"ingress origin of cluster {cluster_name}",
                    opts=child,
                )

        self.load_balancers = {
            h.name: self._load_balancer(name, h, config, by_name, child) for h in config.hostnames
        }
        # Regional Services: a residency-bound hostname's TLS is terminated (and its requests inspected)
        # only in Cloudflare data centres inside its jurisdiction, wherever the user connects from.
        self.regional_hostnames = {
            h.name: cloudflare.RegionalHostname(
                f"{name}-{h.name}-regional",
                zone_id=config.zone_id,
                hostname=h.name,
                region_key=regional_key(h.name, h.jurisdiction),
                opts=child,
            )
            for h in config.hostnames
            if h.jurisdiction is not None
        }

        # The account's Customer Metadata Boundary (logs and analytics region), when configured.
        self.metadata_boundary = (
            MetadataBoundary(
                f"{name}-metadata-boundary",
                account_id=config.account_id,
                regions=config.metadata_boundary,
                allow_out_of_region_access=config.metadata_out_of_region_access,
                api_token=pulumi.Config("cloudflare").get_secret("apiToken"),
                opts=pulumi.ResourceOptions(parent=self),
            )
            if config.metadata_boundary is not None
            else None
        )

        # TLS to the origins: a certificate per cluster for every name Cloudflare connects to it as.
        tls_provider = tls.Provider(f"{name}-tls", opts=pulumi.ResourceOptions(parent=self))
        with_cf = pulumi.ResourceOptions(parent=self, providers=[self.provider])
        self.origin_certificates = {
            n: OriginCertificate(f"{name}-{n}-origin", config=config, cluster=n, tls_provider=tls_provider, opts=with_cf)
            for n in origins
        }
        self.origin_pull = (
            OriginPullAuth(f"{name}-origin-pull", config=config, tls_provider=tls_provider, opts=with_cf)
            if config.authenticated_origin_pulls
            else None
        )
        self.register_outputs(
            {
                "pools": {n: p.id for n, p in self.pools.items()},
                "loadBalancers": {n: lb.id for n, lb in self.load_balancers.items()},
                "regionalHostnames": {n: r.region_key for n, r in self.regional_hostnames.items()},
                "monitor": self.monitor.id,
            }
        )

    def _load_balancer(
        self,
        name: str,
        h: Hostname,
        config: Cloudflare,
        clusters: Mapping[str, Cluster],
        opts: pulumi.ResourceOptions,
    ) -> cloudflare.LoadBalancer:
        if h.jurisdiction is not None:
            # Config validation refuses this first; a pool outside the jurisdiction must never be wired.
            for key, pool in h.reachable_pools():
                cl = clusters[pool]
                if not catalog.region(cl.cloud, cl.region).within(h.jurisdiction):
                    raise ValueError(f"hostname {h.name!r} bound to {h.jurisdiction!r}: {key} names {pool!r} in {cl.region}")

        def ids(names: Sequence[str]) -> list[pulumi.Output[str]]:
            return [self.pools[n].id for n in names]

        random_steering = None
        if h.weights:
            weights = h.weights
            random_steering = cloudflare.LoadBalancerRandomSteeringArgs(
                default_weight=1.0,
                pool_weights=pulumi.Output.all(*[self.pools[p].id for p in weights]).apply(
                    lambda pids: dict(zip(pids, weights.values(), strict=True))
                ),
            )
        affinity_attrs = None
        if h.session_affinity != "none":
            affinity_attrs = cloudflare.LoadBalancerSessionAffinityAttributesArgs(
                samesite="Lax",
                secure="Always",
                zero_downtime_failover="temporary" if h.adaptive_routing else "none",
                headers=list(h.session_affinity_headers) or None,
            )
        return cloudflare.LoadBalancer(
            f"{name}-{h.name}",
            zone_id=config.zone_id,
            name=h.name,
            description=cloudflare_meta.format(cloudflare_meta.LoadBalancerMeta(h.name, h.jurisdiction)),
            default_pools=ids(h.effective_default_pools),
            fallback_pool=self.pools[h.effective_fallback].id,
            steering_policy=h.steering,
            region_pools={code: ids(p) for code, p in h.region_pools.items()} or None,
            country_pools={cc: ids(p) for cc, p in h.country_pools.items()} or None,
            pop_pools={pop: ids(p) for pop, p in h.pop_pools.items()} or None,
            random_steering=random_steering,
            session_affinity=h.session_affinity,
            session_affinity_ttl=h.session_affinity_ttl_seconds if h.session_affinity != "none" else None,
            session_affinity_attributes=affinity_attrs,
            adaptive_routing=cloudflare.LoadBalancerAdaptiveRoutingArgs(failover_across_pools=h.adaptive_routing),
            proxied=h.proxied,
            opts=opts,
        )

    def origin_tls(self, cluster: str) -> OriginTls:
        """What the cluster's router serves on its public HTTPS port (RouterDeployment's `origin_tls`)."""
        c = self.origin_certificates[cluster]
        return OriginTls(
            cert_pem=c.cert_pem,
            key_pem=c.key_pem,
            hostnames=list(c.hostnames),
            client_ca_pem=self.origin_pull.ca_cert_pem if self.origin_pull is not None else None,
        )

    def stack_outputs(self) -> dict[str, object]:
        return {
            "pools": {n: p.id for n, p in self.pools.items()},
            "loadBalancers": {n: lb.id for n, lb in self.load_balancers.items()},
        }

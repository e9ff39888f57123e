"""TLS to the origins: an Origin CA certificate per cluster for every name Cloudflare connects to it
as; zone-level Authenticated Origin Pulls only when configured."""

from __future__ import annotations

import pytest

from infra.cloudflare.origin_tls import monitor_host, origin_hostnames
from meridian.config import Cloudflare, load_stack_file
from meridian.plan.monitor import SECRET_SIG, SECRET_SIG_KEY
from meridian.plan.runner import Plan, run_plan
from tests.conftest import ROOT
from tests.infra.cloudflare.test_load_balancing import cf_program

ORIGIN_CERT = "cloudflare:index/originCaCertificate:OriginCaCertificate"
CSR = "tls:index/certRequest:CertRequest"
AOP = "cloudflare:index/authenticatedOriginPullsSettings:AuthenticatedOriginPullsSettings"


@pytest.fixture(scope="module")
def prod_cf() -> Plan:
    return run_plan("prod", ROOT, program=cf_program)


def _prod_cloudflare() -> Cloudflare:
    cf = load_stack_file(ROOT / "Pulumi.prod.yaml").cloudflare
    assert cf is not None
    return cf


def test_each_clusters_certificate_covers_every_hostname_that_can_route_to_it(prod_cf: Plan) -> None:
    cf = _prod_cloudflare()
    clusters = [c.name for c in load_stack_file(ROOT / "Pulumi.prod.yaml").clusters]
    certs = {r["urn"].rsplit("::", 1)[1]: r["inputs"] for r in prod_cf.of_type(ORIGIN_CERT)}
    csrs = {r["urn"].rsplit("::", 1)[1]: r["inputs"] for r in prod_cf.of_type(CSR)}
    assert len(certs) == len(clusters)
    for cluster in clusters:
        cert = certs[f"edge-{cluster}-origin-origin-ca"]
        names = set(cert["hostnames"])
        reaching = {h.name for h in cf.hostnames if cluster in {p for _, p in h.reachable_pools()}}
        assert reaching, cluster
        assert reaching <= names  # every hostname whose pools (any steering list) include the cluster
        assert f"{cluster}.{cf.origin_domain}" in names
        assert monitor_host(cf) in names  # the monitor probes every pool with this Host / SNI
        # and nothing a cluster is never sent
        others = {h.name for h in cf.hostnames} - reaching - {monitor_host(cf)}
        assert not names & others, (cluster, names & others)
        assert cert["requestType"] == "origin-ecc"
        # the CSR is signed by the cluster's own key and names the same hosts
        assert set(csrs[f"edge-{cluster}-origin-csr"]["dnsNames"]) == names
        key = csrs[f"edge-{cluster}-origin-csr"]["privateKeyPem"]
        assert isinstance(key, dict) and key.get(SECRET_SIG_KEY) == SECRET_SIG


def test_eu_hostname_is_only_on_the_clusters_it_routes_to() -> None:
    cf = _prod_cloudflare()
    eu = next(h for h in cf.hostnames if h.name.startswith("eu."))
    eu_pools = {p for _, p in eu.reachable_pools()}
    assert eu.name in origin_hostnames(cf, "gcp-euw1")
    for cluster in ("aws-use1", "gcp-ase1", "az-eus"):
        assert cluster not in eu_pools
        assert eu.name not in origin_hostnames(cf, cluster)


def test_a_cluster_reached_only_through_geo_steering_or_fallback_is_covered() -> None:
    cf = _prod_cloudflare()
    base = cf.hostnames[0]
    geo_only = base.model_copy(
        update={"name": "geo.meridian.example.com", "pools": ["aws-use1"], "region_pools": {"SEAS": ["gcp-ase1"]},
                "fallback": None, "country_pools": {}, "pop_pools": {}, "weights": {}}
    )
    fb_only = base.model_copy(
        update={"name": "fb.meridian.example.com", "pools": ["aws-use1"], "fallback": "az-weu",
                "region_pools": {}, "country_pools": {}, "pop_pools": {}, "weights": {}}
    )
    cf2 = cf.model_copy(update={"hostnames": [geo_only, fb_only], "origin_domain": None})
    assert "geo.meridian.example.com" in origin_hostnames(cf2, "gcp-ase1")
    assert "fb.meridian.example.com" in origin_hostnames(cf2, "az-weu")
    # the monitor's Host (first hostname) is on every cluster's certificate
    assert origin_hostnames(cf2, "az-weu")[-1] == "geo.meridian.example.com"


def test_monitor_is_https_on_443(prod_cf: Plan) -> None:
    (m,) = prod_cf.of_type("cloudflare:index/loadBalancerMonitor:LoadBalancerMonitor")
    assert m["inputs"]["type"] == "https" and m["inputs"]["port"] == 443


def test_authenticated_origin_pulls_is_off_by_default(prod_cf: Plan) -> None:
    assert not prod_cf.of_type(AOP)
    assert not _prod_cloudflare().authenticated_origin_pulls

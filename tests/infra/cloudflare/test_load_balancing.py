"""Cloudflare pools, monitor and load balancers, built alone under the mock runtime."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pulumi
import pytest

from meridian import catalog, cloudflare_meta
from meridian.config import StackConfig, load_from_pulumi
from meridian.plan.monitor import SECRET_SIG, SECRET_SIG_KEY
from meridian.plan.runner import Plan, run_plan
from tests.conftest import ROOT, platform_config

LB = "cloudflare:index/loadBalancer:LoadBalancer"
POOL = "cloudflare:index/loadBalancerPool:LoadBalancerPool"


def cf_program() -> None:
    from infra.cloudflare import GlobalLoadBalancing

    stack: StackConfig = load_from_pulumi()
    assert stack.cloudflare is not None
    token = pulumi.Config("cloudflare").get_secret("apiToken")
    glb = GlobalLoadBalancing(
        "edge",
        config=stack.cloudflare,
        clusters=stack.clusters,
        origins={c.name: [f"198.51.100.{i + 1}"] for i, c in enumerate(stack.clusters)},
        api_token=token,
    )
    pulumi.export("cloudflare", glb.stack_outputs())


def _plan(root: Path, stack: str) -> Plan:
    return run_plan(stack, root, program=cf_program)


@pytest.fixture(scope="module")
def prod_cf() -> Plan:
    return _plan(ROOT, "prod")


def _pool_region(plan: Plan) -> dict[str, catalog.Region]:
    out = {}
    for p in plan.of_type(POOL):
        meta = cloudflare_meta.parse_pool(p["inputs"]["description"])
        out[p["id"]] = catalog.region(meta.cloud, meta.region)
    return out


def _reachable_ids(lb: dict[str, Any]) -> list[tuple[str, str]]:
    """pulumi-cloudflare 6 shapes: defaultPools, fallbackPool, {code: [pool ids]} steering maps."""
    i = lb["inputs"]
    out = [("defaultPools", x) for x in i["defaultPools"]] + [("fallbackPool", i["fallbackPool"])]
    for key in ("regionPools", "countryPools", "popPools"):
        out += [(key, x) for ids in (i.get(key) or {}).values() for x in ids]
    return out


def test_one_pool_per_cluster_with_meta_and_https_monitor(prod_cf: Plan) -> None:
    pools = prod_cf.of_type(POOL)
    assert len(pools) == 8
    assert {cloudflare_meta.parse_pool(p["inputs"]["description"]).cluster for p in pools} == {
        c.name for c in prod_cf.config.clusters
    }
    (mon,) = prod_cf.of_type("cloudflare:index/loadBalancerMonitor:LoadBalancerMonitor")
    assert (mon["inputs"]["type"], mon["inputs"]["path"], mon["inputs"]["expectedCodes"]) == ("https", "/readyz", "200")
    assert all(p["inputs"]["checkRegions"] == ["WNAM", "ENAM", "WEU", "EEU", "SEAS"] for p in pools)
    assert all(p["inputs"]["monitor"] == mon["id"] for p in pools)


def test_eu_bound_hostname_reaches_only_eu_pools_including_fallback(prod_cf: Plan) -> None:
    regions = _pool_region(prod_cf)
    (lb,) = [lb for lb in prod_cf.of_type(LB) if lb["inputs"]["name"] == "eu.api.meridian.example.com"]
    meta = cloudflare_meta.parse_load_balancer(lb["inputs"]["description"])
    assert meta.jurisdiction == "eu"
    assert lb["inputs"]["steeringPolicy"] == "geo"
    reach = _reachable_ids(lb)
    assert {k for k, _ in reach} >= {"defaultPools", "fallbackPool", "regionPools", "countryPools"}
    for key, pool_id in reach:
        assert regions[pool_id].within("eu"), (key, pool_id)


def test_global_hostname_may_fail_over_anywhere(prod_cf: Plan) -> None:
    regions = _pool_region(prod_cf)
    (lb,) = [lb for lb in prod_cf.of_type(LB) if lb["inputs"]["name"] == "api.meridian.example.com"]
    assert cloudflare_meta.parse_load_balancer(lb["inputs"]["description"]).jurisdiction is None
    assert lb["inputs"]["steeringPolicy"] == "proximity"
    assert lb["inputs"]["sessionAffinity"] == "cookie"
    assert lb["inputs"]["adaptiveRouting"] == {"failoverAcrossPools": True}
    assert {regions[i].country for _, i in _reachable_ids(lb)} >= {"US", "TW"}


def test_api_token_is_a_secret_from_config(write_stack, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    import yaml

    root = write_stack("t", platform_config("dev"))
    path = root / "Pulumi.t.yaml"
    doc = yaml.safe_load(path.read_text())
    doc["config"]["cloudflare:apiToken"] = {"secure": "v1:AAAA"}
    path.write_text(yaml.safe_dump(doc))
    plan = _plan(root, "t")
    (prov,) = plan.of_type("pulumi:providers:cloudflare")
    assert prov["inputs"]["apiToken"][SECRET_SIG_KEY] == SECRET_SIG
    assert all(r.get("provider", "").startswith(prov["urn"]) for r in plan.resources if r["type"].startswith("cloudflare:index"))


def test_origin_records_point_at_ingress_addresses(prod_cf: Plan) -> None:
    recs = prod_cf.of_type("cloudflare:index/dnsRecord:DnsRecord")
    assert len(recs) == 8
    assert {r["inputs"]["name"] for r in recs} >= {"gcp-euw1.origin.meridian.example.com"}
    assert all(r["inputs"]["proxied"] is False and r["inputs"]["type"] == "A" for r in recs)


def test_meta_round_trips_and_fails_closed() -> None:
    pool = cloudflare_meta.PoolMeta("gcp", "europe-west1", "gcp-euw1")
    assert cloudflare_meta.format(pool) == "meridian:cloud=gcp;region=europe-west1;cluster=gcp-euw1"
    assert cloudflare_meta.parse(cloudflare_meta.format(pool)) == pool
    lb = cloudflare_meta.LoadBalancerMeta("api.example.com", None)
    assert cloudflare_meta.parse(cloudflare_meta.format(lb)) == lb
    for bad in (None, "", "pool in eu", "meridian:region=x;cloud=gcp;cluster=c", "meridian:cloud=ibm;region=x;cluster=c",
                "meridian:cloud=gcp;region=x;cluster=c;extra=1", "meridian:cloud=gcp;region=X Y;cluster=c"):
        with pytest.raises(cloudflare_meta.MetaError):
            cloudflare_meta.parse(bad)


def test_every_residency_bound_hostname_is_regionalized_in_its_jurisdiction(prod_cf: Plan) -> None:
    """Regional Services: the TLS of eu./us. hostnames is terminated only inside their jurisdiction."""
    regional = {r["inputs"]["hostname"]: r["inputs"]["regionKey"]
                for r in prod_cf.of_type("cloudflare:index/regionalHostname:RegionalHostname")}
    bound = {h.name: h.jurisdiction for h in prod_cf.config.cloudflare.hostnames if h.jurisdiction}  # type: ignore[union-attr]
    assert bound and regional == {name: catalog.cloudflare_region(j) for name, j in bound.items()}
    assert regional["eu.api.meridian.example.com"] == "eu" and regional["us.api.meridian.example.com"] == "us"


def test_a_jurisdiction_cloudflare_cannot_serve_regionally_is_a_config_error() -> None:
    from meridian.config import ConfigError, parse_stack_config

    raw = platform_config("prod")
    host = next(h for h in raw["cloudflare"]["hostnames"] if h.get("jurisdiction") == "eu")
    host["jurisdiction"] = "ch"  # Switzerland: no Regional Services key in the catalog
    try:
        parse_stack_config(raw, "test")
    except ConfigError as e:
        assert "eu.api.meridian.example.com is bound to 'ch'" in str(e) and "Regional Services" in str(e)
    else:
        raise AssertionError("accepted a hostname bound to a jurisdiction without a Cloudflare region")

"""The router's /metrics, read by the official Prometheus client's text parser: every sample valid,
label values escaped (quotes, backslashes, newlines), every metric the alerts and the dashboard use
present with the labels they use."""

from __future__ import annotations

import requests
from prometheus_client.parser import text_string_to_metric_families

from .conftest import API_KEYS, base_config, wait_until
from .test_budgets import redis_cfg, redis_server  # noqa: F401

WEIRD = 'we"ird\\ten\nant'  # a tenant name with every character the format must escape


def scrape(r) -> dict[str, list]:
    text = requests.get(r.url + "/metrics", timeout=5).text
    return {f.name: f.samples for f in text_string_to_metric_families(text)}


def test_every_sample_parses_and_labels_round_trip(make_router, ups):
    import hashlib

    cfg = base_config(ups)
    cfg["tenants"][WEIRD] = {"jurisdictions": ["eu"], "budget": {"daily_usd": 1.0}}
    cfg["auth"]["api_keys"].append({"sha256": hashlib.sha256(b"weird-key").hexdigest(), "tenant": WEIRD})
    cfg["budgets"] = {"global_limits": {"monthly_usd": 100.0}}
    r = make_router(cfg)
    ups["local_eu"].mode = "error500"  # a failover, an attempt outcome, a breaker count
    for key in ("weird-key", next(iter(API_KEYS))):
        body = {"model": "m1", "max_tokens": 5, "messages": [{"role": "user", "content": "x"}]}
        resp = requests.post(r.url + "/v1/chat/completions", json=body, headers={"authorization": f"Bearer {key}"}, timeout=10)
        assert resp.status_code == 200
    fams = scrape(r)
    spent = [s for s in fams["meridian_router_budget_spent_usd"] if s.labels.get("tenant") == WEIRD]
    assert {s.labels["period"] for s in spent} == {"day", "month"}  # the name came back intact
    limits = {(s.labels["scope"], s.labels.get("tenant", ""), s.labels["period"]): s.value
              for s in fams["meridian_router_budget_limit_usd"]}
    assert limits[("tenant", WEIRD, "day")] == 1.0 and limits[("global", "", "month")] == 100.0
    assert fams["meridian_router_routable_backends"][0].value >= 1
    assert any(s.labels["from_backend"] == "local_eu" for s in fams["meridian_router_failovers"])
    assert any(s.name.endswith("_bucket") for s in fams["meridian_router_added_latency_seconds"])


def test_redis_up_follows_the_shared_state(make_router, ups, redis_server):  # noqa: F811
    r = make_router(base_config(ups, redis=redis_cfg(redis_server)))
    assert scrape(r)["meridian_router_redis_up"][0].value == 1
    redis_server.stop()
    assert wait_until(lambda: scrape(r)["meridian_router_redis_up"][0].value == 0, 5)
    redis_server.start()

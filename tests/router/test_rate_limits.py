"""Rate limits per tenant and per key: requests and tokens per minute, requests in flight. In memory
for one replica; atomic in a real Redis across replicas (never more than a limit admitted per window)."""

from __future__ import annotations

import hashlib
import math
import time
from concurrent.futures import ThreadPoolExecutor

import anthropic
import orjson
import requests

from .conftest import base_config
from .test_budgets import redis_cfg, redis_server  # noqa: F401  (the fixture)

BODY = orjson.dumps({"model": "m1", "messages": [{"role": "user", "content": "hi"}], "max_tokens": 10})


def post(r, key: str = "eu-key", body: bytes = BODY, path: str = "/v1/chat/completions") -> requests.Response:
    return requests.post(r.url + path, data=body, timeout=15,
                         headers={"authorization": f"Bearer {key}", "content-type": "application/json"})


def local_only(ups, **tenant_limits) -> dict:
    cfg = base_config(ups)
    cfg["backends"] = [b for b in cfg["backends"] if b["name"] == "local_eu"]  # free: limits apply all the same
    cfg["tenants"]["acme"]["rate_limits"] = tenant_limits
    return cfg


def away_from_minute_edge(margin_s: float = 8.0) -> None:
    """Windows are fixed minutes: start a counting test where the whole test fits in one."""
    left = 60 - time.time() % 60
    if left < margin_s:
        time.sleep(left + 0.1)


def test_requests_per_minute_with_headers_and_retry_after(make_router, ups):
    away_from_minute_edge()
    r = make_router(local_only(ups, rpm=3))
    seen = [post(r) for _ in range(3)]
    assert [x.status_code for x in seen] == [200, 200, 200]
    assert [x.headers["x-ratelimit-remaining-requests"] for x in seen] == ["2", "1", "0"]
    assert seen[0].headers["x-ratelimit-limit-requests"] == "3"
    assert seen[0].headers["x-ratelimit-reset-requests"].endswith("s")
    refused = post(r)
    assert refused.status_code == 429
    assert refused.json()["error"]["code"] == "rate_limit_exceeded"
    assert refused.json()["error"]["type"] == "rate_limit_error"
    assert 1 <= int(refused.headers["retry-after"]) <= 60
    assert ups["local_eu"].hits == 3  # the refused request never reached a backend


def test_tokens_per_minute_are_corrected_to_usage(make_router, ups):
    away_from_minute_edge()
    r = make_router(local_only(ups, tpm=1000))
    estimate = math.ceil(len(BODY) / 3.0) + 10  # prompt characters / 3, plus max_tokens
    first = post(r)
    assert int(first.headers["x-ratelimit-remaining-tokens"]) == 1000 - estimate
    second = post(r)  # the first one's estimate was corrected to its usage: 10 prompt + 5 completion
    assert int(second.headers["x-ratelimit-remaining-tokens"]) == 1000 - 15 - estimate
    big = orjson.dumps({"model": "m1", "messages": [{"role": "user", "content": "hi"}], "max_tokens": 5000})
    refused = post(r, body=big)
    assert refused.status_code == 429 and "this request alone" in refused.json()["error"]["message"]


def test_concurrency_limit_and_slots_come_back(make_router, ups):
    r = make_router(local_only(ups, concurrent=2))
    ups["local_eu"].delay = 0.8
    with ThreadPoolExecutor(6) as pool:
        codes = sorted(x.status_code for x in pool.map(lambda _: post(r), range(6)))
    assert codes == [200, 200, 429, 429, 429, 429]
    ups["local_eu"].delay = 0
    assert post(r).status_code == 200  # every slot was given back, refused ones included
    stream = orjson.dumps({"model": "m1", "messages": [{"role": "user", "content": "hi"}], "stream": True})
    assert post(r, body=stream).status_code == 200
    assert post(r).status_code == 200 and post(r).status_code == 200  # the stream's slot came back too


def test_key_limits_are_per_key(make_router, ups):
    away_from_minute_edge()
    cfg = local_only(ups)
    cfg["auth"]["key_rate_limits"] = {"rpm": 2}
    cfg["auth"]["api_keys"].append({"sha256": hashlib.sha256(b"eu-key-2").hexdigest(), "tenant": "acme",
                                    "rate_limits": {"rpm": 1}})
    r = make_router(cfg)
    assert [post(r).status_code for _ in range(3)] == [200, 200, 429]
    assert [post(r, key="eu-key-2").status_code for _ in range(2)] == [200, 429]  # its own limit, its own count


def test_messages_and_responses_are_limited_too(make_router, ups):
    away_from_minute_edge()
    r = make_router(local_only(ups, rpm=2))
    client = anthropic.Anthropic(base_url=r.url, api_key="eu-key", max_retries=0)
    client.messages.create(model="m1", max_tokens=8, messages=[{"role": "user", "content": "x"}])
    body = orjson.dumps({"model": "m1", "input": "x"})
    assert post(r, body=body, path="/v1/responses").status_code == 200
    try:
        client.messages.create(model="m1", max_tokens=8, messages=[{"role": "user", "content": "x"}])
    except anthropic.RateLimitError as exc:
        assert exc.body["error"]["type"] == "rate_limit_error"
    else:
        raise AssertionError("the third request passed a limit of 2 per minute")


def test_two_replicas_on_one_redis_never_admit_more_than_the_limit(make_router, ups, redis_server):  # noqa: F811
    away_from_minute_edge(15)
    cfg = local_only(ups, rpm=20)
    cfg["redis"] = redis_cfg(redis_server)
    a, b = make_router(cfg), make_router(cfg)
    with ThreadPoolExecutor(16) as pool:
        codes = list(pool.map(lambda i: post(a if i % 2 else b).status_code, range(60)))
    assert codes.count(200) == 20 and codes.count(429) == 40
    assert ups["local_eu"].hits == 20


def test_two_replicas_share_the_concurrency_limit(make_router, ups, redis_server):  # noqa: F811
    cfg = local_only(ups, concurrent=3)
    cfg["redis"] = redis_cfg(redis_server)
    a, b = make_router(cfg), make_router(cfg)
    ups["local_eu"].delay = 1.0
    with ThreadPoolExecutor(10) as pool:
        codes = list(pool.map(lambda i: post(a if i % 2 else b).status_code, range(10)))
    assert codes.count(200) == 3
    ups["local_eu"].delay = 0
    assert post(a).status_code == 200 and post(b).status_code == 200  # released in Redis


def test_redis_down_falls_back_to_this_replicas_own_count(make_router, ups, redis_server):  # noqa: F811
    away_from_minute_edge()
    cfg = local_only(ups, rpm=2)
    cfg["redis"] = redis_cfg(redis_server)
    cfg["budgets"] = {"fail_mode": "fail_open"}
    r = make_router(cfg)
    redis_server.stop()
    assert [post(r).status_code for _ in range(3)] == [200, 200, 429]

"""Fault harness: several upstreams injecting 5xx, 429, resets, hangs, slow and stalled or cut
streams; 200 concurrent requests from EU and US tenants; Redis killed and restarted mid-run.

Every request is answered (success or a typed OpenAI error), no request ever reaches a backend
outside its jurisdiction, and the budget is not overspent.
"""

from __future__ import annotations

import asyncio
import random
import threading
import time

import aiohttp
import orjson

from .conftest import base_config, wait_until
from .test_budgets import redis_cfg, redis_server  # noqa: F401  (fixture)

EU = ("local_eu", "edge_eu", "cloud_eu")
US = ("local_us", "cloud_us")
LIMIT_MICRO = 1_500  # acme: 0.0015 USD per day: binds within the run
COST = 20 + 100  # micro-USD a served priced request really costs (20 prompt + 100 completion tokens)


async def fire(url: str, n: int) -> list[tuple[int, dict | None, str, str]]:
    rng = random.Random(7)
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=n)) as s:

        async def one(i: int):
            key = rng.choice(["eu-key", "us-key", "any-key"])
            tag = f"req-{i}-{key}"
            stream = rng.random() < 0.4
            body = {
                "model": "m1",
                "max_tokens": 100,
                "stream": stream,
                "messages": [{"role": "user", "content": tag}],
            }
            headers = {"authorization": f"Bearer {key}"}
            if key == "any-key" and rng.random() < 0.5:
                headers["x-meridian-jurisdiction"] = "eu"
                tag += "-eu"
            async with s.post(url + "/v1/chat/completions", json=body, headers=headers) as r:
                raw = await r.read()
            err = None
            if r.status != 200:
                err = orjson.loads(raw)["error"]
            elif stream:
                assert raw.rstrip().endswith(b"data: [DONE]"), raw[-200:]
                if b'"error"' in raw:
                    err = {"code": "upstream_stream_error"}
            else:
                orjson.loads(raw)["choices"]
            return r.status, err, key, tag

        return await asyncio.wait_for(asyncio.gather(*(one(i) for i in range(n))), 90)


def test_chaos_200_concurrent_with_redis_restart(make_router, ups, redis_server):  # noqa: F811
    cfg = base_config(ups, redis=redis_cfg(redis_server, socket_timeout_s=1.0))
    cfg["routing"].update(deadline_s=4, max_attempts=5, retries_per_backend=1)
    for b in cfg["backends"]:
        b.update(timeout_s=0.5, stream_idle_timeout_s=0.3)
        b["breaker"] = {"failure_threshold": 4, "recovery_timeout_s": 0.3}
    cfg["tenants"]["acme"]["budget"] = {"daily_usd": LIMIT_MICRO / 1e6}
    cfg["budgets"] = {"fail_mode": "local"}
    for name in EU + US:
        ups[name].mode = "chaos"
        ups[name].prompt_tokens, ups[name].completion_tokens = 20, 100
    r = make_router(cfg)

    def bounce():
        time.sleep(0.3)
        redis_server.stop()
        time.sleep(0.7)
        redis_server.start()

    t = threading.Thread(target=bounce)
    t.start()
    results = asyncio.run(fire(r.url, 200))
    t.join()

    # every request answered: 200, or a typed error with a code
    assert len(results) == 200
    for status, err, _, _ in results:
        assert status == 200 or (err and err.get("code")), (status, err)
        assert status in (200, 403, 429, 502, 503, 504), (status, err)
    assert sum(1 for s, e, _, _ in results if s == 200 and not e) >= 50

    # residency: no EU-bound request reached a US upstream, no US-bound one an EU upstream
    for name in US:
        for seen in ups[name].seen:
            assert b"eu-key" not in seen["body"] and b"-eu" not in seen["body"], name
    for name in EU:
        for seen in ups[name].seen:
            assert b"us-key" not in seen["body"], name

    # budget: what acme really consumed on the priced EU backend stays under its limit
    assert wait_until(lambda: r.app.state.up and not r.app.budgets._pending_flush, 5)
    spent = r.lt.run(r.app.budgets.spent_usd(r.app.budgets.counters("acme")[0].key))
    assert spent * 1e6 <= LIMIT_MICRO + 1e-6
    served_acme = _served_for(ups["cloud_eu"], b"eu-key")
    assert served_acme * COST <= LIMIT_MICRO
    refused = sum(1 for s, e, k, _ in results if k == "eu-key" and e and e.get("code") == "budget_exceeded")
    print(
        f"chaos: acme served on cloud_eu={served_acme} spent={spent * 1e6:.0f}/{LIMIT_MICRO} refused={refused}"
    )


def _served_for(up, marker: bytes) -> int:
    return sum(1 for body in up.served_bodies if marker in body)

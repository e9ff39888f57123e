"""Budgets cannot be overspent under concurrency; kill switch; Redis shared state and outages."""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import time

import aiohttp
import pytest
import requests

from .conftest import base_config, free_port, wait_until

MAX_TOKENS = 100
COST = 20 + MAX_TOKENS  # micro-USD per served request at 1 USD/Mtok in and out


def priced_config(ups, daily_usd=0.001, **over):
    cfg = base_config(ups, **over)
    cfg["backends"] = [b for b in cfg["backends"] if b["name"] == "cloud_eu"]
    cfg["tenants"]["acme"]["budget"] = {"daily_usd": daily_usd, "monthly_usd": 1.0}
    ups["cloud_eu"].prompt_tokens, ups["cloud_eu"].completion_tokens = 20, MAX_TOKENS
    return cfg


async def burst(urls: list[str], n: int, key: str = "eu-key") -> list[int]:
    body = {"model": "m1", "max_tokens": MAX_TOKENS, "messages": [{"role": "user", "content": "x" * 40}]}
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=n)) as s:

        async def one(i: int) -> int:
            async with s.post(
                urls[i % len(urls)] + "/v1/chat/completions",
                json=body,
                headers={"authorization": f"Bearer {key}"},
            ) as r:
                await r.read()
                return r.status

        return await asyncio.wait_for(asyncio.gather(*(one(i) for i in range(n))), 60)


def test_budget_not_overspent_under_200_concurrent_requests(make_router, ups):
    ups["cloud_eu"].delay = 0.05
    r = make_router(priced_config(ups))
    statuses = asyncio.run(burst([r.url], 200))
    served = statuses.count(200)
    assert served >= 1
    assert set(statuses) <= {200, 429}
    assert ups["cloud_eu"].hits == served
    assert served * COST <= 1000  # daily limit 0.001 USD = 1000 micro-USD
    spent = r.lt.run(r.app.budgets.spent_usd(r.app.budgets.counters("acme")[0].key))
    assert spent == pytest.approx(served * COST / 1e6)


def test_budget_refusal_is_openai_shaped_and_free_backends_still_serve(make_router, ups):
    cfg = priced_config(ups, daily_usd=0.0)
    cfg["backends"].insert(0, base_config(ups)["backends"][0])  # free local_eu
    r = make_router(cfg)
    ups["local_eu"].mode = "ok"
    body = {"model": "m1", "max_tokens": 10, "messages": [{"role": "user", "content": "x"}]}
    ok = requests.post(
        r.url + "/v1/chat/completions", json=body, headers={"authorization": "Bearer eu-key"}, timeout=5
    )
    assert ok.status_code == 200  # free local backend, no budget needed
    ups["local_eu"].mode = "error500"
    resp = requests.post(
        r.url + "/v1/chat/completions", json=body, headers={"authorization": "Bearer eu-key"}, timeout=5
    )
    assert resp.status_code == 429
    assert resp.json()["error"] == {
        "message": resp.json()["error"]["message"],
        "type": "insufficient_quota",
        "param": None,
        "code": "budget_exceeded",
    }
    assert ups["cloud_eu"].hits == 0


def test_kill_switch(make_router, ups):
    r = make_router(priced_config(ups, daily_usd=1.0))
    h = {"authorization": "Bearer eu-key"}
    body = {"model": "m1", "max_tokens": 10, "messages": [{"role": "user", "content": "x"}]}
    assert requests.post(r.url + "/v1/chat/completions", json=body, headers=h, timeout=5).status_code == 200
    assert requests.post(r.url + "/admin/kill-switch", headers=h, timeout=5).status_code == 403
    assert requests.post(
        r.url + "/admin/kill-switch", headers={"authorization": "Bearer admin-key"}, timeout=5
    ).json() == {"kill_switch": True}
    resp = requests.post(r.url + "/v1/chat/completions", json=body, headers=h, timeout=5)
    assert resp.status_code == 503 and resp.json()["error"]["code"] == "budget_kill_switch"
    requests.delete(r.url + "/admin/kill-switch", headers={"authorization": "Bearer admin-key"}, timeout=5)
    assert requests.post(r.url + "/v1/chat/completions", json=body, headers=h, timeout=5).status_code == 200


def test_streaming_spend_is_settled_from_usage(make_router, ups):
    r = make_router(priced_config(ups, daily_usd=1.0))
    body = {
        "model": "m1",
        "max_tokens": MAX_TOKENS,
        "stream": True,
        "messages": [{"role": "user", "content": "x"}],
    }
    resp = requests.post(
        r.url + "/v1/chat/completions", json=body, headers={"authorization": "Bearer eu-key"}, timeout=5
    )
    assert resp.status_code == 200 and "[DONE]" in resp.text
    sent = ups["cloud_eu"].seen[-1]["body"]
    assert b'"include_usage":true' in sent
    spent = r.lt.run(r.app.budgets.spent_usd(r.app.budgets.counters("acme")[0].key))
    assert spent == pytest.approx(COST / 1e6)


# --- Redis ----------------------------------------------------------------------------------------


class RedisServer:
    def __init__(self) -> None:
        self.port = free_port()
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [
                "redis-server",
                "--bind",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        import redis

        c = redis.Redis(port=self.port)
        assert wait_until(lambda: _ping(c), 5), "redis-server did not start"

    def stop(self) -> None:
        if self.proc:
            self.proc.kill()
            self.proc.wait(5)
            self.proc = None


def _ping(c) -> bool:
    try:
        return bool(c.ping())
    except Exception:
        return False


@pytest.fixture
def redis_server():
    if shutil.which("redis-server") is None:
        pytest.skip(
            "redis-server is not installed (apt-get install redis-server); Redis tests need a real server"
        )
    srv = RedisServer()
    srv.start()
    yield srv
    srv.stop()


def redis_cfg(srv, **kw):
    return {
        "url": f"redis://127.0.0.1:{srv.port}/0",
        "socket_timeout_s": 0.2,
        "retry_after_s": 0.2,
        "breaker_sync_s": 0.05,
        "recovery_hold_s": 0.2,
        **kw,
    }


def test_two_replicas_share_one_budget(make_router, ups, redis_server):
    ups["cloud_eu"].delay = 0.05
    cfg = priced_config(ups, redis=redis_cfg(redis_server, socket_timeout_s=1.0))
    cfg["budgets"] = {"fail_mode": "fail_closed"}  # strict: no local fallback may hide a shared-ledger bug
    a, b = make_router(cfg), make_router(cfg)
    statuses = asyncio.run(burst([a.url, b.url], 200))
    served = statuses.count(200)
    assert served >= 1 and set(statuses) <= {200, 429}
    assert served * COST <= 1000
    assert ups["cloud_eu"].hits == served


def test_replicas_share_breaker_openings(make_router, ups, redis_server):
    cfg = base_config(ups, redis=redis_cfg(redis_server))
    cfg["backends"][0]["breaker"] = {"failure_threshold": 1, "recovery_timeout_s": 5}
    a, b = make_router(cfg), make_router(cfg)
    ups["local_eu"].mode = "error500"
    h = {"authorization": "Bearer eu-key"}
    body = {"model": "m1", "messages": [{"role": "user", "content": "x"}]}
    assert requests.post(a.url + "/v1/chat/completions", json=body, headers=h, timeout=5).status_code == 200
    lb = next(x for x in b.app.policy.backends if x.name == "local_eu")
    assert wait_until(lambda: lb.breaker.state == "open", 3)
    hits = ups["local_eu"].hits
    assert requests.post(b.url + "/v1/chat/completions", json=body, headers=h, timeout=5).status_code == 200
    assert ups["local_eu"].hits == hits  # b never tried the backend a found broken


@pytest.mark.parametrize("mode", ["local", "fail_closed", "fail_open"])
def test_redis_dies_and_returns(make_router, ups, redis_server, mode):
    cfg = priced_config(ups, daily_usd=1.0, redis=redis_cfg(redis_server))
    cfg["budgets"] = {"fail_mode": mode}
    r = make_router(cfg)
    h = {"authorization": "Bearer eu-key"}
    body = {"model": "m1", "max_tokens": MAX_TOKENS, "messages": [{"role": "user", "content": "x"}]}

    def post():
        return requests.post(r.url + "/v1/chat/completions", json=body, headers=h, timeout=5)

    assert post().status_code == 200
    redis_server.stop()
    t0 = time.monotonic()
    during = [post() for _ in range(3)]
    assert time.monotonic() - t0 < 3  # a dead Redis does not stall requests
    if mode == "fail_closed":
        assert all(x.status_code == 503 and x.json()["error"]["code"] == "budget_unavailable" for x in during)
        assert wait_until(lambda: requests.get(r.url + "/readyz", timeout=5).status_code == 503, 3)
    else:
        assert all(x.status_code == 200 for x in during)
    redis_server.start()
    time.sleep(0.3)
    assert wait_until(lambda: post().status_code == 200, 5)
    if mode == "fail_open":  # that call fell in the recovery hold, served unaccounted: one more after it
        time.sleep(0.3)
        assert post().status_code == 200
    import redis

    key = r.app.budgets.counters("acme")[0].key
    # Redis restarted empty (no persistence): the replica restores what it had seen (1 call before the
    # outage), adds what it spent locally during the outage (local mode: 3), then the call after
    # (fail_closed: refused during the recovery hold, then served; local: accounted locally, flushed).
    expected = (1 + 3 + 1) * COST if mode == "local" else (1 + 1) * COST
    client = redis.Redis(port=redis_server.port)
    assert wait_until(lambda: int(client.get("meridian:router:" + key) or 0) == expected, 3), (
        int(client.get("meridian:router:" + key) or 0),
        expected,
    )


def test_a_restarted_redis_leaves_no_stale_pooled_connections(loop_thread, redis_server):
    """A Redis restart closes every pooled connection. The first failure marks Redis down; once it is
    retried, no command may trip over another dead socket from before (each would mark it down again)."""
    from meridian_router.state import RedisState, StateUnavailable

    st = RedisState(f"redis://127.0.0.1:{redis_server.port}/0", "t:", 0.2, 0.2)

    async def many(n: int) -> list:
        return await asyncio.gather(*(st.get("k") for _ in range(n)), return_exceptions=True)

    assert loop_thread.run(many(16)) == [0] * 16  # 16 pooled connections
    redis_server.stop()
    redis_server.start()
    with pytest.raises(StateUnavailable):
        loop_thread.run(st.get("k"))  # the restart is noticed once
    time.sleep(0.3)  # past retry_after_s
    assert loop_thread.run(many(16)) == [0] * 16 and st.up

"""The budget ledger after Redis loses its data, across router *processes*.

Two `meridian-router` processes share one real Redis. Replica B has served little and replica A a
lot, so their last views of the ledger differ; Redis is then killed and restarted empty, and B (the
one with the low view) is the first to touch it. Before the fix only the first replica restored
its view: A's spend was forgotten and the pair served far past the budget. Now every replica
raises the counters to what it saw and no one reserves until all have: spend never exceeds the
budget."""

from __future__ import annotations

import asyncio
import contextlib
import subprocess
import sys

import aiohttp
import pytest
import requests
import yaml

from .conftest import free_port, wait_until
from .test_budgets import COST, MAX_TOKENS, priced_config, redis_cfg, redis_server  # noqa: F401

LIMIT_REQUESTS = 30  # the daily budget fits this many served requests


class RouterProcess:
    def __init__(self, cfg: dict, tmp_path, name: str) -> None:
        self.port = free_port()
        self.path = tmp_path / f"{name}.yaml"
        self.path.write_text(yaml.safe_dump(cfg))
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "meridian_router", "--config", str(self.path), "--port", str(self.port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def wait_ready(self) -> None:
        def up() -> bool:
            if self.proc.poll() is not None:
                raise AssertionError(self.proc.stderr.read().decode() if self.proc.stderr else "router exited")
            with contextlib.suppress(requests.RequestException):
                return requests.get(self.url + "/healthz", timeout=1).status_code == 200
            return False

        assert wait_until(up, 20), "router process did not start"

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(5)


async def fire(urls: list[str], n: int, pause: float = 0.0) -> list[int]:
    body = {"model": "m1", "max_tokens": MAX_TOKENS, "messages": [{"role": "user", "content": "x" * 40}]}
    out = []
    async with aiohttp.ClientSession() as s:
        for i in range(n):
            async with s.post(
                urls[i % len(urls)] + "/v1/chat/completions", json=body, headers={"authorization": "Bearer eu-key"}
            ) as r:
                await r.read()
                out.append(r.status)
            if pause:
                await asyncio.sleep(pause)
    return out


@pytest.fixture
def replicas(ups, redis_server, tmp_path):  # noqa: F811
    limit_usd = LIMIT_REQUESTS * COST / 1e6
    base = priced_config(ups, daily_usd=limit_usd)
    base["budgets"] = {"fail_mode": "fail_closed"}
    base["server"] = {"access_log": False, "log_level": "warning"}
    # A syncs rarely and B often, so B is the first to find the lost ledger; the hold covers both.
    a_cfg = {**base, "redis": redis_cfg(redis_server, breaker_sync_s=1.0, recovery_hold_s=2.5)}
    b_cfg = {**base, "redis": redis_cfg(redis_server, breaker_sync_s=0.05, recovery_hold_s=2.5)}
    a, b = RouterProcess(a_cfg, tmp_path, "a"), RouterProcess(b_cfg, tmp_path, "b")
    try:
        a.wait_ready()
        b.wait_ready()
        yield a, b
    finally:
        a.stop()
        b.stop()


def test_spend_never_exceeds_the_budget_when_redis_restarts_empty(replicas, ups, redis_server):  # noqa: F811
    a, b = replicas
    before = asyncio.run(fire([b.url], 2)) + asyncio.run(fire([a.url], 10))
    assert before == [200] * 12
    redis_server.stop()
    redis_server.start()  # empty: no persistence
    # B first, then both, for longer than the recovery hold; then until the budget refuses.
    during = asyncio.run(fire([b.url, a.url], 40, pause=0.1))
    after = asyncio.run(fire([a.url, b.url], 40))
    served = ups["cloud_eu"].served
    assert set(during) | set(after) <= {200, 429, 503}
    assert 429 in after  # the budget binds in the end
    assert served * COST <= LIMIT_REQUESTS * COST, f"served {served} requests against a budget of {LIMIT_REQUESTS}"
    import redis

    key = next(k for k in redis.Redis(port=redis_server.port).keys("meridian:router:budget:t:acme:d:*"))
    # the ledger holds every served request's cost (reservations of refused ones were refunded)
    assert int(redis.Redis(port=redis_server.port).get(key)) == served * COST

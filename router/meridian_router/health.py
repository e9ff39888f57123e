"""Background loops: active health checks of backends, and Redis sync of breakers and kill switch."""

from __future__ import annotations

import asyncio
import logging
import time

import aiohttp

from .breakers import STATE_VALUE
from .budgets import Budgets
from .metrics import Metrics
from .routing import Backend
from .state import RedisState, StateRequestError, StateUnavailable

log = logging.getLogger("meridian_router.health")


async def check_backend(b: Backend, session: aiohttp.ClientSession) -> None:
    url = b.adapter.health_url()
    if url is None:
        return
    hc = b.cfg.health_check
    failures = 0
    timeout = aiohttp.ClientTimeout(total=hc.timeout_s)
    while True:
        ok = False
        try:
            async with session.get(url, headers=b.adapter.health_headers(), timeout=timeout) as resp:
                ok = resp.status < 500
                await resp.read()
        except (aiohttp.ClientError, TimeoutError, OSError):
            ok = False
        if ok:
            if not b.breaker.healthy:
                log.warning("backend healthy again", extra={"backend": b.name})
            failures = 0
            b.breaker.healthy = True
        else:
            failures += 1
            if failures >= hc.unhealthy_after and b.breaker.healthy:
                log.warning("backend failed health checks", extra={"backend": b.name, "failures": failures})
                b.breaker.healthy = False
        await asyncio.sleep(hc.interval_s)


async def sync_shared(
    state: RedisState, backends: list[Backend], budgets: Budgets, every_s: float, default_kill: bool
) -> None:
    names = [b.name for b in backends]
    by_name = {b.name: b for b in backends}
    while True:
        try:
            remote = await state.open_breakers(names)
            for name, remaining in remote.items():
                by_name[name].breaker.force_open_remote(remaining)
            budgets.kill_switch = default_kill or await state.kill_switch()
            await budgets.recover()
        except StateRequestError:
            pass  # logged by the state; Redis is up, try again next round
        except StateUnavailable:
            if state.down_until and time.monotonic() >= state.down_until:
                await state.ping()
        await asyncio.sleep(every_s)


def breaker_gauges(metrics: Metrics, backends: list[Backend]) -> None:
    for b in backends:
        metrics.breaker.set((b.name,), STATE_VALUE[b.breaker.state] if b.breaker.healthy else 2)


def scrape_gauges(metrics: Metrics, backends: list[Backend], budgets: Budgets, state: RedisState | None) -> None:
    """Gauges set at scrape time: breakers, routable backends, Redis, and the budget counters."""
    breaker_gauges(metrics, backends)
    now = time.monotonic()
    metrics.routable.set((), sum(1 for b in backends if b.breaker.available(now)))
    if state is not None:
        metrics.redis_up.set((), 1 if state.up else 0)
    for scope, tenant, period, spent, limit in budgets.snapshot():
        metrics.budget_spent.set((scope, tenant, period), spent)
        if limit is not None:
            metrics.budget_limit.set((scope, tenant, period), limit)

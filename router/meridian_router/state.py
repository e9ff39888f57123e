"""State backends for budgets (and shared breaker / kill-switch state).

Counters are integers in micro-USD. ``reserve`` is all-or-nothing over several counters
(tenant daily, tenant monthly, global daily, global monthly): memory does it inside one event
loop step, Redis inside one Lua script, so concurrent requests and replicas cannot overspend.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass

log = logging.getLogger("meridian_router.state")


@dataclass(frozen=True, slots=True)
class Counter:
    key: str
    limit: int | None  # micro-USD; None = count only
    ttl_s: int


class StateUnavailable(Exception):
    """The shared state backend cannot be reached right now."""


class MemoryLedger:
    name = "memory"

    def __init__(self) -> None:
        self.values: dict[str, int] = {}

    async def reserve(self, counters: Sequence[Counter], amount: int) -> int:
        """0 when reserved, else 1-based index of the first counter that would overflow."""
        vals = self.values
        for i, c in enumerate(counters):
            if c.limit is not None and vals.get(c.key, 0) + amount > c.limit:
                return i + 1
        for c in counters:
            vals[c.key] = vals.get(c.key, 0) + amount
        return 0

    async def adjust(self, counters: Sequence[Counter], delta: int) -> None:
        vals = self.values
        for c in counters:
            vals[c.key] = vals.get(c.key, 0) + delta

    async def get(self, key: str) -> int:
        return self.values.get(key, 0)


_RESERVE = """
local n = #KEYS - 1
if redis.call('EXISTS', KEYS[n + 1]) == 0 then return {-1} end
local amt = tonumber(ARGV[1])
local cur = {}
local over = 0
for i = 1, n do
  cur[i] = tonumber(redis.call('GET', KEYS[i]) or '0')
  local lim = tonumber(ARGV[1 + i])
  if over == 0 and lim >= 0 and cur[i] + amt > lim then over = i end
end
if over == 0 then
  for i = 1, n do
    cur[i] = redis.call('INCRBY', KEYS[i], amt)
    redis.call('EXPIRE', KEYS[i], tonumber(ARGV[1 + n + i]))
  end
end
local out = {over}
for i = 1, n do out[i + 1] = cur[i] end
return out
"""

# Redis came back without its data (restart without persistence): raise every counter back to
# at least what this replica last saw, then mark the ledger as restored.
_RESTORE = """
local n = #KEYS - 1
for i = 1, n do
  local floor = tonumber(ARGV[i])
  local cur = tonumber(redis.call('GET', KEYS[i]) or '0')
  if floor > cur then
    redis.call('SET', KEYS[i], floor, 'EX', tonumber(ARGV[n + i]))
  end
end
redis.call('SET', KEYS[n + 1], '1')
return 0
"""

_ADJUST = """
for i = 1, #KEYS do
  redis.call('INCRBY', KEYS[i], tonumber(ARGV[1]))
  redis.call('EXPIRE', KEYS[i], tonumber(ARGV[1 + i]))
end
return 0
"""

_PTTLS = """
local out = {}
for i = 1, #KEYS do out[i] = redis.call('PTTL', KEYS[i]) end
return out
"""


class RedisState:
    """Budgets, breaker openings and the kill switch shared by every replica through Redis."""

    name = "redis"

    def __init__(
        self, url: str, prefix: str, socket_timeout_s: float, retry_after_s: float, max_connections: int = 64
    ) -> None:
        import redis.asyncio as aioredis

        self.prefix = prefix
        pool = aioredis.BlockingConnectionPool.from_url(
            url,
            max_connections=max_connections,
            timeout=socket_timeout_s * 4,
            socket_timeout=socket_timeout_s,
            socket_connect_timeout=max(1.0, socket_timeout_s * 4),
        )
        self.client = aioredis.Redis(connection_pool=pool, retry=None)  # pyright: ignore[reportArgumentType]  # no retries: fail fast, the fail mode decides
        self.last_seen: dict[str, int] = {}  # counter values as Redis last reported them
        self._reserve = self.client.register_script(_RESERVE)
        self._adjust = self.client.register_script(_ADJUST)
        self._restore = self.client.register_script(_RESTORE)
        self.epoch_key = prefix + "ledger_epoch"
        self._pttls = self.client.register_script(_PTTLS)
        self.retry_after_s = retry_after_s
        self.down_until = 0.0
        self.up = True
        self._dropping: asyncio.Task | None = None

    def _guard(self) -> None:
        if self.down_until and time.monotonic() < self.down_until:
            raise StateUnavailable("redis marked down")

    def _failed(self, exc: Exception) -> StateUnavailable:
        if self.up:
            log.warning("redis unavailable: %s: %s", type(exc).__name__, str(exc)[:200])
        self.up = False
        self.down_until = time.monotonic() + self.retry_after_s
        self._drop_connections()
        return StateUnavailable(str(exc))

    def _drop_connections(self) -> None:
        """Pooled connections from before a failure may be dead (a restarted Redis closed them all):
        drop every one, so commands after recovery connect afresh instead of each tripping over a
        stale socket and marking Redis down again."""
        if self._dropping is not None and not self._dropping.done():
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return
        self._dropping = loop.create_task(self.client.connection_pool.disconnect(inuse_connections=True))

    def _ok(self) -> None:
        if not self.up:
            log.warning("redis available again")
        self.up = True
        self.down_until = 0.0

    async def reserve(self, counters: Sequence[Counter], amount: int) -> int:
        self._guard()
        keys = [*[self.prefix + c.key for c in counters], self.epoch_key]
        args = [
            amount,
            *[(-1 if c.limit is None else c.limit) for c in counters],
            *[c.ttl_s for c in counters],
        ]
        try:
            res = await self._reserve(keys=keys, args=args)
            if int(res[0]) == -1:
                await self.restore()
                res = await self._reserve(keys=keys, args=args)
        except Exception as exc:
            raise self._failed(exc) from None
        self._ok()
        for c, v in zip(counters, res[1:], strict=True):
            self.last_seen[c.key] = int(v)
        return int(res[0])

    async def ensure_epoch(self) -> None:
        """Mark the ledger this replica starts on (SET NX: an existing ledger is left alone)."""
        try:
            await self.client.set(self.epoch_key, b"1", nx=True)
        except Exception as exc:
            raise self._failed(exc) from None

    async def check_epoch(self) -> None:
        """Restore the ledger if Redis came back empty."""
        self._guard()
        try:
            exists = await self.client.exists(self.epoch_key)
        except Exception as exc:
            raise self._failed(exc) from None
        if not exists:
            await self.restore()

    async def restore(self) -> None:
        """Redis lost its data: put back every counter this replica knows, as high as it last saw them."""
        items = list(self.last_seen.items())
        keys = [*[self.prefix + k for k, _ in items], self.epoch_key]
        ttls = [2 * 86400 if ":d:" in k else 32 * 86400 for k, _ in items]
        try:
            await self._restore(keys=keys, args=[*[v for _, v in items], *ttls])
        except Exception as exc:
            raise self._failed(exc) from None
        log.warning("redis ledger was empty: restored %d counters from this replica's last view", len(items))

    async def adjust(self, counters: Sequence[Counter], delta: int) -> None:
        self._guard()
        keys = [self.prefix + c.key for c in counters]
        try:
            await self._adjust(keys=keys, args=[delta, *[c.ttl_s for c in counters]])
        except Exception as exc:
            raise self._failed(exc) from None
        self._ok()
        for c in counters:
            if c.key in self.last_seen:
                self.last_seen[c.key] += delta

    async def get(self, key: str) -> int:
        self._guard()
        try:
            v = await self.client.get(self.prefix + key)
        except Exception as exc:
            raise self._failed(exc) from None
        self._ok()
        return int(v or 0)

    # --- shared breaker and kill-switch state (synced in the background, off the hot path) ----
    async def publish_open(self, backend: str, ttl_s: float) -> None:
        try:
            await self.client.set(self.prefix + "breaker:" + backend, b"open", px=max(1, int(ttl_s * 1000)))
        except Exception as exc:
            self._failed(exc)

    async def open_breakers(self, backends: Sequence[str]) -> dict[str, float]:
        """Remaining open seconds for every backend another replica has opened."""
        self._guard()
        try:
            ttls = await self._pttls(keys=[self.prefix + "breaker:" + b for b in backends], args=[])
        except Exception as exc:
            raise self._failed(exc) from None
        self._ok()
        return {b: int(t) / 1000.0 for b, t in zip(backends, ttls, strict=True) if int(t) > 0}

    async def set_kill_switch(self, on: bool) -> None:
        key = self.prefix + "kill_switch"
        try:
            await (self.client.set(key, b"1") if on else self.client.delete(key))
        except Exception as exc:
            raise self._failed(exc) from None

    async def kill_switch(self) -> bool:
        self._guard()
        try:
            v = await self.client.get(self.prefix + "kill_switch")
        except Exception as exc:
            raise self._failed(exc) from None
        self._ok()
        return v is not None

    async def ping(self) -> bool:
        try:
            await self.client.ping()
        except Exception as exc:
            self._failed(exc)
            return False
        self._ok()
        return True

    async def close(self) -> None:
        await self.client.aclose()

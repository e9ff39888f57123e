"""State backends for budgets (and shared breaker / kill-switch state).

Counters are integers in micro-USD. ``reserve`` is all-or-nothing over several counters
(tenant daily, tenant monthly, global daily, global monthly): memory does it inside one event
loop step, Redis inside one Lua script, so concurrent requests and replicas cannot overspend.
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

T = TypeVar("T")

log = logging.getLogger("meridian_router.state")


@dataclass(frozen=True, slots=True)
class Counter:
    key: str
    limit: int | None  # micro-USD; None = count only
    ttl_s: int


class StateUnavailable(Exception):
    """The shared state backend cannot be reached right now (or is restoring a lost ledger)."""


class StateRequestError(Exception):
    """Redis answered but refused this one call (a script error): not an outage."""


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


# The shared ledger lives in a *generation*: a random token in `epoch`, set by whichever replica
# first finds it missing (a fresh Redis, or one that restarted without its data). Every replica
# remembers the generation it has restored into; a script run with another generation answers -1
# and the replica restores first. Amounts travel as decimal strings straight into INCRBY (never
# through Lua's doubles, whose %.14g formatting broke large integers); limits are compared in Lua
# numbers, exact for every amount below budgets.MAX_RESERVATION_MICRO_USD.
#
# KEYS: counters..., epoch, hold    ARGV: generation, amount, limits..., ttls...
# -> {-1} wrong generation, {-2} recovering (hold), else {over, value...}
_RESERVE = """
local n = #KEYS - 2
if redis.call('GET', KEYS[n + 1]) ~= ARGV[1] then return {-1} end
if redis.call('EXISTS', KEYS[n + 2]) == 1 then return {-2} end
local amt = tonumber(ARGV[2])
local cur = {}
local over = 0
for i = 1, n do
  cur[i] = tonumber(redis.call('GET', KEYS[i]) or '0')
  local lim = tonumber(ARGV[2 + i])
  if over == 0 and lim >= 0 and cur[i] + amt > lim then over = i end
end
if over == 0 then
  for i = 1, n do
    cur[i] = redis.call('INCRBY', KEYS[i], ARGV[2])
    redis.call('EXPIRE', KEYS[i], ARGV[2 + n + i])
  end
end
local out = {over}
for i = 1, n do out[i + 1] = cur[i] end
return out
"""

# KEYS: counters..., epoch    ARGV: generation, delta, ttls...  -> {-1} wrong generation, else {0, value...}
_ADJUST = """
local n = #KEYS - 1
if redis.call('GET', KEYS[n + 1]) ~= ARGV[1] then return {-1} end
local out = {0}
for i = 1, n do
  out[i + 1] = redis.call('INCRBY', KEYS[i], ARGV[2])
  redis.call('EXPIRE', KEYS[i], ARGV[2 + i])
end
return out
"""

# Restore this replica's view into the current generation (creating one, with a hold, if the epoch
# is missing): every counter goes up to at least what this replica last saw, never down, so replicas
# may restore in any order, and more than once, with the same result: the maximum any replica saw.
# The hold (set with a new generation) keeps every replica from reserving until all have restored.
# KEYS: counters..., epoch, hold    ARGV: new generation, hold ms, floors..., ttls...
# -> {generation, value...}
_RESTORE = """
local n = #KEYS - 2
local gen = redis.call('GET', KEYS[n + 1])
if not gen then
  gen = ARGV[1]
  redis.call('SET', KEYS[n + 1], gen)
  redis.call('SET', KEYS[n + 2], '1', 'PX', ARGV[2])
end
local out = {gen}
for i = 1, n do
  local floor = tonumber(ARGV[2 + i])
  local cur = tonumber(redis.call('GET', KEYS[i]) or '0')
  if floor > cur then
    redis.call('SET', KEYS[i], ARGV[2 + i], 'EX', ARGV[2 + n + i])
    cur = floor
  end
  out[i + 1] = cur
end
return out
"""

_PTTLS = """
local out = {}
for i = 1, #KEYS do out[i] = redis.call('PTTL', KEYS[i]) end
return out
"""


def _outage_errors() -> tuple[type[Exception], ...]:
    """Failures of Redis itself (connection, timeout, loading, read-only failover replica): only these
    change the health state. Anything else Redis answers (a script error) is an error of one call."""
    from redis import exceptions as e

    return (
        e.ConnectionError,  # includes BusyLoadingError, AuthenticationError
        e.TimeoutError,
        e.ReadOnlyError,
        e.MasterDownError,
        e.ClusterDownError,
        e.TryAgainError,
        OSError,
        asyncio.TimeoutError,
    )


class RedisState:
    """Budgets, breaker openings and the kill switch shared by every replica through Redis."""

    name = "redis"

    def __init__(
        self,
        url: str,
        prefix: str,
        socket_timeout_s: float,
        retry_after_s: float,
        recovery_hold_s: float = 3.0,
        max_connections: int = 64,
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
        self._seen_until: dict[str, float] = {}  # when each of them expires (monotonic)
        self.generation: str | None = None  # the ledger generation this replica has restored into
        self.recovery_hold_s = recovery_hold_s
        self._outage = _outage_errors()
        self._reserve = self.client.register_script(_RESERVE)
        self._adjust = self.client.register_script(_ADJUST)
        self._restore = self.client.register_script(_RESTORE)
        self.epoch_key = prefix + "ledger_epoch"
        self.hold_key = prefix + "ledger_recovering"
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

    async def _run(self, script, keys: list[str], args: list) -> list:
        """One script call (see `_call`)."""
        return await self._call(lambda: script(keys=keys, args=args))

    async def call(self, call: Callable[[], Awaitable[T]]) -> T:
        """One Redis call for other shared state (keys, spend): outages and refusals as in `_call`."""
        return await self._call(call)

    def script(self, source: str):
        """A Lua script other shared state (rate limits, usage) runs through `run`."""
        return self.client.register_script(source)

    async def run(self, script, keys: list[str], args: list) -> list:
        """A script call with the prefix applied to its keys; outages and refusals as in `_call`."""
        return await self._run(script, [self.prefix + k for k in keys], args)

    async def _call(self, call: Callable[[], Awaitable[T]]) -> T:
        """One Redis call. Connection-level failures mark Redis down (the fail mode decides);
        anything else Redis answers (a script error) is StateRequestError, an error of this call
        only, and leaves the health state alone."""
        self._guard()
        try:
            res = await call()
        except self._outage as exc:
            raise self._failed(exc) from None
        except Exception as exc:
            log.error("redis refused a call: %s: %s", type(exc).__name__, str(exc)[:200])
            raise StateRequestError(f"{type(exc).__name__}: {str(exc)[:200]}") from None
        self._ok()
        return res

    def _saw(self, counters: Sequence[Counter], values: Sequence) -> None:
        now = time.monotonic()
        for c, v in zip(counters, values, strict=True):
            self.last_seen[c.key] = int(v)
            self._seen_until[c.key] = now + c.ttl_s

    async def reserve(self, counters: Sequence[Counter], amount: int) -> int:
        keys = [*[self.prefix + c.key for c in counters], self.epoch_key, self.hold_key]
        rest = [
            str(amount),
            *[str(-1 if c.limit is None else c.limit) for c in counters],
            *[c.ttl_s for c in counters],
        ]
        for _ in range(3):
            res = await self._run(self._reserve, keys, [self.generation or "", *rest])
            code = int(res[0])
            if code == -1:  # a new generation: Redis lost the ledger, or this replica is new to it
                await self.restore()
                continue
            if code == -2:
                raise StateUnavailable("the ledger is being restored after Redis lost its data")
            self._saw(counters, res[1:])
            return code
        raise StateUnavailable("the ledger generation changed during this reservation")

    async def adjust(self, counters: Sequence[Counter], delta: int) -> None:
        keys = [*[self.prefix + c.key for c in counters], self.epoch_key]
        rest = [str(delta), *[c.ttl_s for c in counters]]
        for _ in range(3):
            res = await self._run(self._adjust, keys, [self.generation or "", *rest])
            if int(res[0]) == -1:
                await self.restore()
                continue
            self._saw(counters, res[1:])
            return
        raise StateUnavailable("the ledger generation changed during this adjustment")

    async def ensure_epoch(self) -> None:
        """Join the current ledger generation (creating it if Redis has none), restoring this
        replica's view into it; returns once any recovery hold has passed, so a replica starting
        right after Redis lost its data does not spend before the others have restored theirs."""
        await self.restore()
        remaining = await self._call(lambda: self.client.pttl(self.hold_key))
        if remaining and int(remaining) > 0:
            await asyncio.sleep(int(remaining) / 1000)

    async def check_epoch(self) -> None:
        """Background sync: restore this replica's view when the ledger generation has changed."""
        gen = await self._call(lambda: self.client.get(self.epoch_key))
        if gen is None or (gen.decode() if isinstance(gen, bytes) else str(gen)) != self.generation:
            await self.restore()

    async def restore(self) -> None:
        """Raise every counter this replica knows to at least what it last saw, in the current
        generation (a missing one is created, with a hold), and adopt that generation. Idempotent,
        and the same whichever replica restores first: the result is the maximum any replica saw."""
        now = time.monotonic()
        for k in [k for k, until in self._seen_until.items() if until <= now]:  # expired in Redis too
            del self._seen_until[k]
            self.last_seen.pop(k, None)
        items = list(self.last_seen.items())
        counters = [Counter(k, None, max(1, int(self._seen_until[k] - now))) for k, _ in items]
        keys = [*[self.prefix + c.key for c in counters], self.epoch_key, self.hold_key]
        args = [
            os.urandom(8).hex(),
            max(1, int(self.recovery_hold_s * 1000)),
            *[str(v) for _, v in items],
            *[c.ttl_s for c in counters],
        ]
        res = await self._run(self._restore, keys, args)
        gen = res[0].decode() if isinstance(res[0], bytes) else str(res[0])
        if gen != self.generation and self.generation is not None:
            log.warning(
                "redis ledger generation changed (Redis lost its data): restored %d counters from this "
                "replica's last view",
                len(items),
            )
        self.generation = gen
        for (k, _), v in zip(items, res[1:], strict=True):
            self.last_seen[k] = int(v)

    async def get(self, key: str) -> int:
        return int(await self._call(lambda: self.client.get(self.prefix + key)) or 0)

    # --- shared breaker and kill-switch state (synced in the background, off the hot path) ----
    async def publish_open(self, backend: str, ttl_s: float) -> None:
        try:
            await self.client.set(self.prefix + "breaker:" + backend, b"open", px=max(1, int(ttl_s * 1000)))
        except self._outage as exc:
            self._failed(exc)
        except Exception as exc:  # best effort: the other replicas find out by themselves
            log.error("could not publish an open breaker: %s: %s", type(exc).__name__, str(exc)[:200])

    async def open_breakers(self, backends: Sequence[str]) -> dict[str, float]:
        """Remaining open seconds for every backend another replica has opened."""
        ttls = await self._run(self._pttls, [self.prefix + "breaker:" + b for b in backends], [])
        return {b: int(t) / 1000.0 for b, t in zip(backends, ttls, strict=True) if int(t) > 0}

    async def set_kill_switch(self, on: bool) -> None:
        key = self.prefix + "kill_switch"
        self.down_until = 0.0  # an operator's change is tried now, whatever the back-off
        await self._call(lambda: self.client.set(key, b"1") if on else self.client.delete(key))

    async def kill_switch(self) -> bool:
        return await self._call(lambda: self.client.get(self.prefix + "kill_switch")) is not None

    async def ping(self) -> bool:
        try:
            await self.client.ping()
        except self._outage as exc:
            self._failed(exc)
            return False
        except Exception:  # Redis answered, so it is up
            pass
        self._ok()
        return True

    async def close(self) -> None:
        await self.client.aclose()

"""Rate limits per tenant and per credential: requests per minute, tokens per minute, concurrent
requests. They apply to every request, free local models included (they protect capacity, not money).

Windows are fixed minutes (UTC). Admission checks every scope (the tenant's and the credential's) and
takes from all of them at once or from none: in Redis inside one Lua script, so replicas sharing one
Redis never admit more than a limit per window between them; in this replica's memory without Redis
(or while Redis is unreachable: then each replica enforces the limits on its own). Tokens are
counted at admission as the request's estimate (prompt characters / `prompt_chars_per_token`, plus
`max_tokens` when set), and corrected to the usage the answer reports when it ends. A concurrency slot
is a member of a sorted set with a lease (`rate_limits.concurrency_lease_s`), so a replica that dies
mid-request cannot hold a slot forever.
"""

from __future__ import annotations

import itertools
import logging
import math
import os
import time
from dataclasses import dataclass, field

from .config import RateLimits
from .errors import RouterError
from .state import RedisState, StateRequestError, StateUnavailable

log = logging.getLogger("meridian_router.ratelimit")

WINDOW_S = 60
KINDS = ("requests", "tokens", "concurrent")

# KEYS: per scope: requests key, tokens key, concurrency key
# ARGV: now ms, member, token estimate, lease ms, window ttl s, then per scope: rpm, tpm, concurrent (-1: none)
# -> {0, used requests, used tokens, concurrent, ... per scope} admitted (counts after), or
#    {i, kind, used requests, used tokens, concurrent, ... per scope} refused by scope i (kind 1 rpm, 2 tpm, 3 concurrency)
_ADMIT = """
local n = #KEYS / 3
local now = tonumber(ARGV[1])
local est = tonumber(ARGV[3])
local used = {}
local over, kind = 0, 0
for i = 1, n do
  local r = tonumber(redis.call('GET', KEYS[3 * i - 2]) or '0')
  local t = tonumber(redis.call('GET', KEYS[3 * i - 1]) or '0')
  redis.call('ZREMRANGEBYSCORE', KEYS[3 * i], '-inf', now)
  local c = redis.call('ZCARD', KEYS[3 * i])
  used[3 * i - 2], used[3 * i - 1], used[3 * i] = r, t, c
  local rpm, tpm, conc = tonumber(ARGV[3 + 3 * i]), tonumber(ARGV[4 + 3 * i]), tonumber(ARGV[5 + 3 * i])
  if over == 0 then
    if rpm >= 0 and r + 1 > rpm then over, kind = i, 1
    elseif tpm >= 0 and t + est > tpm then over, kind = i, 2
    elseif conc >= 0 and c + 1 > conc then over, kind = i, 3 end
  end
end
if over > 0 then
  local out = {over, kind}
  for j = 1, #used do out[j + 2] = used[j] end
  return out
end
local out = {0}
for i = 1, n do
  out[3 * i - 1] = redis.call('INCR', KEYS[3 * i - 2])
  redis.call('EXPIRE', KEYS[3 * i - 2], ARGV[5])
  out[3 * i] = redis.call('INCRBY', KEYS[3 * i - 1], ARGV[3])
  redis.call('EXPIRE', KEYS[3 * i - 1], ARGV[5])
  redis.call('ZADD', KEYS[3 * i], now + tonumber(ARGV[4]), ARGV[2])
  redis.call('PEXPIRE', KEYS[3 * i], ARGV[4])
  out[3 * i + 1] = redis.call('ZCARD', KEYS[3 * i])
end
return out
"""

# KEYS: per scope: tokens key, concurrency key   ARGV: member, token correction, window ttl s
_RELEASE = """
for i = 1, #KEYS / 2 do
  redis.call('ZREM', KEYS[2 * i], ARGV[1])
  if tonumber(ARGV[2]) ~= 0 and redis.call('EXISTS', KEYS[2 * i - 1]) == 1 then
    redis.call('INCRBY', KEYS[2 * i - 1], ARGV[2])
  end
end
return 0
"""


@dataclass(frozen=True, slots=True)
class Scope:
    kind: str  # tenant | key
    id: str
    limits: RateLimits

    def keys(self, window: int) -> tuple[str, str, str]:
        base = f"rl:{self.kind}:{self.id}:"
        return base + f"r:{window}", base + f"t:{window}", base + "c"


@dataclass(slots=True)
class Admission:
    """An admitted request: its concurrency slot and token estimate, given back once by `release`."""

    limiter: RateLimiter
    scopes: tuple[Scope, ...]
    window: int
    member: str
    estimate: int
    headers: dict[str, str]
    shared: bool  # taken in Redis (else in this replica's memory)
    released: bool = field(default=False)

    async def release(self, tokens: int | None) -> None:
        """Free the slot and correct the tokens to `tokens` (None: the estimate stands). Never raises."""
        if self.released:
            return
        self.released = True
        await self.limiter.release(self, self.estimate if tokens is None else tokens)


class MemoryWindows:
    """The same windows in this replica's memory (one event loop: every step is atomic)."""

    def __init__(self) -> None:
        self.counts: dict[str, int] = {}
        self.slots: dict[str, dict[str, float]] = {}

    def admit(self, keys: list[tuple[str, str, str]], limits: list[RateLimits], now: float, member: str,
              est: int, lease_s: float) -> tuple[int, int, list[int]]:
        used: list[int] = []
        over = kind = 0
        for i, ((rk, tk, ck), lim) in enumerate(zip(keys, limits, strict=True), 1):
            slots = self.slots.setdefault(ck, {})
            for m in [m for m, until in slots.items() if until <= now]:
                del slots[m]
            r, t, c = self.counts.get(rk, 0), self.counts.get(tk, 0), len(slots)
            used += [r, t, c]
            if over == 0:
                if lim.rpm is not None and r + 1 > lim.rpm:
                    over, kind = i, 1
                elif lim.tpm is not None and t + est > lim.tpm:
                    over, kind = i, 2
                elif lim.concurrent is not None and c + 1 > lim.concurrent:
                    over, kind = i, 3
        if over:
            return over, kind, used
        after: list[int] = []
        for rk, tk, ck in keys:
            self.counts[rk] = self.counts.get(rk, 0) + 1
            self.counts[tk] = self.counts.get(tk, 0) + est
            self.slots[ck][member] = now + lease_s
            after += [self.counts[rk], self.counts[tk], len(self.slots[ck])]
        self._expire(now)
        return 0, 0, after

    def release(self, keys: list[tuple[str, str, str]], member: str, delta: int) -> None:
        for _, tk, ck in keys:
            self.slots.get(ck, {}).pop(member, None)
            if delta and tk in self.counts:
                self.counts[tk] += delta

    def _expire(self, now: float) -> None:
        if len(self.counts) > 4096:  # drop the windows that have passed
            current = int(now // WINDOW_S)
            for k in [k for k in self.counts if int(k.rsplit(":", 1)[1]) < current - 1]:
                del self.counts[k]


class RateLimiter:
    def __init__(self, lease_s: float, chars_per_token: float, shared: RedisState | None) -> None:
        self.lease_s = lease_s
        self.chars_per_token = chars_per_token
        self.shared = shared
        self.local = MemoryWindows()
        self._seq = itertools.count()
        self._prefix = os.urandom(6).hex()
        if shared is not None:
            self._admit = shared.script(_ADMIT)
            self._release = shared.script(_RELEASE)

    def estimate(self, body_len: int, max_tokens: int | None) -> int:
        return math.ceil(body_len / self.chars_per_token) + (max_tokens or 0)

    async def admit(self, scopes: tuple[Scope, ...], estimate: int) -> Admission | None:
        """None when no scope has a limit. Raises 429 `rate_limit_exceeded` (with Retry-After and the
        x-ratelimit-* headers) when one would be passed."""
        scopes = tuple(s for s in scopes if s.limits.any)
        if not scopes:
            return None
        now = time.time()
        window = int(now // WINDOW_S)
        member = f"{self._prefix}:{next(self._seq)}"
        keys = [s.keys(window) for s in scopes]
        counted: tuple[int, int, list[int]] | None = None  # (refusing scope, kind, used): 0, 0 when admitted
        if self.shared is not None:
            args: list = [int(now * 1000), member, estimate, int(self.lease_s * 1000), WINDOW_S * 2]
            for s in scopes:
                lim = s.limits
                args += [_arg(lim.rpm), _arg(lim.tpm), _arg(lim.concurrent)]
            try:
                res = [int(x) for x in await self.shared.run(self._admit, [k for ks in keys for k in ks], args)]
                counted = (res[0], res[1], res[2:]) if res[0] else (0, 0, res[1:])
            except (StateUnavailable, StateRequestError):
                pass  # counted in this replica's memory until Redis answers again
        shared = counted is not None
        if counted is None:
            counted = self.local.admit(keys, [s.limits for s in scopes], now, member, estimate, self.lease_s)
        over, kind, used = counted
        reset_s = WINDOW_S - (now % WINDOW_S)
        headers = _headers(scopes, used, reset_s)
        if over:
            s = scopes[over - 1]
            what = KINDS[kind - 1]
            retry = 1 if kind == 3 else max(1, math.ceil(reset_s))
            limit = (s.limits.rpm, s.limits.tpm, s.limits.concurrent)[kind - 1]
            detail = (f"{limit} {what} per minute" if kind < 3 else f"{limit} concurrent requests")
            if kind == 2 and estimate > (s.limits.tpm or 0):
                detail += f"; this request alone is estimated at {estimate} tokens"
            raise RouterError(
                429,
                "rate_limit_exceeded",
                f"rate limit of the {s.kind} reached: {detail}",
                type_="rate_limit_error",
                headers={**headers, "retry-after": str(retry)},
            )
        return Admission(self, scopes, window, member, estimate, headers, shared)

    async def release(self, adm: Admission, tokens: int) -> None:
        keys = [s.keys(adm.window) for s in adm.scopes]
        delta = tokens - adm.estimate
        if adm.shared and self.shared is not None:
            try:
                await self.shared.run(self._release, [k for _, tk, ck in keys for k in (tk, ck)],
                                      [adm.member, delta, WINDOW_S * 2])
                return
            except (StateUnavailable, StateRequestError):
                log.warning("could not release a rate-limit slot in redis; its lease ends it")
                return
        self.local.release(keys, adm.member, delta)


def _arg(v: int | None) -> int:
    return -1 if v is None else v


def _headers(scopes: tuple[Scope, ...], used: list[int], reset_s: float) -> dict[str, str]:
    """OpenAI's x-ratelimit-* headers, for the tightest scope of each kind."""
    out: dict[str, str] = {}
    reset = f"{math.ceil(reset_s)}s"
    for kind, j, limit_of in (("requests", 0, lambda lim: lim.rpm), ("tokens", 1, lambda lim: lim.tpm)):
        best: tuple[int, int] | None = None
        for i, s in enumerate(scopes):
            limit = limit_of(s.limits)
            if limit is None:
                continue
            remaining = max(0, limit - used[3 * i + j])
            if best is None or remaining < best[1]:
                best = (limit, remaining)
        if best is not None:
            out[f"x-ratelimit-limit-{kind}"] = str(best[0])
            out[f"x-ratelimit-remaining-{kind}"] = str(best[1])
            out[f"x-ratelimit-reset-{kind}"] = reset
    return out

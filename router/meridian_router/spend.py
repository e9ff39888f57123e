"""Spend and tokens per tenant and key, per UTC day and month: what `GET /admin/spend` reports.

Every answered request adds what its settlement charged (the same micro-USD the budget ledger was
settled to: reported usage at the backend's prices, or the worst-case reservation when no usage came
back), its prompt and completion tokens and one request, to its tenant's and key's row of the day and
of the month. Recording is a few additions in memory, off the request's path to Redis: with `redis`,
the rows are added to Redis hashes (one per day and month, kept `DAY_KEEP_S` / `MONTH_KEEP_S`) every
`FLUSH_S` and at shutdown, and a flush Redis does not take is kept for the next one. A query adds this
replica's rows not yet flushed, so it sees every request this replica served, and the others' up to
`FLUSH_S` late.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time

from .state import RedisState, StateRequestError, StateUnavailable

log = logging.getLogger("meridian_router.spend")

DAY_KEEP_S = 100 * 86400
MONTH_KEEP_S = 800 * 86400
FLUSH_S = 1.0
FIELDS = ("micro_usd", "prompt_tokens", "completion_tokens", "requests")
SEP = "\x1f"

_PERIODS: list = [0.0, "", ""]  # until (epoch s: the next UTC midnight), day, month


def periods(now: float | None = None) -> tuple[str, str]:
    """Today's and this month's names (UTC), formatted once a day."""
    if now is None:
        now = time.time()
        if now < _PERIODS[0]:
            return _PERIODS[1], _PERIODS[2]
        t = time.gmtime(now)
        day, month = time.strftime("%Y-%m-%d", t), time.strftime("%Y-%m", t)
        _PERIODS[:] = [(now // 86400 + 1) * 86400, day, month]
        return day, month
    t = time.gmtime(now)
    return time.strftime("%Y-%m-%d", t), time.strftime("%Y-%m", t)


Row = tuple[str, str, str, str]  # day, month, tenant, key


class SpendLedger:
    def __init__(self, shared: RedisState | None) -> None:
        self.shared = shared
        # Without Redis: every row this replica has. With Redis: the rows not flushed yet.
        self.rows: dict[Row, list[int]] = {}

    def record(self, tenant: str, key: str, micro_usd: int, prompt_tokens: int, completion_tokens: int) -> None:
        """Add one answered request (in memory: never fails, never waits)."""
        day, month = periods()
        row = (day, month, tenant, key)
        v = self.rows.get(row)
        if v is None:
            v = self.rows[row] = [0, 0, 0, 0]
        v[0] += micro_usd
        v[1] += prompt_tokens
        v[2] += completion_tokens
        v[3] += 1

    async def flush(self) -> None:
        """Add the rows recorded since the last flush to Redis (all or, on failure, none: kept)."""
        if self.shared is None:
            self._prune()
            return
        if not self.rows:
            return
        rows, self.rows = self.rows, {}
        state = self.shared

        async def write():
            async with state.client.pipeline(transaction=True) as p:
                for (day, month, tenant, key), v in rows.items():
                    for h, keep in (("usage:d:" + day, DAY_KEEP_S), ("usage:m:" + month, MONTH_KEEP_S)):
                        for name, value in zip(FIELDS, v, strict=True):
                            if value:
                                p.hincrby(state.prefix + h, f"{tenant}{SEP}{key}{SEP}{name}", value)
                        p.expire(state.prefix + h, keep)
                return await p.execute()

        try:
            await state.call(write)
        except (StateUnavailable, StateRequestError) as exc:
            log.warning("spend not added to redis yet (kept for the next flush): %s", exc)
            for row, v in rows.items():
                mine = self.rows.setdefault(row, [0, 0, 0, 0])
                for i in range(4):
                    mine[i] += v[i]

    def _prune(self) -> None:
        """Memory only: forget days older than DAY_KEEP_S (their months stay as long as MONTH_KEEP_S)."""
        if len(self.rows) < 10_000:
            return
        oldest = periods(time.time() - MONTH_KEEP_S)[1]
        for row in [r for r in self.rows if r[1] < oldest]:
            del self.rows[row]

    async def run(self, every_s: float = FLUSH_S) -> None:
        while True:
            await asyncio.sleep(every_s)
            await self.flush()

    async def close(self) -> None:
        with contextlib.suppress(Exception):  # shutting down: a last try, logged by the state if it fails
            await self.flush()

    async def read(self, period: str, date: str) -> dict[tuple[str, str], dict[str, int]]:
        """(tenant, key) -> totals, for a day (YYYY-MM-DD) or a month (YYYY-MM)."""
        out: dict[tuple[str, str], dict[str, int]] = {}
        col = 0 if period == "day" else 1
        for row, v in self.rows.items():  # this replica's (all of them without Redis; unflushed with it)
            if row[col] == date:
                tot = out.setdefault((row[2], row[3]), dict.fromkeys(FIELDS, 0))
                for name, value in zip(FIELDS, v, strict=True):
                    tot[name] += value
        if self.shared is not None:
            state = self.shared
            h = state.prefix + f"usage:{'d' if period == 'day' else 'm'}:{date}"
            raw = await state.call(lambda: state.client.hgetall(h))
            for f, value in raw.items():
                tenant, key, name = (f.decode() if isinstance(f, bytes) else f).split(SEP)
                out.setdefault((tenant, key), dict.fromkeys(FIELDS, 0))[name] += int(value)
        return out

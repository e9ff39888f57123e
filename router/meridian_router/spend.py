"""Spend and tokens per tenant and key, per UTC day and month: what `GET /admin/spend` reports.

Every answered request adds what its settlement charged (the same micro-USD the budget ledger was
settled to: reported usage at the backend's prices, or the worst-case reservation when no usage came
back), its prompt and completion tokens and one request, to its tenant's and key's row of the day and
of the month: in Redis (hashes, one per day and month, kept `DAY_KEEP_S` / `MONTH_KEEP_S`) when it is
configured, else in this replica's memory. Rows that Redis could not take are kept and added on the
next record that it does take.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from .state import RedisState, StateRequestError, StateUnavailable

log = logging.getLogger("meridian_router.spend")

DAY_KEEP_S = 100 * 86400
MONTH_KEEP_S = 800 * 86400
FIELDS = ("micro_usd", "prompt_tokens", "completion_tokens", "requests")
SEP = "\x1f"


@dataclass(frozen=True, slots=True)
class Charge:
    tenant: str
    key: str
    micro_usd: int
    prompt_tokens: int
    completion_tokens: int


def periods(now: float | None = None) -> tuple[str, str]:
    t = time.gmtime(now)
    return time.strftime("%Y-%m-%d", t), time.strftime("%Y-%m", t)


class SpendLedger:
    def __init__(self, shared: RedisState | None) -> None:
        self.shared = shared
        self.local: dict[str, dict[str, int]] = {}  # hash key -> field -> value (no Redis)
        self.pending: dict[str, dict[str, int]] = {}  # what Redis did not take yet

    @staticmethod
    def _rows(c: Charge) -> dict[str, dict[str, int]]:
        day, month = periods()
        values = (c.micro_usd, c.prompt_tokens, c.completion_tokens, 1)
        fields = {f"{c.tenant}{SEP}{c.key}{SEP}{name}": v for name, v in zip(FIELDS, values, strict=True) if v}
        return {f"usage:d:{day}": fields, f"usage:m:{month}": dict(fields)}

    @staticmethod
    def _add(into: dict[str, dict[str, int]], rows: dict[str, dict[str, int]]) -> None:
        for h, fields in rows.items():
            target = into.setdefault(h, {})
            for f, v in fields.items():
                target[f] = target.get(f, 0) + v

    async def record(self, c: Charge) -> None:
        """Never raises: accounting must not fail an answer that was served."""
        rows = self._rows(c)
        if self.shared is None:
            self._add(self.local, rows)
            return
        if self.pending:
            self._add(rows, self.pending)
            self.pending = {}
        try:
            await self._write(rows)
        except (StateUnavailable, StateRequestError) as exc:
            log.warning("spend not recorded in redis yet (kept for later): %s", exc)
            self._add(self.pending, rows)

    async def _write(self, rows: dict[str, dict[str, int]]) -> None:
        assert self.shared is not None
        state = self.shared

        async def write():
            async with state.client.pipeline(transaction=True) as p:
                for h, fields in rows.items():
                    for f, v in fields.items():
                        p.hincrby(state.prefix + h, f, v)
                    p.expire(state.prefix + h, DAY_KEEP_S if h.startswith("usage:d:") else MONTH_KEEP_S)
                return await p.execute()

        await state._call(write)

    async def read(self, period: str, date: str) -> dict[tuple[str, str], dict[str, int]]:
        """(tenant, key) -> totals, for a day (YYYY-MM-DD) or a month (YYYY-MM)."""
        h = f"usage:{'d' if period == 'day' else 'm'}:{date}"
        if self.shared is None:
            raw: dict = self.local.get(h, {})
        else:
            state = self.shared
            raw = {
                (k.decode() if isinstance(k, bytes) else k): int(v)
                for k, v in (await state._call(lambda: state.client.hgetall(state.prefix + h))).items()
            }
            for f, v in self.pending.get(h, {}).items():  # not in Redis yet, but spent
                raw[f] = raw.get(f, 0) + v
        out: dict[tuple[str, str], dict[str, int]] = {}
        for f, v in raw.items():
            tenant, key, name = f.split(SEP)
            out.setdefault((tenant, key), dict.fromkeys(FIELDS, 0))[name] += int(v)
        return out

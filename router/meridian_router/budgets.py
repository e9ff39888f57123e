"""Budgets: daily and monthly, per tenant and global, in USD.

Before a priced call the worst-case cost (prompt estimate + max_tokens at the backend's prices)
is reserved on every applicable counter at once; after the call the reservation is settled to
the real cost from the response's token usage. Free backends (price 0) skip the ledger.

If the shared ledger (Redis) is unreachable, ``fail_mode`` decides:
  fail_open   serve without accounting until Redis returns;
  fail_closed refuse priced requests (503 budget_unavailable);
  local       account in this replica's memory with the same limits, and add that spend to
              Redis when it returns.
"""

from __future__ import annotations

import contextlib
import logging
import math
import time
from dataclasses import dataclass

from .config import BudgetConfig, BudgetLimits, Price, TenantConfig
from .errors import RouterError
from .state import Counter, MemoryLedger, RedisState, StateRequestError, StateUnavailable

log = logging.getLogger("meridian_router.budgets")

DAY_TTL = 2 * 86400
MONTH_TTL = 32 * 86400


def micro_usd(price: Price, prompt_tokens: int, completion_tokens: int) -> int:
    """Price per million tokens in USD is exactly micro-USD per token."""
    return math.ceil(prompt_tokens * price.input_per_mtok + completion_tokens * price.output_per_mtok)


# Every amount the ledger sees is an integer below this (10^15 micro-USD, a billion dollars): exact in
# Lua's doubles (2^53) and far inside Redis's INCRBY range (2^63). The config's bounds (prices, body
# size, max_tokens, n) keep any real worst case below it; this is the backstop.
MAX_RESERVATION_MICRO_USD = 10**15


@dataclass(slots=True)
class Reservation:
    counters: tuple[Counter, ...]
    amount: int
    ledger: object | None  # None: unaccounted (fail_open)
    settled: bool = False  # settled (or kept as the charge) exactly once


def _mu(usd: float | None) -> int | None:
    return None if usd is None else round(usd * 1_000_000)


class Budgets:
    def __init__(
        self, cfg: BudgetConfig, tenants: dict[str, TenantConfig], shared: RedisState | None
    ) -> None:
        self.cfg = cfg
        self.tenants = tenants
        self.shared = shared
        self.local = MemoryLedger()
        self.kill_switch = cfg.kill_switch
        self._pending_flush = False

    def counters(self, tenant: str) -> tuple[Counter, ...]:
        t = time.gmtime()
        day, month = time.strftime("%Y-%m-%d", t), time.strftime("%Y-%m", t)
        limits: BudgetLimits = self.tenants[tenant].budget if tenant in self.tenants else BudgetLimits()
        g = self.cfg.global_limits
        return (
            Counter(f"budget:t:{tenant}:d:{day}", _mu(limits.daily_usd), DAY_TTL),
            Counter(f"budget:t:{tenant}:m:{month}", _mu(limits.monthly_usd), MONTH_TTL),
            Counter(f"budget:global:d:{day}", _mu(g.daily_usd), DAY_TTL),
            Counter(f"budget:global:m:{month}", _mu(g.monthly_usd), MONTH_TTL),
        )

    def worst_case(self, price: Price, body_len: int, max_tokens: int | None, choices: int = 1) -> int:
        """Prompt estimate plus max_tokens for each of the `choices` answers, in whole micro-USD."""
        prompt = math.ceil(body_len / self.cfg.prompt_chars_per_token)
        amount = micro_usd(price, prompt, (max_tokens or self.cfg.default_max_tokens) * choices)
        if amount > MAX_RESERVATION_MICRO_USD:
            raise RouterError(
                400,
                "invalid_request",
                "`max_tokens`: the request's worst-case cost exceeds what one request may reserve",
                param="max_tokens",
            )
        return amount

    async def reserve(self, tenant: str, amount: int) -> Reservation | None:
        """None for free calls. Raises RouterError when the budget (or kill switch) refuses."""
        if amount <= 0:
            return None
        if self.kill_switch:
            raise RouterError(503, "budget_kill_switch", "spending is stopped by the budget kill switch")
        counters = self.counters(tenant)
        ledger: object = self.local
        if self.shared is not None:
            try:
                if self._pending_flush:
                    with contextlib.suppress(StateRequestError):  # kept for the next flush
                        await self._flush_local()
                over = await self.shared.reserve(counters, amount)
                ledger = self.shared
            except StateRequestError:
                # Redis answered, but refused this reservation: an error of this request, not an outage.
                raise RouterError(
                    500, "budget_error", "the budget ledger could not record this request's reservation"
                ) from None
            except StateUnavailable:
                mode = self.cfg.fail_mode
                if mode == "fail_closed":
                    raise RouterError(
                        503,
                        "budget_unavailable",
                        "the budget ledger is unavailable; refusing priced requests",
                    ) from None
                if mode == "fail_open":
                    return Reservation(counters, amount, None)
                over = await self._reserve_locally(counters, amount)
        else:
            over = await self.local.reserve(counters, amount)
        if over:
            which = ("tenant daily", "tenant monthly", "global daily", "global monthly")[over - 1]
            raise RouterError(
                429,
                "budget_exceeded",
                f"{which} budget would be exceeded by this request",
                type_="insufficient_quota",
            )
        return Reservation(counters, amount, ledger)

    async def _reserve_locally(self, counters: tuple[Counter, ...], amount: int) -> int:
        """Redis is down (fail_mode local): enforce the limits in this replica, starting from the
        totals Redis last reported, and remember what was spent here to add back later."""
        assert self.shared is not None
        vals = self.local.values
        for c in counters:
            vals.setdefault("seen:" + c.key, self.shared.last_seen.get(c.key, 0))
        for i, c in enumerate(counters):
            if c.limit is not None and vals["seen:" + c.key] + vals.get(c.key, 0) + amount > c.limit:
                return i + 1
        self._pending_flush = True
        for c in counters:
            vals[c.key] = vals.get(c.key, 0) + amount
        return 0

    @staticmethod
    def keep(res: Reservation | None) -> None:
        """The reservation stands as the charge (an answer that reported no usage)."""
        if res is not None:
            res.settled = True

    async def settle(self, res: Reservation | None, actual: int) -> None:
        """Settle `res` to the real cost, once (later calls are no-ops). Never raises: a ledger that
        cannot take the adjustment leaves the worst-case reservation as the charge."""
        if res is None or res.settled:
            return
        res.settled = True
        if res.ledger is None:
            return
        delta = actual - res.amount
        if delta == 0:
            return
        ledger = res.ledger
        try:
            await ledger.adjust(res.counters, delta)  # type: ignore[attr-defined]
        except StateRequestError as exc:
            log.error("budget settlement refused by redis; the reservation stands: %s", exc)
            return
        except StateUnavailable:
            if self.cfg.fail_mode == "local":
                await self.local.adjust(res.counters, delta)
                self._pending_flush = True
            return
        if ledger is self.local and self.shared is not None:
            self._pending_flush = True  # a reservation made during an outage, settled locally

    async def recover(self) -> None:
        """Background sync, while Redis answers: restore a ledger Redis lost, then add the spend kept
        locally during an outage."""
        if self.shared is None:
            return
        try:
            await self.shared.check_epoch()
            if self._pending_flush:
                await self._flush_local()
        except (StateUnavailable, StateRequestError):
            pass  # tried again on the next sync

    async def _flush_local(self) -> None:
        """Redis is back: add what this replica spent locally during the outage. The local values
        are taken in one step (no await) so concurrent callers cannot flush the same spend twice."""
        assert self.shared is not None
        vals = self.local.values
        pending = {k: v for k, v in vals.items() if v and not k.startswith("seen:")}
        vals.clear()
        self._pending_flush = False
        done = []
        try:
            for key, val in pending.items():
                ttl = DAY_TTL if ":d:" in key else MONTH_TTL
                await self.shared.adjust([Counter(key, None, ttl)], val)
                done.append(key)
        except (StateUnavailable, StateRequestError):
            for key, val in pending.items():
                if key not in done:
                    vals[key] = vals.get(key, 0) + val
            self._pending_flush = True
            raise
        if pending:
            log.warning("flushed local budget spend to redis", extra={"counters": len(pending)})

    def snapshot(self) -> list[tuple[str, str, str, float, float | None]]:
        """(scope, tenant, period, spent USD, limit USD or None) of every current budget counter, as
        this replica last saw it (the shared ledger's values from its last reply, or the local one):
        no I/O, for the metrics scrape."""
        seen = self.shared.last_seen if self.shared is not None else {}
        local = self.local.values
        # counters() is (tenant day, tenant month, global day, global month): each tenant's first two,
        # and the global two once
        periods = ("day", "month")
        rows = [("tenant", t, p, c) for t in self.tenants for p, c in zip(periods, self.counters(t)[:2], strict=True)]
        rows += [("global", "", p, c)
                 for p, c in zip(periods, self.counters(next(iter(self.tenants), ""))[2:], strict=True)]
        return [
            (scope, tenant, period, (seen.get(c.key, 0) + local.get(c.key, 0)) / 1_000_000,
             None if c.limit is None else c.limit / 1_000_000)
            for scope, tenant, period, c in rows
        ]

    async def spent_usd(self, key: str) -> float:
        src = self.shared if self.shared is not None else self.local
        return (await src.get(key)) / 1_000_000

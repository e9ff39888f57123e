"""Circuit breakers per backend, a latency breaker (EWMA over a limit demotes) and cool-downs.

closed --(failure_threshold consecutive failures)--> open
open   --(recovery_timeout_s elapsed)--> half_open (at most half_open_max_probes in flight)
half_open --(success_threshold successes)--> closed;  --(any failure)--> open
"""

from __future__ import annotations

import time
from collections.abc import Callable

from .config import BreakerConfig

CLOSED, OPEN, HALF_OPEN = "closed", "open", "half_open"
STATE_VALUE = {CLOSED: 0, HALF_OPEN: 1, OPEN: 2}


class Breaker:
    __slots__ = (
        "alpha",
        "cfg",
        "cool_until",
        "ewma_ms",
        "failures",
        "healthy",
        "on_open",
        "opened_at",
        "probes",
        "state",
        "successes",
    )

    def __init__(self, cfg: BreakerConfig, alpha: float) -> None:
        self.cfg = cfg
        self.alpha = alpha
        self.state = CLOSED
        self.failures = 0
        self.successes = 0
        self.opened_at = 0.0
        self.probes = 0
        self.ewma_ms: float = 0.0
        self.cool_until = 0.0  # Retry-After from a 429
        self.healthy = True  # active health checks
        self.on_open: Callable[[Breaker], None] | None = None  # set by shared state

    # --- routing questions -------------------------------------------------------------------
    def available(self, now: float) -> bool:
        """May a request be sent now? (does not take a probe slot)"""
        if not self.healthy or now < self.cool_until:
            return False
        if self.state == OPEN:
            return now - self.opened_at >= self.cfg.recovery_timeout_s
        if self.state == HALF_OPEN:
            return self.probes < self.cfg.half_open_max_probes
        return True

    @property
    def demoted(self) -> bool:
        lim = self.cfg.latency_limit_ms
        return lim is not None and self.ewma_ms > lim

    # --- per attempt ---------------------------------------------------------------------------
    def acquire(self, now: float) -> bool:
        """Take the right to send one request; False if the breaker refuses."""
        if not self.available(now):
            return False
        if self.state == OPEN:
            self.state = HALF_OPEN
            self.probes = 0
            self.successes = 0
        if self.state == HALF_OPEN:
            self.probes += 1
        return True

    def take(self, now: float) -> Slot | None:
        """`acquire` as a Slot that gives exactly one verdict; None if the breaker refuses."""
        return Slot(self) if self.acquire(now) else None

    def success(self, latency_ms: float) -> None:
        self.ewma_ms = (
            latency_ms if self.ewma_ms == 0.0 else self.ewma_ms + self.alpha * (latency_ms - self.ewma_ms)
        )
        if self.state == HALF_OPEN:
            self.probes = max(0, self.probes - 1)
            self.successes += 1
            if self.successes >= self.cfg.success_threshold:
                self.state = CLOSED
                self.failures = 0
        else:
            self.failures = 0

    def failure(self, now: float, latency_ms: float | None = None) -> None:
        if latency_ms is not None:
            self.ewma_ms = (
                latency_ms if self.ewma_ms == 0.0 else self.ewma_ms + self.alpha * (latency_ms - self.ewma_ms)
            )
        if self.state == HALF_OPEN:
            self.probes = max(0, self.probes - 1)
            self.trip(now)
            return
        self.failures += 1
        if self.state == CLOSED and self.failures >= self.cfg.failure_threshold:
            self.trip(now)

    def release(self) -> None:
        """An attempt ended without a verdict (e.g. the client went away)."""
        if self.state == HALF_OPEN:
            self.probes = max(0, self.probes - 1)

    def trip(self, now: float, notify: bool = True) -> None:
        self.state = OPEN
        self.opened_at = now
        self.failures = 0
        self.successes = 0
        if notify and self.on_open is not None:
            self.on_open(self)

    def cool_down(self, seconds: float) -> None:
        self.cool_until = max(self.cool_until, time.monotonic() + seconds)

    def force_open_remote(self, remaining_s: float) -> None:
        """Another replica opened this breaker; stay open for its remaining time."""
        now = time.monotonic()
        opened_at = now - max(0.0, self.cfg.recovery_timeout_s - remaining_s)
        if self.state == CLOSED or (self.state == OPEN and opened_at > self.opened_at):
            self.state = OPEN
            self.opened_at = opened_at
            self.failures = 0


class Slot:
    """One attempt's hold on a breaker. It gives exactly one verdict: success, failure or release.
    Whoever owns the attempt calls `release()` in a `finally`: a no-op once a verdict was given, and
    otherwise it frees the half-open probe slot, so an exception anywhere in an attempt can never
    leave the breaker waiting for a probe that will not come back."""

    __slots__ = ("breaker", "pending")

    def __init__(self, breaker: Breaker) -> None:
        self.breaker = breaker
        self.pending = True

    def success(self, latency_ms: float) -> None:
        if self.pending:
            self.pending = False
            self.breaker.success(latency_ms)

    def failure(self, now: float, latency_ms: float | None = None) -> None:
        if self.pending:
            self.pending = False
            self.breaker.failure(now, latency_ms)

    def release(self) -> None:
        if self.pending:
            self.pending = False
            self.breaker.release()

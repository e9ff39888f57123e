"""Prometheus text exposition, hand-rolled and allocation-light (no client library on the hot path)."""

from __future__ import annotations

import bisect
from collections import defaultdict

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)


def _escape(value: object) -> str:
    """A label value in the text exposition format: backslash, double quote and newline escaped."""
    return str(value).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def _labels(names: tuple[str, ...], values: tuple) -> str:
    if not names:
        return ""
    inner = ",".join(
        f'{n}="{_escape(v)}"'
        for n, v in zip(names, values, strict=True)
    )
    return "{" + inner + "}"


class Counter:
    def __init__(self, name: str, help_: str, labels: tuple[str, ...]) -> None:
        self.name, self.help, self.labelnames = name, help_, labels
        self.values: dict[tuple, float] = defaultdict(float)

    def inc(self, labels: tuple = (), by: float = 1.0) -> None:
        self.values[labels] += by

    def render(self) -> list[str]:
        out = [f"# HELP {self.name} {self.help}", f"# TYPE {self.name} counter"]
        out += [f"{self.name}{_labels(self.labelnames, k)} {v}" for k, v in self.values.items()]
        return out


class Gauge(Counter):
    def set(self, labels: tuple, value: float) -> None:
        self.values[labels] = value

    def render(self) -> list[str]:
        return [
            line.replace(" counter", " gauge", 1) if line.startswith("# TYPE") else line
            for line in super().render()
        ]


class Histogram:
    def __init__(self, name: str, help_: str, labels: tuple[str, ...], buckets=LATENCY_BUCKETS) -> None:
        self.name, self.help, self.labelnames, self.buckets = name, help_, labels, buckets
        self.counts: dict[tuple, list[int]] = {}
        self.sums: dict[tuple, float] = defaultdict(float)

    def observe(self, labels: tuple, value: float) -> None:
        c = self.counts.get(labels)
        if c is None:
            c = self.counts[labels] = [0] * (len(self.buckets) + 1)
        c[bisect.bisect_left(self.buckets, value)] += 1
        self.sums[labels] += value

    def render(self) -> list[str]:
        out = [f"# HELP {self.name} {self.help}", f"# TYPE {self.name} histogram"]
        names = (*self.labelnames, "le")
        for k, counts in self.counts.items():
            acc = 0
            for b, n in zip(self.buckets, counts, strict=False):
                acc += n
                out.append(f"{self.name}_bucket{_labels(names, (*k, b))} {acc}")
            acc += counts[-1]
            out.append(f"{self.name}_bucket{_labels(names, (*k, '+Inf'))} {acc}")
            out.append(f"{self.name}_sum{_labels(self.labelnames, k)} {self.sums[k]}")
            out.append(f"{self.name}_count{_labels(self.labelnames, k)} {acc}")
        return out


class Metrics:
    def __init__(self) -> None:
        self.requests = Counter("meridian_router_requests_total", "Requests answered", ("route", "status"))
        self.decisions = Counter(
            "meridian_router_routing_decisions_total",
            "Backends chosen to serve an attempt",
            ("backend", "tier"),
        )
        self.attempts = Counter(
            "meridian_router_upstream_attempts_total", "Upstream attempts by outcome", ("backend", "outcome")
        )
        self.failovers = Counter(
            "meridian_router_failovers_total", "Moves to the next backend", ("from_backend",)
        )
        self.refusals = Counter("meridian_router_refusals_total", "Requests refused by policy", ("code",))
        self.breaker = Gauge("meridian_router_breaker_state", "0 closed, 1 half-open, 2 open", ("backend",))
        self.spend = Counter("meridian_router_spend_usd_total", "Settled spend in USD", ("tenant", "backend"))
        self.tokens = Counter("meridian_router_tokens_total", "Tokens used", ("backend", "kind"))
        self.latency = Histogram(
            "meridian_router_request_duration_seconds", "Request latency as seen by the router", ("route",)
        )
        self.upstream_latency = Histogram(
            "meridian_router_upstream_duration_seconds", "Upstream time to first byte", ("backend",)
        )
        self.added_latency = Histogram(
            "meridian_router_added_latency_seconds",
            "Time a non-streamed answer spent in the router, beyond the upstream call that served it",
            ("route",),
            buckets=(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0),
        )
        # Set at scrape time (health.scrape_gauges): the ledger's view and the router's own health.
        self.budget_spent = Gauge(
            "meridian_router_budget_spent_usd",
            "Spend on a budget counter as this replica last saw it (shared: the Redis ledger)",
            ("scope", "tenant", "period"),
        )
        self.budget_limit = Gauge(
            "meridian_router_budget_limit_usd", "Configured budget limit", ("scope", "tenant", "period")
        )
        self.redis_up = Gauge("meridian_router_redis_up", "1 while the shared state answers, else 0", ())
        self.routable = Gauge(
            "meridian_router_routable_backends", "Backends a request could be sent to now", ()
        )

    def render(self, extra: list[str] | None = None) -> bytes:
        lines: list[str] = []
        for m in (
            self.requests,
            self.decisions,
            self.attempts,
            self.failovers,
            self.refusals,
            self.breaker,
            self.spend,
            self.tokens,
            self.latency,
            self.upstream_latency,
            self.added_latency,
            self.budget_spent,
            self.budget_limit,
            self.redis_up,
            self.routable,
        ):
            lines += m.render()
        if extra:
            lines += extra
        return ("\n".join(lines) + "\n").encode()

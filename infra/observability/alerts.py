"""The router's alerts, defined once: `rule_groups(thresholds)` is a Prometheus rule file's `groups`
(the same list goes into a PrometheusRule, or a file for any Prometheus). Pure: tests run the result
through `promtool check rules` and `promtool test rules`, and check every metric it reads against the
metrics the router exports. Each alert's runbook is a section of README.md ("Alert runbook")."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from meridian.config import AlertThresholds

RUNBOOK = "README.md"  # each alert has a `#### <name>` section there
REQUESTS = 'meridian_router_requests_total{route!="other"}'


@dataclass(frozen=True)
class Alert:
    name: str
    expr: str
    for_: str
    severity: str  # warning | critical
    summary: str
    description: str

    def rule(self) -> dict[str, Any]:
        return {
            "alert": self.name,
            "expr": self.expr,
            "for": self.for_,
            "labels": {"severity": self.severity, "component": "meridian-router"},
            "annotations": {"summary": self.summary, "description": self.description,
                            "runbook_url": f"{RUNBOOK}#{self.name.lower()}"},
        }


def _budget_use() -> str:
    # Every replica reports the shared counter as it last saw it: the highest view is the latest.
    return ("max by (scope, tenant, period) (meridian_router_budget_spent_usd)"
            " / max by (scope, tenant, period) (meridian_router_budget_limit_usd)")


def alerts(t: AlertThresholds) -> list[Alert]:
    use = _budget_use()
    spend_1h = "sum(rate(meridian_router_spend_usd_total[1h]))"
    return [
        Alert("MeridianBudgetWarning", f"{use} >= {t.budget_warn_ratio:g} < 1", "0m", "warning",
              "Budget {{ $labels.scope }} {{ $labels.tenant }} {{ $labels.period }} at {{ $value | humanizePercentage }}",
              f"Spend has reached {t.budget_warn_ratio:.0%} of the {{{{ $labels.period }}}} budget of "
              "{{ $labels.scope }} {{ $labels.tenant }}; priced requests are refused at 100%."),
        Alert("MeridianBudgetExhausted", f"{use} >= 1", "0m", "critical",
              "Budget {{ $labels.scope }} {{ $labels.tenant }} {{ $labels.period }} exhausted",
              "The {{ $labels.period }} budget of {{ $labels.scope }} {{ $labels.tenant }} is spent: priced "
              "requests get 429 budget_exceeded; free (local) models still serve."),
        Alert("MeridianSpendSpike",
              f"{spend_1h} > {t.spend_spike_factor:g} * sum(rate(meridian_router_spend_usd_total[7d]))"
              f" and {spend_1h} * 3600 > {t.spend_spike_min_usd_per_hour:g}", "15m", "warning",
              f"Spend rate is over {t.spend_spike_factor:g}x its 7-day average",
              "The last hour's spend rate ({{ $value }} USD/s) is more than "
              f"{t.spend_spike_factor:g} times the 7-day average."),
        Alert("MeridianBackendDown", "max by (backend) (meridian_router_breaker_state) == 2",
              f"{t.backend_down_minutes}m", "warning",
              "Backend {{ $labels.backend }} is out of routing",
              f"The breaker of {{{{ $labels.backend }}}} has been open (or its health checks failing) for "
              f"{t.backend_down_minutes} minutes; requests go to the next compliant backend."),
        Alert("MeridianHighFailoverRate",
              f"sum(rate(meridian_router_failovers_total[5m])) / sum(rate({REQUESTS}[5m])) > {t.failover_ratio:g}",
              "10m", "warning", "Failover rate is {{ $value | humanizePercentage }}",
              f"More than {t.failover_ratio:.0%} of requests needed another backend over 10 minutes."),
        Alert("MeridianHighErrorRate",
              'sum(rate(meridian_router_requests_total{route!="other",status=~"5.."}[5m]))'
              f" / sum(rate({REQUESTS}[5m])) > {t.error_ratio:g}",
              "10m", "critical", "5xx rate is {{ $value | humanizePercentage }}",
              f"More than {t.error_ratio:.0%} of inference requests were answered with a 5xx over 10 minutes."),
        Alert("MeridianAddedLatencyHigh",
              "histogram_quantile(0.99, sum by (le) (rate(meridian_router_added_latency_seconds_bucket[5m])))"
              f" > {t.added_latency_p99_ms / 1000:g}",
              "10m", "warning", "Router-added p99 latency is {{ $value | humanizeDuration }}",
              f"The router adds more than {t.added_latency_p99_ms:g} ms at p99 to non-streamed answers."),
        Alert("MeridianRedisDown", "min(meridian_router_redis_up) == 0", f"{t.redis_down_minutes}m", "critical",
              "A router replica cannot reach Redis",
              "Budgets fall back to budgets.fail_mode and breaker openings are not shared."),
        Alert("MeridianNoRoutableBackend", "min(meridian_router_routable_backends) == 0",
              f"{t.no_backend_minutes}m", "critical", "A router replica has no routable backend",
              "Every backend of some replica is open, unhealthy or cooling down: /readyz fails and "
              "requests get 503 no_healthy_backend."),
    ]


def rule_groups(t: AlertThresholds) -> list[dict[str, Any]]:
    return [{"name": "meridian-router", "rules": [a.rule() for a in alerts(t)]}]

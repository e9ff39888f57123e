"""The router alerts against Prometheus itself: the generated rule file passes `promtool check rules`
(expressions, durations, annotation templates), and `promtool test rules` runs one unit test per alert
(it fires on the series that should page, and not on the ones that should not). promtool comes from
Debian's `prometheus` package (`make setup` installs it as root)."""

from __future__ import annotations

import copy
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from infra.observability.alerts import alerts, rule_groups
from meridian.config import AlertThresholds

T = AlertThresholds()
PROMTOOL = shutil.which("promtool")
needs_promtool = pytest.mark.skipif(PROMTOOL is None, reason="promtool is not installed (apt-get install prometheus)")

SPENT = "meridian_router_budget_spent_usd"
LIMIT = "meridian_router_budget_limit_usd"
TENANT_DAY = '{scope="tenant",tenant="acme",period="day"}'


def series(name: str, values: str) -> dict[str, str]:
    return {"series": name, "values": values}


# alert -> (input series, eval time, expected firing label sets; [] = must not fire), interval 1m
CASES: dict[str, list[tuple[list[dict[str, str]], str, list[dict[str, str]]]]] = {
    "MeridianBudgetWarning": [
        ([series(SPENT + TENANT_DAY, "8.5x5"), series(LIMIT + TENANT_DAY, "10x5")], "2m",
         [{"scope": "tenant", "tenant": "acme", "period": "day", "severity": "warning"}]),
        ([series(SPENT + TENANT_DAY, "5x5"), series(LIMIT + TENANT_DAY, "10x5")], "2m", []),
        ([series(SPENT + TENANT_DAY, "10x5"), series(LIMIT + TENANT_DAY, "10x5")], "2m", []),  # exhausted instead
    ],
    "MeridianBudgetExhausted": [
        # two replicas: the highest view of the shared counter counts
        ([series(SPENT + '{scope="global",tenant="",period="month",instance="a"}', "90x5"),
          series(SPENT + '{scope="global",tenant="",period="month",instance="b"}', "101x5"),
          series(LIMIT + '{scope="global",tenant="",period="month",instance="a"}', "100x5")], "2m",
         [{"scope": "global", "period": "month", "severity": "critical"}]),
        ([series(SPENT + TENANT_DAY, "9x5"), series(LIMIT + TENANT_DAY, "10x5")], "2m", []),
    ],
    "MeridianBackendDown": [
        ([series('meridian_router_breaker_state{backend="cloud_eu"}', f"2x{T.backend_down_minutes + 5}")],
         f"{T.backend_down_minutes + 1}m", [{"backend": "cloud_eu", "severity": "warning"}]),
        ([series('meridian_router_breaker_state{backend="cloud_eu"}', f"2x{T.backend_down_minutes - 2} 0x10")],
         f"{T.backend_down_minutes + 1}m", []),  # recovered before the N minutes
    ],
    "MeridianHighFailoverRate": [
        ([series('meridian_router_failovers_total{from_backend="local_eu"}', "0+20x30"),
          series('meridian_router_requests_total{route="chat",status="200"}', "0+100x30")], "25m",
         [{"severity": "warning"}]),
        ([series('meridian_router_failovers_total{from_backend="local_eu"}', "0+2x30"),
          series('meridian_router_requests_total{route="chat",status="200"}', "0+100x30")], "25m", []),
    ],
    "MeridianHighErrorRate": [
        ([series('meridian_router_requests_total{route="chat",status="502"}', "0+10x30"),
          series('meridian_router_requests_total{route="chat",status="200"}', "0+90x30"),
          series('meridian_router_requests_total{route="other",status="200"}', "0+1000x30")], "25m",
         [{"severity": "critical"}]),  # probes on other routes do not dilute it
        ([series('meridian_router_requests_total{route="chat",status="502"}', "0+1x30"),
          series('meridian_router_requests_total{route="chat",status="200"}', "0+99x30")], "25m", []),
    ],
    "MeridianAddedLatencyHigh": [
        ([series('meridian_router_added_latency_seconds_bucket{route="chat",le="0.05"}', "0+50x30"),
          series('meridian_router_added_latency_seconds_bucket{route="chat",le="0.1"}', "0+60x30"),
          series('meridian_router_added_latency_seconds_bucket{route="chat",le="+Inf"}', "0+100x30")], "25m",
         [{"severity": "warning"}]),
        ([series('meridian_router_added_latency_seconds_bucket{route="chat",le="0.005"}', "0+100x30"),
          series('meridian_router_added_latency_seconds_bucket{route="chat",le="+Inf"}', "0+100x30")], "25m", []),
    ],
    "MeridianRedisDown": [
        ([series('meridian_router_redis_up{instance="a"}', "1x30"), series('meridian_router_redis_up{instance="b"}', "0x30")],
         f"{T.redis_down_minutes + 1}m", [{"severity": "critical"}]),
        ([series('meridian_router_redis_up{instance="a"}', "1x30")], "5m", []),
    ],
    "MeridianNoRoutableBackend": [
        ([series('meridian_router_routable_backends{instance="a"}', "0x30")], f"{T.no_backend_minutes + 1}m",
         [{"severity": "critical"}]),
        ([series('meridian_router_routable_backends{instance="a"}', "2x30")], "5m", []),
    ],
}


def _spend_spike_test() -> dict[str, Any]:
    """A 7-day baseline of 1 USD/h, then 10 USD/h for two hours (5-minute samples)."""
    per5 = 1 / 12
    base = f"0+{per5:.6f}x2016"
    spike = f"{2016 * per5 + 10 / 12:.6f}+{10 / 12:.6f}x24"
    quiet = f"{2016 * per5 + per5:.6f}+{per5:.6f}x24"
    return {
        "interval": "5m",
        "input_series": [series('meridian_router_spend_usd_total{tenant="acme",backend="cloud_eu"}', f"{base} {spike}"),
                         series('meridian_router_spend_usd_total{tenant="quiet",backend="cloud_us"}', f"{base} {quiet}")],
        "alert_rule_test": [{"eval_time": "169h30m", "alertname": "MeridianSpendSpike",
                             "exp_alerts": [{"exp_labels": {"severity": "warning", "component": "meridian-router"}}]},
                            {"eval_time": "167h", "alertname": "MeridianSpendSpike", "exp_alerts": []}],
    }


def _tests() -> list[dict[str, Any]]:
    out = [_spend_spike_test()]
    for name, cases in CASES.items():
        for inputs, at, firing in cases:
            exp = [{"exp_labels": {**labels, "component": "meridian-router"}} for labels in firing]
            out.append({"interval": "1m", "input_series": inputs,
                        "alert_rule_test": [{"eval_time": at, "alertname": name, "exp_alerts": exp}]})
    return out


def _write(tmp_path: Path, groups: list[dict[str, Any]]) -> Path:
    path = tmp_path / "meridian-router.rules.yaml"
    path.write_text(yaml.safe_dump({"groups": groups}, sort_keys=False))
    return path


def test_every_alert_has_a_unit_test_and_a_runbook():
    names = {a.name for a in alerts(T)}
    assert names == set(CASES) | {"MeridianSpendSpike"}
    readme = (Path(__file__).resolve().parents[3] / "README.md").read_text()
    for a in alerts(T):
        assert a.summary and a.description
        assert f"#### {a.name}" in readme, f"README.md has no runbook section for {a.name}"


@needs_promtool
def test_promtool_checks_the_rule_file(tmp_path):
    path = _write(tmp_path, rule_groups(T))
    proc = subprocess.run([PROMTOOL, "check", "rules", str(path)], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert f"SUCCESS: {len(alerts(T))} rules found" in proc.stdout


@needs_promtool
def test_promtool_unit_tests_every_alert(tmp_path):
    # promtool compares annotations verbatim; these tests are about when an alert fires, so the copy under
    # test has none (the check above validates the annotation templates of the real file).
    groups = copy.deepcopy(rule_groups(T))
    for g in groups:
        for r in g["rules"]:
            r.pop("annotations")
    rules = _write(tmp_path, groups)
    tests = tmp_path / "tests.yaml"
    tests.write_text(yaml.safe_dump({"rule_files": [rules.name], "evaluation_interval": "1m", "tests": _tests()}))
    proc = subprocess.run([PROMTOOL, "test", "rules", str(tests)], capture_output=True, text=True, timeout=120,
                          cwd=tmp_path)
    assert proc.returncode == 0, (proc.stdout + proc.stderr)[-3000:]


def test_thresholds_come_from_config():
    t = AlertThresholds(budget_warn_ratio=0.5, backend_down_minutes=9)
    rules = {r["alert"]: r for r in rule_groups(t)[0]["rules"]}
    assert ">= 0.5 < 1" in rules["MeridianBudgetWarning"]["expr"]
    assert rules["MeridianBackendDown"]["for"] == "9m"

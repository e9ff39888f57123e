"""Kubernetes versions against the services' support calendars, on an injected date."""

from __future__ import annotations

from datetime import date

import pytest

from meridian.catalog.support import SERVICE_OF_CLOUD, WARN_DAYS, UnsupportedVersionError, versions, window
from meridian.config import ConfigError, load_stack_file
from meridian.config.support import kubernetes_support
from meridian.plan.runner import run_plan
from tests.conftest import ROOT, platform_config

TODAY = date(2026, 12, 1)


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_every_cluster_is_in_standard_support_today(stack):
    config = load_stack_file(ROOT / f"Pulumi.{stack}.yaml")
    problems, _ = kubernetes_support(config, TODAY)
    assert problems == []
    for c in config.clusters:
        w = window(SERVICE_OF_CLOUD[c.cloud], c.kubernetes_version or config.kubernetes_version)
        assert w.end_of_standard_support > TODAY


def test_a_version_past_its_end_is_refused_naming_cluster_version_and_date(write_stack):
    cfg = platform_config("dev")
    cfg["kubernetesVersion"] = "1.34"
    root = write_stack("old", cfg)
    with pytest.raises(ConfigError) as e:
        run_plan("old", root, today=TODAY, program=lambda: None)
    text = str(e.value)
    assert "Kubernetes 1.34" in text and "2026-11-01" in text and "AKS" in text  # AKS 1.34 ended in November
    assert "meridian:platform.kubernetesVersion" in text and "cluster az-dev-weu" in text


def test_an_unlisted_version_fails_closed(write_stack):
    cfg = platform_config("dev")
    cfg["clusters"][0]["kubernetesVersion"] = "1.29"
    root = write_stack("unknown", cfg)
    with pytest.raises(ConfigError) as e:
        run_plan("unknown", root, today=TODAY, program=lambda: None)
    assert "clusters[0].kubernetesVersion" in str(e.value) and "not in the" in str(e.value)


def test_within_ninety_days_is_a_warning_not_an_error():
    config = load_stack_file(ROOT / "Pulumi.dev.yaml")
    problems, warnings = kubernetes_support(config, date(2027, 1, 15))
    assert problems == []
    assert any("gke" in w.lower() and "2027-02-28" in w for w in warnings)
    problems, warnings = kubernetes_support(config, date(2026, 6, 1))
    assert problems == [] and warnings == []  # 1.35 everywhere: more than 90 days left on every service


def test_the_day_after_the_end_is_refused():
    config = load_stack_file(ROOT / "Pulumi.dev.yaml")
    gke_end = window("gke", "1.35").end_of_standard_support
    assert kubernetes_support(config, gke_end)[0] == []
    problems, _ = kubernetes_support(config, date.fromordinal(gke_end.toordinal() + 1))
    assert any("GKE" in p and "ended on 2027-02-28" in p for p in problems)


def test_table_is_well_formed():
    for service in ("eks", "gke", "aks"):
        assert versions(service)
        ends = [window(service, v).end_of_standard_support for v in versions(service)]
        assert ends == sorted(ends), f"{service}: newer minors must not end earlier"
    with pytest.raises(UnsupportedVersionError):
        window("eks", "1.99")
    assert window("eks", "1.35.2").version == "1.35" and WARN_DAYS == 90

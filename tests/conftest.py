"""Shared test helpers."""

from __future__ import annotations

import copy
import os
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
# CI (.ci/run) installs every tool the tests use, so there a skip means a broken set-up, not an
# absent tool: with MERIDIAN_NO_SKIPS=1 every skip is reported as a failure, with its reason.
NO_SKIPS = "MERIDIAN_NO_SKIPS"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):  # type: ignore[no-untyped-def]
    outcome = yield
    report = outcome.get_result()
    if os.environ.get(NO_SKIPS) == "1" and report.skipped and not hasattr(report, "wasxfail"):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        report.outcome = "failed"
        report.longrepr = f"skipped although {NO_SKIPS}=1 (CI installs every tool the tests use): {reason}"


def stack_doc(stack: str) -> dict[str, Any]:
    return yaml.safe_load((ROOT / f"Pulumi.{stack}.yaml").read_text())


def platform_config(stack: str) -> dict[str, Any]:
    """A deep copy of the raw `meridian:platform` value of a stack file, for tests to mutate."""
    return copy.deepcopy(stack_doc(stack)["config"]["meridian:platform"])


@pytest.fixture
def write_stack(tmp_path: Path):  # type: ignore[no-untyped-def]
    """Write a Pulumi.<name>.yaml (and Pulumi.yaml) with the given platform config into tmp_path."""

    def write(name: str, platform: dict[str, Any]) -> Path:
        (tmp_path / "Pulumi.yaml").write_text((ROOT / "Pulumi.yaml").read_text())
        doc = {"config": {"pulumi:disable-default-providers": ["*"], "meridian:platform": platform}}
        (tmp_path / f"Pulumi.{name}.yaml").write_text(yaml.safe_dump(doc, sort_keys=False))
        return tmp_path

    return write


@pytest.fixture(scope="session")
def dev_plan():  # type: ignore[no-untyped-def]
    """The whole dev stack planned once per test session (the real program, mock runtime)."""
    from meridian.plan.runner import run_plan

    return run_plan("dev", ROOT)


@pytest.fixture(scope="session")
def prod_plan():  # type: ignore[no-untyped-def]
    """The whole prod stack planned once per test session."""
    from meridian.plan.runner import run_plan

    return run_plan("prod", ROOT)


@pytest.fixture(scope="session")
def dev_preview_plan():  # type: ignore[no-untyped-def]
    """A first `pulumi preview` of dev: nothing exists yet, computed values unknown."""
    from meridian.plan.runner import run_plan

    return run_plan("dev", ROOT, preview=True)


@pytest.fixture(scope="session")
def prod_preview_plan():  # type: ignore[no-untyped-def]
    """A first `pulumi preview` of prod."""
    from meridian.plan.runner import run_plan

    return run_plan("prod", ROOT, preview=True)

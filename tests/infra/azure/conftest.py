"""One offline plan per shipped stack (Azure part only), shared by this package's test modules:
the plans are the slow part (a few seconds each)."""

from __future__ import annotations

import pytest

from tests.infra.azure.helpers import View, azure_plan


@pytest.fixture(scope="package")
def prod() -> View:
    return View(azure_plan("prod"))


@pytest.fixture(scope="package")
def dev() -> View:
    return View(azure_plan("dev"))

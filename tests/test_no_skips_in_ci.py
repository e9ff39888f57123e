"""In CI (MERIDIAN_NO_SKIPS=1, set by .ci/run) a skipped test fails, naming why it skipped; elsewhere
an absent tool still skips. Run in a child pytest with this suite's conftest as a plugin."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import NO_SKIPS, ROOT

SKIPPING = '''
import pytest


def test_needs_a_tool():
    pytest.skip("frobnicator is not installed")
'''


def _run(tmp_path: Path, strict: bool) -> subprocess.CompletedProcess[str]:
    (tmp_path / "test_tool.py").write_text(SKIPPING)
    env = {k: v for k, v in os.environ.items() if k != NO_SKIPS} | ({NO_SKIPS: "1"} if strict else {})
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "tests.conftest", "-p", "no:cacheprovider", "--rootdir",
         str(tmp_path), str(tmp_path / "test_tool.py")],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )


def test_a_skip_fails_in_ci_naming_its_reason(tmp_path: Path) -> None:
    proc = _run(tmp_path, strict=True)
    assert proc.returncode == 1, proc.stdout
    assert "1 failed" in proc.stdout and "frobnicator is not installed" in proc.stdout


def test_elsewhere_an_absent_tool_still_skips(tmp_path: Path) -> None:
    proc = _run(tmp_path, strict=False)
    assert proc.returncode == 0, proc.stdout
    assert "1 skipped" in proc.stdout


def test_ci_sets_it() -> None:
    assert f"{NO_SKIPS}=1" in (ROOT / ".ci" / "run").read_text()

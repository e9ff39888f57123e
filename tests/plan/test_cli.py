"""`meridian plan` exit codes and what bad config leaves behind (nothing)."""

from __future__ import annotations

from pathlib import Path

import pytest

from meridian.cli import main
from meridian.config import ConfigError
from meridian.plan.runner import run_plan
from tests.conftest import platform_config


def test_bad_config_exits_2_and_names_the_key(write_stack, capsys) -> None:  # type: ignore[no-untyped-def]
    raw = platform_config("dev")
    raw["clusters"][0]["network"]["cidr"] = "10.41.0.0/16"  # clashes with the GCP cluster
    root = write_stack("broken", raw)
    assert main(["plan", "broken", "--root", str(root)]) == 2
    err = capsys.readouterr().err
    assert "Pulumi.broken.yaml" in err and "overlap" in err and "10.41.0.0/16" in err


def test_bad_config_registers_nothing(write_stack) -> None:  # type: ignore[no-untyped-def]
    raw = platform_config("dev")
    raw["dataLakes"][1]["replication"] = [{"region": "us-central1"}]  # EU PII to the US
    root = write_stack("broken", raw)
    ran: list[str] = []
    with pytest.raises(ConfigError):
        run_plan("broken", root, program=lambda: ran.append("program"))
    assert ran == []


def test_missing_stack_file_exits_2(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "Pulumi.yaml").write_text("name: meridian\n")
    assert main(["plan", "nope", "--root", str(tmp_path)]) == 2
    assert "does not exist" in capsys.readouterr().err

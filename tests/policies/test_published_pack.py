"""The pack as `pulumi policy publish` uploads it and a policy group runs it: built by
`meridian policy-pack build`, packed into a tarball, unpacked elsewhere, installed into a fresh
virtualenv from its own requirements.txt (as the CLI does), and run over the analyzer protocol -
with no access to this repository - giving the same diagnostics as the offline evaluator."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

from meridian.policy_build import build_pack
from meridian.policy_runner import evaluate
from tests.policies.analyzer import as_json, expected_diagnostics, running_pack


def _uv() -> list[str] | None:
    if shutil.which("uv"):
        return ["uv"]
    for py in (sys.executable, shutil.which("python3") or ""):
        if py and subprocess.run([py, "-m", "uv", "--version"], capture_output=True).returncode == 0:
            return [py, "-m", "uv"]
    return None


def _fresh_venv(pack: Path) -> Path:
    venv = pack / "venv"
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH")}
    uv = _uv()
    if uv:
        subprocess.run([*uv, "venv", "--quiet", "--python", sys.executable, str(venv)], check=True, env=env, cwd=pack)
        subprocess.run([*uv, "pip", "install", "--quiet", "--python", str(venv / "bin" / "python"), "-r",
                        str(pack / "requirements.txt")], check=True, env=env, cwd=pack)
    else:  # what the CLI itself does
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, env=env)
        subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "-q", "-r",
                        str(pack / "requirements.txt")], check=True, env=env)
    return venv / "bin" / "python"


def test_published_pack_runs_from_its_own_requirements(tmp_path, dev_plan):
    built = build_pack(tmp_path / "build")
    assert (built / "requirements.txt").read_text().strip().splitlines() == ["pulumi-policy>=1.13,<2"]
    tarball = tmp_path / "meridian-residency.tgz"
    with tarfile.open(tarball, "w:gz") as tar:
        for item in sorted(built.iterdir()):
            tar.add(item, arcname=item.name)
    installed = tmp_path / "policies" / "acme" / "meridian-residency" / "0.1.0"
    installed.mkdir(parents=True)
    with tarfile.open(tarball) as tar:
        tar.extractall(installed, filter="data")
    python = _fresh_venv(installed)
    where = subprocess.run([str(python), "-c", "import meridian, pulumi_policy; print(meridian.__file__)"],
                           capture_output=True, text=True, cwd=installed, check=True,
                           env={k: v for k, v in os.environ.items() if k != "PYTHONPATH"}).stdout.strip()
    assert Path(where).resolve().is_relative_to(installed.resolve()), where  # the vendored rules, not the repo's
    doc = dev_plan.document
    with running_pack(installed, preview=False, python=str(python)) as analyzer:
        analyzer.configure({})
        assert {p.name for p in analyzer.info().policies} >= {"residency-location", "residency-classification"}
        online = analyzer.analyze_stack(doc, preview=False)
    assert as_json(online) == as_json(expected_diagnostics(evaluate(doc), "meridian-advisory"))

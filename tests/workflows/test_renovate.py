"""Staying current: renovate.json is valid for Renovate itself (the npm package, run with the Node.js
it requires), and what its managers extract covers every version pinned in this repository - the
Python lock's inputs, GitHub Actions, the npm tools, and the Helm charts, images and Kubernetes
versions pinned in infra code and stack files."""

from __future__ import annotations

import json
import os
import re
import subprocess

import pytest
import yaml

from tests.conftest import ROOT

BIN = ROOT / "node_modules" / ".bin"


def _env() -> dict[str, str]:
    if not (BIN / "renovate").exists():
        if os.environ.get("CI"):
            pytest.fail("node_modules/.bin/renovate is missing: `make setup` installs it (npm ci)")
        pytest.skip("renovate not installed here (run `make setup`)")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("RENOVATE_", "GITHUB_"))}
    env["PATH"] = f"{BIN}:{env.get('PATH', '')}"  # the Node.js 24 Renovate needs, from the npm package
    return env


@pytest.fixture(scope="module")
def extracted() -> dict[tuple[str, str], set[str]]:
    env = {**_env(), "RENOVATE_CONFIG_FILE": str(ROOT / "renovate.json"), "LOG_LEVEL": "debug", "LOG_FORMAT": "json"}
    run = subprocess.run([str(BIN / "renovate"), "--platform=local", "--dry-run=extract"], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-4000:]
    deps: dict[tuple[str, str], set[str]] = {}
    for line in run.stdout.splitlines():
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        for files in (entry.get("packageFiles") or {}).values():
            for f in files:
                for dep in f.get("deps", []):
                    key = (str(dep.get("datasource")), str(dep.get("depName")))
                    deps.setdefault(key, set()).add(str(dep.get("currentValue")))
    assert deps, "renovate extracted nothing"
    return deps


def test_the_config_is_valid_for_renovate():
    run = subprocess.run([str(BIN / "renovate-config-validator"), "--strict"], cwd=ROOT, env=_env(),
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0 and "Config validated successfully" in run.stdout, run.stdout + run.stderr


def pinned_in_repo() -> list[tuple[str, str, str]]:
    """(datasource, name, version) of everything this repository pins, read from the code itself."""
    from infra import gpu_plugin
    from infra.aws import autoscaler, lb_controller
    from meridian.config.sections import Router, Vault

    out = [("helm", c.name, c.version) for c in (autoscaler.CHART, lb_controller.CHART)]
    out.append(("helm", "nvidia-device-plugin", gpu_plugin.CHART_VERSION))
    out.append(("helm", "vault", Vault.model_fields["chart_version"].default))
    out.append(("docker", "hashicorp/vault", Vault.model_fields["image_tag"].default))
    repo, tag = str(Router.model_fields["redis_image"].default).rsplit(":", 1)
    out.append(("docker", repo, tag))
    for stack in ROOT.glob("Pulumi.*.yaml"):
        version = yaml.safe_load(stack.read_text())["config"]["meridian:platform"]["kubernetesVersion"]
        out.append(("endoflife-date", "kubernetes", str(version)))
    for wf in (ROOT / ".github" / "workflows").glob("*.yml"):
        for name, tag in re.findall(r"uses:\s*([\w.-]+/[\w.-]+)(?:/[\w./-]+)?@[0-9a-f]{40} # (v?[\d.]+)", wf.read_text()):
            out.append(("github-tags", name, tag))
    return out


def test_every_pinned_version_is_extracted(extracted):
    missing = [p for p in pinned_in_repo() if p[2] not in extracted.get((p[0], p[1]), set())]
    assert not missing, f"pinned but not seen by any Renovate manager: {missing}"


def test_every_helm_release_in_infra_goes_through_a_managed_pin():
    """A chart pinned in a new place would be invisible to Renovate: every `version=` of a Helm release
    or chart in infra/ must be one of the pins above (a constant or config default)."""
    literal = re.compile(r"(?:helm\.Release|Chart)\([^)]*?version=\"([^\"]+)\"", re.S)
    pins = {v for _, _, v in pinned_in_repo()}
    for path in (ROOT / "infra").rglob("*.py"):
        for version in literal.findall(path.read_text()):
            assert version in pins, f"{path.relative_to(ROOT)} pins {version} outside Renovate's managers"


def test_python_and_npm_dependencies_are_managed(extracted):
    assert ("pypi", "pulumi-aws") in extracted and ("pypi", "pulumi-policy") in extracted
    assert ("npm", "renovate") in extracted and ("npm", "@microsoft/sarif-multitool") in extracted

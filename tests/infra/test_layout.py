"""The shape issue 17 gave the program, kept: every cloud package has the same modules and component
types, and shared code reaches a cloud only through its typed interfaces (no attribute probing, no
comparing a cloud name to pick what to build, except in the one factory, infra/platform.py)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from tests.conftest import ROOT

INFRA = ROOT / "infra"
CLOUDS = ("aws", "gcp", "azure")
COMMON_MODULES = {"region", "network", "cluster", "nodepools", "datalake", "keys", "identity", "ingress", "redis",
                  "unseal", "private_dns", "interconnect", "observability"}
COMPONENTS = ("Region", "Network", "Cluster", "NodePools", "DataLake")
FACTORY = INFRA / "platform.py"  # which class a cloud's region and lake are: the one place that asks


def shared_sources() -> list[Path]:
    return sorted(p for p in INFRA.rglob("*.py") if p.relative_to(INFRA).parts[0] not in CLOUDS)


@pytest.mark.parametrize("cloud", CLOUDS)
def test_every_cloud_has_the_common_modules_and_component_types(cloud: str) -> None:
    package = INFRA / cloud
    assert COMMON_MODULES <= {p.stem for p in package.glob("*.py")}, COMMON_MODULES - {p.stem for p in package.glob("*.py")}
    types = set(re.findall(rf'"meridian:{cloud}:(\w+)"', "\n".join(p.read_text() for p in package.glob("*.py"))))
    assert set(COMPONENTS) <= types, set(COMPONENTS) - types


def probes(tree: ast.AST) -> list[int]:
    """Lines that call getattr/hasattr."""
    return [n.lineno for n in ast.walk(tree)
            if isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id in ("getattr", "hasattr")]


def cloud_branches(tree: ast.AST) -> list[int]:
    """Lines that compare something with a cloud's name (`x == "aws"`, `c in ("gcp", ...)`)."""
    out = []
    for n in ast.walk(tree):
        if not isinstance(n, ast.Compare):
            continue
        operands = [n.left, *n.comparators]
        values = [c.value for c in operands if isinstance(c, ast.Constant)]
        values += [e.value for c in operands if isinstance(c, ast.Tuple | ast.List | ast.Set)
                   for e in c.elts if isinstance(e, ast.Constant)]
        if any(v in CLOUDS for v in values):
            out.append(n.lineno)
    return out


def test_shared_code_does_not_probe_attributes() -> None:
    found = [f"{p.relative_to(ROOT)}:{line}" for p in shared_sources() for line in probes(ast.parse(p.read_text()))]
    assert not found, f"getattr/hasattr in shared infra code: {found}"


def test_shared_code_does_not_branch_on_a_cloud_name() -> None:
    """Per-cloud behaviour belongs in infra/<cloud>/ behind the interfaces (data tables keyed by
    cloud are fine; the factory is the one place that asks)."""
    found = [
        f"{p.relative_to(ROOT)}:{line}"
        for p in shared_sources() if p != FACTORY
        for line in cloud_branches(ast.parse(p.read_text()))
    ]
    assert not found, f"cloud-name branches in shared infra code: {found}"


def test_the_guards_see_a_branch_and_a_probe() -> None:
    """The checks above find what they look for, so an empty result means something."""
    tree = ast.parse('if region.cloud == "gcp":\n    getattr(region, "gke")\nok = c in ("x", "azure")\n')
    assert cloud_branches(tree) == [1, 3]
    assert probes(tree) == [2]
    assert cloud_branches(ast.parse('if plan.first.cloud != plan.second.cloud:\n    pass\n')) == []

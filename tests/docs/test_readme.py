"""README.md stays true: every config key a user can set is documented there, and the two set-up
commands it promises exist."""

from __future__ import annotations

import re
import types
import typing
from pathlib import Path

from pydantic import BaseModel

from meridian.config import StackConfig

ROOT = Path(__file__).resolve().parents[2]


def _models_in(annotation: object) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    out: list[type[BaseModel]] = []
    for arg in typing.get_args(annotation):
        out += _models_in(arg)
    if isinstance(annotation, types.UnionType):
        for arg in annotation.__args__:
            out += _models_in(arg)
    return out


def config_keys(model: type[BaseModel], prefix: str = "") -> set[str]:
    keys: set[str] = set()
    for name, field in model.model_fields.items():
        alias = field.alias or name
        keys.add(alias)
        for sub in _models_in(field.annotation):
            keys |= config_keys(sub)
    return keys


def test_every_config_key_is_documented_in_readme() -> None:
    readme = (ROOT / "README.md").read_text()
    documented = set(re.findall(r"`([A-Za-z][A-Za-z0-9]*)`", readme))
    missing = sorted(config_keys(StackConfig) - documented)
    assert not missing, f"config keys not documented in README.md (as `key`): {missing}"


def test_readme_names_the_two_setup_commands_and_ci_uses_the_test_one() -> None:
    readme = (ROOT / "README.md").read_text()
    assert "make plan" in readme and "make test" in readme
    assert "make test" in (ROOT / ".ci" / "run").read_text()
    makefile = (ROOT / "Makefile").read_text()
    assert re.search(r"^plan: setup", makefile, re.M) and re.search(r"^test: setup", makefile, re.M)

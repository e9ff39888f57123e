"""Reading the stack config: from a Pulumi.<stack>.yaml file (CLI) or from the running program."""

from __future__ import annotations

from pathlib import Path

import yaml

from meridian.config.base import ConfigError
from meridian.config.problems import CONFIG_KEY, CONFIG_NAMESPACE, FULL_KEY
from meridian.config.stack import StackConfig, parse_stack_config


def stack_file(root: Path, stack: str) -> Path:
    return root / f"Pulumi.{stack}.yaml"


def load_stack_file(path: Path) -> StackConfig:
    """Parse and validate `meridian:platform` from a Pulumi stack settings file."""
    source = path.name
    try:
        doc = yaml.safe_load(path.read_text())
    except FileNotFoundError:
        raise ConfigError([f"stack file {str(path)!r} does not exist"], source) from None
    except yaml.YAMLError as e:
        raise ConfigError([f"not valid YAML: {e}"], source) from None
    if not isinstance(doc, dict) or not isinstance(doc.get("config"), dict):
        raise ConfigError(["expected a top-level 'config:' mapping"], source)
    return parse_stack_config(doc["config"].get(FULL_KEY), source)


def load_from_pulumi() -> StackConfig:
    """Inside the Pulumi program: read and validate the stack's structured config key."""
    import pulumi

    raw = pulumi.Config(CONFIG_NAMESPACE).get_object(CONFIG_KEY)
    return parse_stack_config(raw, f"Pulumi.{pulumi.get_stack()}.yaml")

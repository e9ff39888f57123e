"""The Meridian program: validate the stack config, then build the platform from it."""

from __future__ import annotations

from infra.platform import build_platform
from meridian.config import load_from_pulumi


def main() -> None:
    # Invalid config raises ConfigError here, before any resource is registered.
    config = load_from_pulumi()
    build_platform(config)

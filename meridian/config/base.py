"""Base model for the typed stack config: camelCase keys as in Pulumi.<stack>.yaml, unknown keys refused."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict
from pydantic.alias_generators import to_camel


class ConfigModel(BaseModel):
    model_config = ConfigDict(
        alias_generator=to_camel,
        populate_by_name=True,
        extra="forbid",
        frozen=True,
        str_strip_whitespace=True,
    )


class ConfigError(Exception):
    """Invalid stack config. Raised before any resource is registered.

    Each problem names where it came from (file and key path) and the bad value."""

    def __init__(self, problems: list[str], source: str = "stack config") -> None:
        self.problems = problems
        self.source = source
        lines = "\n".join(f"  - {p}" for p in problems)
        super().__init__(f"invalid Meridian config in {source}:\n{lines}")

"""The classification of a resource that cannot carry tags or labels (Cloud Logging buckets), stated
in its description: `meridian:data-class=<class>;jurisdiction=<id>` (optionally followed by ` - ` and
free text). The infra program writes it with `describe()`; the residency rules read it with `parse()`.
Strict: a description with the prefix that does not parse is an error (fail closed)."""

from __future__ import annotations

import re

PREFIX = "meridian:data-class="
_META = re.compile(r"^meridian:data-class=([a-z]+);jurisdiction=([a-z]+)(?: - .*)?$", re.S)


class ClassificationMetaError(ValueError):
    pass


def describe(data_class: str, jurisdiction: str, text: str = "") -> str:
    from meridian.tags import residency_tags

    residency_tags(data_class, jurisdiction, "any")  # refuses unknown classes and jurisdictions
    meta = f"{PREFIX}{data_class};jurisdiction={jurisdiction.lower()}"
    return f"{meta} - {text}" if text else meta


def parse(description: object) -> tuple[str, str] | None:
    """(data class, jurisdiction) from a Meridian description; None for any other description."""
    if not isinstance(description, str) or not description.startswith(PREFIX):
        return None
    m = _META.match(description)
    if not m:
        raise ClassificationMetaError(f"unreadable Meridian classification in description {description!r}")
    return m.group(1), m.group(2)

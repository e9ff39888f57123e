"""Offline evaluation of the policy pack over a plan or a `pulumi stack export` document.

`meridian plan` calls `evaluate(plan.document)`; a non-empty list with enforcement "mandatory" makes
it exit 1. The same rule functions run inside the CrossGuard pack (policies/__main__.py)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from meridian.rules import RULES, PackConfig, StackView, Violation, evaluate_view


def evaluate(document: Mapping[str, Any], config: PackConfig | None = None, preview: bool = False) -> list[Violation]:
    """All violations of the pack's rules in a stack-export-shaped document (preview=True: as the pack
    reports them during `pulumi preview`, checks needing unknown values deferred).

    Raises ValueError when the document is not a stack export. Violations carry .rule, .urn, .type,
    .message, .jurisdiction, .data_class, .severity and .enforcement ("mandatory"/"advisory")."""
    return evaluate_view(StackView.from_document(document), config, preview=preview)


def mandatory(violations: list[Violation]) -> list[Violation]:
    return [v for v in violations if v.enforcement == "mandatory"]


def load_config(path: str | Path | None) -> PackConfig:
    """A pack config file as `pulumi preview --policy-pack-config` takes it (JSON)."""
    if path is None:
        return PackConfig()
    return PackConfig.from_mapping(json.loads(Path(path).read_text()))


__all__ = ["RULES", "PackConfig", "Violation", "evaluate", "load_config", "mandatory"]

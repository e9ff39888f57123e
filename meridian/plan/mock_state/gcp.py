"""Mock answers for gcp resource types and invokes (offline plan only; never used by the program)."""

from __future__ import annotations

from typing import Any

OUTPUTS: dict[str, Any] = {}
CALLS: dict[str, Any] = {}

"""HCL literals for the configuration files Meridian writes (Vault's server config)."""

from __future__ import annotations

import json


def hcl_string(value: str) -> str:
    """An HCL string literal: a JSON string literal is one."""
    return json.dumps(value)

"""Globally unique Azure names (storage accounts, key vaults): the DNS name of the resource.

Azure auto-naming cannot be used for these: storage account names allow only lowercase letters and
digits (3-24), key vault names 3-24 characters. The name is derived deterministically from the
environment and the component name, so a re-run of the program yields the same name and dev and
prod never collide. (A retained prod vault keeps its name reserved while soft-deleted.)"""

from __future__ import annotations

import hashlib
import re

from meridian.config import StackConfig

MAX_GLOBAL_NAME = 24
_HASH = 6


def global_name(kind: str, name: str, stack: StackConfig) -> str:
    """`<kind><name, alnum, truncated><6 hex>`, lowercase, at most 24 characters, starts with a letter.

    `kind` is a short lowercase prefix such as "kv", "dl" or "lg"."""
    if not re.fullmatch(r"[a-z]{1,4}", kind):
        raise ValueError(f"name kind {kind!r} must be 1-4 lowercase letters")
    digest = hashlib.sha256(f"meridian/{stack.environment}/{kind}/{name}".encode()).hexdigest()[:_HASH]
    stem = re.sub(r"[^a-z0-9]", "", name.lower())[: MAX_GLOBAL_NAME - len(kind) - _HASH]
    return f"{kind}{stem}{digest}"

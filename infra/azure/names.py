"""Globally unique Azure names (storage accounts, key vaults): they are DNS names, shared by every
Azure customer.

Azure auto-naming does not fit these: storage account names allow only lowercase letters and digits
(3-24), key vault names 3-24 characters. A name is `<kind><component name, alphanumeric, truncated>
<6 random hex>`: the random part (a RandomId kept in state) makes it unique across organisations
that deploy the same lake names, and gives a fresh name after a destroy, which key vaults need: a
deleted vault with purge protection keeps its name reserved for 90 days."""

from __future__ import annotations

import re

import pulumi
import pulumi_random as random
from pulumi import ResourceOptions

from infra.regional import data_store_options
from meridian.config import StackConfig

MAX_GLOBAL_NAME = 24
SUFFIX_BYTES = 3  # 6 hex characters


def name_stem(kind: str, name: str) -> str:
    if not re.fullmatch(r"[a-z]{1,4}", kind):
        raise ValueError(f"name kind {kind!r} must be 1-4 lowercase letters")
    stem = re.sub(r"[^a-z0-9]", "", name.lower())
    return f"{kind}{stem[: MAX_GLOBAL_NAME - len(kind) - 2 * SUFFIX_BYTES]}"


class GlobalNames:
    """Makes globally unique names for the resources of one component, with an explicit random
    provider of its own (default providers are disabled in every stack)."""

    def __init__(self, parent: pulumi.Resource, name: str, stack: StackConfig) -> None:
        self._parent = parent
        self._stack = stack
        self._provider = random.Provider(f"{name}-random", opts=ResourceOptions(parent=parent))

    def __call__(self, kind: str, name: str) -> pulumi.Output[str]:
        """`<kind><name>` + 6 random hex characters, lowercase, at most 24 characters. In prod the
        random part is protected like the data: a new one would replace the store."""
        stem = name_stem(kind, name)
        suffix = random.RandomId(
            f"{name}-{kind}-suffix",
            byte_length=SUFFIX_BYTES,
            opts=data_store_options(
                self._stack, ResourceOptions(parent=self._parent, provider=self._provider)
            ),
        )
        return suffix.hex.apply(lambda h: f"{stem}{h}")

"""What the mock runtime answers for resources and invokes, per cloud.

A provider would compute outputs such as ARNs, endpoints and self links; the offline plan makes up
plausible, deterministic values so the program's graph (which feeds outputs into inputs) is the same
shape as in a real deploy. Each cloud's file owns its types: OUTPUTS maps a type token to a function
(name, inputs) -> extra outputs; CALLS maps an invoke token to a function (args) -> result."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from meridian.plan.mock_state import aws, azure, gcp, kubernetes, other

OutputsFn = Callable[[str, dict[str, Any]], dict[str, Any]]
CallFn = Callable[[dict[str, Any]], dict[str, Any]]

OUTPUTS: dict[str, OutputsFn] = {}
CALLS: dict[str, CallFn] = {}
for _module in (aws, gcp, azure, kubernetes, other):
    OUTPUTS.update(_module.OUTPUTS)
    CALLS.update(_module.CALLS)

"""The Mocks implementation used by the offline plan and by the tests."""

from __future__ import annotations

import hashlib
from typing import Any

import pulumi

from meridian.plan.mock_state import CALLS, OUTPUTS


def _fake_id(typ: str, name: str) -> str:
    return f"{name}-{hashlib.sha256(f'{typ}/{name}'.encode()).hexdigest()[:8]}"


class PlanMocks(pulumi.runtime.Mocks):
    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str | None, dict[str, Any]]:
        rid = args.resource_id or _fake_id(args.typ, args.name)
        state: dict[str, Any] = dict(args.inputs)
        pkg = args.typ.split(":", 1)[0]
        if pkg == "aws" and "arn" not in state:
            service = args.typ.split(":")[1].split("/")[0]
            state["arn"] = f"arn:aws:{service}:mock:123456789012:{rid}"
        if pkg == "gcp":
            state.setdefault("selfLink", f"https://www.googleapis.com/mock/{rid}")
        extra = OUTPUTS.get(args.typ)
        if extra is not None:
            for key, value in extra(args.name, dict(args.inputs)).items():
                if isinstance(state.get(key), dict) and isinstance(value, dict):
                    state[key] = {**value, **state[key]}  # computed fields added to an input object
                else:
                    state.setdefault(key, value)
        if pkg == "azure-native":
            state.setdefault("name", args.inputs.get("name") or rid)
        return rid, state

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict[str, Any], list[tuple[str, str]] | None]:
        fn = CALLS.get(args.token)
        if fn is None:
            raise NotImplementedError(
                f"the offline plan has no mock answer for invoke {args.token!r}; add one in "
                "meridian/plan/mock_state/"
            )
        return fn(dict(args.args)), []


class PreviewMocks(PlanMocks):
    """A first `pulumi preview`: nothing exists yet, so a new resource has no id and none of the
    outputs its provider would compute; the SDK then marks them unknown, and every input built from
    them reaches the engine (and the policy pack) as the unknown marker."""

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str | None, dict[str, Any]]:
        try:
            _, state = super().new_resource(args)  # inputs in the shape the provider echoes them
        except (TypeError, AttributeError, KeyError, ValueError):  # a mock that needs a value unknown now
            state = dict(args.inputs)
        # the known inputs, nothing computed
        return "", {k: v for k, v in state.items() if k in args.inputs and _known(v)}


def _known(value: Any) -> bool:
    if isinstance(value, dict):
        return all(isinstance(k, str) and k != _UNKNOWN and _known(v) for k, v in value.items())
    if isinstance(value, list):
        return all(_known(v) for v in value)
    return value is None or (isinstance(value, (str, int, float, bool)) and value != _UNKNOWN)


_UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"

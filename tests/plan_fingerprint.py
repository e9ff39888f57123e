"""Fingerprints of a whole plan, resource by resource, to prove a refactor changed nothing.

A fingerprint is, per URN, a hash of everything the plan records for the resource (type, inputs,
outputs, parent, dependencies, property dependencies, protection, aliases...) except where in our
source it was registered; a router ConfigMap's config file counts by its parsed content (the key
order of the YAML is not configuration). tests/fixtures/plan_fingerprints/<stack>.json holds the fingerprints of
the plans recorded before the last refactor; tests/test_plan_unchanged.py compares every session's
plans against them.

After a change that is meant to change what gets deployed, record again (and say why in the commit):

    uv run python -m tests.plan_fingerprint record dev prod
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path
from typing import Any

import yaml

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "plan_fingerprints"
IGNORED = frozenset({"sourcePosition"})  # moves with the code, not with what is deployed


ROUTER_CONFIG = "router.yaml"  # infra.router_contract.config_gen.CONFIG_FILE


def _canonical(r: dict[str, Any]) -> dict[str, Any]:
    """A router ConfigMap by what its config file says, not how the YAML orders its keys (the
    router parses the file: key order is not configuration)."""
    if r["type"] != "kubernetes:core/v1:ConfigMap":
        return r
    out = dict(r)
    for part in ("inputs", "outputs"):
        data = (r.get(part) or {}).get("data")
        if isinstance(data, dict) and isinstance(data.get(ROUTER_CONFIG), str):
            parsed = json.dumps(yaml.safe_load(data[ROUTER_CONFIG]), sort_keys=True)
            out[part] = {**r[part], "data": {**data, ROUTER_CONFIG: parsed}}
    return out


def fingerprints(document: dict[str, Any]) -> dict[str, str]:
    out = {}
    for r in document["deployment"]["resources"]:
        kept = {k: v for k, v in _canonical(r).items() if k not in IGNORED}
        out[r["urn"]] = hashlib.sha256(json.dumps(kept, sort_keys=True, default=str).encode()).hexdigest()[:20]
    return out


def as_before(document: dict[str, Any], aliases: dict[str, list[str]], before: set[str]) -> dict[str, Any]:
    """The document as the engine would match it against a stack holding `before`: a resource whose
    URN is new but one of whose aliases (own or inherited from a renamed parent) is an old URN is
    known by that URN, and so is every reference to it (parent, dependencies, provider references),
    its type read from that URN. What is left new, or differs, is what an update would change."""
    known = {}
    for urn, olds in aliases.items():
        hits = [o for o in olds if o in before]
        if urn not in before and len(hits) == 1:
            known[urn] = hits[0]

    def old(value: Any) -> Any:
        if isinstance(value, str):
            if value in known:
                return known[value]
            head, sep, tail = value.rpartition("::")  # a provider reference: <urn>::<id>
            return f"{known[head]}::{tail}" if sep and head in known else value
        if isinstance(value, list):
            return [old(v) for v in value]
        if isinstance(value, dict):
            return {old(k): old(v) for k, v in value.items()}
        return value

    resources = []
    for r in document["deployment"]["resources"]:
        moved = old(r)
        # Dependencies are sets (the plan lists them sorted): sort again under the old names.
        if isinstance(moved.get("dependencies"), list):
            moved["dependencies"] = sorted(moved["dependencies"])
        if isinstance(moved.get("propertyDependencies"), dict):
            moved["propertyDependencies"] = {k: sorted(v) for k, v in moved["propertyDependencies"].items()}
        if r["urn"] in known:
            moved["type"] = moved["urn"].rpartition("::")[0].rpartition("::")[2].rpartition("$")[2]
        resources.append(moved)
    return {**document, "deployment": {**document["deployment"], "resources": resources}}


def recorded(stack: str) -> dict[str, str]:
    return json.loads((FIXTURES / f"{stack}.json").read_text())


def record(stack: str, document: dict[str, Any]) -> Path:
    path = FIXTURES / f"{stack}.json"
    path.write_text(json.dumps(fingerprints(document), indent=0, sort_keys=True) + "\n")
    return path


def main(argv: list[str]) -> int:
    if len(argv) < 2 or argv[0] != "record":
        print(__doc__)
        return 2
    from meridian.plan.runner import run_plan
    from tests.conftest import ROOT

    for stack in argv[1:]:
        path = record(stack, run_plan(stack, ROOT).document)
        print(f"recorded {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

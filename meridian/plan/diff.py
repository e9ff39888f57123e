"""What changed between two plans (or stack exports): `meridian plan <stack> --diff OLD.json`.

Resources are matched by URN. A resource whose type token changed under the same parent and name, or
whose name changed (one removed and one added of the same type under the same parent), is reported
as *replaced*: the engine creates the new one and deletes the old one unless an alias links them.
Property changes are listed by dotted path over the resources' inputs; secret values are masked."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

SECRET_SIG = "4dabf18193072939515e22adb298388d"
MASK = "[secret]"


class DiffError(ValueError):
    """A document that is not a plan / stack export."""


@dataclass
class Change:
    urn: str
    type: str
    properties: list[tuple[str, Any, Any]] = field(default_factory=list)  # (path, old, new)


@dataclass
class Diff:
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    replaced: list[tuple[str, str, str]] = field(default_factory=list)  # (old urn, new urn, why)
    changed: list[Change] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.replaced or self.changed)


def _resources(doc: Any, which: str) -> dict[str, Mapping[str, Any]]:
    if not isinstance(doc, Mapping) or not isinstance(doc.get("deployment"), Mapping):
        raise DiffError(f"the {which} document has no \"deployment\" object (expected a plan or `pulumi stack export`)")
    res = doc["deployment"].get("resources") or []
    if not isinstance(res, list):
        raise DiffError(f"the {which} document's deployment.resources is not a list")
    out: dict[str, Mapping[str, Any]] = {}
    for i, r in enumerate(res):
        if not isinstance(r, Mapping) or not isinstance(r.get("urn"), str):
            raise DiffError(f"the {which} document's deployment.resources[{i}] has no urn")
        out[r["urn"]] = r
    return out


def check_document(doc: Any, which: str) -> Any:
    """The document itself when it is a plan / stack export; DiffError naming what is wrong otherwise."""
    _resources(doc, which)
    return doc


def _flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    if isinstance(value, Mapping):
        if SECRET_SIG in value:
            return {prefix: MASK}
        out: dict[str, Any] = {}
        for k in sorted(value):
            out.update(_flatten(value[k], f"{prefix}.{k}" if prefix else str(k)))
        return out or ({prefix: {}} if prefix else {})
    if isinstance(value, list):
        out = {}
        for i, v in enumerate(value):
            out.update(_flatten(v, f"{prefix}[{i}]"))
        return out or ({prefix: []} if prefix else {})
    return {prefix: value}


def _parent_and_name(urn: str) -> tuple[str, str, str]:
    """(qualified type chain without the last type, last type, name) of a URN."""
    head, name = urn.rsplit("::", 1)
    chain = head.split("::", 3)[-1]
    parent_chain, _, typ = chain.rpartition("$")
    return parent_chain, typ, name


def diff_documents(old: Any, new: Any) -> Diff:
    before, after = _resources(old, "old"), _resources(new, "new")
    d = Diff()
    gone = [u for u in before if u not in after]
    fresh = [u for u in after if u not in before]
    # type token changed, same parent chain and name
    by_pn = {(_parent_and_name(u)[0], _parent_and_name(u)[2]): u for u in fresh}
    for u in list(gone):
        p, t, n = _parent_and_name(u)
        v = by_pn.get((p, n))
        if v is not None and v in fresh:
            d.replaced.append((u, v, f"type {t} -> {_parent_and_name(v)[1]}"))
            gone.remove(u)
            fresh.remove(v)
    # name changed: exactly one gone and one new of a type under the same parent
    groups: dict[tuple[str, str], tuple[list[str], list[str]]] = {}
    for u in gone:
        p, t, _ = _parent_and_name(u)
        groups.setdefault((p, t), ([], []))[0].append(u)
    for u in fresh:
        p, t, _ = _parent_and_name(u)
        groups.setdefault((p, t), ([], []))[1].append(u)
    for olds, news in groups.values():
        if len(olds) == 1 and len(news) == 1:
            d.replaced.append((olds[0], news[0], f"name {_parent_and_name(olds[0])[2]} -> {_parent_and_name(news[0])[2]}"))
            gone.remove(olds[0])
            fresh.remove(news[0])
    d.removed, d.added = sorted(gone), sorted(fresh)
    for urn in sorted(set(before) & set(after)):
        a, b = _flatten(before[urn].get("inputs") or {}), _flatten(after[urn].get("inputs") or {})
        props = [(k, a.get(k), b.get(k)) for k in sorted(set(a) | set(b)) if a.get(k) != b.get(k)]
        for flag in ("protect", "retainOnDelete"):
            if bool(before[urn].get(flag)) != bool(after[urn].get(flag)):
                props.append((f"@{flag}", bool(before[urn].get(flag)), bool(after[urn].get(flag))))
        if props:
            d.changed.append(Change(urn, str(after[urn].get("type")), props))
    d.replaced.sort()
    return d


def _short(value: Any) -> str:
    text = "(unset)" if value is None else repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def render_diff(d: Diff) -> str:
    if d.empty:
        return "Plan diff: no changes."
    lines = [f"Plan diff: {len(d.added)} added, {len(d.removed)} removed, {len(d.replaced)} replaced, "
             f"{len(d.changed)} changed"]
    lines += [f"  + {u}" for u in d.added]
    lines += [f"  - {u}" for u in d.removed]
    lines += [f"  +- {o} -> {n} ({why})" for o, n, why in d.replaced]
    for c in d.changed:
        lines.append(f"  ~ {c.urn}")
        lines += [f"      {path}: {_short(a)} -> {_short(b)}" for path, a, b in c.properties]
    return "\n".join(lines)

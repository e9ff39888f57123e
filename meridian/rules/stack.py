"""A read-only view of a stack's resources, as the rules see it.

Built from a `pulumi stack export` document (or the offline plan, same shape) by the audit and the
offline runner, and from pulumi_policy's StackValidationArgs by the CrossGuard pack. Either way a
resource is (urn, type token, camelCase props, options, provider, dependencies)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

# Value of a property the engine does not know yet (preview of a resource not yet created).
UNKNOWN = "<computed>"
SECRET_SIG = "4dabf18193072939515e22adb298388d"
SECRET = "<secret>"
# The engine's unknown marker on the wire, and the typed sentinels pulumi_policy turns it into
# (pulumi_policy/proxy.py): protocol constants.
UNKNOWN_SENTINELS = frozenset({
    "04da6b54-80e4-46f7-96ec-b56ff0331ba9",  # string (the wire marker)
    "1c4a061d-8072-4f0a-a4cb-0ff528b18fe7",  # boolean
    "3eeb2bf0-c639-47a8-9e75-3b44932eb421",  # number
    "6a19a0b0-7e62-4c92-b797-7f8e31da9cc2",  # array
    "030794c1-ac77-496b-92df-f27374a8bd58",  # asset
    "e48ece36-62e2-4504-bad9-02848725956a",  # archive
    "dd056dcd-154b-4c76-9bd3-c8f88648b5ff",  # object
})

# Properties whose values identify a resource when another resource refers to it.
_ID_KEYS = ("arn", "keyId", "bucket", "name", "vaultName", "accountName", "resourceGroupName", "selfLink", "vaultUri",
            "identifier", "clusterIdentifier", "replicationGroupId", "globalReplicationGroupId",
            "globalClusterIdentifier", "domainName", "keyUri", "namespaceName", "serverName")


def _plain(value: Any) -> Any:
    """Engine values -> plain JSON-ish Python: secrets become SECRET (or their plaintext when the
    export was made with --show-secrets), pulumi_policy's unknown sentinels become UNKNOWN."""
    if isinstance(value, Mapping):
        target = getattr(value, "_DictProxy__target", value)
        if SECRET_SIG in target:
            if "plaintext" in target:  # `pulumi stack export --show-secrets`: the value, JSON-encoded
                return _plain(_decode_plaintext(target["plaintext"]))
            return (
                _plain(target["value"]) if "value" in target else SECRET)
        return {k: _plain(v) for k, v in target.items()}
    if isinstance(value, (list, tuple)) or type(value).__name__ == "_ListProxy":
        target = getattr(value, "_ListProxy__target", value)
        return [_plain(v) for v in target]
    if isinstance(value, str) and value in UNKNOWN_SENTINELS:
        return UNKNOWN
    return value


_AZURE_API_VERSION = re.compile(r"/v\d{8}(?:preview)?(?=:)")


def canonical_type(type_token: str) -> str:
    """azure-native's explicit API-version modules name the same resource as the default module:
    `azure-native:cache/v20230801:Redis` is `azure-native:cache:Redis`."""
    if type_token.startswith("azure-native:") and "/v" in type_token:
        return _AZURE_API_VERSION.sub("", type_token)
    return type_token


def _decode_plaintext(text: Any) -> Any:
    """An exported secret's `plaintext` is the JSON encoding of the value ("\"eu-west-1\"", "{...}");
    text that is not JSON is taken as it is."""
    if not isinstance(text, str):
        return text
    try:
        return json.loads(text)
    except ValueError:
        return text


def provider_urn(ref: str | None) -> str | None:
    """A provider reference is "<provider urn>::<provider id>"."""
    if not ref:
        return None
    return ref.rsplit("::", 1)[0] if ref.count("::") > 3 else ref


def urn_name(urn: str) -> str:
    return urn.rsplit("::", 1)[-1]


def urn_stack(urn: str) -> str:
    parts = urn.split(":", 2)
    return parts[2].split("::", 1)[0] if len(parts) == 3 else ""


@dataclass(slots=True)
class Resource:
    urn: str
    type: str
    props: dict[str, Any]
    protect: bool = False
    retain_on_delete: bool | None = False  # None: not known (CrossGuard does not pass it)
    provider: str | None = None  # provider urn
    provider_props: dict[str, Any] | None = None
    parent: str | None = None
    dependencies: tuple[str, ...] = ()
    property_dependencies: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return urn_name(self.urn)

    def get(self, *path: str | int, default: Any = None) -> Any:
        """props[a][b][0]... or default when any step is missing."""
        cur: Any = self.props
        for step in path:
            if isinstance(step, int):
                if not isinstance(cur, list) or len(cur) <= step:
                    return default
                cur = cur[step]
            else:
                if not isinstance(cur, dict) or step not in cur:
                    return default
                cur = cur[step]
        return default if cur is None else cur


class StackView:
    """Index of the stack's resources by urn, type and by the identifiers others use to refer to them."""

    def __init__(self, resources: Iterable[Resource], classifications: tuple[Any, ...] = ()) -> None:
        self.resources: list[Resource] = list(resources)
        # Pack-config classifications (facts.ClassificationOverride) for resources without tags.
        self.classifications: tuple[Any, ...] = classifications
        self.by_urn: dict[str, Resource] = {r.urn: r for r in self.resources}
        self._by_type: dict[str, list[Resource]] = {}
        self._by_ident: dict[tuple[str, str], list[Resource]] = {}
        self._attached: dict[tuple[str, str], dict[str, list[Resource]]] = {}
        # State documents carry resource ids; CrossGuard's PolicyResources carry them only where the
        # provider returns `id` among the outputs (bridged providers), so ids are known per type.
        self.has_ids = any("__id" in r.props for r in self.resources)
        self._types_with_ids = {canonical_type(r.type) for r in self.resources
                                if isinstance(r.props.get("__id") or r.props.get("id"), str)}
        for r in self.resources:
            self._by_type.setdefault(r.type, []).append(r)
            canon = canonical_type(r.type)
            if canon != r.type:
                self._by_type.setdefault(canon, []).append(r)
            for ident in self.identifiers(r):
                self._by_ident.setdefault((canon, ident), []).append(r)

    def __iter__(self) -> Iterator[Resource]:
        return iter(self.resources)

    def __len__(self) -> int:
        return len(self.resources)

    def of_type(self, *types: str) -> list[Resource]:
        """Resources of these type tokens; "*" is every custom resource but providers."""
        if "*" in types:
            return [r for r in self.resources if not r.type.startswith("pulumi:")]
        out: list[Resource] = []
        for t in types:
            out.extend(self._by_type.get(t, ()))
        return out

    def find(self, ident: Any, *types: str) -> Resource | None:
        """The resource of one of `types` that `ident` (an id, ARN, name, ...) names, or None."""
        if not isinstance(ident, str) or not ident or ident in (UNKNOWN, SECRET):
            return None
        for t in types:
            hits = self._by_ident.get((canonical_type(t), ident))
            if hits:
                return hits[0]
        return None

    def referenced(self, res: Resource, prop: str, ident: Any, *types: str) -> Resource | None:
        """Resolve a reference: by its value first, then (value unknown at preview) through the
        property dependencies the engine records for `prop`."""
        hit = self.find(ident, *types)
        if hit is not None:
            return hit
        if isinstance(ident, str) and ident and ident not in (UNKNOWN, SECRET) and \
                any(canonical_type(t) in self._types_with_ids for t in types):
            return None  # a known value that names none of the targets, whose ids we know: exact, no guess
        for dep in res.property_dependencies.get(prop, ()):
            target = self.by_urn.get(dep)
            if target is not None and target.type in types:
                return target
        if not res.property_dependencies:
            sole = [d for d in self._sole_dependencies(res) if self.by_urn[d].type in types]
            if len(sole) == 1:
                return self.by_urn[sole[0]]
        return None

    def attached(self, target: Resource, typ: str, prop: str = "bucket") -> list[Resource]:
        """Resources of `typ` whose `prop` refers to `target` (by any of its identifiers, or by a
        recorded property dependency), e.g. the BucketVersioningV2 of a bucket."""
        key = (typ, prop)
        index = self._attached.get(key)
        if index is None:
            index = {}
            for r in self._by_type.get(typ, ()):
                v = r.props.get(prop)
                if isinstance(v, str) and v not in (UNKNOWN, SECRET):
                    index.setdefault(v, []).append(r)
                pdeps = r.property_dependencies.get(prop, ())
                for dep in pdeps:
                    index.setdefault(dep, []).append(r)
                if not r.property_dependencies:
                    for dep in self._sole_dependencies(r):
                        index.setdefault(f"dep:{dep}", []).append(r)
            self._attached[key] = index
        seen: dict[str, Resource] = {}
        for ident in (target.urn, *self.identifiers(target)):
            for r in index.get(ident, ()):
                seen[r.urn] = r
        for r in index.get(f"dep:{target.urn}", ()):
            # no property dependencies recorded, and the value names no resource of the target's type
            v = r.props.get(prop)
            if not (isinstance(v, str) and (canonical_type(target.type), v) in self._by_ident):
                seen[r.urn] = r
        return list(seen.values())

    def _sole_dependencies(self, res: Resource) -> list[str]:
        """Dependencies that are the only one of their type: when a state records no property
        dependencies and the reference value names nothing in the stack (mock names, CrossGuard
        views without ids), a companion depending on exactly one bucket belongs to that bucket."""
        by_type: dict[str, list[str]] = {}
        for dep in res.dependencies:
            d = self.by_urn.get(dep)
            if d is not None:
                by_type.setdefault(d.type, []).append(dep)
        return [deps[0] for deps in by_type.values() if len(deps) == 1]

    @staticmethod
    def identifiers(res: Resource) -> set[str]:
        idents = {res.name}
        for key in (*_ID_KEYS, "id", "__id"):
            v = res.props.get(key)
            if isinstance(v, str) and v and v not in (UNKNOWN, SECRET):
                idents.add(v)
        return idents

    def provider_of(self, res: Resource) -> dict[str, Any]:
        if res.provider_props is not None:
            return res.provider_props
        if res.provider and res.provider in self.by_urn:
            return self.by_urn[res.provider].props
        return {}

    @classmethod
    def from_document(cls, document: Mapping[str, Any]) -> StackView:
        """From a `pulumi stack export` (version 3) document. Raises ValueError with a sentence
        naming what is wrong when the document does not have that shape."""
        if not isinstance(document, Mapping):
            raise ValueError("top level is not a JSON object")
        deployment = document.get("deployment", document if "resources" in document else None)
        if not isinstance(deployment, Mapping):
            raise ValueError('no "deployment" object (expected `pulumi stack export` output)')
        raw = deployment.get("resources", [])
        if raw is None:
            raw = []
        if not isinstance(raw, list):
            raise ValueError('"deployment.resources" is not a list')
        out: list[Resource] = []
        for i, r in enumerate(raw):
            if not isinstance(r, Mapping):
                raise ValueError(f"deployment.resources[{i}] is not an object")
            urn, typ = r.get("urn"), r.get("type")
            if not isinstance(urn, str) or not urn.startswith("urn:pulumi:"):
                raise ValueError(f"deployment.resources[{i}] has no valid urn")
            if not isinstance(typ, str) or not typ:
                raise ValueError(f"deployment.resources[{i}] ({urn}) has no type")
            if r.get("delete") is True:  # pending deletion: not part of the stack
                continue
            inputs = r.get("inputs") or {}
            outputs = r.get("outputs") or {}
            if not isinstance(inputs, Mapping) or not isinstance(outputs, Mapping):
                raise ValueError(f"deployment.resources[{i}] ({urn}): inputs/outputs are not objects")
            props = _plain({**inputs, **outputs})
            if r.get("id"):
                props["__id"] = r["id"]
                props.setdefault("id", r["id"])
            pdeps = r.get("propertyDependencies") or {}
            out.append(
                Resource(
                    urn=urn,
                    type=typ,
                    props=props,
                    protect=bool(r.get("protect")),
                    retain_on_delete=bool(r.get("retainOnDelete")),
                    provider=provider_urn(r.get("provider")),
                    parent=r.get("parent"),
                    dependencies=tuple(r.get("dependencies") or ()),
                    property_dependencies={k: tuple(v) for k, v in pdeps.items() if isinstance(v, list)},
                )
            )
        return cls(out)

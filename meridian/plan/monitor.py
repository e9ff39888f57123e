"""A mock resource monitor that records every registration as the engine would store it: inputs,
outputs (with `id` for bridged providers, as their state has it), dependencies, property
dependencies and the source position of the code that declared the resource."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from google.protobuf import json_format
from pulumi.runtime.mocks import MockMonitor, Mocks
from pulumi.runtime.settings import get_project, get_stack

SECRET_SIG_KEY = "4dabf18193072939515e22adb298388d"
SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270"
RESOURCE_SIG = "5cf8f73096256a8f31e491e813e4eb8e"
UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"


@dataclass
class Registration:
    urn: str
    type: str
    name: str
    custom: bool
    id: str
    parent: str
    provider: str
    protect: bool
    retain_on_delete: bool
    dependencies: list[str]
    inputs: dict[str, Any]
    outputs: dict[str, Any] = field(default_factory=dict)
    property_dependencies: dict[str, list[str]] = field(default_factory=dict)
    source_position: str = ""
    aliases: list[str] = field(default_factory=list)  # URNs this resource was known by (engine-side)


# Providers built on the Terraform bridge return `id` among a resource's outputs; state shows it there.
BRIDGED = frozenset({"aws", "gcp", "cloudflare", "random", "tls", "vault"})


def source_position(uri: str, line: int, column: int, project_root: Path) -> str:
    """As the engine stores it: `project:///<path relative to the project>#<line>[,<column>]`;
    a file outside the project keeps its file:// URI."""
    if not uri or line <= 0:
        return ""
    path = Path(unquote(urlparse(uri).path))
    try:
        rel = path.resolve().relative_to(project_root.resolve()).as_posix()
        base = f"project:///{rel}"
    except ValueError:
        base = uri
    return f"{base}#{line}" + (f",{column}" if column > 0 else "")


def engine_value(value: Any) -> Any:
    """Wire values (protobuf Struct as JSON) -> what `pulumi stack export` shows: secrets as
    ciphertext envelopes (never plaintext), resource references as URNs, unknowns as the marker."""
    if isinstance(value, dict):
        sig = value.get(SECRET_SIG_KEY)
        if sig == SECRET_SIG:
            return {SECRET_SIG_KEY: SECRET_SIG, "ciphertext": "v1:offline-plan:redacted"}
        if sig == RESOURCE_SIG:
            return value.get("urn", "")
        return {k: engine_value(v) for k, v in value.items()}
    if isinstance(value, list):
        return [engine_value(v) for v in value]
    if value == UNKNOWN:
        return UNKNOWN  # only a preview plan has these: the engine's own marker
    if isinstance(value, float) and value.is_integer():
        return int(value)  # protobuf Struct carries every number as a double
    return value


class CapturingMonitor(MockMonitor):
    def __init__(self, mocks: Mocks, project_root: Path | None = None) -> None:
        super().__init__(mocks)
        self.project_root = project_root or Path.cwd()
        self.registrations: list[Registration] = []
        self._by_urn: dict[str, Registration] = {}
        self._qualified: dict[str, str] = {}  # urn -> qualified type (parent chain, stack excluded)
        self.stack_urn = ""

    def make_urn(self, parent: str, type_: str, name: str) -> str:
        # As the engine does: the parent's whole qualified type chain, the root Stack excluded.
        qualified = type_
        if parent and parent != self.stack_urn and parent in self._qualified:
            qualified = self._qualified[parent] + "$" + type_
        urn = "urn:pulumi:" + "::".join([get_stack(), get_project(), qualified, name])
        self._qualified[urn] = qualified
        return urn

    def RegisterResource(self, request: Any) -> Any:
        response = super().RegisterResource(request)
        if request.type == "pulumi:pulumi:Stack":
            self.stack_urn = response.urn
            self.registrations.append(
                Registration(response.urn, request.type, request.name, False, "", "", "", False, False, [], {})
            )
            self._by_urn[response.urn] = self.registrations[-1]
            return response
        inputs = json_format.MessageToDict(request.object) if request.object else {}
        outputs = json_format.MessageToDict(response.object) if response.object else {}
        for key in request.additionalSecretOutputs:  # as the engine stores them: secret in state
            if key in outputs:
                outputs[key] = {SECRET_SIG_KEY: SECRET_SIG, "value": outputs[key]}
        if request.custom and response.id and request.type.split(":", 1)[0] in BRIDGED:
            outputs.setdefault("id", response.id)
        pos = request.sourcePosition
        pdeps = {k: sorted(set(v.urns)) for k, v in request.propertyDependencies.items() if v.urns}
        reg = Registration(
            urn=response.urn,
            type=request.type,
            name=request.name,
            custom=bool(request.custom),
            id=response.id if request.custom else "",
            parent=request.parent,
            provider=request.provider,
            protect=bool(request.protect),
            retain_on_delete=bool(request.retainOnDelete),
            dependencies=sorted(set(request.dependencies)),
            inputs=engine_value(inputs),
            outputs=engine_value(outputs) if request.custom else {},
            property_dependencies=pdeps,
            aliases=self._alias_urns(request, response.urn),
            source_position=source_position(pos.uri, pos.line, pos.column, self.project_root)
            if request.HasField("sourcePosition") else "",
        )
        self.registrations.append(reg)
        self._by_urn[reg.urn] = reg
        return response

    def _alias_urns(self, request: Any, urn: str) -> list[str]:
        """The URNs a resource's aliases name, as the engine computes them: the resource's own URN
        with each alias spec's type and/or name, and the inherited ones: for every URN its parent was
        known by, the resource under that parent (so renaming a component's type with an alias
        carries its whole subtree across)."""
        head, _, name = urn.rpartition("::")
        prefix, _, qualified = head.rpartition("::")
        parents, _, own_type = qualified.rpartition("$")
        out = list(getattr(request, "aliasURNs", []) or [])
        names = [(own_type, name)]
        for alias in getattr(request, "aliases", []) or []:
            if alias.HasField("urn") and alias.urn:
                out.append(alias.urn)
                continue
            spec = alias.spec
            typ = spec.type or own_type
            chain = f"{parents}${typ}" if parents else typ
            out.append(f"{prefix}::{chain}::{spec.name or name}")
            names.append((typ, spec.name or name))
        parent = self._by_urn.get(request.parent) if request.parent else None
        for parent_alias in parent.aliases if parent is not None else []:
            parent_chain = parent_alias.rpartition("::")[0].rpartition("::")[2]
            out += [f"{prefix}::{parent_chain}${typ}::{n}" for typ, n in names]
        return sorted(set(out) - {urn})

    def RegisterResourceOutputs(self, request: Any) -> Any:
        reg = self._by_urn.get(request.urn)
        if reg is not None and request.outputs:
            reg.outputs = engine_value(json_format.MessageToDict(request.outputs))
        return super().RegisterResourceOutputs(request)

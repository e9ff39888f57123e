"""What a store kind declares: the metadata every residency and security rule reads.

One kind = one service resource that holds data (or a key that decrypts it), across every type token
the supported provider majors use for it. A kind answers, for one resource of its types:

  locate        where the data itself sits (one region, or every member of a multi-region)
  replicas      every other place its data is copied to (read replicas, global tables, geo pairs, ...)
  key           whether it is encrypted at rest, with which customer key, and where that key lives
  logs_backups  where its access logs and backups land
  public_access why it is reachable from the internet (empty list: it is not)
  tls_only      why it accepts plain-text connections (empty list: it does not)
  versioning    whether earlier versions of its objects survive an overwrite

A facet that does not apply to the service is `NotApplicable("why")`; a facet the kind leaves
undeclared is a violation of every rule that needs it (fail closed), and a registry test keeps the
built-in kinds complete. Classification comes from the resource's own tags/labels; a kind whose
resources cannot carry any names the store that owns them (`owner`), and the pack config can
classify by type and URN pattern (see meridian/rules/README.md)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal, TypeVar

if TYPE_CHECKING:
    from meridian.rules.facts import KeyUse, Placement, Target
    from meridian.rules.stack import Resource, StackView

T = TypeVar("T")
Role = Literal["store", "key"]


@dataclass(frozen=True, slots=True)
class NotApplicable:
    """This facet does not apply to the service (the reason is shown in the rules' docs)."""

    reason: str


class Undeclared:
    """A facet the kind has not declared: rules that need it fail closed."""

    def __repr__(self) -> str:
        return "UNDECLARED"


UNDECLARED = Undeclared()

Facet = "Callable[[Resource, StackView], T] | NotApplicable | Undeclared"
Locate = Callable[["Resource", "StackView"], "Placement"]
Targets = Callable[["Resource", "StackView"], "list[Target]"]
KeyFacet = Callable[["Resource", "StackView"], "KeyUse"]
Problems = Callable[["Resource", "StackView"], "list[str]"]
Flag = Callable[["Resource", "StackView"], bool]
Owner = Callable[["Resource", "StackView"], "Resource | None"]


class DeferredCheck(Exception):
    """Raised by a facet that needs a value unknown until `pulumi up` (computed from another
    resource at a first preview). Rules report it as deferred: advisory in preview, enforced on update."""

    def __init__(self, what: str, why: str = "is not known until the update") -> None:
        super().__init__(f"{what} {why}; checked on update")


class FacetUndeclaredError(LookupError):
    """Raised when a rule needs a facet that the resource's kind does not declare."""


@dataclass(frozen=True, slots=True)
class StoreKind:
    id: str  # kebab-case, e.g. "aws-rds-instance"
    title: str  # e.g. "RDS DB instance"
    cloud: str  # aws | gcp | azure
    types: tuple[str, ...]  # every type token of every supported provider major
    locate: Locate
    role: Role = "store"
    replicas: Targets | NotApplicable | Undeclared = UNDECLARED
    key: KeyFacet | NotApplicable | Undeclared = UNDECLARED
    logs_backups: Targets | NotApplicable | Undeclared = UNDECLARED
    public_access: Problems | NotApplicable | Undeclared = UNDECLARED
    tls_only: Problems | NotApplicable | Undeclared = UNDECLARED
    versioning: Flag | NotApplicable | Undeclared = UNDECLARED
    # Resources that cannot carry tags/labels take the classification of the store that owns them.
    taggable: bool = True
    owner: Owner | None = None
    # How the name the audit shows is read (first property present).
    name_keys: tuple[str, ...] = ("name",)
    doc: str = ""

    FACETS = ("replicas", "key", "logs_backups", "public_access", "tls_only", "versioning")

    def facet(self, name: str) -> Callable[..., object] | NotApplicable:
        value = getattr(self, name)
        if isinstance(value, Undeclared):
            raise FacetUndeclaredError(f"store kind {self.id} declares nothing for '{name}' (fail closed)")
        return value

    def undeclared(self) -> list[str]:
        return [f for f in self.FACETS if isinstance(getattr(self, f), Undeclared)]

"""What the GCP data-service kinds share: Google APIs are TLS only, access is IAM, access is recorded
by Cloud Audit Logs; multi-region members as replicas; service-specific multi-region configurations."""

from __future__ import annotations

from meridian import catalog
from meridian.rules.facts import (
    Placement,
    Target,
    place,
    place_all,
)
from meridian.rules.stores.kind import NotApplicable, StoreKind

IAM = NotApplicable("access is IAM; Google APIs are TLS only")

TLS = NotApplicable("Google APIs are TLS only")

NOVER = NotApplicable("not a store of object versions")

NOLOGS = NotApplicable("access is recorded by Cloud Audit Logs (see the Cloud Logging buckets)")


def members_target(home: Placement, via: str) -> list[Target]:
    if home.region is None or len(home.members) <= 1:
        return []
    return [Target("replica", m.id, Placement("gcp", m.id, m, None, (m,)), via) for m in home.members]


def service_place(service: str, location: object, what: str) -> Placement:
    """A service-specific multi-region (Spanner/Firestore configurations), else a catalog location."""
    if isinstance(location, str):
        svc = catalog.service_location(service, location)
        if svc is not None:
            return place_all("gcp", svc.members, f"{what} ({service} configuration {svc.id})")
    return place("gcp", location, what)


def gcp_kind(kind_id: str, title: str, types: tuple[str, ...], locate, doc: str = "", **facets):  # type: ignore[no-untyped-def]
    return StoreKind(id=kind_id, title=title, cloud="gcp", types=types, locate=locate, doc=doc, **facets)

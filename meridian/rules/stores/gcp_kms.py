"""Cloud KMS crypto keys and key rings.

A key lives where its key ring does: the location inside `keyRing` (projects/p/locations/<l>/keyRings/r)
or the KeyRing resource's `location`. Location `global` is nowhere in particular: a key (or a key ring
holding classified keys) there fails closed, since Google may serve it from any region. Key rings
carry no labels: they take the classification of the keys in them that the stack has (the strictest
is reported by the keys themselves), else the pack config `classifications`."""

from __future__ import annotations

from meridian.rules.facts import (
    GCP_KEY_RING,
    GCP_KMS_KEY,
    Placement,
    gcp_location_in,
    place,
    unplaced,
)
from meridian.rules.stack import Resource, StackView
from meridian.rules.stores.kind import NotApplicable, StoreKind


def _ring_location(loc: object, what: str) -> Placement:
    if isinstance(loc, str) and loc.lower() == "global":
        return unplaced("gcp", f"{what} is in location 'global', which is nowhere in particular (fail closed)")
    return place("gcp", loc, f"location of {what}")


def locate_key(res: Resource, view: StackView) -> Placement:
    ring = res.props.get("keyRing")
    loc = gcp_location_in(ring)
    if loc:
        return _ring_location(loc, f"key {res.name}")
    ring_res = view.referenced(res, "keyRing", ring, GCP_KEY_RING)
    if ring_res is None:
        return unplaced("gcp", f"the location of key {res.name} cannot be determined: its key ring is not in the "
                               "stack (fail closed)")
    return _ring_location(ring_res.props.get("location"), f"key {res.name}")


def locate_ring(res: Resource, view: StackView) -> Placement:
    return _ring_location(res.props.get("location"), f"key ring {res.name}")


def ring_owner(res: Resource, view: StackView) -> Resource | None:
    keys = view.attached(res, GCP_KMS_KEY, "keyRing")
    return keys[0] if keys else None


_NA = {
    "replicas": NotApplicable("a key ring's location is its only copy"),
    "key": NotApplicable("a key is not a data store"),
    "logs_backups": NotApplicable("Cloud KMS audit logs are Cloud Logging's"),
    "public_access": NotApplicable("key access is IAM"),
    "tls_only": NotApplicable("the Cloud KMS API is TLS only"),
    "versioning": NotApplicable("key versions are rotated, not overwritten"),
}
KIND = StoreKind(id="gcp-kms-crypto-key", title="Cloud KMS key", cloud="gcp", role="key", types=(GCP_KMS_KEY,),
                 locate=locate_key, doc=__doc__ or "", **_NA)  # type: ignore[arg-type]
RING_KIND = StoreKind(id="gcp-kms-key-ring", title="Cloud KMS key ring", cloud="gcp", role="key",
                      types=(GCP_KEY_RING,), locate=locate_ring, taggable=False, owner=ring_owner,
                      doc=__doc__ or "", **_NA)  # type: ignore[arg-type]

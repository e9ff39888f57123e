"""What the Azure data-service kinds share: TLS 1.2 minimums, public network access switches,
geo-disaster-recovery pairings of namespaces, and the kind builder."""

from __future__ import annotations

from meridian.rules.facts import (
    Target,
    arm_name,
    azure_place,
    dig,
    known,
    placement,
    unplaced,
)
from meridian.rules.stack import Resource, StackView
from meridian.rules.stores.kind import NotApplicable, StoreKind

NOVER = NotApplicable("not a store of object versions")


def tls12(prop: str):  # type: ignore[no-untyped-def]
    def check(res: Resource, view: StackView) -> list[str]:
        v = res.props.get(prop)
        return (
            []
            if str(v) in ("1.2", "1.3", "Tls12", "Tls13", "TLS1_2", "TLS1_3")
            else [f"{prop} is {v!r}, not 1.2"]
        )

    return check


def public_network(prop: str = "publicNetworkAccess"):  # type: ignore[no-untyped-def]
    def check(res: Resource, view: StackView) -> list[str]:
        v = dig(res.props, prop)
        return (
            [] if str(v).lower() in ("disabled", "securedbyperimeter") else [f"{prop} is {v!r}, not Disabled"]
        )

    return check


def ns_replicas(dr_type: str, ns_types: tuple[str, ...]):  # type: ignore[no-untyped-def]
    def replicas(res: Resource, view: StackView) -> list[Target]:
        out: list[Target] = []
        for dr in view.attached(res, dr_type, "namespaceName"):
            partner = dr.props.get("partnerNamespace")
            target = view.find(arm_name(partner) or partner, *ns_types) if known(partner) else None
            p = (
                placement(target, view)
                if target is not None
                else unplaced("azure", f"partner namespace {partner!r} is not in the stack (fail closed)")
            )
            out.append(Target("replica", str(arm_name(partner) or partner), p, dr.urn))
        return out

    return replicas


def kind(kind_id: str, title: str, types: tuple[str, ...], doc: str = "", **kw):  # type: ignore[no-untyped-def]
    kw.setdefault("locate", azure_place)
    return StoreKind(id=kind_id, title=title, cloud="azure", types=types, doc=doc, **kw)


def namespace_kind(kind_id: str, title: str, ns_type: str, dr_type: str, doc: str) -> StoreKind:
    """A messaging namespace (Event Hubs, Service Bus): geo-DR pairing to a partner namespace, CMEK in
    `encryption.keyVaultProperties`, public network switch, TLS 1.2 minimum, diagnostics."""
    from meridian.rules.facts import azure_diagnostic_targets, azure_key_use

    return kind(kind_id, title, (ns_type,), replicas=ns_replicas(dr_type, (ns_type,)),
                key=azure_key_use("encryption.keyVaultProperties.keyVaultUri"), logs_backups=azure_diagnostic_targets,
                public_access=public_network(), tls_only=tls12("minimumTlsVersion"), versioning=NOVER, doc=doc)

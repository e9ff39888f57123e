"""Which jurisdictions a request may be served in.

A request starts from its tenant's allowed set. The client may only narrow it: by the
residency header (a subset of the tenant's set, or 403) and, when configured, by the client's
country mapped through the shared region catalog. The result is never empty: a request that
could go nowhere is refused here, before routing.
"""

from __future__ import annotations

from meridian import catalog

from .config import ResidencyConfig, TenantConfig
from .errors import RouterError

ANY: frozenset[str] = frozenset({"*"})


def tenant_scope(tenant: TenantConfig) -> frozenset[str]:
    return ANY if tenant.jurisdictions == ["*"] else frozenset(tenant.jurisdictions)


def _narrow(allowed: frozenset[str], wanted: frozenset[str], source: str) -> frozenset[str]:
    if allowed is ANY:
        return wanted
    if not wanted <= allowed:
        raise RouterError(
            403,
            "jurisdiction_not_allowed",
            f"{source} asks for {sorted(wanted)} but this tenant may only use {sorted(allowed)}",
        )
    return wanted


class ResidencyResolver:
    def __init__(self, cfg: ResidencyConfig) -> None:
        self.header = cfg.header.lower().encode()
        self.country_header = (
            cfg.client_country_header.lower().encode() if cfg.client_country_header else None
        )
        self.unknown_country = cfg.unknown_country

    def resolve(self, allowed: frozenset[str], headers: dict[bytes, bytes]) -> frozenset[str]:
        scope = allowed
        raw = headers.get(self.header)
        if raw is not None:
            wanted = set()
            for part in raw.decode("latin-1").split(","):
                if not part.strip():
                    continue
                try:
                    wanted.add(catalog.jurisdiction(part).id)
                except catalog.UnknownJurisdictionError as exc:
                    raise RouterError(400, "unknown_jurisdiction", str(exc)) from None
            if not wanted:
                raise RouterError(400, "unknown_jurisdiction", "residency header is empty")
            scope = _narrow(scope, frozenset(wanted), "the residency header")
        if self.country_header is not None:
            country = headers.get(self.country_header)
            if country:
                try:
                    cj = catalog.country_jurisdictions(country.decode("latin-1"))
                except catalog.UnknownJurisdictionError as exc:
                    if self.unknown_country == "reject":
                        raise RouterError(403, "unknown_client_country", str(exc)) from None
                    cj = None
                if cj is not None:
                    scope = cj if scope is ANY else scope & cj
                    if not scope:
                        raise RouterError(
                            403,
                            "jurisdiction_not_allowed",
                            f"client country {country.decode('latin-1')!r} is in {sorted(cj)}, "
                            f"outside what this request may use",
                        )
        return scope


def backend_allowed(backend_jurisdiction: str, scope: frozenset[str]) -> bool:
    return scope is ANY or backend_jurisdiction in scope

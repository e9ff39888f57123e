"""How long each managed Kubernetes service keeps a minor version in standard support: data kept next
to the region catalog, with its sources. `meridian plan` refuses a cluster whose version is past its
end of standard support (or that the table does not list: fail closed) and warns within 90 days.

Sources, read 2026-12-01 (re-check when adding a version; the services publish a calendar each):
- EKS: Amazon EKS user guide, "Understand the Kubernetes version lifecycle on EKS" (14 months of
  standard support from EKS release), its release calendar as mirrored by endoflife.date/amazon-eks.
  1.36 is not listed here: its end date was not published in the sources read.
- GKE: GKE release schedule (cloud.google.com/kubernetes-engine/docs/release-schedule), "end of standard
  support" per minor, as mirrored by endoflife.date/google-kubernetes-engine (active support ends).
- AKS: "Supported Kubernetes versions in AKS", AKS Kubernetes release calendar (MicrosoftDocs/
  azure-aks-docs, articles/aks/supported-kubernetes-versions.md, 2026-08-21): end of life per minor,
  published to the month only - taken as the first day of that month (never later than AKS's date).
  LTS (one more year) needs the Premium tier, which Meridian does not configure."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

WARN_DAYS = 90


@dataclass(frozen=True, slots=True)
class SupportWindow:
    service: str  # eks | gke | aks
    version: str  # minor, e.g. "1.35"
    end_of_standard_support: date


_TABLE: dict[str, dict[str, date]] = {
    "eks": {
        "1.32": date(2026, 3, 23),
        "1.33": date(2026, 7, 29),
        "1.34": date(2026, 12, 2),
        "1.35": date(2027, 3, 27),
    },
    "gke": {
        "1.32": date(2026, 2, 28),
        "1.33": date(2026, 6, 30),
        "1.34": date(2026, 8, 30),
        "1.35": date(2027, 2, 28),
    },
    "aks": {
        "1.33": date(2026, 7, 1),
        "1.34": date(2026, 11, 1),
        "1.35": date(2027, 3, 1),
        "1.36": date(2027, 6, 1),
        "1.37": date(2027, 10, 1),
    },
}
SERVICE_OF_CLOUD = {"aws": "eks", "gcp": "gke", "azure": "aks"}


class UnsupportedVersionError(ValueError):
    """A Kubernetes version past its end of standard support, or not in the table."""


def window(service: str, version: str) -> SupportWindow:
    """The support window of a minor version (`1.35`, or a patch `1.35.2`). Raises for a version the
    table does not list (fail closed: an unknown version is never assumed to be supported)."""
    minor = ".".join(version.split(".")[:2])
    table = _TABLE.get(service)
    if table is None:
        raise UnsupportedVersionError(f"no support table for service {service!r}")
    if minor not in table:
        listed = ", ".join(sorted(table, key=lambda v: tuple(int(p) for p in v.split("."))))
        raise UnsupportedVersionError(
            f"Kubernetes {version} is not in the {service.upper()} support table (listed: {listed}); add it with "
            "its end of standard support from the service's calendar (meridian/catalog/support.py)")
    return SupportWindow(service, minor, table[minor])


def versions(service: str) -> tuple[str, ...]:
    return tuple(_TABLE.get(service, {}))

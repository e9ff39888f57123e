"""The tagging convention. Every data store, key and cluster carries `data-class` and `jurisdiction`
(and the common tags). The residency rules read exactly these keys back."""

from __future__ import annotations

import re

from meridian import catalog

DATA_CLASS_KEY = "data-class"
JURISDICTION_KEY = "jurisdiction"
DATA_CLASSES: tuple[str, ...] = ("pii", "restricted", "internal", "public")

_GCP_LABEL = re.compile(r"^[a-z][a-z0-9_-]{0,62}$")
_GCP_VALUE = re.compile(r"^[a-z0-9_-]{0,63}$")


class TagError(ValueError):
    pass


def residency_tags(data_class: str, jurisdiction: str, environment: str, **extra: str) -> dict[str, str]:
    """Tags for anything that holds data. Refuses unknown data classes and jurisdictions."""
    if data_class not in DATA_CLASSES:
        raise TagError(f"data class {data_class!r} is not one of {', '.join(DATA_CLASSES)}")
    catalog.jurisdiction(jurisdiction)  # fail closed
    tags = {
        DATA_CLASS_KEY: data_class,
        JURISDICTION_KEY: jurisdiction.lower(),
        "environment": environment,
        "managed-by": "meridian",
    }
    tags.update(extra)
    return tags


def gcp_labels(tags: dict[str, str]) -> dict[str, str]:
    """The same tags as GCP labels: keys start with a lowercase letter; keys and values use only
    lowercase letters, digits, '_' and '-', at most 63 characters."""
    out: dict[str, str] = {}
    for key, value in tags.items():
        k = re.sub(r"[^a-z0-9_-]", "-", key.lower())[:63]
        v = re.sub(r"[^a-z0-9_-]", "-", value.lower())[:63]
        if not _GCP_LABEL.match(k) or not _GCP_VALUE.match(v):
            raise TagError(f"tag {key}={value!r} cannot be expressed as a GCP label")
        out[k] = v
    return out


def global_resource_tags(tags: dict[str, str]) -> dict[str, str]:
    """Tags for a resource that sits in no region (Azure Private DNS zones and their VNet links,
    location "Global"): the residency keys are dropped, since such a resource is nowhere in
    particular and the generic location rule would rightly refuse it a jurisdiction."""
    return {k: v for k, v in tags.items() if k not in (DATA_CLASS_KEY, JURISDICTION_KEY)}

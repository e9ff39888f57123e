"""Which zones of a region offer a machine family that a node pool needs: catalog data, so a GPU pool
is only ever spread over zones that can run it.

GCP G2 (NVIDIA L4), from Compute Engine "GPU regions and zones" (cloud.google.com/compute/docs/gpus/
gpu-regions-zones, the G2 column), read 2026-12-01. A region not listed offers no G2 machines; the
config check refuses a GKE GPU pool there, naming the cluster and the region. Add a region (or a
family) here with its zones from that page."""

from __future__ import annotations

GCP_ZONES: dict[str, dict[str, tuple[str, ...]]] = {
    "g2": {
        "asia-east1": ("asia-east1-a", "asia-east1-b", "asia-east1-c"),
        "asia-northeast1": ("asia-northeast1-a", "asia-northeast1-b", "asia-northeast1-c"),
        "asia-northeast3": ("asia-northeast3-a", "asia-northeast3-b"),
        "asia-south1": ("asia-south1-a", "asia-south1-b", "asia-south1-c"),
        "asia-southeast1": ("asia-southeast1-a", "asia-southeast1-b", "asia-southeast1-c"),
        "europe-west1": ("europe-west1-b", "europe-west1-c"),
        "europe-west2": ("europe-west2-a", "europe-west2-b"),
        "europe-west3": ("europe-west3-a", "europe-west3-b"),
        "europe-west4": ("europe-west4-a", "europe-west4-b", "europe-west4-c"),
        "europe-west6": ("europe-west6-b", "europe-west6-c"),
        "me-central2": ("me-central2-a", "me-central2-c"),
        "northamerica-northeast2": ("northamerica-northeast2-a", "northamerica-northeast2-b"),
        "us-central1": ("us-central1-a", "us-central1-b", "us-central1-c"),
        "us-east1": ("us-east1-b", "us-east1-c", "us-east1-d"),
        "us-east4": ("us-east4-a", "us-east4-c"),
        "us-west1": ("us-west1-a", "us-west1-b", "us-west1-c"),
        "us-west4": ("us-west4-a", "us-west4-c"),
    },
}


def gcp_family(machine_type: str) -> str:
    """`g2-standard-8` -> `g2`."""
    return machine_type.split("-", 1)[0].lower()


def gcp_zones_offering(region: str, machine_type: str) -> tuple[str, ...] | None:
    """The zones of `region` that offer `machine_type`'s family; None when the catalog has no data for
    the family (callers fail closed), () when the region offers none."""
    table = GCP_ZONES.get(gcp_family(machine_type))
    if table is None:
        return None
    return table.get(region, ())

"""Spanner instances and instance configurations. `config` "regional-<region>" is that region; a
multi-region config is placed by the catalog's Spanner configurations (read-write, read-only and
witness replicas all hold data), or by an InstanceConfig resource in the stack (`replicas[].location`);
any other config fails closed (its members are not guessed)."""

from __future__ import annotations

from meridian import catalog
from meridian.rules.facts import (
    Placement,
    known,
    place,
    place_all,
    unplaced,
)
from meridian.rules.stack import Resource, StackView
from meridian.rules.stores.gcp_common import (
    IAM,
    NOLOGS,
    NOVER,
    TLS,
    gcp_kind,
    members_target,
)
from meridian.rules.stores.kind import NotApplicable

SPANNER_INSTANCE = "gcp:spanner/instance:Instance"

SPANNER_CONFIG = "gcp:spanner/instanceConfig:InstanceConfig"


def spanner_locate(res: Resource, view: StackView) -> Placement:
    cfg = res.props.get("config")
    if not known(cfg):
        return unplaced("gcp", f"the config of {res.name} cannot be determined (fail closed)")
    cfg = str(cfg).rsplit("/", 1)[-1]
    if cfg.startswith("regional-"):
        return place("gcp", cfg.removeprefix("regional-"), f"config of {res.name}")
    custom = view.find(cfg, SPANNER_CONFIG)
    if custom is not None:
        return config_locate(custom, view)
    svc = catalog.service_location("spanner", cfg)
    if svc is None:
        return unplaced(
            "gcp",
            f"Spanner configuration {cfg!r} is not in the catalog and not in the stack; its "
            "replica regions are unknown (fail closed)",
        )
    return place_all("gcp", svc.members, f"Spanner configuration {cfg}")


def config_locate(res: Resource, view: StackView) -> Placement:
    locs = [r.get("location") for r in res.props.get("replicas") or [] if isinstance(r, dict)]
    return place_all("gcp", locs, f"replica locations of {res.name}")


SPANNER_KIND = gcp_kind(
    "gcp-spanner-instance",
    "Spanner instance",
    (SPANNER_INSTANCE,),
    spanner_locate,
    replicas=lambda res, view: members_target(
        spanner_locate(res, view), f"instance config {res.props.get('config')}"
    ),
    key=NotApplicable("Spanner keys are set per database (encryptionConfig)"),
    logs_backups=NOLOGS,
    public_access=IAM,
    tls_only=TLS,
    versioning=NOVER,
    doc=__doc__ or "",
)

SPANNER_CONFIG_KIND = gcp_kind(
    "gcp-spanner-instance-config",
    "Spanner instance configuration",
    (SPANNER_CONFIG,),
    config_locate,
    replicas=lambda res, view: members_target(config_locate(res, view), f"instance config {res.name}"),
    key=NotApplicable("a configuration holds no data of its own"),
    logs_backups=NOLOGS,
    public_access=IAM,
    tls_only=TLS,
    versioning=NOVER,
    doc=__doc__ or "",
)

KINDS = (SPANNER_KIND, SPANNER_CONFIG_KIND)

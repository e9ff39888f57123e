"""Build the audit report from a stack-export document: inventory + violations."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from meridian import catalog
from meridian.rules import PackConfig, StackView, Violation, evaluate_view
from meridian.rules.facts import (
    CF_LB,
    Placement,
    classify,
    cloud_of,
    key_use,
    kind_of,
    labels,
    lb_jurisdiction,
    lb_routes,
    log_and_backup_targets,
    placement,
    pool_placement,
    regional_services,
    replicas,
)
from meridian.rules.stores import CLASSIFIED_TOKENS
from meridian.tags import JURISDICTION_KEY


def _where(p: Placement | None) -> dict[str, Any]:
    if p is None:
        return {"region": None, "country": None, "jurisdictions": [], "error": None}
    return {
        "region": p.region_id,
        "country": p.region.country if p.region else None,
        "jurisdictions": sorted(p.region.jurisdictions) if p.region else [],
        "members": [m.id for m in p.members] if len(p.members) > 1 else [],
        "error": p.error,
    }


@dataclass
class Report:
    source: str
    resources: int
    stores: list[dict[str, Any]] = field(default_factory=list)
    hostnames: list[dict[str, Any]] = field(default_factory=list)
    violations: list[Violation] = field(default_factory=list)
    # urn -> where the program declared it, as the engine stores it (`project:///infra/x.py#12`)
    positions: dict[str, str] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "resources": self.resources,
            "summary": self.summary(),
            "violations": [v.as_dict() for v in self.violations],
            "stores": self.stores,
            "hostnames": self.hostnames,
        }

    def summary(self) -> dict[str, Any]:
        by_rule: dict[str, int] = {}
        for v in self.violations:
            by_rule[v.rule] = by_rule.get(v.rule, 0) + 1
        return {
            "stores": len(self.stores),
            "hostnames": len(self.hostnames),
            "violations": len(self.violations),
            "mandatory": sum(1 for v in self.violations if v.enforcement == "mandatory"),
            "by_rule": dict(sorted(by_rule.items())),
        }


def store_entry(res: Any, view: StackView) -> dict[str, Any]:
    c = classify(res, view)
    kind = kind_of(res)
    home = placement(res, view)
    use = key_use(res, view)
    names = [res.props.get(k) for k in (*kind.name_keys, "name")] if kind is not None else [res.props.get("name")]
    meta = res.props.get("metadata")
    if isinstance(meta, dict):  # Kubernetes objects: namespace/name
        names.insert(0, "/".join(str(meta[k]) for k in ("namespace", "name") if isinstance(meta.get(k), str)))
    return {
        "urn": res.urn,
        "name": next((str(n) for n in names if isinstance(n, str) and n), res.name),
        "type": res.type,
        "kind": kind.id if kind is not None else None,
        "kind_title": kind.title if kind is not None else res.type,
        "role": kind.role if kind is not None else "store",
        "cloud": cloud_of(res.type),
        **_where(home),
        "jurisdiction": c.jurisdiction,
        "data_class": c.data_class,
        "key": None if use.key_ref is None else {"ref": use.key_ref, **_where(use.placement)},
        "replication": [{"target": t.name, "via": t.via, **_where(t.placement)} for t in replicas(res, view)],
        "logs_backups": [{"kind": t.kind, "target": t.name, **_where(t.placement)}
                         for t in log_and_backup_targets(res, view)],
        "protected": bool(res.protect or res.retain_on_delete),
    }


def hostname_entry(lb: Any, view: StackView, options: Mapping[str, Any]) -> dict[str, Any] | None:
    jid, err = lb_jurisdiction(lb, dict(options))
    if jid is None and err is None:
        return None
    routes: dict[str, list[dict[str, Any]]] = {}
    for route, pid, pool in lb_routes(lb, view):
        if pool is None:
            entry = {"pool": pid, "cloud": None, "region": None, "country": None, "jurisdictions": [],
                     "error": "pool not in the stack"}
        else:
            p = pool_placement(pool, dict(options))
            entry = {"pool": pool.props.get("name") or pool.name, "cloud": p.cloud if p.region else None, **_where(p)}
        routes.setdefault(route, []).append(entry)
    default = routes.get("default", [])
    fallback = routes.get("fallback", [])
    countries: set[str] = set()
    if jid:
        countries |= set(catalog.jurisdiction(jid).countries)
    countries |= {r.split(":", 1)[1] for r in routes if r.startswith("country:")}
    per_country = {}
    for cc in sorted(countries):
        pools = routes.get(f"country:{cc}") or default
        seen: dict[str, dict[str, Any]] = {}
        for e in [*pools, *fallback]:
            seen[e["pool"]] = e
        per_country[cc] = sorted(seen.values(), key=lambda e: e["pool"])
    return {
        "hostname": lb.props.get("name") or lb.name,
        "urn": lb.urn,
        "jurisdiction": jid,
        "regional_services": regional_services(lb.props.get("name"), view),
        "regional_services_expected": catalog.cloudflare_region(jid) if jid else None,
        "error": err,
        "routes": routes,
        "per_country": per_country,
    }


def build_report(document: Mapping[str, Any], source: str = "<document>",
                 config: PackConfig | None = None) -> Report:
    """Raises ValueError when the document is not a stack export."""
    view = StackView.from_document(document)
    config = config or PackConfig()
    report = Report(source, len(view))
    deployment = document.get("deployment", document)
    for r in deployment.get("resources") or [] if isinstance(deployment, Mapping) else []:
        if isinstance(r, Mapping) and isinstance(r.get("sourcePosition"), str) and isinstance(r.get("urn"), str):
            report.positions[r["urn"]] = r["sourcePosition"]
    report.violations = evaluate_view(view, config)
    report.stores = [store_entry(r, view) for r in view.of_type(*sorted(CLASSIFIED_TOKENS))]
    # Anything else the program declares as holding data (a `jurisdiction` tag or label, whatever its
    # type: a Kubernetes StorageClass, a workload that keeps state) is in the inventory too.
    report.stores += [store_entry(r, view) for r in view.of_type("*")
                      if not r.type.startswith("meridian:") and kind_of(r) is None and JURISDICTION_KEY in labels(r)]
    options = config.for_rule("residency-cloudflare-steering").options
    for lb in view.of_type(CF_LB):
        entry = hostname_entry(lb, view, options)
        if entry is not None:
            report.hostnames.append(entry)
    return report

"""A residency-bound hostname's load balancer reaches only pools in its jurisdiction, fallback included.

Conventions (see meridian/rules/README.md):
- an LB is residency-bound when its description carries `jurisdiction=<id>` (or the policy config
  `residencyHostnames: {"<hostname>": "<id>"}` names it);
- a pool states where it is with `region=<cloud>:<region>` in its description (or the policy config
  `poolRegions: {"<pool name>": "<cloud>:<region>"}`). A pool that states nothing fails closed."""

from __future__ import annotations

from collections.abc import Iterator

from meridian import catalog
from meridian.rules.facts import CF_LB, lb_jurisdiction, lb_routes, pool_placement, regional_services
from meridian.rules.model import Finding, Rule, RuleSettings
from meridian.rules.stack import Resource, StackView


def check(res: Resource, view: StackView, settings: RuleSettings) -> Iterator[Finding]:
    jid, err = lb_jurisdiction(res, dict(settings.options))
    host = res.props.get("name") or res.name
    if err:
        yield Finding(f"hostname {host}: {err}")
        return
    if jid is None:
        return
    wanted = catalog.cloudflare_region(jid)
    got = regional_services(host, view)
    if wanted is None:
        yield Finding(f"hostname {host} is bound to '{jid}', which has no Cloudflare Regional Services region in the "
                      "catalog: its TLS may be terminated outside the jurisdiction", jid)
    elif got != wanted:
        yield Finding(f"hostname {host} is bound to '{jid}' but " + (
            f"its Regional Services region is {got!r}, not {wanted!r}" if got else
            f"is not regionalized (no RegionalHostname with regionKey {wanted!r})") +
            ": Cloudflare may decrypt its requests outside the jurisdiction", jid)
    unknown: dict[str, list[str]] = {}
    outside: dict[str, list[str]] = {}
    detail: dict[str, str] = {}
    deferred: dict[str, list[str]] = {}
    for route, pid, pool in lb_routes(res, view):
        if pool is None:
            unknown.setdefault(pid, []).append(route)
            continue
        p = pool_placement(pool, dict(settings.options))
        pname = pool.props.get("name") or pool.name
        if p.error and p.deferred:
            deferred.setdefault(pname, []).append(route)
        elif p.error:
            outside.setdefault(pname, []).append(route)
            detail[pname] = f"whose location is unknown: {p.error}"
        elif not p.within(jid):
            outside.setdefault(pname, []).append(route)
            detail[pname] = (f"in {p.cloud}:{p.region_id} ({p.region.country if p.region else '?'}), "
                             f"outside '{jid}'")
    for pid, routes in unknown.items():
        yield Finding(f"hostname {host} ({', '.join(routes)}) can reach pool {pid}, which is not in the stack "
                      "(fail closed)", jid)
    for pname, routes in outside.items():
        yield Finding(f"hostname {host} ({', '.join(routes)}) can reach pool {pname} {detail[pname]}", jid)
    for pname, routes in deferred.items():
        yield Finding(f"hostname {host} ({', '.join(routes)}): where pool {pname} is cannot be known until the "
                      "update", jid, deferred=True)


RULE = Rule(
    id="residency-cloudflare-steering",
    name="Residency-bound hostnames steer only to in-jurisdiction pools",
    severity="critical",
    frameworks=("GDPR Art. 44", "UK-GDPR Art. 44"),
    description="For a Cloudflare load balancer bound to a jurisdiction, every pool it can reach (default "
    "pools, fallback pool, region/country/PoP pools and rule overrides) is in a region of that jurisdiction, and "
    "the hostname is regionalized (a RegionalHostname with the jurisdiction's Regional Services region key), so "
    "its TLS is terminated only inside the jurisdiction.",
    remediation="Remove out-of-jurisdiction pools from the load balancer, including fallback_pool_id; "
    "set region=<cloud>:<region> in every pool's description.",
    types=frozenset({CF_LB}),
    check=check,
    tags=("residency", "cloudflare"),
)

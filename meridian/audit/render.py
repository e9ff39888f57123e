"""Renderers of the audit report: md, json, sarif (2.1.0, GitHub code scanning), html."""

from __future__ import annotations

import hashlib
import html
import json
from typing import Any

from meridian.audit.report import Report
from meridian.rules import RULES_BY_ID
from meridian.rules.stack import urn_stack

FORMATS = ("md", "json", "sarif", "html")


def _loc(entry: dict[str, Any]) -> str:
    if entry.get("error"):
        return f"unknown ({entry['error']})"
    juris = "/".join(entry.get("jurisdictions") or []) or "?"
    return f"{entry.get('region')} ({entry.get('country') or '?'}, {juris})"


def _group_by_jurisdiction(stores: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for s in stores:
        out.setdefault(s["jurisdiction"] or "unclassified", []).append(s)
    return dict(sorted(out.items()))


def _group_by_kind(stores: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for s in stores:
        out.setdefault(s.get("kind_title") or s["type"], []).append(s)
    return dict(sorted(out.items()))


# --- markdown ------------------------------------------------------------------------------------
def _md_cell(value: Any) -> str:
    return str(value).replace("|", "\\|").replace("\n", " ")


def render_md(report: Report) -> str:
    s = report.summary()
    lines = [
        f"# Residency audit: {report.source}",
        "",
        f"{report.resources} resources, {s['stores']} data stores, {s['hostnames']} residency-bound hostnames, "
        f"**{s['violations']} violations** ({s['mandatory']} mandatory).",
        "",
        "## Violations",
        "",
    ]
    if report.violations:
        lines += ["| rule | severity | jurisdiction | resource | message |", "|---|---|---|---|---|"]
        for v in report.violations:
            lines.append(f"| {v.rule} | {v.severity} | {v.jurisdiction or '-'} | `{_md_cell(v.urn)}` | {_md_cell(v.message)} |")
    else:
        lines.append("None.")
    lines += ["", "## Data stores", ""]
    for jid, stores in _group_by_jurisdiction(report.stores).items():
        lines += [f"### {jid}", "", "| store | kind | cloud | location | data class | key | replicas | logs/backups |",
                  "|---|---|---|---|---|---|---|---|"]
        for st in stores:
            key = _loc(st["key"]) if st["key"] else "provider-managed"
            reps = "; ".join(f"{r['target']}: {_loc(r)}" for r in st["replication"]) or "none"
            logs = "; ".join(f"{t['kind']} {t['target']}: {_loc(t)}" for t in st["logs_backups"]) or "none"
            lines.append(f"| {_md_cell(st['name'])} | {_md_cell(st.get('kind_title') or st['type'])} | {st['cloud']} | "
                         f"{_md_cell(_loc(st))} | "
                         f"{st['data_class'] or 'unclassified'} | {_md_cell(key)} | {_md_cell(reps)} | {_md_cell(logs)} |")
        lines.append("")
    lines += ["## Residency-bound hostnames", ""]
    if not report.hostnames:
        lines.append("None.")
    for h in report.hostnames:
        lines += [f"### {h['hostname']} (jurisdiction {h['jurisdiction'] or h['error']})", "",
                  "| country | reachable pools |", "|---|---|"]
        for cc, pools in h["per_country"].items():
            lines.append(f"| {cc} | {_md_cell(', '.join(p['pool'] + ' ' + _loc(p) for p in pools))} |")
        lines.append("")
    return "\n".join(lines) + "\n"


# --- json ----------------------------------------------------------------------------------------
def render_json(report: Report) -> str:
    return json.dumps(report.as_dict(), indent=2) + "\n"


# --- sarif ---------------------------------------------------------------------------------------
_SARIF_LEVEL = {"critical": "error", "high": "error", "medium": "warning", "low": "note"}
_SECURITY_SEVERITY = {"critical": "9.5", "high": "8.0", "medium": "5.5", "low": "3.0"}


def sarif_location(position: str | None, urn: str, source_root: str) -> tuple[str, int]:
    """(repository-relative path, line) of the code that declared a resource: its engine
    sourcePosition (`project:///infra/x.py#12[,4]`, relative to the Pulumi project, which sits at
    `source_root` in the repository); without one, the stack's file `Pulumi.<stack>.yaml`, line 1."""
    prefix = source_root.strip("/")
    if position and position.startswith("project:///"):
        path, _, frag = position.removeprefix("project:///").partition("#")
        line = frag.split(",", 1)[0]
        return (f"{prefix}/{path}" if prefix else path), int(line) if line.isdigit() and int(line) > 0 else 1
    stack = urn_stack(urn) or "stack"
    return (f"{prefix}/Pulumi.{stack}.yaml" if prefix else f"Pulumi.{stack}.yaml"), 1


def _unique(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))


def render_sarif(report: Report, source_root: str = "") -> str:
    """SARIF 2.1.0 for GitHub code scanning: each result located at the source line that declared the
    resource (relative to the repository root, `%SRCROOT%`), rules with unique tags and a security
    severity, fingerprints that depend only on the rule, the resource and the finding's ordinal (no
    churn between nightly runs while the finding stands)."""
    rule_ids = sorted(RULES_BY_ID)
    rules = []
    for rid in rule_ids:
        r = RULES_BY_ID[rid]
        rules.append({
            "id": r.id,
            "name": "".join(p.capitalize() for p in r.id.split("-")),
            "shortDescription": {"text": r.name},
            "fullDescription": {"text": r.description},
            "help": {"text": f"{r.description}\n\nRemediation: {r.remediation}",
                     "markdown": f"{r.description}\n\n**Remediation:** {r.remediation}"},
            "defaultConfiguration": {"level": _SARIF_LEVEL[r.severity]},
            "properties": {"tags": _unique(["security", *r.tags, *r.frameworks]),
                           "security-severity": _SECURITY_SEVERITY[r.severity], "precision": "high"},
        })
    results = []
    artifacts: list[str] = []
    seen: dict[tuple[str, str], int] = {}
    for v in report.violations:
        ordinal = seen.get((v.rule, v.urn), 0)
        seen[(v.rule, v.urn)] = ordinal + 1
        fp = hashlib.sha256(f"{v.rule}|{v.urn}|{ordinal}".encode()).hexdigest()
        uri, line = sarif_location(report.positions.get(v.urn), v.urn, source_root)
        if uri not in artifacts:
            artifacts.append(uri)
        results.append({
            "ruleId": v.rule,
            "ruleIndex": rule_ids.index(v.rule),
            "level": _SARIF_LEVEL[v.severity] if v.enforcement == "mandatory" else "warning",
            "message": {"text": f"{v.urn}: {v.message}"},
            "locations": [{
                "physicalLocation": {
                    "artifactLocation": {"uri": uri, "uriBaseId": "%SRCROOT%", "index": artifacts.index(uri)},
                    "region": {"startLine": line},
                },
                "logicalLocations": [{"fullyQualifiedName": v.urn, "kind": "resource"}],
            }],
            "partialFingerprints": {"meridianViolation/v2": fp},
            "properties": {"jurisdiction": v.jurisdiction, "dataClass": v.data_class,
                           "enforcement": v.enforcement, "resourceType": v.type, "stackState": report.source},
        })
    doc = {
        "$schema": "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "meridian-audit", "version": "0.1.0", "semanticVersion": "0.1.0",
                                "informationUri": "https://github.com/meridian/meridian", "rules": rules}},
            "originalUriBaseIds": {"%SRCROOT%": {"description": {"text": "the repository root"}}},
            "artifacts": [{"location": {"uri": u, "uriBaseId": "%SRCROOT%"}, "roles": ["analysisTarget"],
                           "sourceLanguage": "python" if u.endswith(".py") else "yaml"} for u in artifacts],
            "results": results,
        }],
    }
    return json.dumps(doc, indent=2) + "\n"


# --- html ----------------------------------------------------------------------------------------
_CSS = """body{font-family:system-ui,sans-serif;margin:2rem;color:#222}table{border-collapse:collapse;
margin:.5rem 0 1.5rem;width:100%}th,td{border:1px solid #ccc;padding:.3rem .5rem;text-align:left;
vertical-align:top;font-size:.9rem}th{background:#f3f3f3}.bad{color:#a00;font-weight:600}
.ok{color:#070;font-weight:600}code{font-size:.8rem;word-break:break-all}.summary{font-size:1.1rem}"""


def _html_store_row(st: dict[str, Any]) -> str:
    e = html.escape
    key = _loc(st["key"]) if st["key"] else "provider-managed"
    reps = "<br>".join(e(f"{r['target']}: {_loc(r)}") for r in st["replication"]) or "none"
    logs = "<br>".join(e(f"{t['kind']} {t['target']}: {_loc(t)}") for t in st["logs_backups"]) or "none"
    return (f"<tr><td>{e(str(st['name']))}<br><code>{e(st['urn'])}</code></td><td>{e(st['cloud'])}</td>"
            f"<td>{e(_loc(st))}</td><td>{e(st['data_class'] or 'unclassified')}</td><td>{e(key)}</td>"
            f"<td>{reps}</td><td>{logs}</td><td>{'yes' if st['protected'] else 'no'}</td></tr>")


def render_html(report: Report) -> str:
    e = html.escape
    s = report.summary()
    status = (f'<span class="bad">{s["violations"]} violations ({s["mandatory"]} mandatory)</span>'
              if s["violations"] else '<span class="ok">no violations</span>')
    out = [
        "<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
        f"<title>Residency audit: {e(report.source)}</title><style>{_CSS}</style></head><body>",
        f"<h1>Residency audit: {e(report.source)}</h1>",
        f'<p class="summary">{report.resources} resources, {s["stores"]} data stores, '
        f'{s["hostnames"]} residency-bound hostnames: {status}.</p>',
        "<h2>Violations</h2>",
    ]
    if report.violations:
        out.append("<table><tr><th>rule</th><th>severity</th><th>enforcement</th><th>jurisdiction</th>"
                   "<th>resource</th><th>finding</th><th>remediation</th></tr>")
        for v in report.violations:
            out.append(f"<tr><td>{e(v.rule)}</td><td>{e(v.severity)}</td><td>{e(v.enforcement)}</td>"
                       f"<td>{e(v.jurisdiction or '-')}</td><td><code>{e(v.urn)}</code></td>"
                       f"<td>{e(v.message)}</td><td>{e(RULES_BY_ID[v.rule].remediation)}</td></tr>")
        out.append("</table>")
    else:
        out.append('<p class="ok">None.</p>')
    out.append("<h2>Data stores by jurisdiction</h2>")
    for jid, stores in _group_by_jurisdiction(report.stores).items():
        out.append(f"<h3>{e(jid)} ({len(stores)})</h3>")
        for title, group in _group_by_kind(stores).items():
            out.append(f"<h4>{e(title)} ({len(group)})</h4><table><tr><th>store</th><th>cloud</th><th>location</th>"
                       "<th>data class</th><th>customer key</th><th>replicas</th><th>logs / backups</th>"
                       "<th>protected</th></tr>")
            out.extend(_html_store_row(st) for st in group)
            out.append("</table>")
    out.append("<h2>Residency-bound hostnames</h2>")
    if not report.hostnames:
        out.append("<p>None.</p>")
    for h in report.hostnames:
        out.append(f"<h3>{e(str(h['hostname']))} — jurisdiction {e(str(h['jurisdiction'] or h['error']))}</h3>"
                   "<table><tr><th>user country</th><th>pools reachable (incl. fallback)</th></tr>")
        for cc, pools in h["per_country"].items():
            cell = "<br>".join(e(f"{p['pool']}: {_loc(p)}") for p in pools)
            out.append(f"<tr><td>{e(cc)}</td><td>{cell}</td></tr>")
        out.append("</table>")
    out.append("</body></html>")
    return "\n".join(out) + "\n"


def render(report: Report, fmt: str, source_root: str = "") -> str:
    if fmt == "md":
        return render_md(report)
    if fmt == "json":
        return render_json(report)
    if fmt == "sarif":
        return render_sarif(report, source_root)
    if fmt == "html":
        return render_html(report)
    raise ValueError(f"unknown format {fmt!r}")

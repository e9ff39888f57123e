"""`meridian audit --state FILE [--format md|json|sarif|html] [--out FILE] [--policy-config FILE]`.

Exit 0: no violations; 1: violations; 2: unreadable or malformed state (one-line error)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from meridian.audit.render import FORMATS, render
from meridian.audit.report import build_report
from meridian.rules import PackConfig

EXIT_OK, EXIT_VIOLATIONS, EXIT_BAD_INPUT = 0, 1, 2


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="meridian audit",
                                description="Residency audit of a `pulumi stack export` document or an offline plan.")
    p.add_argument("--state", required=True, help="stack export JSON (`pulumi stack export --file FILE`) or plan JSON")
    p.add_argument("--format", choices=FORMATS, default="md", help="report format (default: md)")
    p.add_argument("--out", help="write the report here instead of stdout")
    p.add_argument("--policy-config", help="policy pack config JSON (same file as --policy-pack-config)")
    p.add_argument("--source-root", default="",
                   help="sarif: where the Pulumi project sits in the repository (default: its root), so that "
                        "results point at the code that declared each resource")
    return p


def _fail(message: str) -> int:
    print(f"meridian audit: {message}", file=sys.stderr)
    return EXIT_BAD_INPUT


def audit_main(args: list[str]) -> int:
    try:
        ns = _parser().parse_args(args)
    except SystemExit as e:  # argparse already printed usage
        return EXIT_OK if e.code == 0 else EXIT_BAD_INPUT
    path = Path(ns.state)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return _fail(f"{path}: no such file")
    except (OSError, UnicodeDecodeError) as e:
        return _fail(f"{path}: cannot read ({e.__class__.__name__}: {e})")
    try:
        document = json.loads(text)
    except json.JSONDecodeError as e:
        return _fail(f"{path}: not valid JSON ({e.msg} at line {e.lineno}, column {e.colno})")
    config = None
    if ns.policy_config:
        try:
            config = PackConfig.from_mapping(json.loads(Path(ns.policy_config).read_text()))
            from meridian.rules.registry import classifications

            classifications(config)
        except (OSError, ValueError, AttributeError) as e:
            return _fail(f"{ns.policy_config}: bad policy config ({e})")
    try:
        report = build_report(document, source=str(path), config=config)
    except ValueError as e:
        return _fail(f"{path}: not a stack export: {e}")
    output = render(report, ns.format, ns.source_root)
    if ns.out:
        out = Path(ns.out)
        try:
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_text(output, encoding="utf-8")
        except OSError as e:
            return _fail(f"{out}: cannot write report ({e})")
        print(f"meridian audit: {len(report.violations)} violations; report written to {out}", file=sys.stderr)
    else:
        sys.stdout.write(output)
    return EXIT_VIOLATIONS if report.violations else EXIT_OK


def main() -> None:
    sys.exit(audit_main(sys.argv[1:]))


if __name__ == "__main__":
    main()

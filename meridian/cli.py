"""The `meridian` command: offline plan and residency audit.

  meridian plan <stack> [--out FILE] [--root DIR] [--quiet] [--preview] [--diff OLD.json]
  meridian audit --state FILE [--format md|json|sarif|html] [--out FILE]
  meridian policy-pack build [--out DIR]

Exit codes: 0 clean, 1 mandatory policy violations, 2 bad config or unreadable input."""

from __future__ import annotations

import argparse
import json
import sys
import threading
import time
from pathlib import Path

EXIT_OK, EXIT_VIOLATIONS, EXIT_BAD_INPUT = 0, 1, 2


def _progress(quiet: bool):  # type: ignore[no-untyped-def]
    def say(message: str) -> None:
        if not quiet:
            print(f"meridian: {message}", file=sys.stderr, flush=True)

    return say


class _Ticker:
    """Prints how many resources have been registered every couple of seconds while the program runs."""

    def __init__(self, say, count) -> None:  # type: ignore[no-untyped-def]
        self._say, self._count = say, count
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        started = time.monotonic()
        while not self._stop.wait(2.0):
            n, took = self._count(), time.monotonic() - started
            if n:
                self._say(f"... {n} resources registered ({took:.0f}s)")
            else:  # imports and the program's own code run before the first registration is answered
                self._say(f"... importing the provider SDKs and building the resource graph ({took:.0f}s)")

    def __enter__(self) -> _Ticker:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def cmd_plan(args: argparse.Namespace) -> int:
    from meridian.config import ConfigError
    from meridian.plan import runner
    from meridian.plan.summary import render

    say = _progress(args.quiet)
    root = Path(args.root).resolve()
    old = None
    if args.diff:  # read the earlier plan first: a bad file fails before anything runs
        from meridian.plan.diff import DiffError, check_document

        try:
            old = check_document(json.loads(Path(args.diff).read_text()), "old")
        except (OSError, ValueError, DiffError) as e:
            print(f"meridian: --diff {args.diff}: {e}", file=sys.stderr)
            return EXIT_BAD_INPUT
    say(f"validating Pulumi.{args.stack}.yaml")
    counter = {"n": 0}
    try:
        import meridian.plan.monitor as monitor_mod

        original = monitor_mod.CapturingMonitor.RegisterResource

        def counting(self, request):  # type: ignore[no-untyped-def]
            counter["n"] += 1
            return original(self, request)

        monitor_mod.CapturingMonitor.RegisterResource = counting  # type: ignore[method-assign]
        try:
            with _Ticker(say, lambda: counter["n"]):
                plan = runner.run_plan(args.stack, root, progress=say, preview=args.preview)
        finally:
            monitor_mod.CapturingMonitor.RegisterResource = original  # type: ignore[method-assign]
    except ConfigError as e:
        print(f"meridian: {e}", file=sys.stderr)
        return EXIT_BAD_INPUT

    for warning in plan.warnings:
        print(f"meridian: warning: {warning}", file=sys.stderr)
    if args.out:
        out = Path(args.out)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(runner.dumps(plan.document))
        say(f"wrote {out} ({len(plan.resources)} resources, `pulumi stack export` shape)")
    if not args.quiet:
        print(render(plan.document, args.stack, plan.seconds))
    if old is not None:
        from meridian.plan.diff import diff_documents, render_diff

        print(render_diff(diff_documents(old, plan.document)))
    return _policy_exit(plan.document, args.quiet, args.preview)


def _policy_exit(document: dict, quiet: bool, preview: bool = False) -> int:
    try:
        from meridian.policy_runner import evaluate
    except ImportError:  # the policy pack is not part of this build
        return EXIT_OK
    violations = evaluate(document, preview=preview)
    mandatory = [v for v in violations if getattr(v, "enforcement", "mandatory") == "mandatory"]
    if violations:
        print("", file=sys.stderr)
        print(f"Policy violations ({len(mandatory)} mandatory, {len(violations) - len(mandatory)} advisory):",
              file=sys.stderr)
        for v in violations:
            print(f"  [{getattr(v, 'enforcement', 'mandatory')}] {v.rule}: {v.urn}\n      {v.message}", file=sys.stderr)
    elif not quiet:
        print("\nPolicy pack: no violations.")
    return EXIT_VIOLATIONS if mandatory else EXIT_OK


def cmd_audit(args: argparse.Namespace, rest: list[str]) -> int:
    from meridian.audit.cli import audit_main

    return audit_main(rest)


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = argparse.ArgumentParser(prog="meridian", description="Meridian: offline plan and residency audit")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("plan", help="run the infra program offline under the Pulumi mock runtime")
    p.add_argument("stack", help="stack name: reads Pulumi.<stack>.yaml (e.g. dev, prod)")
    p.add_argument("--out", help="write the plan as a `pulumi stack export`-shaped JSON document")
    p.add_argument("--root", default=".", help="project directory holding Pulumi.yaml (default: .)")
    p.add_argument("--quiet", action="store_true", help="print nothing but errors and violations")
    p.add_argument("--preview", action="store_true",
                   help="plan a first `pulumi preview`: nothing exists yet, values computed from other resources "
                        "are unknown, and the pack defers the checks that need them (as it does under the CLI)")
    p.add_argument("--diff", metavar="OLD.json",
                   help="print what changed against an earlier plan: resources added, removed, replaced, changed")
    sub.add_parser("audit", help="residency audit of a stack export (see `meridian audit --help`)", add_help=False)
    pp = sub.add_parser("policy-pack", help="build the self-contained policy pack for `pulumi policy publish`")
    pp.add_argument("action", choices=["build"])
    pp.add_argument("--out", default="dist/policy-pack", help="where to write it (default: dist/policy-pack)")
    if argv[:1] == ["audit"]:
        return cmd_audit(argparse.Namespace(), argv[1:])
    args = parser.parse_args(argv)
    if args.command == "plan":
        if not (Path(args.root) / "Pulumi.yaml").exists():
            print(f"meridian: no Pulumi.yaml in {Path(args.root).resolve()} (use --root)", file=sys.stderr)
            return EXIT_BAD_INPUT
        return cmd_plan(args)
    if args.command == "policy-pack":
        from meridian.policy_build import BuildError, build_pack

        try:
            out = build_pack(Path(args.out))
        except (BuildError, OSError) as e:
            print(f"meridian: policy-pack build: {e}", file=sys.stderr)
            return EXIT_BAD_INPUT
        print(f"meridian: wrote the publishable pack to {out} (pulumi policy publish {out})")
        return EXIT_OK
    return EXIT_BAD_INPUT


if __name__ == "__main__":
    sys.exit(main())

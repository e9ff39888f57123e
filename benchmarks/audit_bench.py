"""Time the residency audit (all rules + inventory + every renderer) on a 10,000-resource export.

    uv run python benchmarks/audit_bench.py [N]"""

from __future__ import annotations

import json
import sys
import time

from meridian.audit.render import FORMATS, render
from meridian.audit.report import build_report
from meridian.audit.synthetic import synthetic_export


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    doc = synthetic_export(n)
    text = json.dumps(doc)
    started = time.perf_counter()
    report = build_report(json.loads(text), source="synthetic.json")
    audited = time.perf_counter() - started
    print(f"audit of {report.resources} resources ({len(report.stores)} stores, {len(report.hostnames)} hostnames): "
          f"{audited:.2f}s, {len(report.violations)} violations")
    for fmt in FORMATS:
        t = time.perf_counter()
        out = render(report, fmt)
        print(f"  render {fmt}: {time.perf_counter() - t:.2f}s ({len(out) // 1024} KiB)")


if __name__ == "__main__":
    main()

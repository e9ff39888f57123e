"""How long `meridian plan` takes, and how it grows with the number of cluster regions.

    uv run python benchmarks/plan_bench.py [--runs 5] [--sizes 1,2,4,8,16]

Each run is a fresh `meridian plan` process (imports included, as a user sees it). Prints the median
and spread per stack, then a growth table over synthetic stacks of N clusters spread round-robin over
the three clouds. Figures only: this machine is shared and noisy, nothing here passes or fails."""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
REGIONS = {
    "aws": [("us-east-1", "us"), ("us-west-2", "us"), ("eu-west-1", "eu"), ("eu-central-1", "eu"),
            ("us-east-2", "us"), ("eu-north-1", "eu")],
    "gcp": [("us-central1", "us"), ("europe-west1", "eu"), ("us-east1", "us"), ("europe-west4", "eu"),
            ("us-west1", "us"), ("europe-north1", "eu")],
    "azure": [("eastus", "us"), ("westeurope", "eu"), ("westus2", "us"), ("northeurope", "eu"),
              ("centralus", "us"), ("swedencentral", "eu")],
}


def time_plan(stack: str, root: Path) -> tuple[float, int]:
    with tempfile.NamedTemporaryFile(suffix=".json") as out:
        started = time.perf_counter()
        proc = subprocess.run(
            [sys.executable, "-m", "meridian.cli", "plan", stack, "--root", str(root), "--out", out.name, "--quiet"],
            capture_output=True, text=True,
        )
        elapsed = time.perf_counter() - started
        if proc.returncode == 2:
            raise SystemExit(f"plan {stack} failed:\n{proc.stderr}")
        count = len(json.loads(Path(out.name).read_text())["deployment"]["resources"])
    return elapsed, count


def synthetic_stack(n: int, root: Path) -> str:
    base = yaml.safe_load((ROOT / "Pulumi.dev.yaml").read_text())
    platform = base["config"]["meridian:platform"]
    clusters = []
    clouds = ["aws", "gcp", "azure"]
    for i in range(n):
        cloud = clouds[i % 3]
        region, jurisdiction = REGIONS[cloud][(i // 3) % len(REGIONS[cloud])]
        clusters.append({
            "name": f"{cloud}-{i:02d}", "cloud": cloud, "region": region, "jurisdiction": jurisdiction,
            "network": {"cidr": f"10.{i}.0.0/16", "podCidr": f"10.{100 + i}.0.0/16",
                        "serviceCidr": f"10.{200 + i}.0.0/20", "azs": 2},
        })
    platform = {k: v for k, v in platform.items() if k in ("environment", "gcpProject", "kubernetesVersion")}
    platform["clusters"] = clusters
    name = f"bench{n}"
    doc = {"config": {"pulumi:disable-default-providers": ["*"], "meridian:platform": platform}}
    (root / f"Pulumi.{name}.yaml").write_text(yaml.safe_dump(doc))
    (root / "Pulumi.yaml").write_text((ROOT / "Pulumi.yaml").read_text())
    return name


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--sizes", default="1,2,4,8,16")
    args = ap.parse_args()

    print(f"meridian plan, {args.runs} fresh processes per stack (median, min-max)")
    for stack in ("dev", "prod"):
        times, count = [], 0
        for _ in range(args.runs):
            t, count = time_plan(stack, ROOT)
            times.append(t)
        print(f"  {stack:<6} {count:>5} resources  median {statistics.median(times):6.2f}s  "
              f"({min(times):.2f}-{max(times):.2f}s)")

    print("\ngrowth with the number of clusters (synthetic stacks, clusters only, median of runs)")
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        for n in (int(s) for s in args.sizes.split(",")):
            stack = synthetic_stack(n, root)
            times, count = [], 0
            for _ in range(max(1, args.runs // 2)):
                t, count = time_plan(stack, root)
                times.append(t)
            med = statistics.median(times)
            print(f"  {n:>3} clusters {count:>6} resources  median {med:6.2f}s  {1000 * med / max(count, 1):6.2f} ms/resource")


if __name__ == "__main__":
    main()

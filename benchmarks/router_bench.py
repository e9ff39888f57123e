"""Router overhead and throughput against a fast fake upstream, side by side with LiteLLM's proxy.

    uv run python benchmarks/router_bench.py            # full run, ~4 min
    uv run python benchmarks/router_bench.py --quick    # plain + paced, c=1,64, < 1 min
    uv run python benchmarks/router_bench.py --no-litellm --concurrency 1,64 --duration 3

Everything listens on 127.0.0.1 and every run is bounded in time. Separate processes:
- a fake OpenAI-compatible upstream (benchmarks/router/fake_upstream.py: raw asyncio + httptools);
- the targets: the upstream itself ("direct"), meridian-router (one process, auth disabled, one
  backend for model m1) and LiteLLM's proxy (one process, model m1 -> the same upstream);
- a closed-loop load generator (benchmarks/router/loadgen.py) per measurement point.

Per target, mode (non-streaming / streaming) and concurrency: requests/s, latency p50/p99 to the
complete response (and to the first body byte for streams), the latency added over direct, errors,
and CPU per request of the target process (user+sys from /proc, the target's process tree only).

LiteLLM is never a project dependency: on first use it is installed (litellm[proxy], plus
opentelemetry-sdk, uvloop and httptools so it runs at its best) into an isolated venv under
~/.cache/meridian-bench/litellm-venv (or pass --litellm-python PATH). If that fails the run goes on
with the other two targets and says why.

Figures only, nothing passes or fails. The machine is small (2 cores) and shared: the load
generator, the upstream and the target all compete for the same CPUs, which caps every target
below what it would do alone; the CPU-per-request column is the figure that does not depend on it.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HERE = Path(__file__).resolve().parent / "router"
CACHE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "meridian-bench"
LITELLM_VENV = CACHE / "litellm-venv"
# LiteLLM at its best: without opentelemetry-sdk its auth step retries a failing import (and
# recompiles the module) on every request; uvloop + httptools give its uvicorn the fast loop and parser.
LITELLM_PACKAGES = ["litellm[proxy]", "opentelemetry-api", "opentelemetry-sdk", "uvloop", "httptools"]
TICK = os.sysconf("SC_CLK_TCK")
TITLES = {
    "plain": "non-streaming",
    "stream": "streaming (SSE)",
    "paced": "non-streaming, upstream answers after 20 ms (a model server's pace)",
    "responses": "OpenAI Responses API, non-streaming, translated to chat for the upstream (meridian only)",
    "responses_stream": "OpenAI Responses API, streamed, translated from the chat stream (meridian only)",
    "messages": "Anthropic Messages, non-streaming, translated to chat for the upstream (meridian only)",
    "messages_stream": "Anthropic Messages, streamed, translated from the chat stream (meridian only)",
}
PROMPT = [{"role": "user", "content": "Say hello in five words."}]
# The inbound APIs the router translates: (path, body). Only the router is measured on them (the
# upstream speaks chat completions only); compare their CPU per request with plain / stream.
INBOUND = {
    "responses": ("/v1/responses", {"model": "m1", "input": "Say hello in five words.", "max_output_tokens": 16}),
    "messages": ("/v1/messages", {"model": "m1", "max_tokens": 16, "messages": PROMPT}),
}
CHAT_MODES = ("plain", "stream", "paced")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(url: str, proc: subprocess.Popen, timeout: float, log: Path) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"exited with {proc.returncode}:\n{tail(log)}")
        with contextlib.suppress(OSError):
            with urllib.request.urlopen(url, timeout=1) as r:
                if r.status == 200:
                    return
        time.sleep(0.2)
    raise RuntimeError(f"not ready after {timeout:.0f}s ({url}):\n{tail(log)}")


def tail(log: Path, n: int = 25) -> str:
    try:
        return "\n".join(log.read_text(errors="replace").splitlines()[-n:])
    except OSError:
        return ""


def tree_cpu_s(pid: int) -> float:
    """user+sys CPU seconds of a process and its descendants (Linux /proc)."""
    children: dict[int, list[int]] = {}
    times: dict[int, float] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rfind(")") + 2 :].split()
        p = int(entry.name)
        children.setdefault(int(fields[1]), []).append(p)
        times[p] = (int(fields[11]) + int(fields[12])) / TICK
    total, todo = 0.0, [pid]
    while todo:
        p = todo.pop()
        total += times.get(p, 0.0)
        todo.extend(children.get(p, []))
    return total


@dataclass
class Target:
    name: str
    url: str  # chat completions URL
    proc: subprocess.Popen | None  # None for direct (its CPU is the upstream's)
    log: Path | None = None
    note: str = ""


@dataclass
class Point:
    target: str
    mode: str
    concurrency: int
    rps: float
    ok: int
    errors: dict
    p50: float
    p99: float
    ttfb50: float
    ttfb99: float
    cpu_ms_per_req: float | None
    upstream_cpu_ms_per_req: float | None
    loadgen_cpu_s: float
    extra: dict = field(default_factory=dict)


def pct(xs: list[float], q: float) -> float:
    if not xs:
        return float("nan")
    return xs[min(len(xs) - 1, max(0, round(q * len(xs)) - 1))]


# --- processes --------------------------------------------------------------------------------


def start_upstream(tmp: Path) -> tuple[subprocess.Popen, str]:
    port, log = free_port(), tmp / "upstream.log"
    proc = subprocess.Popen(
        [sys.executable, str(HERE / "fake_upstream.py"), "--port", str(port)],
        stdout=log.open("wb"), stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    wait_http(base + "/health", proc, 15, log)
    return proc, base


def start_router(tmp: Path, upstream: str) -> Target:
    port, log, cfg = free_port(), tmp / "router.log", tmp / "router.yaml"
    cfg.write_text(
        "server: {access_log: false, log_level: warning}\n"
        "auth: {disabled: true, anonymous_tenant: bench}\n"
        'tenants: {bench: {jurisdictions: ["*"]}}\n'
        "backends:\n"
        f'  - {{name: up, provider: vllm, tier: local, base_url: "{upstream}/v1", jurisdiction: eu, models: [m1, m1-paced]}}\n'
    )
    proc = subprocess.Popen(
        [sys.executable, "-m", "meridian_router", "-c", str(cfg), "--host", "127.0.0.1", "--port", str(port)],
        stdout=log.open("wb"), stderr=subprocess.STDOUT, cwd=ROOT,
    )
    wait_http(f"http://127.0.0.1:{port}/healthz", proc, 30, log)
    return Target("meridian", f"http://127.0.0.1:{port}/v1/chat/completions", proc, log)


def ensure_litellm(explicit: str | None) -> Path:
    if explicit:
        return Path(explicit)
    py = LITELLM_VENV / "bin" / "python"
    check = "import litellm.proxy, opentelemetry.sdk, httptools, uvloop"
    if py.exists() and subprocess.run([py, "-c", check], capture_output=True).returncode == 0:
        return py
    print(f"LiteLLM: first use, installing {' '.join(LITELLM_PACKAGES)} into {LITELLM_VENV} "
          "(isolated venv, outside the project)...", flush=True)
    CACHE.mkdir(parents=True, exist_ok=True)
    uv = shutil.which("uv")
    if uv:
        steps = [[uv, "venv", "-q", "--python", "3.11", str(LITELLM_VENV)],
                 [uv, "pip", "install", "-q", "--python", str(py), *LITELLM_PACKAGES]]
    else:
        steps = [[sys.executable, "-m", "venv", str(LITELLM_VENV)],
                 [str(py), "-m", "pip", "install", "-q", *LITELLM_PACKAGES]]
    for cmd in steps:
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
        if r.returncode != 0:
            raise RuntimeError(f"{' '.join(cmd)} failed:\n{r.stderr[-2000:]}")
    return py


def start_litellm(tmp: Path, upstream: str, python: Path) -> Target:
    port, log, cfg = free_port(), tmp / "litellm.log", tmp / "litellm.yaml"
    cfg.write_text(
        "model_list:\n"
        "  - model_name: m1\n"
        "    litellm_params: {model: openai/m1, api_base: "
        f'"{upstream}/v1", api_key: "sk-fake"}}\n'
        "  - model_name: m1-paced\n"
        "    litellm_params: {model: openai/m1-paced, api_base: "
        f'"{upstream}/v1", api_key: "sk-fake"}}\n'
        "litellm_settings: {drop_params: true, telemetry: false}\n"
    )
    env = dict(os.environ, LITELLM_LOCAL_MODEL_COST_MAP="True", LITELLM_LOG="ERROR",
               LITELLM_TELEMETRY="False", NO_DOCS="True", DISABLE_ADMIN_UI="True",
               # no inbound auth, as meridian runs here (auth.disabled): same work per request
               LITELLM_DANGEROUSLY_PERMIT_WEAK_OR_UNSET_MASTER_KEY="true")
    cli = python.parent / "litellm"
    cmd = [str(cli)] if cli.exists() else [str(python), "-m", "litellm.proxy.proxy_cli"]
    proc = subprocess.Popen(
        [*cmd, "--config", str(cfg), "--host", "127.0.0.1", "--port", str(port), "--num_workers", "1"],
        stdout=log.open("wb"), stderr=subprocess.STDOUT, env=env, cwd=tmp,
    )
    wait_http(f"http://127.0.0.1:{port}/health/liveliness", proc, 120, log)
    version = subprocess.run([python, "-c", "import importlib.metadata as m; print(m.version('litellm'))"],
                             capture_output=True, text=True).stdout.strip()
    return Target("litellm", f"http://127.0.0.1:{port}/chat/completions", proc, log, f"litellm {version}")


def stop(proc: subprocess.Popen | None) -> None:
    if proc is None or proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(5)


# --- measuring --------------------------------------------------------------------------------


def is_stream(mode: str) -> bool:
    return mode == "stream" or mode.endswith("_stream")


def measure(target: Target, upstream: subprocess.Popen, mode: str, conc: int, args) -> Point:
    url = target.url
    body: dict = {"model": "m1-paced" if mode == "paced" else "m1", "messages": PROMPT, "max_tokens": 16}
    api = mode.removesuffix("_stream")
    if api in INBOUND:
        path, inbound = INBOUND[api]
        url, body = url.replace("/v1/chat/completions", path), dict(inbound)
    if is_stream(mode):
        body["stream"] = True
    cmd = [sys.executable, str(HERE / "loadgen.py"), "--url", url, "--concurrency", str(conc),
           "--duration", str(args.duration), "--warmup", str(args.warmup), "--drain", "10",
           "--timeout", "30", "--body", json.dumps(body), "--out", str(args.tmp / "loadgen.json")]
    tgt_pid = target.proc.pid if target.proc else None
    up0 = tree_cpu_s(upstream.pid)
    t0 = tree_cpu_s(tgt_pid) if tgt_pid else 0.0
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=args.warmup + args.duration + 60)
    if r.returncode != 0:
        raise RuntimeError(f"loadgen failed: {r.stderr[-2000:]}")
    up1 = tree_cpu_s(upstream.pid)
    t1 = tree_cpu_s(tgt_pid) if tgt_pid else 0.0
    d = json.loads((args.tmp / "loadgen.json").read_text())
    # CPU is sampled over warm-up + window + drain; divide by every request served in that time
    # (measured ones plus an estimate of the warm-up ones at the same rate).
    served = d["ok"] + d["rps"] * args.warmup
    full, ttfb = d["full_s"], d["ttfb_s"]
    return Point(
        target=target.name, mode=mode, concurrency=conc, rps=d["rps"], ok=d["ok"], errors=d["errors"],
        p50=pct(full, 0.50) * 1e3, p99=pct(full, 0.99) * 1e3,
        ttfb50=pct(ttfb, 0.50) * 1e3, ttfb99=pct(ttfb, 0.99) * 1e3,
        cpu_ms_per_req=((t1 - t0) * 1e3 / served) if tgt_pid and served else None,
        upstream_cpu_ms_per_req=((up1 - up0) * 1e3 / served) if served else None,
        loadgen_cpu_s=d["loadgen_cpu_s"],
    )


# --- report -----------------------------------------------------------------------------------


def fmt(x: float | None, spec: str = ".2f") -> str:
    if x is None or x != x:
        return "-"
    return format(x, spec)


def report(points: list[Point], targets: list[str], concs: list[int], modes: list[str]) -> str:
    by = {(p.target, p.mode, p.concurrency): p for p in points}
    out: list[str] = []
    for mode in modes:
        title = TITLES[mode]
        out.append(f"\n## {title}: latency in ms (full response"
                   + ("; ttfb = first body byte" if is_stream(mode) else "") + ")\n")
        head = ["conc", "target", "req/s", "p50", "p99", "+p50", "+p99"]
        if is_stream(mode):
            head += ["ttfb50", "ttfb99"]
        head += ["errors", "cpu ms/req"]
        rows = [head]
        for c in concs:
            direct = by.get(("direct", mode, c))
            for t in targets:
                p = by.get((t, mode, c))
                if p is None:
                    continue
                add50 = p.p50 - direct.p50 if direct and t != "direct" else None
                add99 = p.p99 - direct.p99 if direct and t != "direct" else None
                row = [str(c), t, fmt(p.rps, ".0f"), fmt(p.p50), fmt(p.p99), fmt(add50, "+.2f"), fmt(add99, "+.2f")]
                if is_stream(mode):
                    row += [fmt(p.ttfb50), fmt(p.ttfb99)]
                cpu = p.cpu_ms_per_req if t != "direct" else p.upstream_cpu_ms_per_req
                row += [str(sum(p.errors.values())) + (f" {p.errors}" if p.errors else ""), fmt(cpu, ".3f")]
                rows.append(row)
        widths = [max(len(r[i]) for r in rows) for i in range(len(head))]
        for i, r in enumerate(rows):
            out.append("| " + " | ".join(v.rjust(w) for v, w in zip(r, widths, strict=True)) + " |")
            if i == 0:
                out.append("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    out.append("\n## throughput ratios (req/s)\n")
    rows = [["mode", "conc", "meridian/direct", "meridian/litellm", "capacity/core meridian", "litellm"]]
    for mode in modes:
        for c in concs:
            d, m, ll = (by.get((t, mode, c)) for t in ("direct", "meridian", "litellm"))
            r1 = m.rps / d.rps if m and d and d.rps else None
            r2 = m.rps / ll.rps if m and ll and ll.rps else None
            cap_m = 1e3 / m.cpu_ms_per_req if m and m.cpu_ms_per_req else None
            cap_l = 1e3 / ll.cpu_ms_per_req if ll and ll.cpu_ms_per_req else None
            rows.append([mode, str(c), fmt(r1, ".2f"), fmt(r2, ".1f") + ("x" if r2 else ""),
                         fmt(cap_m, ".0f"), fmt(cap_l, ".0f")])
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for i, r in enumerate(rows):
        out.append("| " + " | ".join(v.rjust(w) for v, w in zip(r, widths, strict=True)) + " |")
        if i == 0:
            out.append("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    out.append("\ncapacity/core = 1000 / target CPU ms per request: req/s one core of that process could serve.")
    return "\n".join(out)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="plain and paced, concurrency 1,64, 1 s per point (< 1 min)")
    ap.add_argument("--concurrency", default="1,16,64,256")
    ap.add_argument("--duration", type=float, default=4.0, help="measured seconds per point")
    ap.add_argument("--warmup", type=float, default=1.0)
    ap.add_argument("--modes", default=None,
                    help="plain (instant upstream), stream (SSE), paced (upstream answers after 20 ms), and "
                         "for the router only responses, responses_stream, messages, messages_stream (the "
                         "translated inbound APIs); default plain,stream,paced")
    ap.add_argument("--no-litellm", action="store_true")
    ap.add_argument("--litellm-python", help="python of an environment where litellm[proxy] is installed")
    ap.add_argument("--json", help="also write every point as JSON here")
    args = ap.parse_args()
    if args.quick:
        args.concurrency, args.duration, args.warmup = "1,64", 1.0, 0.5
        args.modes = args.modes or "plain,paced"
    args.modes = args.modes or "plain,stream,paced"
    concs = [int(c) for c in args.concurrency.split(",")]
    modes = [m.strip() for m in args.modes.split(",")]
    started = time.monotonic()

    tmp = args.tmp = Path(tempfile.mkdtemp(prefix="router-bench-"))
    procs: list[subprocess.Popen] = []
    points: list[Point] = []
    try:
        upstream, base = start_upstream(tmp)
        procs.append(upstream)
        targets = [Target("direct", base + "/v1/chat/completions", None)]
        router = start_router(tmp, base)
        procs.append(router.proc)  # type: ignore[arg-type]
        targets.append(router)
        if not args.no_litellm:
            try:
                ll = start_litellm(tmp, base, ensure_litellm(args.litellm_python))
                procs.append(ll.proc)  # type: ignore[arg-type]
                targets.append(ll)
            except Exception as exc:  # the other two targets still make a useful run
                print(f"LiteLLM unavailable, carrying on without it: {exc}", flush=True)
        names = [t.name for t in targets]
        print(f"targets: {', '.join(names)}; upstream {base}; concurrency {concs}; "
              f"{args.duration:g}s per point after {args.warmup:g}s warm-up; {os.cpu_count()} CPUs", flush=True)
        for t in targets:
            if t.note:
                print(f"  {t.name}: {t.note}")
        for mode in modes:
            for c in concs:
                for t in targets:
                    if mode not in CHAT_MODES and t.name != "meridian":
                        continue
                    p = measure(t, upstream, mode, c, args)
                    points.append(p)
                    print(f"  {mode:6} c={c:<4} {t.name:9} {p.rps:8.0f} req/s  p50 {p.p50:7.2f} ms  "
                          f"p99 {p.p99:7.2f} ms  errors {sum(p.errors.values())}", flush=True)
        print(report(points, names, concs, modes))
        rps_m = [p.rps for p in points if p.target == "meridian" and p.mode in CHAT_MODES]
        rps_d = [p.rps for p in points if p.target == "direct"]
        if rps_m and rps_d:
            print(f"\nmeridian/direct throughput, geometric mean over points: "
                  f"{statistics.geometric_mean([m / d for m, d in zip(rps_m, rps_d, strict=True)]):.2f}")
        rps_l = [p.rps for p in points if p.target == "litellm"]
        chat_cpu = {(p.mode, p.concurrency): p.cpu_ms_per_req for p in points
                    if p.target == "meridian" and p.mode in ("plain", "stream")}
        for p in points:
            base = chat_cpu.get(("stream" if is_stream(p.mode) else "plain", p.concurrency))
            if p.target == "meridian" and p.mode not in CHAT_MODES and base and p.cpu_ms_per_req:
                print(f"translation cost, {p.mode} c={p.concurrency}: {p.cpu_ms_per_req - base:+.3f} ms CPU/request "
                      f"over chat ({p.cpu_ms_per_req:.3f} vs {base:.3f})")
        if rps_m and rps_l and all(rps_l):
            print(f"meridian/litellm throughput, geometric mean over points: "
                  f"{statistics.geometric_mean([m / x for m, x in zip(rps_m, rps_l, strict=True)]):.1f}x")
        if args.json:
            Path(args.json).write_text(json.dumps([p.__dict__ for p in points], indent=1))
        print(f"\nwall time {time.monotonic() - started:.0f}s")
    finally:
        for p in reversed(procs):
            stop(p)
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

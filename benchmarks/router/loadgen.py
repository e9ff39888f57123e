"""Closed-loop HTTP/1.1 load generator for the router benchmark (loopback only, bounded).

    python benchmarks/router/loadgen.py --url http://127.0.0.1:8080/v1/chat/completions \
        --concurrency 64 --duration 5 --warmup 1 --body '{"model":"m1",...}' --out result.json

`concurrency` workers, each with its own keep-alive connection, send the same POST back to back.
Raw asyncio protocol + httptools on uvloop: far cheaper per request than aiohttp, so on a small
machine the generator steals as little CPU as possible from the server under test.
Per request it records time to first body byte (ttfb) and to the complete response (full).
Warm-up requests are not timed. After `duration` no new request starts; requests still in
flight get `drain` seconds, then count as errors. Writes one JSON object to --out.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import time
from urllib.parse import urlsplit

import httptools


class _Client(asyncio.Protocol):
    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.parser = httptools.HttpResponseParser(self)
        self.done: asyncio.Future | None = None
        self.first: float = 0.0
        self.status = 0
        self.lost: asyncio.Future = asyncio.get_running_loop().create_future()

    def connection_made(self, transport) -> None:
        self.transport = transport

    def connection_lost(self, exc) -> None:
        if not self.lost.done():
            self.lost.set_result(None)
        if self.done is not None and not self.done.done():
            self.done.set_exception(ConnectionError("connection closed mid-response"))

    def data_received(self, data: bytes) -> None:
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserError as exc:
            if self.done is not None and not self.done.done():
                self.done.set_exception(exc)

    def on_headers_complete(self) -> None:
        self.status = self.parser.get_status_code()

    def on_body(self, body: bytes) -> None:
        if not self.first:
            self.first = time.perf_counter()

    def on_message_complete(self) -> None:
        if self.done is not None and not self.done.done():
            self.done.set_result(self.parser.should_keep_alive())

    def send(self, raw: bytes) -> asyncio.Future:
        self.first = 0.0
        self.status = 0
        self.done = asyncio.get_running_loop().create_future()
        assert self.transport is not None
        self.transport.write(raw)
        return self.done


async def run(args) -> dict:
    loop = asyncio.get_running_loop()
    u = urlsplit(args.url)
    host, port = u.hostname or "127.0.0.1", u.port or 80
    if host not in ("127.0.0.1", "localhost", "::1"):
        raise SystemExit("loopback only")
    body = args.body.encode()
    headers = [
        f"POST {u.path} HTTP/1.1",
        f"host: {host}:{port}",
        "content-type: application/json",
        f"content-length: {len(body)}",
        "accept: application/json, text/event-stream",
    ]
    if args.api_key:
        headers.append(f"authorization: Bearer {args.api_key}")
    raw = ("\r\n".join(headers) + "\r\n\r\n").encode() + body

    ttfb: list[float] = []
    full: list[float] = []
    errors: dict[str, int] = {}
    counters = {"sent": 0, "in_window": 0}
    t0 = time.perf_counter()
    measure_from = t0 + args.warmup
    stop_at = measure_from + args.duration
    max_req = args.max_requests or 1 << 62

    def err(kind: str) -> None:
        if time.perf_counter() >= measure_from:
            errors[kind] = errors.get(kind, 0) + 1

    async def connect() -> _Client:
        _, proto = await loop.create_connection(_Client, host, port)
        return proto

    async def worker() -> None:
        conn: _Client | None = None
        while True:
            now = time.perf_counter()
            if now >= stop_at or counters["sent"] >= max_req:
                break
            try:
                if conn is None or conn.lost.done():
                    conn = await connect()
                started = time.perf_counter()
                if started >= measure_from:
                    counters["sent"] += 1
                keep = await asyncio.wait_for(conn.send(raw), args.timeout)
                end = time.perf_counter()
                if conn.status != 200:
                    err(f"http_{conn.status}")
                else:
                    if measure_from <= end <= stop_at:
                        counters["in_window"] += 1
                    if started >= measure_from:
                        full.append(end - started)
                        ttfb.append((conn.first or end) - started)
                if not keep:
                    assert conn.transport is not None
                    conn.transport.close()
                    conn = None
            except (TimeoutError, OSError, httptools.HttpParserError) as exc:
                err(type(exc).__name__)
                if conn is not None and conn.transport is not None:
                    conn.transport.close()
                conn = None
                await asyncio.sleep(0.01)
        if conn is not None and conn.transport is not None:
            conn.transport.close()

    ru0 = resource.getrusage(resource.RUSAGE_SELF)
    tasks = [asyncio.ensure_future(worker()) for _ in range(args.concurrency)]
    _done, pending = await asyncio.wait(tasks, timeout=args.warmup + args.duration + args.drain)
    for t in pending:
        t.cancel()
    if pending:
        errors["unfinished"] = errors.get("unfinished", 0) + len(pending)
    ru1 = resource.getrusage(resource.RUSAGE_SELF)
    # Throughput: responses completed inside the measured window (closed loop, so whenever they
    # started); latencies: requests started inside it, drained to completion.
    return {
        "concurrency": args.concurrency,
        "ok": len(full),
        "errors": errors,
        "rps": counters["in_window"] / args.duration,
        "full_s": sorted(full),
        "ttfb_s": sorted(ttfb),
        "loadgen_cpu_s": (ru1.ru_utime + ru1.ru_stime) - (ru0.ru_utime + ru0.ru_stime),
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--url", required=True)
    ap.add_argument("--concurrency", type=int, default=16)
    ap.add_argument("--duration", type=float, default=5.0, help="measured seconds")
    ap.add_argument("--warmup", type=float, default=1.0)
    ap.add_argument("--drain", type=float, default=10.0, help="grace for in-flight requests")
    ap.add_argument("--timeout", type=float, default=30.0, help="per request")
    ap.add_argument("--max-requests", type=int, default=0)
    ap.add_argument("--api-key", default="")
    ap.add_argument("--body", required=True)
    ap.add_argument("--out", required=True, help="where the JSON result goes")
    args = ap.parse_args()
    try:
        import uvloop

        asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())
    except ImportError:
        pass
    result = json.dumps(asyncio.run(run(args)))
    # A file, not stdout: the event loop may leave stdout non-blocking, which truncates big writes.
    with open(args.out, "w") as f:
        f.write(result)


if __name__ == "__main__":
    main()

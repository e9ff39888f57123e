"""Tracing end to end: the router process, with tracing on and the `otel` extra installed, exports its
spans over OTLP/HTTP to a collector on loopback (standard OTEL_* env vars), without prompt text."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import requests
import yaml

# The OTLP exporter is a declared dependency (meridian-router[otel] in the dev group): no skip.
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

from .conftest import base_config, free_port, wait_until


class Collector:
    """A minimal OTLP/HTTP trace receiver on 127.0.0.1: keeps every exported request."""

    def __init__(self) -> None:
        self.requests: list[ExportTraceServiceRequest] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length", "0")))
                if self.path == "/v1/traces" and self.headers.get("content-type") == "application/x-protobuf":
                    req = ExportTraceServiceRequest()
                    req.ParseFromString(body)
                    outer.requests.append(req)
                self.send_response(200)
                self.send_header("content-type", "application/x-protobuf")
                self.send_header("content-length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def spans(self) -> list:
        return [s for r in self.requests for rs in r.resource_spans for ss in rs.scope_spans for s in ss.spans]

    def service_names(self) -> set[str]:
        return {
            a.value.string_value
            for r in self.requests
            for rs in r.resource_spans
            for a in rs.resource.attributes
            if a.key == "service.name"
        }


@pytest.fixture
def collector() -> Iterator[Collector]:
    c = Collector()
    yield c
    c.server.shutdown()


def test_spans_reach_an_otlp_http_collector(ups, collector: Collector, tmp_path: Path) -> None:
    cfg = base_config(ups, tracing={"enabled": True, "service_name": "router-under-test"})
    path = tmp_path / "router.yaml"
    path.write_text(yaml.safe_dump(cfg))
    port = free_port()
    env = {
        **os.environ,
        "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": collector.url + "/v1/traces",
        "OTEL_BSP_SCHEDULE_DELAY": "100",
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "meridian_router", "-c", str(path), "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        url = f"http://127.0.0.1:{port}"
        assert wait_until(lambda: _ready(url), timeout=20), "router did not start"
        r = requests.post(
            url + "/v1/chat/completions",
            json={"model": "m1", "messages": [{"role": "user", "content": "secret prompt text"}]},
            headers={"authorization": "Bearer eu-key"},
            timeout=5,
        )
        assert r.status_code == 200
        assert wait_until(lambda: any(s.name == "router.chat" for s in collector.spans()), timeout=10)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
    span = next(s for s in collector.spans() if s.name == "router.chat")
    attrs = {a.key: a.value for a in span.attributes}
    assert attrs["meridian.backend"].string_value == "local_eu"
    assert attrs["meridian.tenant"].string_value == "acme"
    assert [v.string_value for v in attrs["meridian.jurisdictions"].array_value.values] == ["eu"]
    assert collector.service_names() == {"router-under-test"}
    raw = b"".join(req.SerializeToString() for req in collector.requests)
    assert b"secret prompt text" not in raw  # never prompts


def _ready(url: str) -> bool:
    try:
        return requests.get(url + "/healthz", timeout=0.5).status_code == 200
    except requests.RequestException:
        time.sleep(0.1)
        return False

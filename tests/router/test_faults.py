"""Breakers open, half-open and close; timeouts, stalls, Retry-After, client disconnects."""

from __future__ import annotations

import socket
import time

import openai
import requests
from meridian_router.breakers import CLOSED, HALF_OPEN, OPEN, Breaker
from meridian_router.config import BreakerConfig

from .conftest import base_config, wait_until

MSG = [{"role": "user", "content": "x"}]


def chat(router, key="eu-key", stream=False):
    return requests.post(
        router.url + "/v1/chat/completions",
        timeout=10,
        json={"model": "m1", "messages": MSG, "stream": stream},
        headers={"authorization": f"Bearer {key}"},
    )


def backend(router, name):
    return next(b for b in router.app.policy.backends if b.name == name)


def test_breaker_state_machine():
    b = Breaker(BreakerConfig(failure_threshold=2, recovery_timeout_s=10, half_open_max_probes=1), 0.5)
    b.failure(0.0)
    assert b.state == CLOSED
    b.failure(0.0)
    assert b.state == OPEN and not b.available(5.0)
    assert b.acquire(10.0) and b.state == HALF_OPEN
    assert not b.acquire(10.0)  # one probe at a time
    b.failure(10.0)
    assert b.state == OPEN
    assert b.acquire(20.0)
    b.success(5.0)
    assert b.state == CLOSED


def test_latency_breaker_demotes():
    b = Breaker(BreakerConfig(latency_limit_ms=100), 1.0)
    b.success(50)
    assert not b.demoted
    b.success(500)
    assert b.demoted and b.available(0.0)


def test_breaker_opens_half_opens_and_closes_live(make_router, ups):
    r = make_router()
    ups["local_eu"].mode = "error500"
    for _ in range(3):
        assert chat(r).status_code == 200  # served by edge_eu after local fails
    assert backend(r, "local_eu").breaker.state == OPEN
    hits = ups["local_eu"].hits
    assert chat(r).status_code == 200
    assert ups["local_eu"].hits == hits  # open: not even tried
    ups["local_eu"].mode = "ok"
    time.sleep(0.6)  # recovery timeout 0.5 s
    out = chat(r).json()
    assert out["choices"][0]["message"]["content"] == "hello from local_eu"  # the half-open probe
    assert backend(r, "local_eu").breaker.state == CLOSED
    metrics = requests.get(r.url + "/metrics", timeout=5).text
    assert 'meridian_router_failovers_total{from_backend="local_eu"}' in metrics


def test_timeout_fails_over(make_router, ups):
    cfg = base_config(ups)
    cfg["backends"][0]["timeout_s"] = 0.3
    r = make_router(cfg)
    ups["local_eu"].mode = "hang"
    t0 = time.monotonic()
    out = chat(r).json()
    assert out["choices"][0]["message"]["content"] == "hello from edge_eu"
    assert time.monotonic() - t0 < 2


def test_deadline_bounds_the_request(make_router, ups):
    cfg = base_config(ups)
    cfg["routing"]["deadline_s"] = 0.5
    r = make_router(cfg)
    for n in ("local_eu", "edge_eu", "cloud_eu"):
        ups[n].mode = "hang"
    t0 = time.monotonic()
    resp = chat(r)
    assert time.monotonic() - t0 < 1.5
    assert resp.status_code == 504
    assert resp.json()["error"]["code"] in ("upstream_timeout", "deadline_exceeded")


def test_retry_after_cools_the_backend_down(make_router, ups):
    r = make_router()
    ups["local_eu"].mode = "ratelimit"
    ups["local_eu"].retry_after = "2"
    assert chat(r).json()["choices"][0]["message"]["content"] == "hello from edge_eu"
    assert chat(r).json()["choices"][0]["message"]["content"] == "hello from edge_eu"
    assert ups["local_eu"].hits == 1  # respected Retry-After: not asked again
    assert backend(r, "local_eu").breaker.state == CLOSED  # rate limiting is not a failure


def test_retries_same_backend_with_backoff(make_router, ups):
    cfg = base_config(ups)
    cfg["routing"]["retries_per_backend"] = 2
    cfg["backends"] = cfg["backends"][:1]
    r = make_router(cfg)
    ups["local_eu"].mode = "error500"
    resp = chat(r)
    assert resp.status_code == 502
    assert ups["local_eu"].hits == 3


def test_bad_upstream_json_is_a_502(make_router, ups):
    cfg = base_config(ups)
    cfg["backends"] = cfg["backends"][:1]
    r = make_router(cfg)
    ups["local_eu"].mode = "badjson"
    resp = chat(r)
    assert resp.status_code == 502
    assert resp.json()["error"]["code"] == "upstream_bad_response"


def test_stalled_stream_ends_with_an_error_event(make_router, ups):
    r = make_router()
    ups["local_eu"].mode = "stall"
    resp = chat(r, stream=True)
    assert resp.status_code == 200
    assert "upstream_stream_error" in resp.text
    assert resp.text.rstrip().endswith("data: [DONE]")


def test_client_disconnect_mid_stream_is_harmless(make_router, ups):
    r = make_router()
    ups["local_eu"].stream_chunks = 50
    with socket.create_connection(("127.0.0.1", r.port), timeout=5) as s:
        body = b'{"model":"m1","stream":true,"messages":[{"role":"user","content":"x"}]}'
        s.sendall(
            b"POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\nauthorization: Bearer eu-key\r\n"
            b"content-type: application/json\r\ncontent-length: "
            + str(len(body)).encode()
            + b"\r\n\r\n"
            + body
        )
        assert s.recv(100).startswith(b"HTTP/1.1 200")
    assert wait_until(lambda: 'status="499"' in requests.get(r.url + "/metrics", timeout=5).text)
    ups["local_eu"].stream_chunks = 3
    assert chat(r).status_code == 200  # still serving
    assert backend(r, "local_eu").breaker.state == CLOSED


def test_active_health_checks_take_a_backend_out(make_router, ups):
    cfg = base_config(ups)
    cfg["backends"][0]["health_check"] = {"path": "/health", "interval_s": 0.05, "unhealthy_after": 1}
    r = make_router(cfg)
    ups["local_eu"].health_ok = False
    assert wait_until(lambda: not backend(r, "local_eu").breaker.healthy)
    assert chat(r).json()["choices"][0]["message"]["content"] == "hello from edge_eu"
    ups["local_eu"].health_ok = True
    assert wait_until(lambda: backend(r, "local_eu").breaker.healthy)


def test_openai_client_sees_typed_errors(make_router, ups):
    cfg = base_config(ups)
    cfg["backends"] = cfg["backends"][:1]
    r = make_router(cfg)
    ups["local_eu"].mode = "error500"
    c = openai.OpenAI(base_url=r.url + "/v1", api_key="eu-key", max_retries=0)
    try:
        c.chat.completions.create(model="m1", messages=MSG)
    except openai.APIStatusError as exc:
        assert exc.status_code == 502
        assert exc.body["code"] == "upstream_error"
    else:
        raise AssertionError("expected an error")


def test_all_rate_limited_is_a_429_with_retry_after(make_router, ups):
    cfg = base_config(ups)
    cfg["backends"] = cfg["backends"][:2]
    r = make_router(cfg)
    for n in ("local_eu", "edge_eu"):
        ups[n].mode = "ratelimit"
        ups[n].retry_after = "3"
    resp = chat(r)
    assert resp.status_code == 429
    assert resp.headers["retry-after"] == "3"
    assert resp.json()["error"]["code"] == "upstream_rate_limited"
    again = chat(r)  # both cooling down: refused without touching them
    assert again.status_code == 503 and again.json()["error"]["code"] == "no_healthy_backend"
    assert ups["local_eu"].hits == 1 and ups["edge_eu"].hits == 1


def test_an_unusable_retry_after_is_no_500(make_router, ups):
    """`Retry-After: inf` / `1e400` / `nan` from an upstream: one second, capped as any other value."""
    cfg = base_config(ups)
    cfg["backends"] = cfg["backends"][:1]
    for raw in ("inf", "1e400", "nan", "-5"):
        r = make_router(cfg)
        ups["local_eu"].mode = "ratelimit"
        ups["local_eu"].retry_after = raw
        resp = chat(r)
        assert resp.status_code == 429, (raw, resp.text)
        assert resp.headers["retry-after"] == "1"


def test_an_upstream_credential_refusal_never_reaches_the_client(make_router, ups, monkeypatch):
    """A 401/403 from an upstream is about the router's credential: the caller gets a generic 502 (and
    the request fails over), never the upstream's body - which here echoes the router's key."""
    monkeypatch.setenv("TEST_UPSTREAM_KEY", "sk-router-secret-123")
    cfg = base_config(ups)
    cfg["backends"] = cfg["backends"][:2]
    cfg["backends"][0]["api_key_env"] = "TEST_UPSTREAM_KEY"
    r = make_router(cfg)
    ups["local_eu"].mode = "unauthorized"
    ok = chat(r)
    assert ok.status_code == 200 and ok.json()["choices"][0]["message"]["content"] == "hello from edge_eu"
    cfg["backends"] = cfg["backends"][:1]
    r = make_router(cfg)
    resp = chat(r)
    assert resp.status_code == 502 and resp.json()["error"]["code"] == "upstream_error"
    assert "sk-router-secret-123" not in resp.text and "invalid api key" not in resp.text
    assert any("authorization" in s["headers"] for s in ups["local_eu"].seen)  # the key was sent upstream

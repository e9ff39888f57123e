"""Every failure path leaves the router as it found it: typed 4xx for bad input, attempt scopes that
always settle (breaker probe slots, budget reservations), bounded reservations, script errors that
are not outages, and request bodies with a read deadline."""

from __future__ import annotations

import asyncio
import socket
import time

import orjson
import pytest
import requests
from meridian_router.breakers import HALF_OPEN, OPEN

from .conftest import wait_until
from .test_budgets import COST, MAX_TOKENS, priced_config, redis_cfg, redis_server  # noqa: F401

H = {"authorization": "Bearer eu-key"}


def body(stream: bool = False, **kw) -> dict:
    return {"model": "m1", "max_tokens": MAX_TOKENS, "stream": stream, "messages": [{"role": "user", "content": "x"}], **kw}


def chat(r, stream: bool = False, **kw) -> requests.Response:
    return requests.post(r.url + "/v1/chat/completions", json=body(stream, **kw), headers=H, timeout=10)


def cloud(r):
    return next(b for b in r.app.policy.backends if b.name == "cloud_eu")


def spent(r) -> float:
    return r.lt.run(r.app.budgets.spent_usd(r.app.budgets.counters("acme")[0].key))


def half_open(r) -> None:
    """Open the breaker with its recovery time already passed: the next request takes the one probe."""
    br = cloud(r).breaker
    br.state, br.opened_at, br.failures = OPEN, time.monotonic() - 60, 0


class Boom(RuntimeError):
    pass


def _raise(*_a, **_k):
    raise Boom("injected")


# --- attempt scopes -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("step", "stream", "status"),
    [
        ("build", False, 500),  # translating the request raises (a bug in an adapter)
        ("request", False, 502),  # the upstream call raises something that is not a network error
        ("translate", False, 502),  # reading the upstream answer raises anything at all
        ("stream_translator", True, 500),
        ("stream_feed", True, 200),  # the stream breaks while being translated: an error event
    ],
)
def test_an_exception_at_any_step_releases_the_probe_and_refunds(make_router, ups, monkeypatch, step, stream, status):
    r = make_router(priced_config(ups, daily_usd=1.0))
    b = cloud(r)
    half_open(r)
    if step == "build":
        monkeypatch.setattr(b.adapter, "build", _raise)
    elif step == "request":
        monkeypatch.setattr(r.app.forwarder.pools["cloud_eu"], "request", _raise_async)
    elif step == "translate":
        monkeypatch.setattr(b.adapter, "translate", _raise)
    elif step == "stream_translator":
        monkeypatch.setattr(b.adapter, "stream_translator", _raise)
    else:
        real = b.adapter.stream_translator

        def broken(model, client_stream, op="chat"):
            tr = real(model, client_stream, op)
            tr.feed = _raise
            return tr

        monkeypatch.setattr(b.adapter, "stream_translator", broken)
    resp = chat(r, stream)
    assert resp.status_code == status, resp.text
    if step == "stream_feed":
        assert b"upstream_bad_response" in resp.content and resp.content.rstrip().endswith(b"[DONE]")
    else:
        assert resp.json()["error"]["code"] in ("internal_error", "upstream_unreachable", "upstream_bad_response")
    assert b.breaker.probes == 0  # the probe slot came back, whatever raised
    if step == "stream_feed":
        assert 0 < spent(r) * 1e6 <= COST  # settled to the stream's estimate, not kept at worst case
    else:
        assert spent(r) == 0  # nothing was served: the reservation was given back
    monkeypatch.undo()
    # not wedged: the backend can be probed again and closes on success
    assert wait_until(lambda: chat(r).status_code == 200, 3)
    assert b.breaker.state == "closed" and b.breaker.probes == 0


async def _raise_async(*_a, **_k):
    raise Boom("injected")


def test_a_stream_abandoned_before_its_first_chunk_settles(make_router, ups):
    """The client is gone when the response starts: the stream never runs, yet it settles."""
    r = make_router(priced_config(ups, daily_usd=1.0))
    half_open(r)
    raw = orjson.dumps(body(True))
    scope = {
        "type": "http",
        "method": "POST",
        "path": "/v1/chat/completions",
        "raw_path": b"/v1/chat/completions",
        "headers": [(b"authorization", b"Bearer eu-key"), (b"content-length", str(len(raw)).encode())],
    }
    sent = [{"type": "http.request", "body": raw, "more_body": False}]

    async def receive():
        if sent:
            return sent.pop()
        await asyncio.sleep(10)
        return {"type": "http.disconnect"}

    async def send(msg):
        raise OSError("client went away")

    async def go():
        try:
            await r.app.http(scope, receive, send)
        except OSError:
            pass

    r.lt.run(go())
    b = cloud(r)
    assert b.breaker.probes == 0 and b.breaker.state == HALF_OPEN  # released: no verdict either way
    assert spent(r) * 1e6 < 100  # refunded to the conservative estimate (prompt only, no chunk sent)


def test_an_adapter_refusal_after_the_probe_leaves_the_breaker_usable(make_router, ups):
    """A request the adapter refuses (a 400 from translation) after the half-open probe was taken
    used to wedge the breaker: every later request got 503 no_healthy_backend."""
    cfg = priced_config(ups, daily_usd=1.0)
    cfg["backends"][0].update(provider="anthropic", base_url=ups["cloud_eu"].url, api_key_env="HOME")
    r = make_router(cfg)
    half_open(r)
    bad = chat(r, tools=[{"type": "custom", "custom": {"name": "grep"}}])
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "invalid_request"
    assert cloud(r).breaker.probes == 0 and spent(r) == 0
    assert chat(r).status_code == 200


# --- bounded, integral reservations; script errors are not outages ---------------------------------


def test_huge_max_tokens_is_a_400_before_the_ledger(make_router, ups, redis_server):  # noqa: F811
    cfg = priced_config(ups, daily_usd=1.0, redis=redis_cfg(redis_server))
    cfg["budgets"] = {"fail_mode": "fail_closed"}
    r = make_router(cfg)
    for v in (10**12, 2**63, 10**30):
        resp = chat(r, max_tokens=v)
        assert resp.status_code == 400 and resp.json()["error"]["param"] == "max_tokens", resp.text
    assert chat(r).status_code == 200  # nobody else is refused
    assert requests.get(r.url + "/readyz", timeout=5).json()["redis"] == "up"


def test_the_largest_reservation_is_exact_in_redis(loop_thread, redis_server):  # noqa: F811
    """The backstop amount goes through INCRBY exactly (Lua's %.14g would have written 1e+15)."""
    import redis
    from meridian_router.budgets import MAX_RESERVATION_MICRO_USD
    from meridian_router.state import Counter, RedisState

    st = RedisState(f"redis://127.0.0.1:{redis_server.port}/0", "big:", 0.5, 0.2, recovery_hold_s=0.05)
    c = Counter("budget:x", None, 60)

    async def go():
        await st.ensure_epoch()
        assert await st.reserve([c], MAX_RESERVATION_MICRO_USD) == 0
        assert await st.reserve([c], MAX_RESERVATION_MICRO_USD + 1) == 0
        await st.adjust([c], -1)
        await st.close()

    loop_thread.run(go())
    assert int(redis.Redis(port=redis_server.port).get("big:budget:x")) == 2 * MAX_RESERVATION_MICRO_USD


def test_a_script_error_is_that_requests_error_not_an_outage(make_router, ups, redis_server):  # noqa: F811
    import redis

    cfg = priced_config(ups, daily_usd=1.0, redis=redis_cfg(redis_server))
    cfg["budgets"] = {"fail_mode": "fail_closed"}
    cfg["tenants"]["globex"]["jurisdictions"] = ["eu"]
    cfg["tenants"]["globex"]["budget"] = {"daily_usd": 1.0}
    r = make_router(cfg)
    key = r.app.budgets.counters("acme")[0].key
    redis.Redis(port=redis_server.port).set("meridian:router:" + key, b"not a number")  # INCRBY fails
    resp = chat(r)
    assert resp.status_code == 500 and resp.json()["error"]["code"] == "budget_error"
    assert r.app.state is not None and r.app.state.up  # Redis answered: it is not down
    other = requests.post(
        r.url + "/v1/chat/completions", json=body(), headers={"authorization": "Bearer us-key"}, timeout=10
    )
    assert other.status_code == 200  # another tenant is not refused budget_unavailable
    ready = requests.get(r.url + "/readyz", timeout=5)
    assert ready.status_code == 200 and ready.json()["redis"] == "up"
    assert cloud(r).breaker.probes == 0


# --- request bodies have a read deadline -----------------------------------------------------------


def test_stalled_bodies_get_408_and_the_connection_closes(make_router, ups):
    cfg = priced_config(ups)
    cfg["server"] = {"body_timeout_s": 0.5}
    r = make_router(cfg)

    async def stall() -> bytes:
        reader, writer = await asyncio.open_connection("127.0.0.1", r.port)
        writer.write(
            b"POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\nauthorization: Bearer eu-key\r\n"
            b"content-type: application/json\r\ncontent-length: 1000\r\n\r\n" + b'{"model":'
        )
        await writer.drain()
        data = await asyncio.wait_for(reader.read(), 5)  # read() returns at EOF: the router closed
        writer.close()
        return data

    async def all40():
        return await asyncio.gather(*(stall() for _ in range(40)))

    t0 = time.monotonic()
    answers = asyncio.run(all40())
    assert time.monotonic() - t0 < 4
    for a in answers:
        assert a.startswith(b"HTTP/1.1 408"), a[:100]
        assert b"request_timeout" in a
    assert chat(r).status_code == 200  # the router serves on


def test_a_body_that_arrives_in_time_is_served(make_router, ups):
    cfg = priced_config(ups)
    cfg["server"] = {"body_timeout_s": 2.0}
    r = make_router(cfg)
    raw = orjson.dumps(body())
    with socket.create_connection(("127.0.0.1", r.port), timeout=5) as s:
        s.sendall(
            b"POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\nauthorization: Bearer eu-key\r\n"
            b"content-type: application/json\r\ncontent-length: " + str(len(raw)).encode() + b"\r\n\r\n"
        )
        for i in range(0, len(raw), 10):  # slowly, but within the deadline
            s.sendall(raw[i : i + 10])
            time.sleep(0.02)
        assert s.recv(100).startswith(b"HTTP/1.1 200")

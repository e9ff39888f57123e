"""The official openai client works against the router unchanged; errors are OpenAI-shaped."""

from __future__ import annotations

import openai
import pytest
import requests

from .conftest import base_config


def client(router, key: str = "eu-key") -> openai.OpenAI:
    return openai.OpenAI(base_url=router.url + "/v1", api_key=key, max_retries=0, timeout=10)


def test_chat_non_stream_prefers_local(make_router, ups):
    r = make_router()
    out = client(r).chat.completions.create(model="m1", messages=[{"role": "user", "content": "hi"}])
    assert out.choices[0].message.content == "hello from local_eu"
    assert out.usage.total_tokens == 15
    assert ups["local_eu"].hits == 1


def test_chat_stream_passes_chunks(make_router, ups):
    r = make_router()
    chunks = list(
        client(r).chat.completions.create(
            model="m1", messages=[{"role": "user", "content": "hi"}], stream=True
        )
    )
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text == "local_eu-0 local_eu-1 local_eu-2 "


def test_models_completions_embeddings(make_router, ups):
    r = make_router()
    c = client(r)
    assert [m.id for m in c.models.list()] == ["m1"]
    assert c.completions.create(model="m1", prompt="x").choices[0].text == "text from local_eu"
    assert c.embeddings.create(model="m1", input="x").data[0].embedding == [0.1, 0.2, 0.3]


def test_missing_and_bad_auth(make_router):
    r = make_router()
    resp = requests.post(r.url + "/v1/chat/completions", json={"model": "m1", "messages": [{"role": "user", "content": "x"}]}, timeout=5)
    assert resp.status_code == 401
    assert resp.json()["error"]["code"] == "missing_api_key"
    with pytest.raises(openai.AuthenticationError) as ei:
        client(r, "wrong").chat.completions.create(model="m1", messages=[{"role": "user", "content": "x"}])
    assert ei.value.code == "invalid_api_key"


USER = b'[{"role": "user", "content": "x"}]'


@pytest.mark.parametrize(
    ("data", "status", "code", "param"),
    [
        (b"{not json", 400, "invalid_json", None),
        (b"[1,2]", 400, "invalid_request", None),
        (b'{"messages": ' + USER + b"}", 400, "invalid_request", "model"),
        (b'{"model": "m1"}', 400, "invalid_request", "messages"),
        (b'{"model": "m1", "messages": []}', 400, "invalid_request", "messages"),
        (b'{"model": "m1", "messages": ' + USER + b', "max_tokens": -3}', 400, "invalid_request", "max_tokens"),
        (b'{"model": "m1", "messages": ' + USER + b', "max_tokens": 1e400}', 400, "invalid_json", None),
        (b'{"model": "m1", "messages": ' + USER + b', "max_tokens": 2000000}', 400, "invalid_request", "max_tokens"),
        (b'{"model": "m1", "messages": ' + USER + b', "n": true}', 400, "invalid_request", "n"),
        (b'{"model": "m1", "messages": [{"role": "user", "content": [{"type": "text", "text": 123}]}]}',
         400, "invalid_request", "messages[0].content[0].text"),
        (b'{"model": "m1", "messages": [{"role": "assistant", "tool_calls": "abc"}]}',
         400, "invalid_request", "messages[0].tool_calls"),
        (b'{"model": "m1", "messages": [{"role": "assistant", "function_call": "abc"}]}',
         400, "invalid_request", "messages[0].function_call"),
        (b'{"model": "m1", "messages": [{"role": "robot", "content": "x"}]}',
         400, "invalid_request", "messages[0].role"),
        (b'{"model": "nope", "messages": ' + USER + b"}", 404, "model_not_found", None),
        (b"x" * (5 * 1024 * 1024), 413, "request_too_large", None),
    ],
)
def test_bad_input_is_a_clear_4xx(make_router, data, status, code, param):
    r = make_router()
    resp = requests.post(
        r.url + "/v1/chat/completions",
        data=data,
        timeout=10,
        headers={"authorization": "Bearer eu-key", "content-type": "application/json"},
    )
    assert resp.status_code == status
    err = resp.json()["error"]
    assert err["code"] == code and err["message"] and err["type"]
    assert err["param"] == param
    if param is not None:
        assert f"`{param}`" in err["message"]  # the message names the field too


def test_unknown_route_and_method(make_router):
    r = make_router()
    assert requests.get(r.url + "/nope", timeout=5).json()["error"]["code"] == "not_found"
    resp = requests.get(r.url + "/v1/chat/completions", timeout=5)
    assert resp.status_code == 405


def test_upstream_4xx_passed_through_without_failover(make_router, ups):
    r = make_router()
    ups["local_eu"].mode = "badrequest"
    with pytest.raises(openai.BadRequestError):
        client(r).chat.completions.create(model="m1", messages=[{"role": "user", "content": "x"}])
    assert ups["edge_eu"].hits == 0


def test_probes_and_metrics(make_router, ups):
    r = make_router()
    client(r).chat.completions.create(model="m1", messages=[{"role": "user", "content": "x"}])
    assert requests.get(r.url + "/healthz", timeout=5).status_code == 200
    ready = requests.get(r.url + "/readyz", timeout=5)
    assert ready.status_code == 200 and ready.json()["ready"] is True
    text = requests.get(r.url + "/metrics", timeout=5).text
    assert 'meridian_router_requests_total{route="chat",status="200"} 1.0' in text
    assert 'meridian_router_routing_decisions_total{backend="local_eu",tier="local"}' in text
    assert "meridian_router_request_duration_seconds_bucket" in text
    assert "meridian_router_breaker_state" in text


def test_models_list_is_per_tenant(make_router, ups):
    cfg = base_config(ups)
    cfg["backends"][3]["models"] = ["m1", "us-only"]  # cloud_us
    cfg["tenants"]["initech"]["models"] = ["us-only"]
    r = make_router(cfg)
    assert [m.id for m in client(r, "eu-key").models.list()] == ["m1"]
    assert [m.id for m in client(r, "us-key").models.list()] == ["m1", "us-only"]
    assert [m.id for m in client(r, "any-key").models.list()] == ["us-only"]

"""Property: whatever JSON (or junk) a client sends to any route, the router answers with a typed
status below 500 and stays healthy: no breaker probe is left taken, no reservation is left
outstanding, and a valid request is served afterwards.

The router under test translates for Anthropic (model m1, priced: budgets are touched) and passes
through to an OpenAI-compatible backend (model m2), so both request paths see every input."""

from __future__ import annotations

import copy
import json

import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .conftest import base_config

ROUTES = ["/v1/chat/completions", "/v1/completions", "/v1/embeddings"]
ROLES = ["system", "developer", "user", "assistant", "tool", "function"]

scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20)
json_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)
part = st.fixed_dictionaries(
    {"type": st.sampled_from(["text", "image_url", "input_audio", "file", "refusal"]) | json_values},
    optional={"text": json_values, "image_url": json_values, "input_audio": json_values, "file": json_values},
)
tool_call = st.fixed_dictionaries(
    {}, optional={"id": json_values, "type": json_values, "function": json_values | st.fixed_dictionaries(
        {"name": st.text(max_size=8) | json_values, "arguments": st.text(max_size=20) | json_values}
    )}
)
message = st.fixed_dictionaries(
    {"role": st.sampled_from(ROLES) | json_values},
    optional={
        "content": st.text(max_size=30) | st.lists(part, max_size=3) | json_values,
        "tool_calls": st.lists(tool_call, max_size=2) | json_values,
        "function_call": json_values,
        "tool_call_id": json_values,
        "name": json_values,
    },
)
tool = st.fixed_dictionaries(
    {"type": st.sampled_from(["function", "custom"]) | json_values},
    optional={"function": json_values | st.fixed_dictionaries({"name": st.text(max_size=8)}, optional={"parameters": json_values})},
)
request_body = st.fixed_dictionaries(
    {"model": st.sampled_from(["m1", "m2", "nope", ""]) | json_values},
    optional={
        "messages": st.lists(message, max_size=4) | json_values,
        "prompt": json_values,
        "input": json_values,
        "max_tokens": st.integers(min_value=-5, max_value=2**70) | json_values,
        "max_completion_tokens": json_values,
        "n": st.integers(min_value=-1, max_value=200) | json_values,
        "stream": st.booleans() | json_values,
        "stream_options": json_values,
        "tools": st.lists(tool, max_size=2) | json_values,
        "tool_choice": st.sampled_from(["auto", "none", "required"]) | json_values,
        "functions": json_values,
        "response_format": json_values,
        "stop": json_values,
        "temperature": json_values,
        "logprobs": json_values,
        "parallel_tool_calls": json_values,
    },
)
# Valid chat requests (so the translation and forwarding paths run), and the same with one field
# anywhere in them replaced by arbitrary JSON.
text = st.text(max_size=20)
valid_message = st.one_of(
    st.fixed_dictionaries({"role": st.sampled_from(["system", "developer"]), "content": text}),
    st.fixed_dictionaries(
        {"role": st.just("user"), "content": text | st.lists(st.fixed_dictionaries({"type": st.just("text"), "text": text}), min_size=1, max_size=2)}
    ),
    st.fixed_dictionaries(
        {
            "role": st.just("assistant"),
            "content": st.none() | text,
            "tool_calls": st.lists(
                st.fixed_dictionaries(
                    {
                        "id": st.sampled_from(["c1", "c2"]),
                        "type": st.just("function"),
                        "function": st.fixed_dictionaries(
                            {"name": st.sampled_from(["f", "g"]), "arguments": st.sampled_from(["{}", '{"a": 1}', "", "not json", "[1]"])}
                        ),
                    }
                ),
                max_size=2,
            ),
        }
    ),
    st.fixed_dictionaries({"role": st.just("tool"), "tool_call_id": st.sampled_from(["c1", "c2"]), "content": text}),
)
valid_tool = st.fixed_dictionaries(
    {"type": st.just("function"), "function": st.fixed_dictionaries({"name": st.sampled_from(["f", "g"])}, optional={"parameters": st.just({"type": "object", "properties": {}}), "description": text})}
)
valid_chat = st.fixed_dictionaries(
    {"model": st.sampled_from(["m1", "m2"]), "messages": st.lists(valid_message, min_size=1, max_size=4)},
    optional={
        "max_tokens": st.integers(min_value=1, max_value=1000),
        "stream": st.booleans(),
        "tools": st.lists(valid_tool, min_size=1, max_size=2),
        "tool_choice": st.sampled_from(["auto", "none", "required", {"type": "function", "function": {"name": "f"}}]),
        "parallel_tool_calls": st.booleans(),
        "stop": st.sampled_from(["x", ["x", "y"]]),
        "temperature": st.floats(min_value=0, max_value=2),
    },
)


def _paths(v: object, at: tuple = ()) -> list[tuple]:
    out = [at]
    if isinstance(v, dict):
        for k, x in v.items():
            out += _paths(x, (*at, k))
    elif isinstance(v, list):
        for i, x in enumerate(v):
            out += _paths(x, (*at, i))
    return out


@st.composite
def mutated(draw, valid) -> dict:
    """A valid body with one field anywhere in it replaced by arbitrary JSON."""
    body = copy.deepcopy(draw(valid))  # never mutate the strategies' own (shared) values
    path = draw(st.sampled_from(_paths(body)[1:]))
    target = body
    for k in path[:-1]:
        target = target[k]
    target[path[-1]] = draw(json_values)
    return body


def dumps(v: object) -> bytes:
    return json.dumps(v).encode()  # the stdlib writes integers of any size (orjson stops at 64 bits)


payloads = (
    valid_chat.map(dumps)
    | mutated(valid_chat).map(dumps)
    | request_body.map(dumps)
    | json_values.map(dumps)
    | st.binary(max_size=64)
    | st.sampled_from([b"[" * 2000 + b"]" * 2000, b'{"model":"m1","messages":' + b"[" * 600 + b"]" * 600 + b"}"])
)


@pytest.fixture(scope="module")
def fuzz_router(loop_thread, upstreams):
    from .conftest import RouterProc

    for u in upstreams.values():
        u.reset()
    cfg = base_config(upstreams)
    cfg["backends"] = [
        {
            "name": "cloud_eu",
            "provider": "anthropic",
            "tier": "cloud",
            "base_url": upstreams["cloud_eu"].url,
            "api_key_env": "HOME",
            "jurisdiction": "eu",
            "models": ["m1"],
            "price": {"input_per_mtok": 1.0, "output_per_mtok": 1.0},
            "timeout_s": 2.0,
        },
        {
            "name": "local_eu",
            "provider": "vllm",
            "tier": "local",
            "base_url": upstreams["local_eu"].url + "/v1",
            "jurisdiction": "eu",
            "models": ["m2"],
        },
    ]
    cfg["tenants"]["acme"]["budget"] = {"daily_usd": 1000.0}
    r = RouterProc(loop_thread, cfg).start()
    yield r
    r.stop()


@settings(
    max_examples=600,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    derandomize=True,
)
@given(route=st.sampled_from(ROUTES), payload=payloads)
def test_no_input_causes_a_5xx(fuzz_router, route, payload):
    resp = requests.post(
        fuzz_router.url + route,
        data=payload,
        headers={"authorization": "Bearer eu-key", "content-type": "application/json"},
        timeout=10,
    )
    assert resp.status_code < 500, (route, payload[:300], resp.status_code, resp.text[:300])
    if resp.status_code >= 400:
        err = resp.json()["error"]
        assert err["code"] and err["message"] and err["type"]


# --- the inbound APIs: Responses and Anthropic Messages ------------------------------------------------
resp_item = st.one_of(
    st.fixed_dictionaries({"role": st.sampled_from(["user", "assistant", "system", "developer"]), "content": text}),
    st.fixed_dictionaries({"role": st.just("user"), "content": st.lists(st.one_of(
        st.fixed_dictionaries({"type": st.just("input_text"), "text": text}),
        st.fixed_dictionaries({"type": st.just("input_image"), "image_url": st.just("data:image/png;base64,AAAA")}),
    ), min_size=1, max_size=2)}),
    st.fixed_dictionaries({"type": st.just("function_call"), "call_id": st.sampled_from(["c1", "c2"]),
                           "name": st.sampled_from(["f", "g"]), "arguments": st.sampled_from(["{}", "x"])}),
    st.fixed_dictionaries({"type": st.just("function_call_output"), "call_id": st.sampled_from(["c1", "c2"]),
                           "output": text}),
    st.fixed_dictionaries({"type": st.just("reasoning"), "id": st.just("rs_1"), "summary": st.just([])}),
)
valid_responses = st.fixed_dictionaries(
    {"model": st.sampled_from(["m1", "m2"]), "input": text | st.lists(resp_item, min_size=1, max_size=4)},
    optional={
        "instructions": text,
        "max_output_tokens": st.integers(min_value=1, max_value=1000),
        "stream": st.booleans(),
        "tools": st.lists(st.fixed_dictionaries({"type": st.just("function"), "name": st.sampled_from(["f", "g"]),
                                                  "parameters": st.just({"type": "object", "properties": {}})}),
                          min_size=1, max_size=2),
        "tool_choice": st.sampled_from(["auto", "none", "required", {"type": "function", "name": "f"}]),
        "text": st.sampled_from([{"format": {"type": "text"}}, {"format": {"type": "json_object"}}]),
        "store": st.just(False),
    },
)
anthropic_block = st.one_of(
    st.fixed_dictionaries({"type": st.just("text"), "text": text}),
    st.fixed_dictionaries({"type": st.just("image"), "source": st.just(
        {"type": "base64", "media_type": "image/png", "data": "AAAA"})}),
)
valid_messages = st.fixed_dictionaries(
    {
        "model": st.sampled_from(["m1", "m2"]),
        "max_tokens": st.integers(min_value=1, max_value=1000),
        "messages": st.lists(st.one_of(
            st.fixed_dictionaries({"role": st.sampled_from(["user", "assistant"]), "content": text}),
            st.fixed_dictionaries({"role": st.just("user"), "content": st.lists(anthropic_block, min_size=1, max_size=2)}),
            st.fixed_dictionaries({"role": st.just("assistant"), "content": st.just(
                [{"type": "tool_use", "id": "t1", "name": "f", "input": {}}])}),
            st.fixed_dictionaries({"role": st.just("user"), "content": st.just(
                [{"type": "tool_result", "tool_use_id": "t1", "content": "ok"}])}),
        ), min_size=1, max_size=4),
    },
    optional={
        "system": text | st.just([{"type": "text", "text": "be brief"}]),
        "stream": st.booleans(),
        "tools": st.just([{"name": "f", "input_schema": {"type": "object", "properties": {}}}]),
        "tool_choice": st.sampled_from([{"type": "auto"}, {"type": "any"}, {"type": "tool", "name": "f"}]),
        "stop_sequences": st.just(["x"]),
        "temperature": st.floats(min_value=0, max_value=1),
    },
)


inbound_payloads = {
    "/v1/responses": valid_responses.map(dumps) | mutated(valid_responses).map(dumps) | json_values.map(dumps)
    | st.binary(max_size=64),
    "/v1/messages": valid_messages.map(dumps) | mutated(valid_messages).map(dumps) | json_values.map(dumps)
    | st.binary(max_size=64),
}


@settings(
    max_examples=400,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    derandomize=True,
)
@given(data=st.data())
def test_no_responses_or_messages_input_causes_a_5xx(fuzz_router, data):
    route = data.draw(st.sampled_from(sorted(inbound_payloads)))
    payload = data.draw(inbound_payloads[route])
    resp = requests.post(
        fuzz_router.url + route,
        data=payload,
        headers={"x-api-key": "eu-key", "content-type": "application/json", "anthropic-version": "2023-06-01"},
        timeout=10,
    )
    assert resp.status_code < 500, (route, payload[:300], resp.status_code, resp.text[:300])
    if resp.status_code >= 400:
        body = resp.json()
        if route == "/v1/messages":
            assert body["type"] == "error" and body["error"]["type"] and body["error"]["message"]
        else:
            assert body["error"]["code"] and body["error"]["message"]


# last: after every fuzzing test above
def test_the_router_is_healthy_after_the_fuzzing(fuzz_router):
    r = fuzz_router
    assert requests.get(r.url + "/healthz", timeout=5).status_code == 200
    assert requests.get(r.url + "/readyz", timeout=5).status_code == 200
    for b in r.app.policy.backends:
        assert b.breaker.probes == 0 and b.breaker.state == "closed", b.name
    ok = {"model": "m1", "max_tokens": 5, "messages": [{"role": "user", "content": "hi"}]}
    resp = requests.post(r.url + "/v1/chat/completions", json=ok, headers={"authorization": "Bearer eu-key"}, timeout=10)
    assert resp.status_code == 200
    # every reservation was settled: what the ledger holds is what the upstream reported, exactly
    served = r.app.metrics.spend.values[("acme", "cloud_eu")]
    ledger = r.lt.run(r.app.budgets.spent_usd(r.app.budgets.counters("acme")[0].key))
    assert ledger == pytest.approx(served)

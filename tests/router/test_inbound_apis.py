"""The Responses API and Anthropic Messages, checked with the official `openai` and `anthropic` clients
against the running router, and every answer and stream event validated by the clients' own types.

The backends here speak chat completions only (vLLM-shaped), so each request is translated both ways;
native pass-through is checked against backends that speak the API themselves.
"""

from __future__ import annotations

import typing

import anthropic
import openai
import orjson
import pytest
import requests
from anthropic.types import Message as AnthropicMessage
from anthropic.types import RawMessageStreamEvent
from openai.types.responses import Response, ResponseStreamEvent
from pydantic import TypeAdapter

from .conftest import base_config


def _by_type(union) -> dict[str, TypeAdapter]:
    """Each event class of a client's stream-event union, by its `type` literal (a clear error per event)."""
    members = typing.get_args(typing.get_args(union)[0]) if typing.get_origin(union) is typing.Annotated else typing.get_args(union)
    return {typing.get_args(m.model_fields["type"].annotation)[0]: TypeAdapter(m) for m in members}


RESPONSE_EVENTS = _by_type(ResponseStreamEvent)
MESSAGE_EVENTS = _by_type(RawMessageStreamEvent)


def check_events(events, kinds: dict[str, TypeAdapter]) -> None:
    for ev in events:
        kinds[ev.type].validate_python(ev.model_dump(exclude_unset=True))
WEATHER_FN = {
    "type": "function",
    "name": "get_weather",
    "description": "Weather in a city",
    "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
}
WEATHER_TOOL = {
    "name": "get_weather",
    "description": "Weather in a city",
    "input_schema": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
}


def only(ups, name: str, **backend) -> dict:
    """A router whose only backend for model m1 is `name` (overrides in `backend`)."""
    cfg = base_config(ups)
    cfg["backends"] = [{**b, **backend} for b in cfg["backends"] if b["name"] == name]
    return cfg


def oai(r, key: str = "eu-key") -> openai.OpenAI:
    return openai.OpenAI(base_url=r.url + "/v1", api_key=key, max_retries=0, timeout=10)


def claude(r, key: str = "eu-key") -> anthropic.Anthropic:
    return anthropic.Anthropic(base_url=r.url, api_key=key, max_retries=0, timeout=10)


def upstream_body(up) -> dict:
    return orjson.loads(up.seen[-1]["body"])


# --- Responses API -------------------------------------------------------------------------------------
def test_responses_plain_over_a_chat_only_backend(make_router, ups):
    r = make_router(only(ups, "local_eu"))
    raw = oai(r).responses.with_raw_response.create(
        model="m1", instructions="Be brief.", input="Hello", max_output_tokens=50, temperature=0.2
    )
    resp = raw.parse()
    Response.model_validate(raw.http_response.json())  # the client's own type, validated strictly
    assert resp.output_text == "hello from local_eu"
    assert resp.status == "completed" and resp.object == "response" and resp.id.startswith("resp_")
    assert resp.usage is not None and (resp.usage.input_tokens, resp.usage.output_tokens) == (10, 5)
    assert resp.store is False
    sent = upstream_body(ups["local_eu"])
    assert ups["local_eu"].seen[-1]["path"] == "/v1/chat/completions"
    assert sent["messages"] == [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hello"}]
    assert sent["max_tokens"] == 50 and sent["temperature"] == 0.2


def test_responses_streamed_events_follow_the_responses_sequence(make_router, ups):
    r = make_router(only(ups, "local_eu"))
    events = list(oai(r).responses.create(model="m1", input="Hello", stream=True))
    check_events(events, RESPONSE_EVENTS)
    kinds = [e.type for e in events]
    assert kinds[:4] == ["response.created", "response.in_progress", "response.output_item.added",
                         "response.content_part.added"]
    assert kinds[-4:] == ["response.output_text.done", "response.content_part.done", "response.output_item.done",
                          "response.completed"]
    deltas = [e.delta for e in events if e.type == "response.output_text.delta"]
    assert "".join(deltas) == "local_eu-0 local_eu-1 local_eu-2 "
    assert [e.sequence_number for e in events] == list(range(len(events)))
    done = events[-1].response
    assert done.output_text == "local_eu-0 local_eu-1 local_eu-2 "
    assert done.usage is not None and (done.usage.input_tokens, done.usage.output_tokens) == (10, 5)


def test_responses_stream_helper_gets_the_final_response(make_router, ups):
    r = make_router(only(ups, "local_eu"))
    with oai(r).responses.stream(model="m1", input="Hello") as stream:
        text = "".join(e.delta for e in stream if e.type == "response.output_text.delta")
        final = stream.get_final_response()
    assert text == final.output_text == "local_eu-0 local_eu-1 local_eu-2 "


def test_responses_tool_calls_both_ways(make_router, ups):
    r = make_router(only(ups, "local_eu"))
    client = oai(r)
    resp = client.responses.create(model="m1", input="Weather in Paris?", tools=[WEATHER_FN], tool_choice="auto")
    calls = [o for o in resp.output if o.type == "function_call"]
    assert len(calls) == 1 and calls[0].name == "get_weather" and calls[0].call_id == "call_1"
    assert orjson.loads(calls[0].arguments) == {"city": "Paris"}
    sent = upstream_body(ups["local_eu"])
    assert sent["tools"] == [{"type": "function", "function": {k: WEATHER_FN[k] for k in ("name", "description", "parameters")}}]
    assert sent["tool_choice"] == "auto"

    # the caller runs the tool and sends the whole conversation back (stateless)
    ups["local_eu"].seen.clear()
    client.responses.create(
        model="m1",
        input=[
            {"role": "user", "content": "Weather in Paris?"},
            {"type": "function_call", "call_id": "call_1", "name": "get_weather", "arguments": '{"city": "Paris"}'},
            {"type": "function_call_output", "call_id": "call_1", "output": "18C, sunny"},
        ],
    )
    sent = upstream_body(ups["local_eu"])
    assert sent["messages"] == [
        {"role": "user", "content": "Weather in Paris?"},
        {"role": "assistant", "content": None, "tool_calls": [
            {"id": "call_1", "type": "function", "function": {"name": "get_weather", "arguments": '{"city": "Paris"}'}}]},
        {"role": "tool", "tool_call_id": "call_1", "content": "18C, sunny"},
    ]


def test_responses_streamed_tool_call(make_router, ups):
    r = make_router(only(ups, "local_eu"))
    events = list(oai(r).responses.create(model="m1", input="Weather?", tools=[WEATHER_FN], stream=True))
    check_events(events, RESPONSE_EVENTS)
    args = "".join(e.delta for e in events if e.type == "response.function_call_arguments.delta")
    assert orjson.loads(args) == {"city": "Paris"}
    done = [e for e in events if e.type == "response.function_call_arguments.done"]
    assert len(done) == 1 and done[0].arguments == args
    final = events[-1]
    assert final.type == "response.completed"
    assert [o.type for o in final.response.output] == ["function_call"]


@pytest.mark.parametrize(
    ("extra", "param"),
    [
        ({"previous_response_id": "resp_123"}, "previous_response_id"),
        ({"store": True}, "store"),
        ({"tools": [{"type": "web_search"}]}, "tools[0].type"),
        ({"input": [{"type": "item_reference", "id": "msg_1"}]}, "input[0].type"),
        ({"input": [{"role": "user", "content": [{"type": "input_image", "file_id": "file-1"}]}]},
         "input[0].content[0].file_id"),
        ({"input": [{"role": "robot", "content": "hi"}]}, "input[0].role"),
        ({"max_output_tokens": 0}, "max_output_tokens"),
    ],
)
def test_responses_what_cannot_be_honoured_is_a_400_naming_it(make_router, ups, extra, param):
    r = make_router(only(ups, "local_eu"))
    body = {"model": "m1", "input": "hi", **extra}
    with pytest.raises(openai.BadRequestError) as err:
        oai(r).responses.create(**body)
    assert err.value.param == param, err.value.message
    assert ups["local_eu"].hits == 0  # refused before any backend was tried


def test_responses_native_pass_through(make_router, ups):
    r = make_router(only(ups, "cloud_eu"))  # provider openai: serves the Responses API itself
    raw = oai(r).responses.with_raw_response.create(model="m1", input="Hello", store=False)
    assert ups["cloud_eu"].seen[-1]["path"] == "/v1/responses"
    sent = upstream_body(ups["cloud_eu"])
    assert sent["input"] == "Hello" and sent["store"] is False
    assert raw.parse().output_text == "native from cloud_eu"
    events = list(oai(r).responses.create(model="m1", input="Hello", stream=True))
    assert [e.type for e in events] == ["response.created", "response.output_text.delta", "response.completed"]
    assert upstream_body(ups["cloud_eu"])["store"] is False


def test_responses_native_usage_is_charged(make_router, ups):
    r = make_router(only(ups, "cloud_eu"))  # 1 USD per Mtok each way
    oai(r).responses.create(model="m1", input="Hello")
    spent = r.lt.run(r.app.budgets.spent_usd(r.app.budgets.counters("acme")[0].key))
    assert spent == pytest.approx(10 / 1_000_000)  # 7 input + 3 output tokens, not the worst case


def test_responses_failover_stays_in_the_jurisdiction(make_router, ups):
    r = make_router()  # every backend serves m1; the EU tenant may use only the EU ones
    ups["local_eu"].mode = "error500"
    ups["edge_eu"].mode = "error500"
    resp = oai(r).responses.create(model="m1", input="Hello")
    assert resp.output_text == "native from cloud_eu"  # translated attempts failed, the native one served
    assert ups["cloud_us"].hits == 0 and ups["local_us"].hits == 0
    ups["cloud_eu"].mode = "error500"
    with pytest.raises(openai.APIStatusError) as err:
        oai(r).responses.create(model="m1", input="Hello")
    assert err.value.status_code == 502
    assert ups["cloud_us"].hits == 0 and ups["local_us"].hits == 0


def test_responses_mid_stream_failure_is_response_failed(make_router, ups):
    r = make_router(only(ups, "local_eu"))
    ups["local_eu"].mode = "midreset"
    events = list(oai(r).responses.create(model="m1", input="Hello", stream=True))
    check_events(events, RESPONSE_EVENTS)
    assert events[-1].type == "response.failed"
    assert events[-1].response.error is not None


# --- Anthropic Messages ----------------------------------------------------------------------------------
def test_messages_plain_over_a_chat_only_backend(make_router, ups):
    r = make_router(only(ups, "local_eu"))
    raw = claude(r).messages.with_raw_response.create(
        model="m1", max_tokens=64, system="Be brief.", messages=[{"role": "user", "content": "Hello"}]
    )
    msg = raw.parse()
    AnthropicMessage.model_validate(raw.http_response.json())
    assert msg.content[0].type == "text" and msg.content[0].text == "hello from local_eu"
    assert msg.stop_reason == "end_turn"
    assert (msg.usage.input_tokens, msg.usage.output_tokens) == (10, 5)
    seen = ups["local_eu"].seen[-1]
    assert seen["path"] == "/v1/chat/completions"
    sent = orjson.loads(seen["body"])
    assert sent["messages"] == [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hello"}]
    assert sent["max_tokens"] == 64


def test_messages_streamed_events_and_final_message(make_router, ups):
    r = make_router(only(ups, "local_eu"))
    client = claude(r)
    events = list(client.messages.create(model="m1", max_tokens=64, messages=[{"role": "user", "content": "Hi"}],
                                         stream=True))
    check_events(events, MESSAGE_EVENTS)
    kinds = [e.type for e in events]
    assert kinds[:2] == ["message_start", "content_block_start"]
    assert kinds[-3:] == ["content_block_stop", "message_delta", "message_stop"]
    with client.messages.stream(model="m1", max_tokens=64, messages=[{"role": "user", "content": "Hi"}]) as stream:
        text = "".join(stream.text_stream)
        final = stream.get_final_message()
    assert text == "local_eu-0 local_eu-1 local_eu-2 "
    assert final.content[0].text == text
    assert (final.usage.input_tokens, final.usage.output_tokens) == (10, 5)
    assert final.stop_reason == "end_turn"


def test_messages_tools_plain_and_streamed(make_router, ups):
    r = make_router(only(ups, "local_eu"))
    client = claude(r)
    msg = client.messages.create(
        model="m1", max_tokens=64, tools=[WEATHER_TOOL], tool_choice={"type": "any"},
        messages=[{"role": "user", "content": "Weather in Paris?"}],
    )
    uses = [b for b in msg.content if b.type == "tool_use"]
    assert len(uses) == 1 and uses[0].name == "get_weather" and uses[0].input == {"city": "Paris"}
    assert msg.stop_reason == "tool_use"
    sent = upstream_body(ups["local_eu"])
    assert sent["tools"][0]["function"]["parameters"] == WEATHER_TOOL["input_schema"]
    assert sent["tool_choice"] == "required"

    with client.messages.stream(model="m1", max_tokens=64, tools=[WEATHER_TOOL],
                                messages=[{"role": "user", "content": "Weather in Paris?"}]) as stream:
        final = stream.get_final_message()
    uses = [b for b in final.content if b.type == "tool_use"]
    assert len(uses) == 1 and uses[0].input == {"city": "Paris"} and uses[0].id == "call_1"
    assert final.stop_reason == "tool_use"

    # the tool's result goes back as a tool message, ahead of the rest of the user turn
    ups["local_eu"].seen.clear()
    client.messages.create(
        model="m1", max_tokens=64, tools=[WEATHER_TOOL],
        messages=[
            {"role": "user", "content": "Weather in Paris?"},
            {"role": "assistant", "content": [{"type": "tool_use", "id": "call_1", "name": "get_weather",
                                               "input": {"city": "Paris"}}]},
            {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "call_1", "content": "18C"},
                                         {"type": "text", "text": "And tomorrow?"}]},
        ],
    )
    sent = upstream_body(ups["local_eu"])
    assert sent["messages"][1]["tool_calls"][0]["function"] == {"name": "get_weather", "arguments": '{"city":"Paris"}'}
    assert sent["messages"][2:] == [{"role": "tool", "tool_call_id": "call_1", "content": "18C"},
                                    {"role": "user", "content": "And tomorrow?"}]


def test_messages_native_pass_through_to_anthropic(make_router, ups):
    r = make_router(only(ups, "cloud_eu", provider="anthropic", base_url=ups["cloud_eu"].url))
    body = {"model": "m1", "max_tokens": 32, "messages": [{"role": "user", "content": "Bonjour"}],
            "metadata": {"user_id": "u1"}}
    msg = claude(r).messages.create(**body)
    seen = ups["cloud_eu"].seen[-1]
    assert seen["path"] == "/v1/messages" and orjson.loads(seen["body"]) == body  # untouched
    assert msg.content[0].text == "bonjour monde" and msg.usage.output_tokens == 2
    with claude(r).messages.stream(**body) as stream:
        assert "".join(stream.text_stream) == "bonjour monde"


def test_messages_errors_are_anthropic_shaped(make_router, ups):
    r = make_router(only(ups, "local_eu"))
    with pytest.raises(anthropic.AuthenticationError) as auth:
        claude(r, key="wrong").messages.create(model="m1", max_tokens=8, messages=[{"role": "user", "content": "x"}])
    assert auth.value.body["type"] == "error" and auth.value.body["error"]["type"] == "authentication_error"
    resp = requests.post(r.url + "/v1/messages", headers={"x-api-key": "eu-key", "anthropic-version": "2023-06-01"},
                      json={"model": "m1", "messages": [{"role": "user", "content": "x"}]}, timeout=10)
    assert resp.status_code == 400
    assert resp.json() == {"type": "error", "error": {"type": "invalid_request_error",
                                                      "message": "`max_tokens`: is required"}}
    with pytest.raises(anthropic.BadRequestError) as bad:
        claude(r).messages.create(model="m1", max_tokens=8, messages=[{"role": "user", "content": "x"}],
                                  tools=[{"type": "web_search_20250305", "name": "web_search"}])
    assert "tools[0].type" in bad.value.body["error"]["message"]
    with pytest.raises(anthropic.NotFoundError):
        claude(r).messages.create(model="nope", max_tokens=8, messages=[{"role": "user", "content": "x"}])
    assert ups["local_eu"].hits == 0


def test_messages_residency_and_failover(make_router, ups):
    r = make_router()
    ups["local_eu"].mode = "error500"
    msg = claude(r).messages.create(model="m1", max_tokens=8, messages=[{"role": "user", "content": "x"}])
    assert msg.content[0].text  # served by another EU backend
    assert ups["cloud_us"].hits == 0 and ups["local_us"].hits == 0


def test_native_streams_are_charged_their_reported_usage(make_router, ups):
    r = make_router(only(ups, "cloud_eu"))  # openai, native Responses, 1 USD per Mtok each way
    list(oai(r).responses.create(model="m1", input="Hello", stream=True))
    budgets = r.app.budgets
    assert r.lt.run(budgets.spent_usd(budgets.counters("acme")[0].key)) == pytest.approx(10e-6)  # 7 + 3
    a = make_router(only(ups, "cloud_eu", provider="anthropic", base_url=ups["cloud_eu"].url))
    with claude(a).messages.stream(model="m1", max_tokens=32, messages=[{"role": "user", "content": "x"}]) as s:
        s.get_final_message()
    spent = a.lt.run(a.app.budgets.spent_usd(a.app.budgets.counters("acme")[0].key))
    assert spent == pytest.approx(13e-6)  # message_start's 11 input + message_delta's 2 output


@pytest.mark.parametrize(
    ("provider", "apis", "ok"),
    [("openai", ["responses"], True), ("vllm", ["responses", "messages"], True), ("anthropic", ["responses"], False),
     ("bedrock", ["messages"], False), ("azure_openai", ["responses"], False)],
)
def test_native_apis_must_be_served_by_the_provider(ups, provider, apis, ok):
    from meridian_router.config import ConfigError, parse_config

    cfg = only(ups, "cloud_eu", provider=provider, native_apis=apis, aws_region="eu-west-1")
    if ok:
        assert parse_config(cfg).backends[0].natives() == frozenset(apis)
    else:
        with pytest.raises(ConfigError, match=r"backends\.0: .*native_apis: .* do not serve"):
            parse_config(cfg)


def test_tool_settings_without_tools_are_not_sent_to_chat(make_router, ups):
    r = make_router(only(ups, "local_eu"))
    oai(r).responses.create(model="m1", input="x", tool_choice="auto", parallel_tool_calls=False)
    sent = upstream_body(ups["local_eu"])
    assert "tool_choice" not in sent and "parallel_tool_calls" not in sent


def test_an_input_item_type_that_is_not_a_string_is_a_400(make_router, ups):
    r = make_router(only(ups, "local_eu"))
    with pytest.raises(openai.BadRequestError) as err:
        oai(r).responses.create(model="m1", input=[{"type": [], "id": "rs_1", "summary": []}])  # type: ignore[list-item]
    assert err.value.param == "input[0].type"

"""Provider adapters translate requests, answers, streams and usage; SigV4 matches botocore."""

from __future__ import annotations

from datetime import UTC, datetime

import openai
import pytest
from meridian_router.adapters.sigv4 import sign

from .conftest import base_config

MSG = [{"role": "system", "content": "be brief"}, {"role": "user", "content": "hi"}]


def one_backend(ups, provider: str, **kw) -> dict:
    cfg = base_config(ups)
    b = {
        "name": "p",
        "provider": provider,
        "tier": "cloud",
        "base_url": ups["extra"].url,
        "jurisdiction": "eu",
        "models": [{"name": "m1", "upstream": "up-model"}],
        "api_key_env": "TEST_UPSTREAM_KEY",
        **kw,
    }
    cfg["backends"] = [b]
    return cfg


@pytest.fixture(autouse=True)
def _key(monkeypatch):
    monkeypatch.setenv("TEST_UPSTREAM_KEY", "sekrit")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
    monkeypatch.delenv("AWS_SESSION_TOKEN", raising=False)


def client(r):
    return openai.OpenAI(base_url=r.url + "/v1", api_key="eu-key", max_retries=0, timeout=10)


def test_anthropic(make_router, ups):
    r = make_router(one_backend(ups, "anthropic"))
    out = client(r).chat.completions.create(model="m1", messages=MSG, max_tokens=50)
    assert out.choices[0].message.content == "bonjour monde"
    assert (out.usage.prompt_tokens, out.usage.completion_tokens) == (11, 2)
    seen = ups["extra"].seen[-1]
    assert seen["headers"]["x-api-key"] == "sekrit"
    assert b'"system":"be brief"' in seen["body"] and b'"model":"up-model"' in seen["body"]
    chunks = list(client(r).chat.completions.create(model="m1", messages=MSG, stream=True))
    assert "".join(c.choices[0].delta.content or "" for c in chunks if c.choices) == "bonjour monde"
    assert chunks[-1].choices[0].finish_reason == "stop"
    assert chunks[-1].usage.completion_tokens == 2


def test_vertex(make_router, ups):
    cfg = one_backend(ups, "vertex")
    cfg["backends"][0]["base_url"] = ups["extra"].url + "/models"
    r = make_router(cfg)
    out = client(r).chat.completions.create(model="m1", messages=MSG)
    assert out.choices[0].message.content == "hallo welt"
    assert out.usage.prompt_tokens == 7
    seen = ups["extra"].seen[-1]
    assert seen["path"] == "/models/up-model:generateContent"
    assert seen["headers"]["authorization"] == "Bearer sekrit"
    assert b"systemInstruction" in seen["body"]
    chunks = list(client(r).chat.completions.create(model="m1", messages=MSG, stream=True))
    assert "".join(c.choices[0].delta.content or "" for c in chunks if c.choices) == "hallo welt"
    assert ups["extra"].seen[-1]["path"] == "/models/up-model:streamGenerateContent?alt=sse"


def test_bedrock_sigv4(make_router, ups):
    r = make_router(one_backend(ups, "bedrock", aws_region="eu-west-1", api_key_env=None))
    out = client(r).chat.completions.create(model="m1", messages=MSG, max_tokens=5)
    assert out.choices[0].message.content == "hola"
    seen = ups["extra"].seen[-1]
    assert seen["path"] == "/model/up-model/converse"
    auth = seen["headers"]["authorization"]
    assert (
        auth.startswith("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/")
        and "/eu-west-1/bedrock/aws4_request" in auth
    )
    chunks = list(client(r).chat.completions.create(model="m1", messages=MSG, stream=True))
    assert "".join(c.choices[0].delta.content or "" for c in chunks if c.choices) == "hola"


def test_azure_openai(make_router, ups):
    r = make_router(one_backend(ups, "azure_openai", api_version="2024-10-21"))
    out = client(r).chat.completions.create(model="m1", messages=MSG)
    assert out.choices[0].message.content == "hello from extra"
    seen = ups["extra"].seen[-1]
    assert seen["path"] == "/openai/deployments/up-model/chat/completions?api-version=2024-10-21"
    assert seen["headers"]["api-key"] == "sekrit" and "authorization" not in seen["headers"]


def test_azure_url_and_headers(ups):
    from meridian_router.adapters.openai import AzureOpenAIAdapter
    from meridian_router.config import parse_config

    cfg = parse_config(one_backend(ups, "azure_openai", api_version="2024-10-21"))
    a = AzureOpenAIAdapter(cfg.backends[0])
    req = a.build("chat", {"model": "m1", "messages": []}, b"{}", "m1", False, frozenset({"eu"}), False)
    assert req.url.endswith("/openai/deployments/up-model/chat/completions?api-version=2024-10-21")
    assert req.headers["api-key"] == "sekrit" and "authorization" not in req.headers


@pytest.mark.parametrize(
    "url",
    [
        "https://bedrock-runtime.eu-west-1.amazonaws.com/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse",
        "https://bedrock-runtime.us-east-1.amazonaws.com/model/m/converse?b=2&a=1",
    ],
)
@pytest.mark.parametrize("token", [None, "FwoGZXIvYXdzEXAMPLE"])
def test_sigv4_matches_botocore(url, token):
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    body = b'{"messages":[]}'
    req = AWSRequest(method="POST", url=url, data=body, headers={"content-type": "application/json"})
    SigV4Auth(Credentials("AKID", "SECRET", token), "bedrock", "eu-west-1").add_auth(req)
    now = datetime.strptime(req.headers["X-Amz-Date"], "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    ours = sign(
        "POST",
        url,
        {"content-type": "application/json"},
        body,
        access_key="AKID",
        secret_key="SECRET",
        region="eu-west-1",
        service="bedrock",
        session_token=token,
        now=now,
    )
    assert ours["authorization"] == req.headers["Authorization"]


def test_bedrock_credentials_file_is_reread(make_router, ups, tmp_path):
    creds = tmp_path / "aws"
    creds.write_text(
        "export AWS_ACCESS_KEY_ID=AKIDFILE\nexport AWS_SECRET_ACCESS_KEY=s1\nexport AWS_SESSION_TOKEN=t1\n"
    )
    r = make_router(
        one_backend(ups, "bedrock", aws_region="eu-west-1", api_key_env=None, aws_credentials_file=str(creds))
    )
    client(r).chat.completions.create(model="m1", messages=MSG, max_tokens=5)
    seen = ups["extra"].seen[-1]["headers"]
    assert "Credential=AKIDFILE/" in seen["authorization"] and seen["x-amz-security-token"] == "t1"


def after_one_call(call_id: str) -> list[dict]:
    """The conversation after the model called get_weather(Paris) as `call_id` and the tool answered."""
    call = {
        "id": call_id,
        "type": "function",
        "function": {"name": "get_weather", "arguments": '{"city":"Paris"}'},
    }
    return [
        *MSG,
        {"role": "assistant", "content": None, "tool_calls": [call]},
        {"role": "tool", "tool_call_id": call_id, "content": "sunny"},
    ]


WEATHER = [
    {
        "type": "function",
        "function": {
            "name": "get_weather",
            "description": "Weather for a city",
            "parameters": {
                "type": "object",
                "properties": {"city": {"type": "string"}},
                "required": ["city"],
            },
        },
    }
]


def test_anthropic_tool_calls_both_ways(make_router, ups):
    import json

    r = make_router(one_backend(ups, "anthropic"))
    out = client(r).chat.completions.create(
        model="m1", messages=MSG, tools=WEATHER, tool_choice="required", parallel_tool_calls=False
    )
    choice = out.choices[0]
    assert choice.finish_reason == "tool_calls"
    assert choice.message.content == "checking"
    (call,) = choice.message.tool_calls
    assert (call.id, call.type, call.function.name) == ("toolu_01", "function", "get_weather")
    assert json.loads(call.function.arguments) == {"city": "Paris"}
    sent = json.loads(ups["extra"].seen[-1]["body"])
    assert sent["tools"] == [
        {
            "name": "get_weather",
            "input_schema": WEATHER[0]["function"]["parameters"],
            "description": "Weather for a city",
        }
    ]
    assert sent["tool_choice"] == {"type": "any", "disable_parallel_tool_use": True}

    # the conversation continues: the assistant's call and two tool results (merged into one user turn)
    follow = [
        *MSG,
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {
                    "id": "toolu_01",
                    "type": "function",
                    "function": {"name": "get_weather", "arguments": '{"city":"Paris"}'},
                },
                {
                    "id": "toolu_02",
                    "type": "function",
                    "function": {"name": "get_weather", "arguments": '{"city":"Lyon"}'},
                },
            ],
        },
        {"role": "tool", "tool_call_id": "toolu_01", "content": "sunny"},
        {"role": "tool", "tool_call_id": "toolu_02", "content": "rain"},
    ]
    client(r).chat.completions.create(model="m1", messages=follow, tools=WEATHER)
    sent = json.loads(ups["extra"].seen[-1]["body"])
    assert sent["system"] == "be brief"
    roles = [m["role"] for m in sent["messages"]]
    assert roles == ["user", "assistant", "user"]
    assert sent["messages"][1]["content"] == [
        {"type": "tool_use", "id": "toolu_01", "name": "get_weather", "input": {"city": "Paris"}},
        {"type": "tool_use", "id": "toolu_02", "name": "get_weather", "input": {"city": "Lyon"}},
    ]
    assert sent["messages"][2]["content"] == [
        {"type": "tool_result", "tool_use_id": "toolu_01", "content": "sunny"},
        {"type": "tool_result", "tool_use_id": "toolu_02", "content": "rain"},
    ]
    assert "tool_choice" not in sent


def test_anthropic_streamed_tool_call(make_router, ups):
    import json

    r = make_router(one_backend(ups, "anthropic"))
    chunks = list(client(r).chat.completions.create(model="m1", messages=MSG, tools=WEATHER, stream=True))
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    calls: dict[int, dict] = {}
    for c in chunks:
        for tc in (c.choices[0].delta.tool_calls or []) if c.choices else []:
            slot = calls.setdefault(tc.index, {"id": None, "name": None, "arguments": ""})
            slot["id"] = tc.id or slot["id"]
            slot["name"] = (tc.function.name if tc.function else None) or slot["name"]
            slot["arguments"] += (tc.function.arguments or "") if tc.function else ""
    assert text == "checking"
    assert calls == {0: {"id": "toolu_01", "name": "get_weather", "arguments": '{"city": "Paris"}'}}
    assert json.loads(calls[0]["arguments"]) == {"city": "Paris"}
    assert chunks[-1].choices[0].finish_reason == "tool_calls"
    assert chunks[-1].usage.completion_tokens == 12


def test_anthropic_refuses_malformed_tool_input_clearly(make_router, ups):
    r = make_router(one_backend(ups, "anthropic"))
    bad = [
        *MSG,
        {
            "role": "assistant",
            "tool_calls": [
                {
                    "id": "t1",
                    "type": "function",
                    "function": {"name": "get_weather", "arguments": "{not json"},
                }
            ],
        },
    ]
    with pytest.raises(openai.BadRequestError) as e:
        client(r).chat.completions.create(model="m1", messages=bad, tools=WEATHER)
    assert e.value.body["code"] == "invalid_request"
    assert "messages[2].tool_calls[0].function: arguments is not valid JSON" in e.value.body["message"]
    with pytest.raises(openai.BadRequestError) as e:
        client(r).chat.completions.create(
            model="m1", messages=[*MSG, {"role": "tool", "content": "x"}], tools=WEATHER
        )
    assert "messages[2]: a tool message needs the tool_call_id it answers" in e.value.body["message"]


def test_bedrock_tool_calls_through_converse(make_router, ups):
    import json

    r = make_router(one_backend(ups, "bedrock", aws_region="eu-west-1", api_key_env=None))
    out = client(r).chat.completions.create(model="m1", messages=MSG, tools=WEATHER, tool_choice="required")
    choice = out.choices[0]
    assert choice.finish_reason == "tool_calls" and choice.message.content == "checking"
    (call,) = choice.message.tool_calls
    assert (call.id, call.function.name, json.loads(call.function.arguments)) == (
        "tooluse_1",
        "get_weather",
        {"city": "Paris"},
    )
    sent = json.loads(ups["extra"].seen[-1]["body"])
    assert sent["toolConfig"] == {
        "tools": [
            {
                "toolSpec": {
                    "name": "get_weather",
                    "description": "Weather for a city",
                    "inputSchema": {"json": WEATHER[0]["function"]["parameters"]},
                }
            }
        ],
        "toolChoice": {"any": {}},
    }
    # replayed as a stream: the call arrives whole, then finish_reason tool_calls
    chunks = list(client(r).chat.completions.create(model="m1", messages=MSG, tools=WEATHER, stream=True))
    calls = [tc for c in chunks if c.choices for tc in (c.choices[0].delta.tool_calls or [])]
    assert [(tc.index, tc.id, tc.function.name) for tc in calls] == [(0, "tooluse_1", "get_weather")]
    assert chunks[-1].choices[0].finish_reason == "tool_calls"
    # the follow-up turn: toolUse in the assistant turn, toolResult in the next user turn
    follow = after_one_call("tooluse_1")
    client(r).chat.completions.create(model="m1", messages=follow, tools=WEATHER)
    sent = json.loads(ups["extra"].seen[-1]["body"])
    assert sent["messages"][1:] == [
        {
            "role": "assistant",
            "content": [
                {"toolUse": {"toolUseId": "tooluse_1", "name": "get_weather", "input": {"city": "Paris"}}}
            ],
        },
        {
            "role": "user",
            "content": [{"toolResult": {"toolUseId": "tooluse_1", "content": [{"text": "sunny"}]}}],
        },
    ]
    # what Converse cannot express is refused, not ignored
    with pytest.raises(openai.BadRequestError) as e:
        client(r).chat.completions.create(model="m1", messages=MSG, tools=WEATHER, tool_choice="none")
    assert e.value.body["code"] == "unsupported_feature"


def test_vertex_function_calling(make_router, ups):
    import json

    cfg = one_backend(ups, "vertex")
    cfg["backends"][0]["base_url"] = ups["extra"].url + "/models"
    r = make_router(cfg)
    out = client(r).chat.completions.create(
        model="m1",
        messages=MSG,
        tools=WEATHER,
        tool_choice={"type": "function", "function": {"name": "get_weather"}},
    )
    choice = out.choices[0]
    assert choice.finish_reason == "tool_calls" and choice.message.content == "checking"
    (call,) = choice.message.tool_calls
    assert call.id.startswith("call_") and call.function.name == "get_weather"
    assert json.loads(call.function.arguments) == {"city": "Paris"}
    sent = json.loads(ups["extra"].seen[-1]["body"])
    assert sent["tools"] == [
        {
            "functionDeclarations": [
                {
                    "name": "get_weather",
                    "parameters": WEATHER[0]["function"]["parameters"],
                    "description": "Weather for a city",
                }
            ]
        }
    ]
    assert sent["toolConfig"] == {
        "functionCallingConfig": {"mode": "ANY", "allowedFunctionNames": ["get_weather"]}
    }

    chunks = list(client(r).chat.completions.create(model="m1", messages=MSG, tools=WEATHER, stream=True))
    calls = [tc for c in chunks if c.choices for tc in (c.choices[0].delta.tool_calls or [])]
    assert [(tc.index, tc.function.name, json.loads(tc.function.arguments)) for tc in calls] == [
        (0, "get_weather", {"city": "Paris"})
    ]
    assert "".join(c.choices[0].delta.content or "" for c in chunks if c.choices) == "checking"
    assert chunks[-1].choices[0].finish_reason == "tool_calls"

    # results go back as functionResponse parts named after the call they answer
    follow = after_one_call("call_x")
    client(r).chat.completions.create(model="m1", messages=follow, tools=WEATHER)
    sent = json.loads(ups["extra"].seen[-1]["body"])
    assert sent["contents"][1:] == [
        {"role": "model", "parts": [{"functionCall": {"name": "get_weather", "args": {"city": "Paris"}}}]},
        {
            "role": "user",
            "parts": [{"functionResponse": {"name": "get_weather", "response": {"content": "sunny"}}}],
        },
    ]
    orphan = [*MSG, {"role": "tool", "tool_call_id": "nope", "content": "x"}]
    with pytest.raises(openai.BadRequestError) as e:
        client(r).chat.completions.create(model="m1", messages=orphan, tools=WEATHER)
    assert "tool result 'nope' answers no earlier tool call" in e.value.body["message"]

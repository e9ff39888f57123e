"""Request features a backend's API cannot honour are never dropped silently: such requests go to a
backend that honours them (still inside the jurisdiction), or get a clear 400."""

from __future__ import annotations

import openai
import pytest
from meridian_router import features

from .conftest import base_config

TOOLS = [{"type": "function", "function": {"name": "f", "parameters": {"type": "object", "properties": {}}}}]
MSG = [{"role": "user", "content": "hi"}]


@pytest.fixture(autouse=True)
def _key(monkeypatch):
    monkeypatch.setenv("TEST_UPSTREAM_KEY", "sekrit")


def _mixed(ups, *, us_openai: bool = True) -> dict:
    """EU: an Anthropic backend in the local tier (preferred) and an OpenAI-compatible EU cloud
    backend; US: an OpenAI-compatible backend that must never see EU requests."""
    cfg = base_config(ups)
    anthropic = {
        "name": "claude_eu",
        "provider": "anthropic",
        "tier": "local",
        "base_url": ups["extra"].url,
        "jurisdiction": "eu",
        "models": ["m1"],
        "api_key_env": "TEST_UPSTREAM_KEY",
    }
    cfg["backends"] = [anthropic] + [b for b in cfg["backends"] if b["name"] in ("cloud_eu", "cloud_us")]
    if not us_openai:
        cfg["backends"] = [b for b in cfg["backends"] if b["name"] != "cloud_us"]
    return cfg


def _client(r, key: str = "eu-key") -> openai.OpenAI:
    return openai.OpenAI(base_url=r.url + "/v1", api_key=key, max_retries=0, timeout=10)


def test_requests_skip_the_backend_that_would_drop_a_feature(make_router, ups):
    r = make_router(_mixed(ups))
    for u in ups.values():
        u.reset()
    _client(r).chat.completions.create(model="m1", messages=MSG)
    assert ups["extra"].hits == 1 and ups["cloud_eu"].hits == 0  # plain: local tier (Anthropic) first
    _client(r).chat.completions.create(model="m1", messages=MSG, tools=TOOLS)
    assert ups["extra"].hits == 2 and ups["cloud_eu"].hits == 0  # tools: Anthropic translates them
    _client(r).chat.completions.create(model="m1", messages=MSG, response_format={"type": "json_object"})
    assert ups["extra"].hits == 2 and ups["cloud_eu"].hits == 1  # JSON mode: only OpenAI-compatible
    assert b'"response_format"' in ups["cloud_eu"].seen[-1]["body"]  # passed through as sent
    assert ups["cloud_us"].hits == 0  # never outside the jurisdiction


def test_no_capable_backend_in_scope_is_a_clear_400_not_a_residency_leak(make_router, ups):
    cfg = _mixed(ups)
    cfg["backends"] = [b for b in cfg["backends"] if b["name"] != "cloud_eu"]  # EU: Anthropic only
    r = make_router(cfg)
    for u in ups.values():
        u.reset()
    with pytest.raises(openai.BadRequestError) as e:
        _client(r).chat.completions.create(
            model="m1", messages=MSG, response_format={"type": "json_object"}, n=2
        )
    err = e.value.body
    assert err["code"] == "unsupported_feature"
    assert (
        "structured output (response_format)" in err["message"]
        and "several choices (n > 1)" in err["message"]
    )
    assert "claude_eu (anthropic)" in err["message"] and "['eu']" in err["message"]
    assert sum(u.hits for u in ups.values()) == 0  # nothing was sent anywhere (cloud_us could have)


@pytest.mark.parametrize(
    ("body", "wanted"),
    [
        ({"messages": MSG}, set()),
        ({"messages": MSG, "tools": TOOLS}, {features.TOOLS}),
        ({"messages": MSG, "functions": [{"name": "f"}]}, {features.TOOLS}),
        ({"messages": [*MSG, {"role": "assistant", "tool_calls": [{"id": "1"}]}]}, {features.TOOLS}),
        ({"messages": [*MSG, {"role": "tool", "tool_call_id": "1", "content": "x"}]}, {features.TOOLS}),
        ({"messages": MSG, "response_format": {"type": "text"}}, set()),
        (
            {"messages": MSG, "response_format": {"type": "json_schema", "json_schema": {}}},
            {features.JSON_OUTPUT},
        ),
        ({"messages": MSG, "n": 1}, set()),
        ({"messages": MSG, "n": 3}, {features.CHOICES}),
        ({"messages": MSG, "logprobs": True, "top_logprobs": 2}, {features.LOGPROBS}),
        ({"messages": MSG, "logprobs": False}, set()),
        ({"messages": [{"role": "user", "content": [{"type": "text", "text": "x"}]}]}, set()),
        (
            {"messages": [{"role": "user", "content": [{"type": "image_url", "image_url": {"url": "data:,"}}]}]},
            {features.MEDIA},
        ),
    ],
)
def test_required_features(body, wanted):
    assert features.required("chat", body) == wanted
    assert features.required("embeddings", body) == set()

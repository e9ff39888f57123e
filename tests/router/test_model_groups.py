"""Model groups: one public name for several models, with weights and an ordered fallback chain that
never leaves the request's jurisdiction."""

from __future__ import annotations

import hashlib

import openai
import pytest
import requests
from meridian_router.config import ConfigError, parse_config

from .conftest import base_config


def group_config(ups, **groups) -> dict:
    """Backends each serving their own model: local_eu `big-local`, edge_eu `small-local`,
    cloud_eu `big-eu` (priced), cloud_us `big-us` (priced), local_us `small-us`."""
    cfg = base_config(ups)
    models = {"local_eu": "big-local", "edge_eu": "small-local", "cloud_eu": "big-eu", "cloud_us": "big-us",
              "local_us": "small-us"}
    for b in cfg["backends"]:
        b["models"] = [models[b["name"]]]
        b["provider"] = "vllm" if b["tier"] != "cloud" else "openai"
    cfg["model_groups"] = groups or {
        "chat-large": {"members": ["big-local"], "fallbacks": ["big-us", "big-eu"]},
    }
    return cfg


def chat(r, model: str, key: str = "eu-key") -> requests.Response:
    return requests.post(
        r.url + "/v1/chat/completions",
        headers={"authorization": f"Bearer {key}"},
        json={"model": model, "messages": [{"role": "user", "content": "hi"}], "max_tokens": 10},
        timeout=10,
    )


def test_fallback_chain_never_leaves_the_jurisdiction(make_router, ups):
    r = make_router(group_config(ups))
    assert chat(r, "chat-large").json()["choices"][0]["message"]["content"] == "hello from local_eu"
    ups["local_eu"].mode = "error500"
    resp = chat(r, "chat-large")
    assert resp.status_code == 200 and resp.json()["choices"][0]["message"]["content"] == "hello from cloud_eu"
    ups["cloud_eu"].mode = "error500"
    assert chat(r, "chat-large").status_code == 502  # the EU links failed: the US link is never tried
    assert ups["cloud_us"].hits == 0
    # a US tenant: the EU-only member is skipped and the US fallback serves
    resp = chat(r, "chat-large", key="us-key")
    assert resp.json()["choices"][0]["message"]["content"] == "hello from cloud_us"
    assert (ups["local_eu"].hits, ups["cloud_eu"].hits) == (3, 2)  # the EU requests only


def test_the_official_client_and_streams_use_the_chain(make_router, ups):
    r = make_router(group_config(ups))
    ups["local_eu"].mode = "error500"
    client = openai.OpenAI(base_url=r.url + "/v1", api_key="eu-key", max_retries=0)
    stream = client.chat.completions.create(model="chat-large", messages=[{"role": "user", "content": "x"}],
                                            stream=True)
    text = "".join(c.choices[0].delta.content or "" for c in stream if c.choices)
    assert text == "cloud_eu-0 cloud_eu-1 cloud_eu-2 "
    assert client.responses.create(model="chat-large", input="x").output_text.startswith("native from cloud_eu")
    assert ups["cloud_us"].hits == 0


def test_budget_refusal_falls_back_to_a_free_model(make_router, ups):
    cfg = group_config(ups, **{"chat": {"members": ["big-eu"], "fallbacks": ["small-local"]}})
    cfg["tenants"]["acme"]["budget"] = {"daily_usd": 0}
    r = make_router(cfg)
    resp = chat(r, "chat")
    assert resp.status_code == 200 and resp.json()["choices"][0]["message"]["content"] == "hello from edge_eu"
    assert ups["cloud_eu"].hits == 0  # refused by the budget before any call


def test_upstream_rate_limit_falls_back(make_router, ups):
    r = make_router(group_config(ups, **{"chat": {"members": ["big-local"], "fallbacks": ["small-local"]}}))
    ups["local_eu"].mode = "ratelimit"
    resp = chat(r, "chat")
    assert resp.json()["choices"][0]["message"]["content"] == "hello from edge_eu"


def test_weights_spread_first_picks(make_router, ups):
    r = make_router(group_config(ups, **{"chat": {"members": [{"model": "big-local", "weight": 3},
                                                              {"model": "small-local", "weight": 1}]}}))
    served = [chat(r, "chat").json()["choices"][0]["message"]["content"] for _ in range(200)]
    share = served.count("hello from local_eu") / len(served)
    assert 0.6 < share < 0.9, share  # 0.75 expected; the bounds hold with overwhelming probability


def test_models_lists_groups_the_tenant_can_use(make_router, ups):
    cfg = group_config(ups, **{"chat-large": {"members": ["big-local"], "fallbacks": ["big-eu"]},
                               "us-only": {"members": ["big-us", "small-us"]}})
    key = "limited-key"
    cfg["auth"]["api_keys"].append({"sha256": hashlib.sha256(key.encode()).hexdigest(), "tenant": "limited"})
    cfg["tenants"]["limited"] = {"jurisdictions": ["eu"], "models": ["chat-large"]}
    r = make_router(cfg)

    def ids(k: str) -> set[str]:
        return {m["id"] for m in requests.get(r.url + "/v1/models", headers={"authorization": f"Bearer {k}"},
                                              timeout=5).json()["data"]}

    assert {"chat-large", "big-local", "big-eu"} <= ids("eu-key") and "us-only" not in ids("eu-key")
    assert "us-only" in ids("us-key")
    assert ids(key) == {"chat-large"}
    assert chat(r, "chat-large", key=key).status_code == 200  # the group's members come with it
    assert chat(r, "big-local", key=key).status_code == 403  # but not on their own
    assert chat(r, "us-only").status_code == 503  # no link inside the EU


@pytest.mark.parametrize(
    ("groups", "message"),
    [
        ({"big-local": {"members": ["big-eu"]}}, "model_groups.big-local: a backend already serves"),
        ({"g": {"members": ["nope"]}}, "model_groups.g.members.0: 'nope' is not a model"),
        ({"g": {"members": ["big-eu"], "fallbacks": ["h"]}, "h": {"members": ["big-eu"]}},
         "groups cannot contain groups"),
        ({"g": {"members": []}}, "model_groups.g.members"),
        ({"g": {"members": [{"model": "big-eu", "weight": 0}]}}, "model_groups.g.members.0.weight"),
    ],
)
def test_bad_groups_are_config_errors_naming_the_key(ups, groups, message):
    with pytest.raises(ConfigError, match=message.replace(".", r"\.")):
        parse_config(group_config(ups, **groups))

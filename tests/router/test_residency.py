"""Residency holds during failover; the header can only narrow; client country; airgap."""

from __future__ import annotations

import openai
import pytest
import requests

from .conftest import base_config

MSG = [{"role": "user", "content": "x"}]


def client(router, key: str = "eu-key", **headers: str) -> openai.OpenAI:
    return openai.OpenAI(
        base_url=router.url + "/v1", api_key=key, max_retries=0, timeout=10, default_headers=headers or None
    )


def chat(router, key="eu-key", **headers):
    return requests.post(
        router.url + "/v1/chat/completions",
        json={"model": "m1", "messages": MSG},
        timeout=10,
        headers={"authorization": f"Bearer {key}", **headers},
    )


def test_failover_walks_the_eu_chain_in_tier_order_and_never_leaves_eu(make_router, ups):
    r = make_router()
    ups["local_eu"].mode = "error500"
    ups["edge_eu"].mode = "reset"
    out = client(r).chat.completions.create(model="m1", messages=MSG)
    assert out.choices[0].message.content == "hello from cloud_eu"
    assert (ups["local_eu"].hits, ups["edge_eu"].hits, ups["cloud_eu"].hits) == (1, 1, 1)
    assert ups["cloud_us"].hits == 0 and ups["local_us"].hits == 0


def test_no_compliant_backend_is_a_503_not_a_violation(make_router, ups):
    r = make_router()
    for n in ("local_eu", "edge_eu", "cloud_eu"):
        ups[n].mode = "error500"
    resp = chat(r)
    assert resp.status_code == 502
    assert resp.json()["error"]["code"] == "upstream_error"
    assert ups["cloud_us"].hits == 0 and ups["local_us"].hits == 0


def test_tenant_without_backends_in_its_jurisdiction_gets_no_compliant_backend(make_router, ups):
    cfg = base_config(ups)
    cfg["backends"] = [b for b in cfg["backends"] if b["jurisdiction"] == "us"]
    r = make_router(cfg)
    resp = chat(r, "eu-key")
    assert resp.status_code == 503
    assert resp.json()["error"]["code"] == "no_compliant_backend"
    assert sum(u.hits for u in ups.values()) == 0


def test_header_narrows(make_router, ups):
    r = make_router()
    out = client(r, "any-key", **{"X-Meridian-Jurisdiction": "us"}).chat.completions.create(
        model="m1", messages=MSG
    )
    assert out.choices[0].message.content == "hello from local_us"


def test_header_cannot_widen(make_router, ups):
    r = make_router()
    resp = chat(r, "eu-key", **{"X-Meridian-Jurisdiction": "us"})
    assert resp.status_code == 403
    assert resp.json()["error"]["code"] == "jurisdiction_not_allowed"
    resp = chat(r, "eu-key", **{"X-Meridian-Jurisdiction": "eu,us"})
    assert resp.status_code == 403
    assert sum(u.hits for u in ups.values()) == 0


def test_unknown_jurisdiction_header_is_400(make_router, ups):
    r = make_router()
    resp = chat(r, "any-key", **{"X-Meridian-Jurisdiction": "atlantis"})
    assert resp.status_code == 400
    assert resp.json()["error"]["code"] == "unknown_jurisdiction"


def test_client_country_binds_the_request(make_router, ups):
    r = make_router(residency={"client_country_header": "cf-ipcountry"})
    out = client(r, "any-key", **{"CF-IPCountry": "DE"}).chat.completions.create(model="m1", messages=MSG)
    assert out.choices[0].message.content == "hello from local_eu"
    ups["local_eu"].mode = ups["edge_eu"].mode = ups["cloud_eu"].mode = "error500"
    resp = chat(r, "any-key", **{"CF-IPCountry": "DE"})
    assert resp.status_code >= 500
    assert ups["local_us"].hits == 0 and ups["cloud_us"].hits == 0
    # a US tenant reached from Germany has nowhere to go
    assert chat(r, "us-key", **{"CF-IPCountry": "DE"}).status_code == 403
    assert chat(r, "any-key", **{"CF-IPCountry": "ZZ"}).json()["error"]["code"] == "unknown_client_country"


def test_edge_peer_is_told_the_jurisdiction(make_router, ups):
    r = make_router()
    ups["local_eu"].mode = "error500"
    client(r).chat.completions.create(model="m1", messages=MSG)
    assert ups["edge_eu"].seen[-1]["headers"]["x-meridian-jurisdiction"] == "eu"


def test_airgap_forbids_cloud_backends(make_router, ups):
    r = make_router(airgap=True)
    for n in ("local_eu", "edge_eu"):
        ups[n].mode = "error500"
    resp = chat(r)
    assert resp.status_code == 502
    assert ups["cloud_eu"].hits == 0


def test_airgap_model_only_in_cloud(make_router, ups):
    cfg = base_config(ups, airgap=True)
    cfg["backends"][2]["models"] = ["m1", "cloud-only"]
    r = make_router(cfg)
    resp = requests.post(
        r.url + "/v1/chat/completions",
        json={"model": "cloud-only", "messages": MSG},
        headers={"authorization": "Bearer eu-key"},
        timeout=5,
    )
    assert resp.status_code == 503
    assert resp.json()["error"]["code"] == "no_compliant_backend"
    assert "airgap" in resp.json()["error"]["message"]


@pytest.mark.parametrize("mode", ["error500", "reset", "ratelimit"])
def test_stream_failover_stays_in_jurisdiction(make_router, ups, mode):
    r = make_router()
    ups["local_eu"].mode = mode
    ups["edge_eu"].mode = mode
    chunks = list(client(r).chat.completions.create(model="m1", messages=MSG, stream=True))
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text.startswith("cloud_eu-0")
    assert ups["cloud_us"].hits == 0 and ups["local_us"].hits == 0

"""Config validation names key and value; the example validates; auth by hashed key and JWT."""

from __future__ import annotations

import hashlib
import subprocess
import sys
import time
from pathlib import Path

import jwt
import pytest
import requests
from meridian_router.config import ConfigError, load_config, parse_config

from .conftest import base_config

EXAMPLE = Path(__file__).parents[2] / "router" / "examples" / "router.yaml"


def test_example_config_validates():
    cfg = load_config(EXAMPLE)
    assert {b.provider for b in cfg.backends} >= {
        "vllm",
        "edge",
        "bedrock",
        "azure_openai",
        "vertex",
        "anthropic",
    }


def test_cli_check(tmp_path):
    ok = subprocess.run(
        [sys.executable, "-m", "meridian_router", "--check", "-c", str(EXAMPLE)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert ok.returncode == 0, ok.stderr
    bad = tmp_path / "bad.yaml"
    bad.write_text("backends: []\n")
    out = subprocess.run(
        [sys.executable, "-m", "meridian_router", "--check", "-c", str(bad)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 2 and "backends" in out.stderr


@pytest.mark.parametrize(
    ("mutate", "needle"),
    [
        (lambda c: c["backends"][0].update(tier="cloudy"), "backends.0.tier"),
        (
            lambda c: c["backends"][0].update(jurisdiction="atlantis"),
            "'atlantis' is not a known jurisdiction",
        ),
        (lambda c: c["backends"][0].update(cloud="aws", region="us-east-1"), "not within jurisdiction 'eu'"),
        (lambda c: c["backends"][0].update(cloud="aws", region="mars-1"), "mars-1"),
        (lambda c: c["backends"][0].update(api_key="sk-inline"), "backends.0.api_key: Extra inputs"),
        (lambda c: c["tenants"]["acme"].update(jurisdictions=["eu", "narnia"]), "tenants.acme.jurisdictions"),
        (lambda c: c["backends"][1].update(name="local_eu"), "backend names must be unique"),
        (lambda c: c["budgets"].update(fail_mode="maybe"), "budgets.fail_mode"),
        (lambda c: c.update(auth={}), "set `disabled: true` explicitly"),
    ],
)
def test_config_errors_name_key_and_value(ups, mutate, needle):
    cfg = base_config(ups, budgets={})
    mutate(cfg)
    with pytest.raises(ConfigError) as ei:
        parse_config(cfg)
    assert needle in str(ei.value)


def test_bad_yaml_is_a_config_error(tmp_path):
    p = tmp_path / "x.yaml"
    p.write_text("a: [b\n")
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_config(p)
    with pytest.raises(ConfigError, match="cannot read"):
        load_config(tmp_path / "missing.yaml")


def test_upstream_key_from_vault_agent_file(make_router, ups, tmp_path):
    secret = tmp_path / "key"
    secret.write_text("from-vault\n")
    cfg = base_config(ups)
    cfg["backends"] = cfg["backends"][:1]
    cfg["backends"][0]["api_key_file"] = str(secret)
    r = make_router(cfg)
    requests.post(
        r.url + "/v1/chat/completions",
        json={"model": "m1", "messages": [{"role": "user", "content": "x"}]},
        headers={"authorization": "Bearer eu-key"},
        timeout=5,
    )
    assert ups["local_eu"].seen[-1]["headers"]["authorization"] == "Bearer from-vault"


# --- JWT ------------------------------------------------------------------------------------------


@pytest.fixture
def jwt_router(make_router, ups, monkeypatch, tmp_path):
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    monkeypatch.setenv("TEST_JWT_SECRET", "s" * 32)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pub = tmp_path / "jwt.pub"
    pub.write_bytes(
        key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )
    cfg = base_config(ups)
    cfg["auth"] = {
        "jwt": {
            "algorithms": ["HS256", "RS256"],
            "secret_env": "TEST_JWT_SECRET",
            "public_key_file": str(pub),
            "audience": "meridian-router",
        }
    }
    return make_router(cfg), key


def call(r, token):
    return requests.post(
        r.url + "/v1/chat/completions",
        json={"model": "m1", "messages": [{"role": "user", "content": "x"}]},
        timeout=5,
        headers={"authorization": f"Bearer {token}"},
    )


def claims(**kw):
    return {
        "tenant": "acme",
        "scope": "inference",
        "aud": "meridian-router",
        "exp": int(time.time()) + 60,
        **kw,
    }


def test_jwt_hs256_and_rs256(jwt_router):
    r, key = jwt_router
    assert call(r, jwt.encode(claims(), "s" * 32, algorithm="HS256")).status_code == 200
    assert call(r, jwt.encode(claims(), key, algorithm="RS256")).status_code == 200


@pytest.mark.parametrize(
    ("over", "status", "code"),
    [
        ({"exp": int(time.time()) - 3600}, 401, "token_expired"),
        ({"aud": "someone-else"}, 401, "invalid_token"),
        ({"scope": "read"}, 403, "insufficient_scope"),
        ({"tenant": "nobody"}, 403, "unknown_tenant"),
    ],
)
def test_jwt_refusals(jwt_router, over, status, code):
    r, _ = jwt_router
    resp = call(r, jwt.encode(claims(**over), "s" * 32, algorithm="HS256"))
    assert resp.status_code == status
    assert resp.json()["error"]["code"] == code


def test_jwt_bad_signature(jwt_router):
    r, _ = jwt_router
    resp = call(r, jwt.encode(claims(), "x" * 32, algorithm="HS256"))
    assert resp.status_code == 401 and resp.json()["error"]["code"] == "invalid_token"


def test_jwt_tenant_residency_applies(jwt_router, ups):
    r, _ = jwt_router
    token = jwt.encode(claims(), "s" * 32, algorithm="HS256")
    resp = requests.post(
        r.url + "/v1/chat/completions",
        json={"model": "m1", "messages": [{"role": "user", "content": "x"}]},
        timeout=5,
        headers={"authorization": f"Bearer {token}", "x-meridian-jurisdiction": "us"},
    )
    assert resp.status_code == 403


def test_api_keys_are_stored_hashed(ups):
    cfg = parse_config(base_config(ups))
    assert all(len(k.sha256) == 64 for k in cfg.auth.api_keys)
    assert "eu-key" not in repr(cfg)
    assert cfg.auth.api_keys[0].sha256 == hashlib.sha256(b"eu-key").hexdigest()


def test_logs_carry_no_secrets_or_prompts(make_router, ups):
    import io
    import logging

    from meridian_router import logs

    buf = io.StringIO()
    logs.setup("info", buf)
    try:
        r = make_router()
        requests.post(
            r.url + "/v1/chat/completions",
            timeout=5,
            json={"model": "m1", "messages": [{"role": "user", "content": "TOPSECRETPROMPT"}]},
            headers={"authorization": "Bearer eu-key"},
        )
        r.stop()
    finally:
        logging.getLogger("meridian_router").handlers[:] = []
        logging.getLogger("meridian_router").propagate = True
    out = buf.getvalue()
    assert '"route":"chat"' in out and '"tenant":"acme"' in out
    assert "TOPSECRETPROMPT" not in out and "eu-key" not in out


def _models_in(annotation) -> list[type]:
    import typing

    from pydantic import BaseModel

    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [m for a in typing.get_args(annotation) for m in _models_in(a)]


def test_readme_documents_every_config_key():
    from meridian_router import config as c

    readme = (EXAMPLE.parents[1] / "README.md").read_text()
    # every model reachable from RouterConfig (so a new section cannot slip past this test)
    models: list[type] = []
    todo: list[type] = [c.RouterConfig]
    while todo:
        m = todo.pop()
        if m in models:
            continue
        models.append(m)
        for f in m.model_fields.values():
            todo += [t for t in _models_in(f.annotation) if t not in models]
    assert c.HealthCheckConfig in models and c.RequestLimits in models
    missing = sorted({f for m in models for f in m.model_fields if f not in readme})
    assert not missing, f"router/README.md does not document: {missing}"


def test_tracing_wraps_the_forwarder(make_router, ups):
    # opentelemetry is a declared dependency (meridian-router[otel] in the dev group): no skip.
    from opentelemetry import trace
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    from unittest import mock

    with (
        mock.patch.object(trace, "set_tracer_provider"),
        mock.patch.object(trace, "get_tracer", provider.get_tracer),
    ):
        r = make_router(tracing={"enabled": True})
    requests.post(
        r.url + "/v1/chat/completions",
        json={"model": "m1", "messages": [{"role": "user", "content": "q"}]},
        headers={"authorization": "Bearer eu-key"},
        timeout=5,
    )
    spans = exporter.get_finished_spans()
    assert spans and spans[-1].name == "router.chat"
    assert spans[-1].attributes["meridian.backend"] == "local_eu"
    assert spans[-1].attributes["meridian.jurisdictions"] == ("eu",)


@pytest.mark.parametrize("alg", [["HS256"], {"x": 1}, 7, None])
def test_jwt_header_alg_of_the_wrong_type_is_a_401(jwt_router, alg):
    r, _ = jwt_router
    token = jwt.encode(claims(), "s" * 32, algorithm="HS256")
    _, payload, sig = token.split(".")
    import base64
    import json

    forged = base64.urlsafe_b64encode(json.dumps({"alg": alg, "typ": "JWT"}).encode()).decode().rstrip("=")
    resp = call(r, f"{forged}.{payload}.{sig}")
    assert resp.status_code == 401 and resp.json()["error"]["code"] == "invalid_token", resp.text

"""Customer Metadata Boundary: the config key, its residency check, the plan, and the dynamic
provider's calls against a fake Cloudflare API (the documented GET/POST/DELETE
/accounts/{account_id}/logs/control/cmb/config shapes) on 127.0.0.1."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from infra.cloudflare.metadata_boundary import CloudflareApiError, CmbConfigProvider, MetadataBoundary
from meridian.plan.runner import run_plan
from tests.conftest import platform_config
from tests.infra.cloudflare.test_config import problems_of
from tests.infra.cloudflare.test_load_balancing import cf_program

ACCOUNT = "0123456789abcdef0123456789abcdef"


class FakeCloudflare:
    def __init__(self) -> None:
        self.calls: list[tuple[str, str, dict[str, str], Any]] = []
        self.state: dict[str, Any] | None = None
        self.fail: tuple[int, dict[str, Any]] | None = None
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self) -> None:
                n = int(self.headers.get("content-length") or 0)
                body = json.loads(self.rfile.read(n)) if n else None
                fake.calls.append((self.command, self.path, dict(self.headers), body))
                if fake.fail is not None:
                    status, payload = fake.fail
                elif self.command == "POST":
                    fake.state, status, payload = body, 200, {"success": True, "errors": [], "result": body}
                elif self.command == "DELETE":
                    fake.state, status, payload = None, 200, {"success": True, "errors": [], "result": None}
                else:
                    status, payload = 200, {"success": True, "errors": [], "result": fake.state}
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_DELETE = _answer

            def log_message(self, *_a: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/client/v4"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture
def cf() -> Iterator[FakeCloudflare]:
    fake = FakeCloudflare()
    yield fake
    fake.server.shutdown()


def props(cf: FakeCloudflare, **kw: Any) -> dict[str, Any]:
    return {"account_id": ACCOUNT, "regions": "eu", "allow_out_of_region_access": False, "api_base": cf.url,
            "api_token": "tok-123", **kw}


def test_create_update_read_delete_speak_the_api(cf: FakeCloudflare) -> None:
    p = CmbConfigProvider()
    created = p.create(props(cf))
    assert created.id == ACCOUNT and created.outs["regions"] == "eu" and "api_token" not in created.outs
    method, path, headers, body = cf.calls[-1]
    assert (method, path) == ("POST", f"/client/v4/accounts/{ACCOUNT}/logs/control/cmb/config")
    assert headers["Authorization"] == "Bearer tok-123"
    assert body == {"regions": "eu", "allow_out_of_region_access": False}
    assert p.diff(ACCOUNT, props(cf), props(cf, regions="us")).changes
    assert p.diff(ACCOUNT, props(cf), props(cf)).changes is False
    assert p.diff(ACCOUNT, props(cf), props(cf, account_id="f" * 32)).replaces == ["account_id"]
    p.update(ACCOUNT, props(cf), props(cf, regions="us", allow_out_of_region_access=True))
    assert cf.state == {"regions": "us", "allow_out_of_region_access": True}
    read = p.read(ACCOUNT, props(cf))
    assert read.outs["regions"] == "us" and read.outs["allow_out_of_region_access"] is True  # drift is seen
    p.delete(ACCOUNT, props(cf))
    assert cf.calls[-1][0] == "DELETE" and cf.state is None


def test_an_api_refusal_names_the_account_and_cloudflares_error(cf: FakeCloudflare) -> None:
    cf.fail = (403, {"success": False, "errors": [{"code": 10000, "message": "Authentication error"}]})
    with pytest.raises(CloudflareApiError) as e:
        CmbConfigProvider().create(props(cf))
    assert ACCOUNT in str(e.value) and "403" in str(e.value) and "Authentication error" in str(e.value)


def test_no_token_is_a_clear_error(cf: FakeCloudflare, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CLOUDFLARE_API_TOKEN", raising=False)
    with pytest.raises(CloudflareApiError, match="no Cloudflare API token"):
        CmbConfigProvider().create(props(cf, api_token=None))
    assert cf.calls == []


def test_an_unknown_region_is_refused() -> None:
    with pytest.raises(ValueError, match="'apac' is not one of eu, us"):
        MetadataBoundary("x", account_id=ACCOUNT, regions="apac")


def test_a_boundary_that_would_move_a_bound_hostnames_logs_out_is_a_config_error() -> None:
    raw = platform_config("prod")
    raw["cloudflare"]["metadataBoundary"] = "eu"  # prod also serves us.api..., bound to 'us'
    msg = problems_of(raw)
    assert "cloudflare.metadataBoundary" in msg and "us.api.meridian.example.com" in msg and "'us'" in msg


def test_a_consistent_boundary_is_planned(write_stack) -> None:  # type: ignore[no-untyped-def]
    raw = platform_config("prod")
    raw["cloudflare"]["hostnames"] = [h for h in raw["cloudflare"]["hostnames"] if h.get("jurisdiction") in (None, "eu")]
    raw["cloudflare"]["metadataBoundary"] = "eu"
    plan = run_plan("cmb", write_stack("cmb", raw), program=cf_program)
    (cmb,) = [r for r in plan.document["deployment"]["resources"] if r["urn"].endswith("-metadata-boundary")]
    assert cmb["type"] == "pulumi-python:dynamic:Resource"
    assert (cmb["inputs"]["account_id"], cmb["inputs"]["regions"]) == (raw["cloudflare"]["accountId"], "eu")
    assert cmb["inputs"]["allow_out_of_region_access"] is False

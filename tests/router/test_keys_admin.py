"""Keys that change without a restart (the key file, SIGHUP, the admin API with rotation and
revocation, shared through Redis), and spend you can query."""

from __future__ import annotations

import hashlib
import logging
import os
import signal
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
import yaml

from .conftest import base_config, wait_until
from .test_budgets import redis_cfg, redis_server  # noqa: F401  (the fixture)
from .test_ledger_recovery import RouterProcess


def sha(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def chat(r, key: str) -> requests.Response:
    return requests.post(r.url + "/v1/chat/completions", headers={"authorization": f"Bearer {key}"},
                         json={"model": "m1", "messages": [{"role": "user", "content": "hi"}]}, timeout=10)


def admin(r, method: str, path: str, key: str = "admin-key", **kw) -> requests.Response:
    return requests.request(method, r.url + path, headers={"authorization": f"Bearer {key}"}, timeout=10, **kw)


def write_keys(path, keys: dict[str, str]) -> None:
    """Replace the key file the way Vault Agent does: write aside, then rename over it."""
    tmp = path.with_suffix(".tmp")
    tmp.write_text(yaml.safe_dump([{"sha256": sha(k), "tenant": t} for k, t in keys.items()]))
    os.replace(tmp, path)


def file_config(ups, path, **auth) -> dict:
    cfg = base_config(ups)
    cfg["auth"] = {**cfg["auth"], "api_keys_file": str(path), "reload_interval_s": 0.05, **auth}
    return cfg


# --- the key file --------------------------------------------------------------------------------
def test_key_file_changes_are_picked_up_and_bad_files_refused(make_router, ups, tmp_path, caplog):
    path = tmp_path / "keys.yaml"
    write_keys(path, {"file-a": "acme"})
    r = make_router(file_config(ups, path))
    assert chat(r, "file-a").status_code == 200
    with caplog.at_level(logging.INFO, logger="meridian_router.audit"):
        write_keys(path, {"file-b": "acme"})
        assert wait_until(lambda: chat(r, "file-b").status_code == 200)
        assert chat(r, "file-a").status_code == 401  # removed from the file: gone
        path.write_text(yaml.safe_dump([{"sha256": sha("file-c"), "tenant": "nobody"}]))
        assert wait_until(lambda: any(getattr(x, "event", "") == "keys.reload_failed" for x in caplog.records))
    assert chat(r, "file-b").status_code == 200  # the refused file changed nothing
    assert chat(r, "file-c").status_code == 401
    failed = next(x for x in caplog.records if getattr(x, "event", "") == "keys.reload_failed")
    assert str(path) in failed.error and "keys.0.tenant" in failed.error
    reloaded = next(x for x in caplog.records if getattr(x, "event", "") == "keys.reloaded")
    assert reloaded.added == [sha("file-b")[:12]] and reloaded.removed == [sha("file-a")[:12]]


def test_reloads_drop_no_request_in_flight(make_router, ups, tmp_path):
    path = tmp_path / "keys.yaml"
    write_keys(path, {"steady": "acme"})
    r = make_router(file_config(ups, path))
    ups["local_eu"].delay = 0.02
    stop = threading.Event()

    def hammer() -> list[int]:
        codes = []
        while not stop.is_set():
            codes.append(chat(r, "steady").status_code)
        return codes

    with ThreadPoolExecutor(4) as pool:
        futures = [pool.submit(hammer) for _ in range(4)]
        for i in range(20):
            write_keys(path, {"steady": "acme", f"other-{i}": "acme"})
            time.sleep(0.06)
        stop.set()
        codes = [c for f in futures for c in f.result()]
    assert len(codes) > 40 and set(codes) == {200}


def test_sighup_reloads_the_key_file(ups, tmp_path):
    path = tmp_path / "keys.yaml"
    write_keys(path, {"hup-a": "acme"})
    cfg = file_config(ups, path, reload_interval_s=3600)  # only the signal can make it look
    proc = RouterProcess(cfg, tmp_path, "hup")
    try:
        proc.wait_ready()
        assert chat(proc, "hup-a").status_code == 200
        write_keys(path, {"hup-b": "acme"})
        time.sleep(0.3)
        assert chat(proc, "hup-b").status_code == 401  # not looked at yet
        os.kill(proc.proc.pid, signal.SIGHUP)
        assert wait_until(lambda: chat(proc, "hup-b").status_code == 200)
        assert chat(proc, "hup-a").status_code == 401
        assert proc.proc.poll() is None  # SIGHUP reloads; it does not stop the router
    finally:
        proc.stop()


def test_a_bad_key_file_at_start_is_a_config_error(ups, tmp_path):
    import subprocess
    import sys

    path = tmp_path / "keys.yaml"
    path.write_text("- {sha256: nothex, tenant: acme}\n")
    cfg_path = tmp_path / "router.yaml"
    cfg_path.write_text(yaml.safe_dump(file_config(ups, path)))
    out = subprocess.run([sys.executable, "-m", "meridian_router", "--config", str(cfg_path), "--check"],
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 2 and "keys.0.sha256" in out.stderr and str(path) in out.stderr


# --- the admin API -------------------------------------------------------------------------------
def test_create_list_revoke_rotate(make_router, ups, tmp_path, caplog):
    r = make_router(base_config(ups, auth={**base_config(ups)["auth"], "managed_keys_file": str(tmp_path / "m.json")}))
    with caplog.at_level(logging.INFO, logger="meridian_router.audit"):
        made = admin(r, "POST", "/admin/keys", json={"tenant": "acme", "name": "ci", "rate_limits": {"rpm": 100}})
        assert made.status_code == 201, made.text
        key, kid = made.json()["key"], made.json()["id"]
        assert key.startswith("mk-") and kid == sha(key)[:12]
        assert chat(r, key).status_code == 200  # works at once
        listed = admin(r, "GET", "/admin/keys?tenant=acme").json()["data"]
        mine = next(k for k in listed if k["id"] == kid)
        assert mine["name"] == "ci" and mine["source"] == "api" and mine["rate_limits"] == {"rpm": 100}
        assert key not in str(listed) and sha(key) not in str(listed)  # neither the secret nor its hash

        rot = admin(r, "POST", f"/admin/keys/{kid}/rotate", json={"overlap_s": 1})
        assert rot.status_code == 201, rot.text
        new = rot.json()["key"]
        assert chat(r, new).status_code == 200 and chat(r, key).status_code == 200  # both, during the overlap
        time.sleep(1.1)
        expired = chat(r, key)
        assert expired.status_code == 401 and expired.json()["error"]["code"] == "key_expired"
        assert chat(r, new).status_code == 200

        assert admin(r, "DELETE", f"/admin/keys/{rot.json()['id']}").status_code == 200
        assert chat(r, new).status_code == 401
        # a key from the config can be revoked too (recorded as an override)
        assert admin(r, "DELETE", f"/admin/keys/{sha('us-key')[:12]}").status_code == 200
        assert chat(r, "us-key").status_code == 401
    events = [x.event for x in caplog.records if hasattr(x, "event")]
    assert events == ["key.created", "key.rotated", "key.revoked", "key.revoked"]
    assert all(x.actor == sha("admin-key")[:12] for x in caplog.records if hasattr(x, "event"))

    # the managed store outlives the process
    r2 = make_router(base_config(ups, auth={**base_config(ups)["auth"], "managed_keys_file": str(tmp_path / "m.json")}))
    assert chat(r2, "us-key").status_code == 401 and chat(r2, new).status_code == 401
    assert admin(r2, "GET", "/admin/keys").status_code == 200


def test_rotation_while_requests_are_in_flight(make_router, ups, tmp_path):
    r = make_router(base_config(ups, auth={**base_config(ups)["auth"], "managed_keys_file": str(tmp_path / "m.json")}))
    key = admin(r, "POST", "/admin/keys", json={"tenant": "acme"}).json()["key"]
    kid = sha(key)[:12]
    ups["local_eu"].delay = 0.05
    with ThreadPoolExecutor(8) as pool:
        inflight = [pool.submit(chat, r, key) for _ in range(8)]
        time.sleep(0.01)
        rot = admin(r, "POST", f"/admin/keys/{kid}/rotate", json={"overlap_s": 2})
        during = [pool.submit(chat, r, key) for _ in range(8)] + [pool.submit(chat, r, rot.json()["key"])
                                                                  for _ in range(8)]
        codes = [f.result().status_code for f in inflight + during]
    assert set(codes) == {200}


def test_tenant_key_admins_stay_in_their_tenant(make_router, ups, tmp_path):
    cfg = base_config(ups, auth={**base_config(ups)["auth"], "managed_keys_file": str(tmp_path / "m.json")})
    cfg["auth"]["api_keys"].append({"sha256": sha("acme-admin"), "tenant": "acme", "scopes": ["inference", "keys"]})
    r = make_router(cfg)
    listed = admin(r, "GET", "/admin/keys", key="acme-admin").json()["data"]
    assert listed and {k["tenant"] for k in listed} == {"acme"}
    assert admin(r, "GET", "/admin/keys?tenant=globex", key="acme-admin").status_code == 403
    assert admin(r, "POST", "/admin/keys", key="acme-admin", json={"tenant": "globex"}).status_code == 403
    assert admin(r, "POST", "/admin/keys", key="acme-admin", json={"scopes": ["admin"]}).status_code == 403
    made = admin(r, "POST", "/admin/keys", key="acme-admin", json={"scopes": ["inference"]})
    assert made.status_code == 201 and made.json()["tenant"] == "acme"
    assert admin(r, "DELETE", f"/admin/keys/{sha('us-key')[:12]}", key="acme-admin").status_code == 404
    assert admin(r, "GET", "/admin/keys", key="eu-key").status_code == 403  # inference only
    assert admin(r, "POST", "/admin/kill-switch", key="acme-admin").status_code == 403  # not an admin


@pytest.mark.parametrize(
    ("path", "body", "param"),
    [
        ("/admin/keys", {"tenant": "nope"}, "tenant"),
        ("/admin/keys", {"scopes": "inference"}, "scopes"),
        ("/admin/keys", {"bogus": 1}, "bogus"),
        ("/admin/keys", {"expires_in_s": -5}, "expires_in_s"),
        ("/admin/keys", {"rate_limits": {"rpm": 0}}, "rate_limits.rpm"),
        (f"/admin/keys/{sha('eu-key')[:12]}/rotate", {"overlap_s": -1}, "overlap_s"),
    ],
)
def test_bad_admin_input_is_a_400_naming_the_field(make_router, ups, tmp_path, path, body, param):
    r = make_router(base_config(ups, auth={**base_config(ups)["auth"], "managed_keys_file": str(tmp_path / "m.json")}))
    before = admin(r, "GET", "/admin/keys").json()["data"]
    resp = admin(r, "POST", path, json=body)
    assert resp.status_code == 400 and resp.json()["error"]["param"] == param, resp.text
    assert admin(r, "GET", "/admin/keys").json()["data"] == before  # nothing half-applied


def test_without_a_store_keys_cannot_be_made_but_can_be_listed(make_router, ups):
    r = make_router()
    assert admin(r, "GET", "/admin/keys").status_code == 200
    resp = admin(r, "POST", "/admin/keys", json={"tenant": "acme"})
    assert resp.status_code == 503 and resp.json()["error"]["code"] == "key_store_unavailable"
    assert admin(r, "GET", "/admin/keys/abcdefabcdef").status_code == 404


def test_replicas_share_keys_through_redis(make_router, ups, redis_server):  # noqa: F811
    cfg = base_config(ups, redis=redis_cfg(redis_server))
    cfg["auth"]["reload_interval_s"] = 0.05
    a, b = make_router(cfg), make_router(cfg)
    key = admin(a, "POST", "/admin/keys", json={"tenant": "acme"}).json()["key"]
    assert wait_until(lambda: chat(b, key).status_code == 200)
    assert admin(b, "DELETE", f"/admin/keys/{sha(key)[:12]}").status_code == 200
    assert wait_until(lambda: chat(a, key).status_code == 401)


# --- spend ---------------------------------------------------------------------------------------------
def priced(ups, **over) -> dict:
    cfg = base_config(ups, **over)
    cfg["backends"] = [b for b in cfg["backends"] if b["name"] == "cloud_eu"]  # 1 USD per Mtok each way
    return cfg


def test_spend_per_tenant_and_key(make_router, ups):
    cfg = priced(ups)
    cfg["auth"]["api_keys"].append({"sha256": sha("eu-key-2"), "tenant": "acme"})
    cfg["auth"]["api_keys"].append({"sha256": sha("acme-admin"), "tenant": "acme", "scopes": ["keys"]})
    cfg["tenants"]["acme"]["budget"] = {"daily_usd": 5}
    r = make_router(cfg)
    for key in ("eu-key", "eu-key", "eu-key-2"):
        assert chat(r, key).status_code == 200
    day = admin(r, "GET", "/admin/spend?period=day").json()
    acme = next(t for t in day["tenants"] if t["tenant"] == "acme")
    assert acme["requests"] == 3 and acme["prompt_tokens"] == 30 and acme["completion_tokens"] == 15
    assert acme["spend_usd"] == pytest.approx(45e-6)
    assert acme["budget_usd"] == 5 and acme["budget_ledger_usd"] == pytest.approx(45e-6)  # the same ledger
    rows = {k["key"]: k for k in day["keys"] if k["tenant"] == "acme"}
    assert rows[sha("eu-key")[:12]]["requests"] == 2 and rows[sha("eu-key-2")[:12]]["spend_usd"] == pytest.approx(15e-6)
    month = admin(r, "GET", "/admin/spend?period=month").json()
    assert next(t for t in month["tenants"] if t["tenant"] == "acme")["requests"] == 3
    own = admin(r, "GET", "/admin/spend", key="acme-admin").json()
    assert {t["tenant"] for t in own["tenants"]} == {"acme"}
    assert admin(r, "GET", "/admin/spend?tenant=globex", key="acme-admin").status_code == 403
    bad = admin(r, "GET", "/admin/spend?period=week")
    assert bad.status_code == 400 and bad.json()["error"]["param"] == "period"
    assert admin(r, "GET", "/admin/spend?period=day&date=2026-13").json()["error"]["param"] == "date"


def test_spend_of_replicas_adds_up_in_redis(make_router, ups, redis_server):  # noqa: F811
    cfg = priced(ups, redis=redis_cfg(redis_server))
    a, b = make_router(cfg), make_router(cfg)
    for r in (a, b, b):
        assert chat(r, "eu-key").status_code == 200
    stream = requests.post(a.url + "/v1/chat/completions", headers={"authorization": "Bearer eu-key"}, timeout=10,
                           json={"model": "m1", "messages": [{"role": "user", "content": "hi"}], "stream": True})
    assert stream.status_code == 200 and "[DONE]" in stream.text
    def acme(r) -> dict:
        return next(t for t in admin(r, "GET", "/admin/spend").json()["tenants"] if t["tenant"] == "acme")

    for r in (a, b):  # each replica adds its rows to Redis within a second (spend.FLUSH_S)
        assert wait_until(lambda r=r: acme(r)["requests"] == 4, 5), acme(r)
        assert acme(r)["spend_usd"] == pytest.approx(60e-6) and (acme(r)["prompt_tokens"], acme(r)["completion_tokens"]) == (40, 20)

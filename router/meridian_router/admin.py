"""The admin API: keys (list, create, revoke, rotate) and spend.

Scopes: `auth.admin_scope` manages every tenant; `auth.key_admin_scope` only its own tenant, and cannot
grant a scope it does not hold itself (no escalation through a created key).

  GET    /admin/keys[?tenant=T]            the keys (never a secret, nor its hash)
  POST   /admin/keys                       {tenant?, name?, scopes?, rate_limits?, expires_in_s?} -> 201, the secret once
  DELETE /admin/keys/{id}                  revoke now
  POST   /admin/keys/{id}/rotate           {overlap_s?} -> 201: a new key; the old one works for overlap_s more
  GET    /admin/spend?period=day|month[&date=YYYY-MM-DD|YYYY-MM][&tenant=T]
"""

from __future__ import annotations

import re
import time
from typing import TYPE_CHECKING
from urllib.parse import parse_qs

import orjson

from .auth import Principal, credentials
from .errors import RouterError
from .keys import CreateKey, RotateKey, parse_body
from .spend import FIELDS, periods
from .state import StateRequestError, StateUnavailable

if TYPE_CHECKING:
    from .server import RouterApp

KEY_PATH = re.compile(rb"^/admin/keys/(?P<id>[0-9a-f]{12})(?P<rotate>/rotate)?$")
DATE = {"day": re.compile(r"^\d{4}-\d{2}-\d{2}$"), "month": re.compile(r"^\d{4}-\d{2}$")}


class AdminAPI:
    def __init__(self, app: RouterApp) -> None:
        self.app = app
        self.cfg = app.cfg.auth

    def caller(self, scope) -> tuple[Principal, str | None]:
        """The admin and the tenant it is confined to (None: every tenant)."""
        p = self.app.auth.identify(*credentials(dict(scope["headers"])))
        if self.cfg.admin_scope in p.scopes or "*" in p.scopes:
            return p, None
        if self.cfg.key_admin_scope in p.scopes:
            return p, p.tenant
        raise RouterError(403, "insufficient_scope",
                          f"credentials lack the {self.cfg.admin_scope!r} or {self.cfg.key_admin_scope!r} scope")

    @staticmethod
    def query(scope) -> dict[str, str]:
        qs = scope.get("query_string") or b""
        try:
            return {k: v[-1] for k, v in parse_qs(qs.decode("latin-1"), strict_parsing=False).items()}
        except ValueError:
            raise RouterError(400, "invalid_request", "bad query string") from None

    def _tenant(self, wanted: str | None, confined: str | None, param: str) -> str | None:
        if wanted is not None and wanted not in self.app.cfg.tenants:
            raise RouterError(400, "invalid_request", f"`{param}`: {wanted!r} is not a tenant", param=param)
        if confined is not None and wanted not in (None, confined):
            raise RouterError(403, "permission_denied", f"these credentials manage tenant {confined!r} only")
        return wanted or confined

    async def handle(self, path: bytes, method: str, scope, body: bytes) -> tuple[int, bytes]:
        actor, confined = self.caller(scope)
        keys = self.app.keys
        if path == b"/admin/keys" and method == "GET":
            tenant = self._tenant(self.query(scope).get("tenant"), confined, "tenant")
            return 200, orjson.dumps({"object": "list", "data": keys.list(tenant)})
        if path == b"/admin/keys" and method == "POST":
            req: CreateKey = parse_body(CreateKey, body)
            tenant = self._tenant(req.tenant, confined, "tenant") or actor.tenant
            if tenant not in self.app.cfg.tenants:
                raise RouterError(400, "invalid_request", "`tenant`: the new key needs a tenant", param="tenant")
            if confined is not None:
                extra = sorted(set(req.scopes) - set(actor.scopes))
                if extra:
                    raise RouterError(403, "permission_denied",
                                      f"`scopes`: a key cannot be given scopes its maker lacks: {extra}", param="scopes")
            expires = time.time() + req.expires_in_s if req.expires_in_s else None
            rec, secret = await keys.create(actor, tenant, req.scopes, req.name, req.rate_limits, expires)
            return 201, orjson.dumps({**rec.public(), "key": secret})
        m = KEY_PATH.match(path)
        if m is not None:
            rec = keys.get(m["id"].decode(), confined)
            if m["rotate"] and method == "POST":
                rot: RotateKey = parse_body(RotateKey, body)
                new, secret, old = await keys.rotate(actor, rec, rot.overlap_s)
                return 201, orjson.dumps({**new.public(), "key": secret, "replaces": old.public()})
            if not m["rotate"] and method == "DELETE":
                return 200, orjson.dumps((await keys.revoke(actor, rec)).public())
        if path == b"/admin/spend" and method == "GET":
            return 200, orjson.dumps(await self.spend(scope, confined))
        raise RouterError(404, "not_found", f"no route for {method} {path.decode('latin-1')}")

    async def spend(self, scope, confined: str | None) -> dict:
        q = self.query(scope)
        period = q.get("period", "day")
        if period not in DATE:
            raise RouterError(400, "invalid_request", f"`period`: {period!r} is not day or month", param="period")
        date = q.get("date") or periods()[0 if period == "day" else 1]
        if not DATE[period].match(date):
            raise RouterError(400, "invalid_request", f"`date`: {date!r} is not a {period} "
                              f"({'YYYY-MM-DD' if period == 'day' else 'YYYY-MM'})", param="date")
        tenant = self._tenant(q.get("tenant"), confined, "tenant")
        try:
            rows = await self.app.spend.read(period, date)
        except (StateUnavailable, StateRequestError):
            raise RouterError(503, "state_unavailable", "the spend ledger (Redis) cannot be read now; try again",
                              headers={"retry-after": "1"}) from None
        keys = []
        totals: dict[str, dict[str, int]] = {}
        for (t, key), v in sorted(rows.items()):
            if tenant is not None and t != tenant:
                continue
            keys.append({"tenant": t, "key": key, **_out(v)})
            tot = totals.setdefault(t, dict.fromkeys(FIELDS, 0))
            for f in FIELDS:
                tot[f] += v[f]
        tenants = []
        for t in sorted(set(totals) | ({tenant} if tenant else set(self.app.cfg.tenants))):
            limits = self.app.cfg.tenants[t].budget
            limit = limits.daily_usd if period == "day" else limits.monthly_usd
            counter = f"budget:t:{t}:{'d' if period == 'day' else 'm'}:{date}"
            try:
                ledger = await self.app.budgets.spent_usd(counter)
            except (StateUnavailable, StateRequestError):  # the budget ledger is unreachable: the rows still answer
                ledger = None
            tenants.append({"tenant": t, **_out(totals.get(t, dict.fromkeys(FIELDS, 0))),
                            "budget_usd": limit, "budget_ledger_usd": ledger})
        return {"object": "spend", "period": period, "date": date, "tenants": tenants, "keys": keys}


def _out(v: dict[str, int]) -> dict:
    return {"spend_usd": v["micro_usd"] / 1_000_000, "prompt_tokens": v["prompt_tokens"],
            "completion_tokens": v["completion_tokens"], "requests": v["requests"]}

"""MetadataBoundary: the account's Customer Metadata Boundary (where Cloudflare keeps the account's
logs and analytics: `eu` or `us`), managed as a Pulumi dynamic resource because pulumi-cloudflare 6
has no resource for it.

The Cloudflare API (developers.cloudflare.com/api/resources/logs/subresources/control):
  GET    /accounts/{account_id}/logs/control/cmb/config   -> {"regions", "allow_out_of_region_access"}
  POST   /accounts/{account_id}/logs/control/cmb/config   full upsert of that object
  DELETE /accounts/{account_id}/logs/control/cmb/config   lifts the boundary
It needs the Data Localization Suite (Enterprise) and a token with Account Logs:Edit. The token is the
one the Cloudflare provider uses (`cloudflare:apiToken`, a secret input here) or CLOUDFLARE_API_TOKEN.
The account is the identity: another account is a replacement; a region change is an update."""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.request
from typing import Any

import pulumi
import pulumi.dynamic as dynamic

API_BASE = "https://api.cloudflare.com/client/v4"
REGIONS = ("eu", "us")


class CloudflareApiError(Exception):
    pass


def _call(method: str, account_id: str, token: str | None, base: str, body: dict[str, Any] | None = None) -> Any:
    token = token or os.environ.get("CLOUDFLARE_API_TOKEN")
    if not token:
        raise CloudflareApiError(
            "Customer Metadata Boundary: no Cloudflare API token (set cloudflare:apiToken or CLOUDFLARE_API_TOKEN)"
        )
    url = f"{base.rstrip('/')}/accounts/{account_id}/logs/control/cmb/config"
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method, headers={
        "Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            payload = json.loads(resp.read() or b"{}")
    except urllib.error.HTTPError as e:
        try:
            errors = json.loads(e.read() or b"{}").get("errors") or []
        except ValueError:
            errors = []
        detail = "; ".join(f"{x.get('code')}: {x.get('message')}" for x in errors if isinstance(x, dict)) or e.reason
        raise CloudflareApiError(
            f"Customer Metadata Boundary of account {account_id}: {method} answered {e.code} ({detail})"
        ) from None
    except urllib.error.URLError as e:
        raise CloudflareApiError(f"Customer Metadata Boundary: cannot reach {base}: {e.reason}") from None
    if isinstance(payload, dict) and payload.get("success") is False:
        raise CloudflareApiError(f"Customer Metadata Boundary of account {account_id}: {payload.get('errors')}")
    return payload.get("result") if isinstance(payload, dict) else None


def _outs(props: dict[str, Any]) -> dict[str, Any]:
    return {k: props[k] for k in ("account_id", "regions", "allow_out_of_region_access", "api_base") if k in props}


class CmbConfigProvider(dynamic.ResourceProvider):
    def _write(self, props: dict[str, Any]) -> dict[str, Any]:
        _call("POST", props["account_id"], props.get("api_token"), props["api_base"],
              {"regions": props["regions"], "allow_out_of_region_access": bool(props["allow_out_of_region_access"])})
        return _outs(props)

    def create(self, props: dict[str, Any]) -> dynamic.CreateResult:
        return dynamic.CreateResult(id_=props["account_id"], outs=self._write(props))

    def update(self, _id: str, _olds: dict[str, Any], props: dict[str, Any]) -> dynamic.UpdateResult:
        return dynamic.UpdateResult(outs=self._write(props))

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> dynamic.DiffResult:
        changed = [k for k in ("account_id", "regions", "allow_out_of_region_access") if olds.get(k) != news.get(k)]
        return dynamic.DiffResult(changes=bool(changed), replaces=["account_id"] if "account_id" in changed else [],
                                  delete_before_replace=True)

    def read(self, id_: str, props: dict[str, Any]) -> dynamic.ReadResult:
        got = _call("GET", id_, props.get("api_token"), props.get("api_base", API_BASE)) or {}
        return dynamic.ReadResult(id_=id_, outs={**_outs(props), "account_id": id_,
                                                 "regions": got.get("regions"),
                                                 "allow_out_of_region_access": bool(got.get("allow_out_of_region_access"))})

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        _call("DELETE", id_, props.get("api_token"), props.get("api_base", API_BASE))


class MetadataBoundary(dynamic.Resource):
    """The account's Customer Metadata Boundary. Outputs: regions, allow_out_of_region_access."""

    regions: pulumi.Output[str]
    allow_out_of_region_access: pulumi.Output[bool]

    def __init__(
        self, name: str, *, account_id: str, regions: str, allow_out_of_region_access: bool = False,
        api_token: pulumi.Input[str] | None = None, api_base: str = API_BASE,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        if regions not in REGIONS:
            raise ValueError(f"Customer Metadata Boundary region {regions!r} is not one of {', '.join(REGIONS)}")
        props = {"account_id": account_id, "regions": regions, "allow_out_of_region_access": allow_out_of_region_access,
                 "api_base": api_base, "api_token": pulumi.Output.secret(api_token) if api_token is not None else None}
        super().__init__(CmbConfigProvider(), name, props,
                         pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(additional_secret_outputs=["api_token"])))

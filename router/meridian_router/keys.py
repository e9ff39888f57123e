"""API keys that change without a restart.

Three sources, merged into the one key set the authenticator reads (swapped whole, in one event-loop
step, so a request in flight or arriving during a change sees the old set or the new one, never a
half-built one):

- `auth.api_keys` in the config (fixed for the process's life);
- `auth.api_keys_file`: a YAML or JSON list of keys (same fields, plus `name` and `expires_at`),
  typically rendered by Vault Agent from a KV path; re-read when it changes (checked every
  `auth.reload_interval_s`) and on SIGHUP. A file that does not parse or validate is refused whole:
  the previous keys stay, and the refusal is an audit event naming the file and the bad entry;
- keys made through the admin API, kept in the shared store: Redis when `redis` is configured (every
  replica picks changes up within `auth.reload_interval_s`), else the JSON file
  `auth.managed_keys_file` (one replica). Revoking or rotating a key from the other sources is
  recorded there too, as an override of that key.

A key's id is the first 12 hex digits of its SHA-256 (what logs and metrics already call the
subject). The secret of a created key is returned once and never stored: only its SHA-256 is.
Every change is an audit event on the `meridian_router.audit` logger (always written).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import logging
import os
import secrets
import tempfile
import time
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from .auth import Authenticator, Principal
from .config import ApiKeyConfig, AuthConfig, RateLimits
from .errors import RouterError
from .state import RedisState, StateRequestError, StateUnavailable

audit = logging.getLogger("meridian_router.audit")
log = logging.getLogger("meridian_router.keys")

Source = Literal["config", "file", "api"]
MAX_OVERLAP_S = 30 * 86400


@dataclass(frozen=True, slots=True)
class KeyRecord:
    id: str
    sha256: str
    tenant: str
    scopes: tuple[str, ...]
    source: Source
    rate_limits: RateLimits | None = None
    name: str | None = None
    created_at: float | None = None
    expires_at: float | None = None
    revoked_at: float | None = None

    def public(self) -> dict[str, Any]:
        """What the admin API shows: never the secret, nor its hash."""
        return {
            "id": self.id,
            "name": self.name,
            "tenant": self.tenant,
            "scopes": list(self.scopes),
            "rate_limits": self.rate_limits.model_dump(exclude_none=True) if self.rate_limits else None,
            "source": self.source,
            "created_at": _iso(self.created_at),
            "expires_at": _iso(self.expires_at),
            "revoked_at": _iso(self.revoked_at),
            "active": self.active(time.time()),
        }

    def active(self, now: float) -> bool:
        return self.revoked_at is None and (self.expires_at is None or now < self.expires_at)

    @classmethod
    def from_store(cls, m: dict[str, Any]) -> KeyRecord:
        """An API-made key as `to_store` wrote it."""
        rl = m.get("rate_limits")
        return cls(m["id"], m["sha256"], m["tenant"], tuple(m.get("scopes") or ()), "api",
                   RateLimits(**rl) if rl else None, m.get("name"), m.get("created_at"), m.get("expires_at"),
                   m.get("revoked_at"))

    def to_store(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": self.id, "sha256": self.sha256, "tenant": self.tenant, "scopes": list(self.scopes),
            "name": self.name, "created_at": self.created_at, "expires_at": self.expires_at,
            "revoked_at": self.revoked_at,
        }
        if self.rate_limits is not None:
            out["rate_limits"] = self.rate_limits.model_dump(exclude_none=True)
        return out


def _iso(ts: float | None) -> str | None:
    return None if ts is None else time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(ts))


class FileKey(ApiKeyConfig):
    name: str | None = None
    expires_at: datetime | None = None


class _File(BaseModel):
    model_config = ConfigDict(extra="forbid")
    keys: list[FileKey]


def key_id(sha256: str) -> str:
    return sha256[:12]


def read_key_file(path: str, tenants: set[str]) -> list[KeyRecord]:
    """The keys of an `auth.api_keys_file`; raises ValueError naming the file and the bad entry."""
    try:
        text = Path(path).read_text()
    except OSError as exc:
        raise ValueError(f"auth.api_keys_file {path}: cannot read it ({exc.strerror})") from None
    try:
        data = yaml.safe_load(text) if text.strip() else []
    except yaml.YAMLError as exc:
        raise ValueError(f"auth.api_keys_file {path}: not valid YAML or JSON ({exc})") from None
    if isinstance(data, list):
        data = {"keys": data}
    try:
        parsed = _File.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = ".".join(str(p) for p in err["loc"])
        raise ValueError(f"auth.api_keys_file {path}: {loc}: {err['msg']}") from None
    out = []
    for i, k in enumerate(parsed.keys):
        if k.tenant not in tenants:
            raise ValueError(f"auth.api_keys_file {path}: keys.{i}.tenant: {k.tenant!r} is not in `tenants`")
        out.append(KeyRecord(key_id(k.sha256), k.sha256, k.tenant, tuple(k.scopes), "file", k.rate_limits, k.name,
                             None, k.expires_at.timestamp() if k.expires_at else None))
    return out


# --- the shared store of API-made keys ---------------------------------------------------------------
class RedisKeyStore:
    """A hash of key records (JSON) and a version counter bumped by every change."""

    def __init__(self, state: RedisState) -> None:
        self.state = state
        self.version: bytes | str | None = None

    async def load(self) -> dict[str, dict] | None:
        """Every record, or None when nothing changed since the last load."""
        version = await self.state.call(lambda: self.state.client.get(self.state.prefix + "keys:version"))
        if version == self.version and version is not None:
            return None
        raw = await self.state.call(lambda: self.state.client.hgetall(self.state.prefix + "keys"))
        self.version = version
        return {(k.decode() if isinstance(k, bytes) else k): json.loads(v) for k, v in raw.items()}

    async def put(self, record: dict) -> None:
        prefix = self.state.prefix

        async def write():
            async with self.state.client.pipeline(transaction=True) as p:
                p.hset(prefix + "keys", record["id"], json.dumps(record))
                p.incr(prefix + "keys:version")
                return await p.execute()

        await self.state.call(write)


class FileKeyStore:
    """The records in one JSON file, replaced atomically (write, fsync, rename) on every change."""

    def __init__(self, path: str) -> None:
        self.path = Path(path)
        self.stamp: tuple[int, int] | None = None
        self.lock = asyncio.Lock()

    def _stat(self) -> tuple[int, int] | None:
        try:
            st = self.path.stat()
        except FileNotFoundError:
            return None
        return st.st_mtime_ns, st.st_size

    def _read(self) -> dict[str, dict]:
        if not self.path.exists():
            return {}
        data = json.loads(self.path.read_text() or "{}")
        if not isinstance(data, dict):
            raise ValueError(f"auth.managed_keys_file {self.path}: not a JSON object")
        return data

    def prime(self) -> dict[str, dict]:
        """Every record now (at start), remembering the file's state for `load`."""
        self.stamp = self._stat()
        return self._read()

    async def load(self) -> dict[str, dict] | None:
        stamp = self._stat()
        if stamp == self.stamp and stamp is not None:
            return None
        data = self._read()
        self.stamp = stamp
        return data

    async def put(self, record: dict) -> None:
        async with self.lock:
            data = self._read()
            data[record["id"]] = record
            fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".keys-")
            try:
                with os.fdopen(fd, "w") as f:
                    json.dump(data, f, indent=1, sort_keys=True)
                    f.flush()
                    os.fsync(f.fileno())
                os.chmod(tmp, 0o600)
                os.replace(tmp, self.path)
            except BaseException:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)
                raise


class KeyManager:
    def __init__(self, cfg: AuthConfig, tenants: set[str], auth: Authenticator, state: RedisState | None) -> None:
        self.cfg = cfg
        self.tenants = tenants
        self.auth = auth
        self.config_keys = [
            KeyRecord(key_id(k.sha256), k.sha256, k.tenant, tuple(k.scopes), "config", k.rate_limits)
            for k in cfg.api_keys
        ]
        self.file_keys: list[KeyRecord] = []
        self.file_stamp: tuple[int, int, str] | None = None
        self.managed: dict[str, dict] = {}
        self.store: RedisKeyStore | FileKeyStore | None = (
            RedisKeyStore(state) if state is not None else FileKeyStore(cfg.managed_keys_file)
            if cfg.managed_keys_file else None
        )
        if cfg.api_keys_file:  # at start, the file must be good: an error names it (the config check)
            self.file_keys = read_key_file(cfg.api_keys_file, tenants)
            self.file_stamp = self._file_stamp()
        if isinstance(self.store, FileKeyStore):
            self.managed = self.store.prime()
        self.rebuild()

    # --- the merged key set ------------------------------------------------------------------------
    def records(self) -> dict[str, KeyRecord]:
        """Every key by id: config and file keys with their overrides applied, then API-made keys."""
        out: dict[str, KeyRecord] = {}
        for r in (*self.config_keys, *self.file_keys):
            out[r.id] = r
        for rid, m in self.managed.items():
            if m.get("sha256"):
                out[rid] = KeyRecord.from_store(m)
            elif rid in out:  # an override of a config or file key
                out[rid] = replace(out[rid], expires_at=m.get("expires_at", out[rid].expires_at),
                                   revoked_at=m.get("revoked_at"))
        return out

    def rebuild(self) -> None:
        keys = {}
        for r in self.records().values():
            if r.revoked_at is None and r.tenant in self.tenants:
                keys[r.sha256] = Principal(r.tenant, frozenset(r.scopes), r.id, r.rate_limits, r.expires_at)
        self.auth.set_keys(keys)

    # --- reloading -----------------------------------------------------------------------------------
    def _file_stamp(self) -> tuple[int, int, str] | None:
        path = self.cfg.api_keys_file
        if not path:
            return None
        try:
            st = os.stat(path)
            digest = hashlib.sha256(Path(path).read_bytes()).hexdigest()
        except OSError:
            return None
        return st.st_mtime_ns, st.st_size, digest

    def reload_file(self, force: bool = False) -> bool:
        """Re-read `auth.api_keys_file` if it changed (or `force`). True when the key set changed."""
        path = self.cfg.api_keys_file
        if not path:
            return False
        stamp = self._file_stamp()
        if stamp == self.file_stamp and not force:
            return False
        try:
            keys = read_key_file(path, self.tenants)
        except ValueError as exc:
            self.file_stamp = stamp  # the same bad file is reported once
            audit.error("key file refused; the previous keys stay", extra={"event": "keys.reload_failed",
                                                                           "file": path, "error": str(exc)})
            return False
        self.file_stamp = stamp
        before = {r.id for r in self.file_keys}
        self.file_keys = keys
        self.rebuild()
        after = {r.id for r in keys}
        audit.info("key file reloaded", extra={"event": "keys.reloaded", "file": path, "keys": len(keys),
                                               "added": sorted(after - before), "removed": sorted(before - after)})
        return True

    async def sync(self, force: bool = False) -> None:
        """One round: the key file, then the shared store (a change elsewhere shows up here)."""
        self.reload_file(force)
        if self.store is None:
            return
        try:
            data = await self.store.load()
        except (StateUnavailable, StateRequestError, OSError, ValueError) as exc:
            log.warning("could not read the managed key store: %s", exc)
            return
        if data is not None and data != self.managed:
            self.managed = data
            self.rebuild()

    async def run(self, every_s: float) -> None:
        while True:
            await asyncio.sleep(every_s)
            await self.sync()

    # --- the admin API -------------------------------------------------------------------------------
    def list(self, tenant: str | None) -> list[dict]:
        return [r.public() for r in sorted(self.records().values(), key=lambda r: (r.tenant, r.id))
                if tenant is None or r.tenant == tenant]

    def get(self, rid: str, tenant: str | None) -> KeyRecord:
        r = self.records().get(rid)
        if r is None or (tenant is not None and r.tenant != tenant):
            raise RouterError(404, "key_not_found", f"no key {rid!r}" + (f" in tenant {tenant!r}" if tenant else ""))
        return r

    def _need_store(self) -> RedisKeyStore | FileKeyStore:
        if self.store is None:
            raise RouterError(503, "key_store_unavailable",
                              "keys cannot be changed through the API here: configure `redis` (shared by replicas) "
                              "or `auth.managed_keys_file`")
        return self.store

    async def _put(self, record: dict) -> None:
        store = self._need_store()
        try:
            await store.put(record)
        except (StateUnavailable, StateRequestError, OSError) as exc:
            raise RouterError(503, "key_store_unavailable", f"the key store did not take the change ({exc}); nothing "
                              "changed, try again") from None
        self.managed[record["id"]] = record
        self.rebuild()

    async def create(self, actor: Principal, tenant: str, scopes: list[str], name: str | None,
                     rate_limits: RateLimits | None, expires_at: float | None, event: str = "key.created",
                     extra: dict | None = None) -> tuple[KeyRecord, str]:
        self._need_store()
        secret = "mk-" + secrets.token_urlsafe(32)
        sha = hashlib.sha256(secret.encode()).hexdigest()
        rec = KeyRecord(key_id(sha), sha, tenant, tuple(scopes), "api", rate_limits, name, time.time(), expires_at)
        await self._put(rec.to_store())
        audit.info(event, extra={"event": event, "key_id": rec.id, "tenant": tenant, "scopes": list(scopes),
                                 "actor": actor.subject, "actor_tenant": actor.tenant, **(extra or {})})
        return rec, secret

    async def revoke(self, actor: Principal, rec: KeyRecord) -> KeyRecord:
        now = time.time()
        stored: dict[str, Any] = rec.to_store() if rec.source == "api" else {"id": rec.id, "expires_at": rec.expires_at}
        stored["revoked_at"] = now
        await self._put(stored)
        audit.info("key revoked", extra={"event": "key.revoked", "key_id": rec.id, "tenant": rec.tenant,
                                         "source": rec.source, "actor": actor.subject, "actor_tenant": actor.tenant})
        return replace(rec, revoked_at=now)

    async def rotate(self, actor: Principal, rec: KeyRecord, overlap_s: float) -> tuple[KeyRecord, str, KeyRecord]:
        """A new key with the old one's tenant, scopes and limits; the old one keeps working for
        `overlap_s` more seconds (never longer than it would have)."""
        if not rec.active(time.time()):
            raise RouterError(409, "key_inactive", f"key {rec.id!r} is revoked or expired: create a new one instead")
        new, secret = await self.create(actor, rec.tenant, list(rec.scopes), rec.name, rec.rate_limits, rec.expires_at,
                                        event="key.rotated", extra={"replaces": rec.id, "overlap_s": overlap_s})
        until = time.time() + overlap_s
        if rec.expires_at is not None:
            until = min(until, rec.expires_at)
        stored: dict[str, Any] = rec.to_store() if rec.source == "api" else {"id": rec.id}
        stored["expires_at"] = until
        await self._put(stored)
        return new, secret, replace(rec, expires_at=until)


# --- admin request bodies ---------------------------------------------------------------------------
class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class CreateKey(_Body):
    tenant: str | None = Field(default=None, description="Default: the caller's tenant")
    name: str | None = Field(default=None, max_length=200)
    scopes: list[str] = ["inference"]
    rate_limits: RateLimits | None = None
    expires_in_s: float | None = Field(default=None, gt=0, le=10 * 365 * 86400)


class RotateKey(_Body):
    overlap_s: float = Field(default=3600.0, ge=0, le=MAX_OVERLAP_S)


def parse_body(model: type[BaseModel], raw: bytes) -> Any:
    """An admin request body, or a 400 naming the field."""
    try:
        return model.model_validate_json(raw or b"{}")
    except ValidationError as exc:
        err = exc.errors()[0]
        param = ".".join(str(p) for p in err["loc"]) or None
        msg = err["msg"]
        raise RouterError(400, "invalid_request", f"`{param}`: {msg}" if param else msg, param=param) from None

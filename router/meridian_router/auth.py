"""Inbound authentication: API keys (stored as SHA-256) and JWT (HS256/RS256)."""

from __future__ import annotations

import hashlib
import hmac
import os
import time
from dataclasses import dataclass
from pathlib import Path

import jwt

from .config import AuthConfig, JwtConfig, RateLimits
from .errors import RouterError


@dataclass(frozen=True, slots=True)
class Principal:
    tenant: str
    scopes: frozenset[str]
    subject: str  # key fingerprint or JWT `sub`: safe to log, never the secret
    limits: RateLimits | None = None  # the credential's own rate limits (None: auth.key_rate_limits)
    expires_at: float | None = None  # epoch seconds: a rotated key's end of overlap, or its set expiry


def credentials(headers: dict[bytes, bytes]) -> tuple[bytes | None, bytes | None]:
    """(Authorization, API key header) of a request: the key header is Azure's `api-key` or
    Anthropic's `x-api-key`."""
    return headers.get(b"authorization"), headers.get(b"api-key") or headers.get(b"x-api-key")


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def _read_secret(env: str | None, file: str | None) -> str:
    if env:
        val = os.environ.get(env)
        if not val:
            raise RuntimeError(f"auth.jwt: environment variable {env} is not set")
        return val
    assert file
    return Path(file).read_text().strip()


class Authenticator:
    def __init__(self, cfg: AuthConfig, known_tenants: set[str]) -> None:
        self.cfg = cfg
        self.known_tenants = known_tenants
        self.anonymous = Principal(cfg.anonymous_tenant, frozenset({cfg.required_scope, "*"}), "anonymous")
        # API keys by SHA-256, from every source (config, key file, admin API): set by keys.KeyManager
        self.keys: dict[str, Principal] = {}
        self.jwt_keys: dict[str, str] = {}
        if cfg.jwt:
            self._load_jwt(cfg.jwt)
        self._cache: dict[str, Principal] = {}

    def _load_jwt(self, j: JwtConfig) -> None:
        if "HS256" in j.algorithms:
            self.jwt_keys["HS256"] = _read_secret(j.secret_env, j.secret_file)
        if "RS256" in j.algorithms:
            assert j.public_key_file
            self.jwt_keys["RS256"] = Path(j.public_key_file).read_text()

    def set_keys(self, keys: dict[str, Principal]) -> None:
        """Swap the whole key set (one step: a request sees the old set or the new one)."""
        self.keys = keys
        self._cache = {}

    def authenticate(
        self, authorization: bytes | None, api_key_header: bytes | None, scope: str
    ) -> Principal:
        principal = self.identify(authorization, api_key_header)
        if scope not in principal.scopes and "*" not in principal.scopes:
            raise RouterError(403, "insufficient_scope", f"credentials lack the {scope!r} scope")
        return principal

    def identify(self, authorization: bytes | None, api_key_header: bytes | None) -> Principal:
        """Who is calling (any scope); 401 for missing, unknown or expired credentials."""
        if self.cfg.disabled:
            return self.anonymous
        token = None
        if authorization and authorization[:7].lower() == b"bearer ":
            token = authorization[7:].strip().decode("latin-1")
        elif api_key_header:
            token = api_key_header.strip().decode("latin-1")
        if not token:
            raise RouterError(
                401, "missing_api_key", "missing credentials: send `Authorization: Bearer <key>`"
            )
        principal = self._cache.get(token)
        if principal is None:
            principal = self._resolve(token)
        if principal.expires_at is not None and time.time() >= principal.expires_at:
            raise RouterError(401, "key_expired", "this API key has expired (rotated or past its expiry)")
        return principal

    def _resolve(self, token: str) -> Principal:
        digest = hash_key(token)
        for stored, principal in self.keys.items():
            if hmac.compare_digest(stored, digest):
                if len(self._cache) < 10_000:
                    self._cache[token] = principal  # static keys only; JWTs expire and are never cached
                return principal
        if self.cfg.jwt and token.count(".") == 2:
            return self._jwt(token, self.cfg.jwt)
        raise RouterError(401, "invalid_api_key", "invalid credentials")

    def _jwt(self, token: str, j: JwtConfig) -> Principal:
        try:
            alg = jwt.get_unverified_header(token).get("alg")
            if not isinstance(alg, str):  # a list or an object is not an algorithm (and not hashable)
                raise RouterError(401, "invalid_token", "token header 'alg' is not a string")
            key = self.jwt_keys.get(alg)
            if key is None:
                raise RouterError(401, "invalid_token", f"token algorithm {alg!r} is not accepted")
            claims = jwt.decode(
                token,
                key,
                algorithms=[str(alg)],
                audience=j.audience,
                issuer=j.issuer,
                leeway=j.leeway_s,
                options={"require": ["exp", "aud"]},
            )
        except jwt.ExpiredSignatureError:
            raise RouterError(401, "token_expired", "token has expired") from None
        except jwt.InvalidAudienceError:
            raise RouterError(401, "invalid_token", "token audience is not accepted") from None
        except jwt.PyJWTError as exc:
            raise RouterError(401, "invalid_token", f"invalid token: {exc}") from None
        tenant = claims.get(j.tenant_claim)
        if not isinstance(tenant, str) or tenant not in self.known_tenants:
            raise RouterError(403, "unknown_tenant", f"token claim {j.tenant_claim!r} names no known tenant")
        raw = claims.get(j.scope_claim, "")
        scopes = frozenset(raw.split() if isinstance(raw, str) else [str(s) for s in raw])
        return Principal(tenant, scopes, str(claims.get("sub", "jwt")))

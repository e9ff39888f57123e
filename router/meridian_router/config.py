"""Router configuration: one YAML file, validated by pydantic.

Errors name the offending key and value (``backends.2.tier: 'cloudy' is not one of ...``).
Upstream secrets are never in this file: a backend names an environment variable
(``api_key_env``) or a file written by Vault Agent (``api_key_file``).
"""

from __future__ import annotations

import ssl
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from meridian import catalog

Tier = Literal["local", "edge", "cloud"]
Provider = Literal[
    "openai", "vllm", "ollama", "edge", "groq", "azure_openai", "anthropic", "bedrock", "vertex"
]
TIER_RANK: dict[str, int] = {"local": 0, "edge": 1, "cloud": 2}

# Providers that are cloud services by nature: refused in airgap mode whatever tier they claim.
CLOUD_PROVIDERS = frozenset({"openai", "groq", "azure_openai", "anthropic", "bedrock", "vertex"})


# Which providers can serve each inbound API natively (the rest get it translated to chat), and
# which do by default.
NATIVE_PROVIDERS: dict[str, frozenset[str]] = {
    "responses": frozenset({"openai", "vllm", "ollama", "groq", "edge"}),
    "messages": frozenset({"anthropic", "vllm", "edge"}),
}
DEFAULT_NATIVE: dict[str, frozenset[str]] = {
    "openai": frozenset({"responses"}),
    "anthropic": frozenset({"messages"}),
    "edge": frozenset({"responses", "messages"}),
}


class ConfigError(ValueError):
    """The configuration is invalid; the message names every bad key and value."""


def _names_to_objects(data: Any, key: str, field: str) -> Any:
    """The shorthand of a list of objects named by one field: `[a, {...}]` -> `[{field: a}, {...}]`."""
    if isinstance(data, dict) and isinstance(data.get(key), list):
        data = dict(data)
        data[key] = [{field: m} if isinstance(m, str) else m for m in data[key]]
    return data


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Price(_Model):
    """USD per million tokens."""

    input_per_mtok: float = Field(default=0.0, ge=0, le=100_000)
    output_per_mtok: float = Field(default=0.0, ge=0, le=100_000)


class ModelRoute(_Model):
    name: str = Field(min_length=1, description="Public model name clients ask for")
    upstream: str | None = Field(default=None, description="Model id sent upstream (default: name)")
    price: Price | None = None


class BreakerConfig(_Model):
    failure_threshold: int = Field(default=5, ge=1)
    recovery_timeout_s: float = Field(default=30.0, gt=0)
    half_open_max_probes: int = Field(default=1, ge=1)
    success_threshold: int = Field(default=1, ge=1)
    latency_limit_ms: float | None = Field(
        default=None, gt=0, description="EWMA above this demotes the backend"
    )


class HealthCheckConfig(_Model):
    path: str | None = Field(
        default=None,
        description="GET path probed on the backend's origin (scheme://host:port), e.g. /health; null disables",
    )
    interval_s: float = Field(default=10.0, gt=0)
    timeout_s: float = Field(default=2.0, gt=0)
    unhealthy_after: int = Field(default=2, ge=1)


class BackendConfig(_Model):
    name: str = Field(pattern=r"^[a-zA-Z0-9_.-]+$")
    provider: Provider
    tier: Tier
    base_url: str = Field(min_length=1)
    jurisdiction: str = Field(description="Catalog jurisdiction id the backend's data stays in")
    cloud: Literal["aws", "gcp", "azure"] | None = None
    region: str | None = Field(
        default=None, description="Catalog region; checked to lie within `jurisdiction`"
    )
    models: list[ModelRoute] = Field(min_length=1)
    price: Price = Price()
    api_key_env: str | None = None
    api_key_file: str | None = None
    timeout_s: float = Field(default=60.0, gt=0)
    stream_idle_timeout_s: float = Field(default=30.0, gt=0)
    max_connections: int = Field(default=256, ge=1)
    breaker: BreakerConfig = BreakerConfig()
    health_check: HealthCheckConfig = HealthCheckConfig()
    native_apis: list[Literal["responses", "messages"]] | None = Field(
        default=None,
        description="Inbound APIs this backend serves itself, passed through untranslated (default: openai "
        "['responses'], anthropic ['messages'], edge both, others none); the rest are translated to chat",
    )
    # provider specifics
    api_version: str | None = Field(default=None, description="azure_openai api-version / anthropic-version")
    aws_region: str | None = Field(default=None, description="bedrock: SigV4 signing region")
    aws_access_key_id_env: str = "AWS_ACCESS_KEY_ID"
    aws_secret_access_key_env: str = "AWS_SECRET_ACCESS_KEY"
    aws_session_token_env: str = "AWS_SESSION_TOKEN"
    aws_credentials_file: str | None = Field(
        default=None,
        description="bedrock: file with AWS_ACCESS_KEY_ID=/AWS_SECRET_ACCESS_KEY=/AWS_SESSION_TOKEN= lines "
        "(optionally `export `-prefixed; Vault Agent renders it), re-read when it changes; overrides the env vars",
    )

    @model_validator(mode="before")
    @classmethod
    def _models_shorthand(cls, data: Any) -> Any:
        return _names_to_objects(data, "models", "name")

    @field_validator("jurisdiction")
    @classmethod
    def _known_jurisdiction(cls, v: str) -> str:
        try:
            return catalog.jurisdiction(v).id
        except catalog.UnknownJurisdictionError as exc:
            raise ValueError(str(exc)) from None

    @model_validator(mode="after")
    def _region_within(self) -> BackendConfig:
        if (self.cloud is None) != (self.region is None):
            raise ValueError("`cloud` and `region` go together: set both or neither")
        if self.cloud and self.region:
            try:
                reg = catalog.region(self.cloud, self.region)
            except catalog.UnknownRegionError as exc:
                raise ValueError(str(exc)) from None
            if not reg.within(self.jurisdiction):
                raise ValueError(
                    f"region {self.cloud}/{self.region} is not within jurisdiction {self.jurisdiction!r} "
                    f"(it belongs to {sorted(reg.jurisdictions)})"
                )
        if self.api_key_env and self.api_key_file:
            raise ValueError("set `api_key_env` or `api_key_file`, not both")
        for api in self.native_apis or ():
            if self.provider not in NATIVE_PROVIDERS[api]:
                raise ValueError(
                    f"native_apis: {self.provider} backends do not serve the {api!r} API "
                    f"(it can be native on {sorted(NATIVE_PROVIDERS[api])}); leave it out and it is translated"
                )
        if self.provider == "bedrock" and not self.aws_region:
            raise ValueError("bedrock backends need `aws_region` for SigV4 signing")
        return self

    def natives(self) -> frozenset[str]:
        if self.native_apis is not None:
            return frozenset(self.native_apis)
        return DEFAULT_NATIVE.get(self.provider, frozenset())

    def price_for(self, model: str) -> Price:
        for m in self.models:
            if m.name == model and m.price is not None:
                return m.price
        return self.price


class BudgetLimits(_Model):
    daily_usd: float | None = Field(default=None, ge=0)
    monthly_usd: float | None = Field(default=None, ge=0)


class RateLimits(_Model):
    """Limits per minute (fixed UTC minutes) and on requests in flight; null: no limit of that kind."""

    rpm: int | None = Field(default=None, ge=1, description="Requests per minute")
    tpm: int | None = Field(default=None, ge=1, description="Tokens per minute (estimated at admission, corrected to usage)")
    concurrent: int | None = Field(default=None, ge=1, description="Requests in flight at once")

    @property
    def any(self) -> bool:
        return self.rpm is not None or self.tpm is not None or self.concurrent is not None


class RateLimitConfig(_Model):
    concurrency_lease_s: float = Field(
        default=900.0,
        gt=0,
        le=86400,
        description="A concurrency slot not given back within this (its replica died) is freed; longer than "
        "the longest stream",
    )


class TenantConfig(_Model):
    jurisdictions: list[str] = Field(
        min_length=1, description="Jurisdictions this tenant's data may go to; ['*'] for any"
    )
    budget: BudgetLimits = BudgetLimits()
    models: list[str] | None = Field(default=None, description="Allowed public model names (null = all)")
    rate_limits: RateLimits = RateLimits()

    @field_validator("jurisdictions")
    @classmethod
    def _known(cls, v: list[str]) -> list[str]:
        if v == ["*"]:
            return v
        out = []
        for j in v:
            try:
                out.append(catalog.jurisdiction(j).id)
            except catalog.UnknownJurisdictionError as exc:
                raise ValueError(str(exc)) from None
        return out


class ApiKeyConfig(_Model):
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$", description="hex SHA-256 of the key")
    tenant: str
    scopes: list[str] = ["inference"]
    rate_limits: RateLimits | None = Field(default=None, description="This key's limits (default: auth.key_rate_limits)")


class JwtConfig(_Model):
    algorithms: list[Literal["HS256", "RS256"]] = ["RS256"]
    secret_env: str | None = Field(default=None, description="HS256 shared secret, from this env var")
    secret_file: str | None = None
    public_key_file: str | None = Field(default=None, description="RS256 PEM public key")
    audience: str
    issuer: str | None = None
    tenant_claim: str = "tenant"
    scope_claim: str = "scope"
    leeway_s: float = 30.0

    @model_validator(mode="after")
    def _has_key(self) -> JwtConfig:
        if "HS256" in self.algorithms and not (self.secret_env or self.secret_file):
            raise ValueError("HS256 needs `secret_env` or `secret_file`")
        if "RS256" in self.algorithms and not self.public_key_file:
            raise ValueError("RS256 needs `public_key_file`")
        return self


class AuthConfig(_Model):
    disabled: bool = Field(default=False, description="No inbound auth; every request is `anonymous_tenant`")
    anonymous_tenant: str = "default"
    required_scope: str = "inference"
    admin_scope: str = "admin"
    api_keys: list[ApiKeyConfig] = []
    jwt: JwtConfig | None = None
    api_keys_file: str | None = Field(
        default=None,
        description="YAML/JSON list of keys (sha256, tenant, scopes, rate_limits, name, expires_at), e.g. "
        "rendered by Vault Agent; re-read on change and on SIGHUP",
    )
    managed_keys_file: str | None = Field(
        default=None, description="Where API-made keys are kept without Redis (one replica); JSON, written atomically"
    )
    reload_interval_s: float = Field(default=2.0, gt=0, le=3600, description="How often key sources are checked")
    key_admin_scope: str = Field(
        default="keys", description="Scope to manage the keys of one's own tenant (admin_scope: every tenant)"
    )
    key_rate_limits: RateLimits = Field(
        default=RateLimits(), description="Limits of each credential (API key or JWT subject) without its own"
    )


class ResidencyConfig(_Model):
    header: str = "x-meridian-jurisdiction"
    client_country_header: str | None = Field(
        default=None, description="e.g. cf-ipcountry: bind requests to the client country's jurisdictions"
    )
    unknown_country: Literal["reject", "ignore"] = "reject"


class GroupMember(_Model):
    model: str = Field(min_length=1, description="A model some backend serves")
    weight: float = Field(default=1.0, gt=0, le=1_000_000, description="Share of first picks")


class ModelGroup(_Model):
    """A public model name for several models: members in a weighted order, then fallbacks."""

    members: list[GroupMember] = Field(min_length=1)
    fallbacks: list[str] = Field(default=[], description="Models tried in order after every member")

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, data: Any) -> Any:
        return _names_to_objects(data, "members", "model")


class RoutingConfig(_Model):
    deadline_s: float = Field(default=60.0, gt=0)
    max_attempts: int = Field(default=4, ge=1)
    retries_per_backend: int = Field(default=1, ge=0)
    backoff_base_s: float = Field(default=0.05, ge=0)
    backoff_max_s: float = Field(default=1.0, ge=0)
    max_retry_after_s: float = Field(
        default=30.0, ge=0, description="Longest Retry-After honoured as a cool-down"
    )
    ewma_alpha: float = Field(default=0.2, gt=0, le=1)
    cost_weight_ms_per_usd_mtok: float = Field(
        default=10.0, ge=0, description="Latency-equivalent ms per USD/Mtok when ranking within a tier"
    )


class BudgetConfig(_Model):
    global_limits: BudgetLimits = BudgetLimits()
    kill_switch: bool = Field(default=False, description="Refuse every priced (non-free) request")
    fail_mode: Literal["fail_open", "fail_closed", "local"] = "local"
    prompt_chars_per_token: float = Field(
        default=3.0, ge=0.5, le=100, description="Worst-case prompt size estimate"
    )
    default_max_tokens: int = Field(
        default=4096, ge=1, le=100_000_000, description="Assumed when a request sets no max_tokens"
    )


class RedisConfig(_Model):
    url: str = Field(description="redis://host:port/db (password via url_env instead if secret)")
    url_env: str | None = None
    key_prefix: str = "meridian:router:"
    socket_timeout_s: float = Field(default=0.25, gt=0)
    retry_after_s: float = Field(
        default=1.0, gt=0, description="How long to wait before retrying a dead Redis"
    )
    breaker_sync_s: float = Field(default=1.0, gt=0)
    recovery_hold_s: float = Field(
        default=3.0,
        gt=0,
        le=60,
        description="After Redis lost the ledger, no replica reserves for this long, so every replica "
        "restores its view first; at least twice breaker_sync_s",
    )

    @model_validator(mode="after")
    def _hold(self) -> RedisConfig:
        if self.recovery_hold_s < 2 * self.breaker_sync_s:
            raise ValueError(
                f"`recovery_hold_s` ({self.recovery_hold_s:g}) must be at least twice `breaker_sync_s` "
                f"({self.breaker_sync_s:g}): every replica's sync must see a lost ledger within the hold"
            )
        return self


class RequestLimits(_Model):
    """Bounds on what one request may ask for, checked before routing (400 naming the field).
    Content size as a whole is bounded by `server.max_body_bytes`."""

    max_tokens: int = Field(
        default=1_000_000, ge=1, le=100_000_000, description="Largest max_tokens / max_completion_tokens"
    )
    max_messages: int = Field(default=4096, ge=1, description="Messages in one chat request")
    max_content_parts: int = Field(default=1024, ge=1, description="Parts in one message's content")
    max_tools: int = Field(default=512, ge=1, description="Tools (or functions) in one request")
    max_json_depth: int = Field(
        default=64, ge=2, le=512, description="Nesting of free-form JSON (tool parameters, JSON schemas)"
    )


class ServerConfig(_Model):
    host: str = "0.0.0.0"
    port: int = Field(default=8080, ge=1, le=65535, description="Plain-HTTP listener")
    max_body_bytes: int = Field(default=4 * 1024 * 1024, ge=1024, le=1024**3)
    body_timeout_s: float = Field(
        default=30.0,
        gt=0,
        le=3600,
        description="A request body must arrive within this; a stalled one is a 408 and the connection closes",
    )
    request_limits: RequestLimits = RequestLimits()
    access_log: bool = True
    log_level: Literal["debug", "info", "warning", "error"] = "info"
    # HTTPS: with a certificate and key the router also serves HTTPS on `tls_port` (the same app).
    tls_cert_file: str | None = Field(
        default=None, description="PEM certificate (chain) served on `tls_port`"
    )
    tls_key_file: str | None = Field(default=None, description="PEM private key of `tls_cert_file`")
    tls_client_ca_file: str | None = Field(
        default=None,
        description="PEM CA(s): HTTPS clients must present a certificate they issued (mTLS, e.g. "
        "Cloudflare Authenticated Origin Pulls); others are refused in the handshake",
    )
    tls_port: int = Field(
        default=8443, ge=1, le=65535, description="HTTPS listener (only with tls_cert_file)"
    )
    plain_http: bool = Field(
        default=True, description="Serve plain HTTP on `port`; false (needs TLS): HTTPS only"
    )

    @model_validator(mode="after")
    def _tls(self) -> ServerConfig:
        if (self.tls_cert_file is None) != (self.tls_key_file is None):
            have, missing = (
                ("tls_cert_file", "tls_key_file") if self.tls_cert_file else ("tls_key_file", "tls_cert_file")
            )
            raise ValueError(f"`{have}` is set but `{missing}` is not: set both or neither")
        if self.tls_client_ca_file and not self.tls_cert_file:
            raise ValueError("`tls_client_ca_file` (mTLS) needs `tls_cert_file` and `tls_key_file`")
        if self.tls_cert_file and self.plain_http and self.tls_port == self.port:
            raise ValueError(f"`tls_port` and `port` are both {self.port}: two listeners need two ports")
        if not self.plain_http and not self.tls_cert_file:
            raise ValueError(
                "`plain_http: false` needs `tls_cert_file` and `tls_key_file` (nothing to serve)"
            )
        return self

    @property
    def tls(self) -> bool:
        return self.tls_cert_file is not None


class TracingConfig(_Model):
    enabled: bool = Field(
        default=False, description="OpenTelemetry spans per request (needs opentelemetry-api)"
    )
    service_name: str = "meridian-router"


class RouterConfig(_Model):
    server: ServerConfig = ServerConfig()
    airgap: bool = Field(default=False, description="Refuse every cloud-tier / cloud-provider backend")
    auth: AuthConfig = AuthConfig()
    tenants: dict[str, TenantConfig] = {}
    residency: ResidencyConfig = ResidencyConfig()
    routing: RoutingConfig = RoutingConfig()
    budgets: BudgetConfig = BudgetConfig()
    redis: RedisConfig | None = None
    tracing: TracingConfig = TracingConfig()
    rate_limits: RateLimitConfig = RateLimitConfig()
    model_groups: dict[str, ModelGroup] = {}
    backends: list[BackendConfig] = Field(min_length=1)

    @model_validator(mode="after")
    def _consistent(self) -> RouterConfig:
        names = [b.name for b in self.backends]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ValueError(f"backend names must be unique; repeated: {dupes}")
        for i, key in enumerate(self.auth.api_keys):
            if key.tenant not in self.tenants:
                raise ValueError(f"auth.api_keys.{i}.tenant: {key.tenant!r} is not in `tenants`")
        if self.auth.disabled and self.auth.anonymous_tenant not in self.tenants:
            raise ValueError(
                f"auth.anonymous_tenant: {self.auth.anonymous_tenant!r} is not in `tenants` "
                "(declare it with its jurisdictions)"
            )
        served = {m.name for b in self.backends for m in b.models}
        for name, g in self.model_groups.items():
            if name in served:
                raise ValueError(f"model_groups.{name}: a backend already serves a model of this name; pick another")
            for where, models in (("members", [m.model for m in g.members]), ("fallbacks", g.fallbacks)):
                for i, m in enumerate(models):
                    if m not in served:
                        hint = " (groups cannot contain groups)" if m in self.model_groups else ""
                        raise ValueError(f"model_groups.{name}.{where}.{i}: {m!r} is not a model any backend serves{hint}")
        a = self.auth
        if not a.disabled and not (a.api_keys or a.jwt or a.api_keys_file or a.managed_keys_file or self.redis):
            raise ValueError(
                "auth: configure `api_keys`, `api_keys_file` or `jwt` (or keys made through the admin API, kept "
                "in `redis` or `auth.managed_keys_file`), or set `disabled: true` explicitly"
            )
        return self


def describe_error(exc: ValidationError, prefix: str = "") -> str:
    """Every error of `exc`, one line each: the dotted location (after `prefix`), the message and
    the bad value."""
    lines = []
    for err in exc.errors():
        parts = ([prefix] if prefix else []) + [str(p) for p in err["loc"]]
        loc = ".".join(parts) or "(top level)"
        msg = err["msg"].removeprefix("Value error, ")
        if "input" in err and err["type"] not in ("missing",) and not isinstance(err["input"], dict):
            lines.append(f"{loc}: {msg} (got {err['input']!r})")
        else:
            lines.append(f"{loc}: {msg}")
    return "invalid router config:\n  " + "\n  ".join(lines)


def parse_config(data: Any) -> RouterConfig:
    try:
        return RouterConfig.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(describe_error(exc)) from None


def tls_context(server: ServerConfig) -> ssl.SSLContext | None:
    """The HTTPS listener's context, built from the files now: a missing, unreadable or mismatched
    file is a ConfigError naming it (at start, not on the first handshake). None: no TLS."""
    if server.tls_cert_file is None or server.tls_key_file is None:
        return None
    for key in ("tls_cert_file", "tls_key_file", "tls_client_ca_file"):
        f = getattr(server, key)
        if f is not None and not Path(f).is_file():
            raise ConfigError(f"server.{key}: {f} does not exist or is not a file")
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    try:
        ctx.load_cert_chain(server.tls_cert_file, server.tls_key_file)
    except (ssl.SSLError, OSError) as exc:
        raise ConfigError(
            f"server.tls_cert_file / tls_key_file: cannot load {server.tls_cert_file} with key "
            f"{server.tls_key_file} ({exc}); both PEM, and the key must match the certificate"
        ) from None
    if server.tls_client_ca_file:
        try:
            ctx.load_verify_locations(cafile=server.tls_client_ca_file)
        except (ssl.SSLError, OSError) as exc:
            raise ConfigError(
                f"server.tls_client_ca_file: cannot load CA certificates from {server.tls_client_ca_file} ({exc})"
            ) from None
        ctx.verify_mode = ssl.CERT_REQUIRED
    return ctx


def load_config(path: str | Path) -> RouterConfig:
    p = Path(path)
    try:
        data = yaml.safe_load(p.read_text())
    except OSError as exc:
        raise ConfigError(f"cannot read router config {p}: {exc.strerror}") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"router config {p} is not valid YAML: {exc}") from None
    if not isinstance(data, dict):
        raise ConfigError(f"router config {p}: top level must be a mapping")
    return parse_config(data)

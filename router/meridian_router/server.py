"""The ASGI application: parse, authenticate, bind residency, forward, answer.

A raw ASGI callable (no framework) so the request path stays short: uvicorn with uvloop and
httptools in front, orjson for JSON, a lean pooled HTTP/1.1 client (upstream.py) per backend behind.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import signal
import time

import aiohttp
import orjson

from .admin import AdminAPI
from .auth import Authenticator, credentials
from .budgets import Budgets
from .config import RouterConfig
from .errors import RouterError
from .forward import Answer, Forwarder, StreamAnswer
from .health import check_backend, scrape_gauges, sync_shared
from .inbound import Inbound
from .inbound.messages import Messages
from .inbound.responses import Responses
from .keys import KeyManager
from .metrics import Metrics
from .ratelimit import RateLimiter, Scope
from .residency import ResidencyResolver, backend_allowed, tenant_scope
from .routing import RoutingPolicy
from .spend import SpendLedger
from .state import RedisState, StateRequestError, StateUnavailable
from .validation import validate

log = logging.getLogger("meridian_router.access")

SSE_HEADERS = [
    (b"content-type", b"text/event-stream"),
    (b"cache-control", b"no-cache"),
    (b"x-accel-buffering", b"no"),
]
OPS = {
    b"/v1/chat/completions": "chat",
    b"/v1/completions": "completions",
    b"/v1/embeddings": "embeddings",
    b"/v1/responses": "responses",
    b"/v1/messages": "messages",
}
INBOUND: dict[str, type[Inbound]] = {"responses": Responses, "messages": Messages}


class RouterApp:
    def __init__(self, cfg: RouterConfig) -> None:
        self.cfg = cfg
        self.metrics = Metrics()
        self.policy = RoutingPolicy(cfg)
        self.state: RedisState | None = None
        if cfg.redis is not None:
            import os

            url = os.environ.get(cfg.redis.url_env, cfg.redis.url) if cfg.redis.url_env else cfg.redis.url
            self.state = RedisState(
                url,
                cfg.redis.key_prefix,
                cfg.redis.socket_timeout_s,
                cfg.redis.retry_after_s,
                cfg.redis.recovery_hold_s,
            )
            for b in self.policy.backends:
                b.breaker.on_open = self._publish_open
        for b in self.policy.backends:
            if b.breaker.on_open is None:
                b.breaker.on_open = self._log_open
        self.budgets = Budgets(cfg.budgets, cfg.tenants, self.state)
        self.auth = Authenticator(cfg.auth, set(cfg.tenants))
        self.keys = KeyManager(cfg.auth, set(cfg.tenants), self.auth, self.state)
        self.spend = SpendLedger(self.state)
        self.admin = AdminAPI(self)
        self.residency = ResidencyResolver(cfg.residency)
        self.scopes = {name: tenant_scope(t) for name, t in cfg.tenants.items()}
        self.forwarder = Forwarder(cfg, self.policy, self.budgets, self.metrics)
        self.limited_tenants = {name for name, t in cfg.tenants.items() if t.rate_limits.any}
        self.limiter = RateLimiter(cfg.rate_limits.concurrency_lease_s, cfg.budgets.prompt_chars_per_token, self.state)
        if cfg.tracing.enabled:
            from .tracing import instrument

            instrument(self.forwarder, cfg.tracing)
        self.max_body = cfg.server.max_body_bytes
        self.body_timeout = cfg.server.body_timeout_s
        self.limits = cfg.server.request_limits
        self.access_log = cfg.server.access_log
        self.tasks: list[asyncio.Task] = []
        self.started = False
        self._bg: set[asyncio.Task] = set()
        # GET /v1/models answers, per tenant: the models it may use that some backend inside its
        # jurisdictions serves.
        self.models_bodies = {name: self._models_body(name) for name in cfg.tenants}

    def _models_body(self, tenant: str) -> bytes:
        t = self.cfg.tenants[tenant]
        scope = self.scopes[tenant]
        names = [
            m
            for m, backends in sorted(self.policy.by_model.items())
            if (t.models is None or m in t.models)
            and any(backend_allowed(b.jurisdiction, scope) for b in backends)
        ]
        for g, group in sorted(self.policy.groups.items()):  # a group is listed if some link of it is usable
            links = [m.model for m in group.members] + list(group.fallbacks)
            if (t.models is None or g in t.models) and any(
                backend_allowed(b.jurisdiction, scope) for m in links for b in self.policy.by_model.get(m, ())
            ):
                names.append(g)
        data = [{"id": m, "object": "model", "created": 0, "owned_by": "meridian"} for m in names]
        return orjson.dumps({"object": "list", "data": data})

    # --- lifecycle -----------------------------------------------------------------------------
    async def startup(self) -> None:
        await self.forwarder.start()
        self.health_session = aiohttp.ClientSession()
        for b in self.policy.backends:
            if b.adapter.health_url():
                self.tasks.append(asyncio.create_task(check_backend(b, self.health_session)))
        if self.state is not None:
            assert self.cfg.redis is not None
            if await self.state.ping():
                with contextlib.suppress(StateUnavailable, StateRequestError):  # the sync loop retries
                    await self.state.ensure_epoch()
            self.tasks.append(
                asyncio.create_task(
                    sync_shared(
                        self.state,
                        self.policy.backends,
                        self.budgets,
                        self.cfg.redis.breaker_sync_s,
                        self.cfg.budgets.kill_switch,
                    )
                )
            )
        with contextlib.suppress(StateUnavailable, StateRequestError):
            await self.keys.sync()
        self.tasks.append(asyncio.create_task(self.keys.run(self.cfg.auth.reload_interval_s)))
        self.tasks.append(asyncio.create_task(self.spend.run()))
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):  # only in the main thread
            asyncio.get_running_loop().add_signal_handler(signal.SIGHUP, self.reload_keys)
        # Everything built so far (config, adapters, schemas, modules) lives as long as the process: move it
        # out of the collector's generations, so collections during requests only walk request garbage.
        gc.collect()
        gc.freeze()
        self.started = True
        log.info("router started", extra={"backends": len(self.policy.backends), "airgap": self.cfg.airgap})

    def reload_keys(self) -> None:
        """SIGHUP: re-read the key file (and the shared store) now."""
        t = asyncio.get_running_loop().create_task(self.keys.sync(force=True))
        self._bg.add(t)
        t.add_done_callback(self._bg.discard)

    async def shutdown(self) -> None:
        for t in self.tasks:
            t.cancel()
        for t in self.tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await t
        await self.spend.close()
        await self.forwarder.close()
        await self.health_session.close()
        if self.state is not None:
            await self.state.close()

    def _log_open(self, breaker) -> None:
        name = next((b.name for b in self.policy.backends if b.breaker is breaker), "?")
        log.warning("breaker opened", extra={"backend": name})

    def _publish_open(self, breaker) -> None:
        self._log_open(breaker)
        assert self.state is not None
        for b in self.policy.backends:
            if b.breaker is breaker:
                t = asyncio.get_running_loop().create_task(
                    self.state.publish_open(b.name, b.cfg.breaker.recovery_timeout_s)
                )
                self._bg.add(t)
                t.add_done_callback(self._bg.discard)

    # --- ASGI ------------------------------------------------------------------------------------
    async def __call__(self, scope, receive, send) -> None:
        kind = scope["type"]
        if kind == "http":
            await self.http(scope, receive, send)
        elif kind == "lifespan":
            await self.lifespan(receive, send)

    async def lifespan(self, receive, send) -> None:
        while True:
            msg = await receive()
            if msg["type"] == "lifespan.startup":
                try:
                    await self.startup()
                except Exception as exc:
                    await send({"type": "lifespan.startup.failed", "message": str(exc)})
                    return
                await send({"type": "lifespan.startup.complete"})
            elif msg["type"] == "lifespan.shutdown":
                await self.shutdown()
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def http(self, scope, receive, send) -> None:
        t0 = time.monotonic()
        path = scope["raw_path"].split(b"?", 1)[0] if scope.get("raw_path") else scope["path"].encode()
        method = scope["method"]
        status = 500
        info: dict = {}
        try:
            op = OPS.get(path)
            if op is not None:
                if method != "POST":
                    raise RouterError(405, "method_not_allowed", f"{path.decode()} accepts POST only")
                status = await self.inference(op, scope, receive, send, info)
            elif path == b"/v1/models" and method == "GET":
                principal = self.authenticate(scope)
                status = await respond(send, 200, self.models_bodies[principal.tenant])
            elif path == b"/healthz":
                status = await respond(send, 200, b'{"status":"ok"}')
            elif path == b"/readyz":
                status = await self.readyz(send)
            elif path == b"/metrics":
                scrape_gauges(self.metrics, self.policy.backends, self.budgets, self.state)
                status = await respond(send, 200, self.metrics.render(), ctype=b"text/plain; version=0.0.4")
            elif path == b"/admin/kill-switch" and method in ("POST", "DELETE"):
                status = await self.kill_switch(scope, send, method == "POST")
            elif path.startswith((b"/admin/keys", b"/admin/spend")):
                raw = await read_body(receive, dict(scope["headers"]), self.max_body, self.body_timeout)
                code, answer = await self.admin.handle(path, method, scope, raw)
                status = await respond(send, code, answer)
            else:
                raise RouterError(404, "not_found", f"no route for {method} {path.decode('latin-1')}")
        except RouterError as exc:
            status = exc.status
            info["code"] = exc.code
            if exc.code not in ("model_not_found",):
                self.metrics.refusals.inc((exc.code,))
            api = INBOUND.get(OPS.get(path, ""))
            body = api.error_body(exc) if api is not None else exc.body()
            await respond(send, exc.status, body, [(k.encode(), v.encode()) for k, v in exc.headers.items()])
        except Exception:
            log.exception("unhandled error", extra={"path": path.decode("latin-1")})
            status = 500
            await respond(send, 500, RouterError(500, "internal_error", "internal router error").body())
        elapsed = time.monotonic() - t0
        route = OPS.get(path, "other")
        self.metrics.requests.inc((route, status))
        self.metrics.latency.observe((route,), elapsed)
        upstream_s = info.pop("upstream_s", None)
        if upstream_s is not None:  # a whole answer: what the router itself added to it
            self.metrics.added_latency.observe((route,), max(0.0, elapsed - upstream_s))
        if self.access_log and route != "other" and log.isEnabledFor(logging.INFO):
            log.info(
                "request", extra={"route": route, "status": status, "ms": round(elapsed * 1000, 2), **info}
            )

    # --- handlers --------------------------------------------------------------------------------
    def authenticate(self, scope, needed: str | None = None):
        return self.auth.authenticate(*credentials(dict(scope["headers"])), needed or self.cfg.auth.required_scope)

    async def inference(self, op: str, scope, receive, send, info: dict) -> int:
        headers = dict(scope["headers"])
        principal = self.auth.authenticate(*credentials(headers), self.cfg.auth.required_scope)
        info["tenant"] = principal.tenant
        raw = await read_body(receive, headers, self.max_body, self.body_timeout)
        try:
            body = orjson.loads(raw)
        except orjson.JSONDecodeError:
            raise RouterError(400, "invalid_json", "request body is not valid JSON") from None
        if not isinstance(body, dict):
            raise RouterError(400, "invalid_request", "request body must be a JSON object")
        # a 400 naming the field, before any breaker or budget
        inbound_cls = INBOUND.get(op)
        inbound = None
        fop, fbody, fraw = op, body, raw
        if inbound_cls is None:
            validate(op, raw, body, self.limits)
        else:  # Responses / Messages: forwarded as their chat translation (native backends get the original)
            inbound = inbound_cls(body, raw, self.limits)
            fop, fbody, fraw = "chat", inbound.chat, inbound.chat_raw
        model = body["model"]
        tenant = self.cfg.tenants[principal.tenant]
        if tenant.models is not None and model not in tenant.models:
            raise RouterError(403, "model_not_allowed", f"model {model!r} is not allowed for this tenant")
        juris = self.residency.resolve(self.scopes[principal.tenant], headers)
        stream = body.get("stream") is True and op != "embeddings"
        info["model"] = model
        key_limits = principal.limits or self.cfg.auth.key_rate_limits
        admission = None
        if principal.tenant in self.limited_tenants or key_limits.any:
            scopes = (Scope("tenant", principal.tenant, tenant.rate_limits), Scope("key", principal.subject, key_limits))
            max_tokens = fbody.get("max_tokens") or fbody.get("max_completion_tokens")
            admission = await self.limiter.admit(scopes, self.limiter.estimate(len(fraw), max_tokens))
        tokens: int | None = 0  # a request that fails before an answer used none (its estimate goes back)
        try:
            result = await self.forwarder.forward(fop, fbody, fraw, principal.tenant, model, juris, stream, inbound)
            info["backend"] = result.backend.name if isinstance(result, StreamAnswer) else result.backend
            info["attempts"] = result.attempts
            extra = [(k.encode(), v.encode()) for k, v in admission.headers.items()] if admission else None
            if isinstance(result, Answer):
                info["upstream_s"] = result.upstream_s
                tokens = result.tokens
                answer = result.body
                if result.status < 400:
                    u = result.usage
                    self.spend.record(principal.tenant, principal.subject, result.cost,
                                      u.prompt_tokens if u else 0, u.completion_tokens if u else 0)
                elif inbound is not None:  # an upstream's refusal, in the client's API
                    answer = inbound.upstream_error(result.status, answer)
                return await respond(send, result.status, answer, extra)
            try:
                return await self.pump(result, receive, send, extra)
            finally:  # the stream has settled (pump finishes it): its usage is final
                u = result.final_usage
                tokens = u.prompt_tokens + u.completion_tokens
                self.spend.record(principal.tenant, principal.subject, result.cost, u.prompt_tokens,
                                  u.completion_tokens)
        finally:
            if admission is not None:
                await admission.release(tokens)

    async def pump(self, stream: StreamAnswer, receive, send, extra: list | None = None) -> int:
        """Pass a stream through chunk by chunk; stop the upstream if the client goes away."""

        async def watch() -> None:
            while (await receive())["type"] != "http.disconnect":
                pass
            stream.disconnect()

        watcher = asyncio.get_running_loop().create_task(watch())
        chunks = stream.chunks()
        try:
            await send({"type": "http.response.start", "status": 200, "headers": SSE_HEADERS + extra if extra else SSE_HEADERS})
            last = b""
            async for chunk in chunks:
                if stream.client_gone:
                    break
                if last:
                    await send({"type": "http.response.body", "body": last, "more_body": True})
                    last = b""
                if stream.done:
                    # The upstream is complete: nothing left to wait for, so this piece is sent
                    # with the end of the response (after the stream settles, as before).
                    last = chunk
                else:
                    await send({"type": "http.response.body", "body": chunk, "more_body": True})
            await send({"type": "http.response.body", "body": last, "more_body": False})
        finally:
            watcher.cancel()
            await chunks.aclose()  # runs the stream's own settling if it had started
            await stream.finish()  # and settles one that never started (a no-op otherwise)
        return 499 if stream.client_gone else 200

    async def readyz(self, send) -> int:
        now = time.monotonic()
        routable = [b.name for b in self.policy.backends if b.breaker.available(now)]
        body: dict = {"ready": bool(routable and self.started), "routable_backends": len(routable)}
        if self.state is not None:
            body["redis"] = "up" if self.state.up else "down"
            if not self.state.up and self.cfg.budgets.fail_mode == "fail_closed":
                body["ready"] = False
        return await respond(send, 200 if body["ready"] else 503, orjson.dumps(body))

    async def kill_switch(self, scope, send, on: bool) -> int:
        self.authenticate(scope, self.cfg.auth.admin_scope)
        self.budgets.kill_switch = on or self.cfg.budgets.kill_switch
        log.warning("kill switch changed", extra={"on": on})
        if self.state is not None:
            try:
                await self.state.set_kill_switch(on)
            except (StateUnavailable, StateRequestError):
                raise RouterError(
                    503,
                    "state_unavailable",
                    "the kill switch changed on this replica only: Redis did not take it, so the other "
                    "replicas keep their setting; try again",
                ) from None
        return await respond(send, 200, orjson.dumps({"kill_switch": self.budgets.kill_switch}))


async def respond(
    send, status: int, body: bytes, extra: list | None = None, ctype: bytes = b"application/json"
) -> int:
    headers = [(b"content-type", ctype), (b"content-length", str(len(body)).encode())]
    if extra:
        headers += extra
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
    return status


async def read_body(receive, headers: dict, limit: int, timeout_s: float) -> bytes:
    """The whole body, at most `limit` bytes, arriving within `timeout_s`. A body that stalls is a
    408 that closes the connection (the rest of it will never be read)."""
    cl = headers.get(b"content-length")
    if cl is not None:
        try:
            if int(cl) > limit:
                raise RouterError(413, "request_too_large", f"request body exceeds {limit} bytes")
        except ValueError:
            raise RouterError(400, "invalid_request", "bad Content-Length") from None
    chunks = []
    size = 0
    try:
        async with asyncio.timeout(timeout_s):
            while True:
                msg = await receive()
                if msg["type"] == "http.disconnect":
                    raise RouterError(499, "client_disconnected", "client went away")
                chunk = msg.get("body", b"")
                size += len(chunk)
                if size > limit:
                    raise RouterError(
                        413, "request_too_large", f"request body exceeds {limit} bytes", headers=CLOSE
                    )
                chunks.append(chunk)
                if not msg.get("more_body"):
                    break
    except TimeoutError:
        raise RouterError(
            408, "request_timeout", f"the request body did not arrive within {timeout_s:g} s", headers=CLOSE
        ) from None
    return chunks[0] if len(chunks) == 1 else b"".join(chunks)


CLOSE = {"connection": "close"}

"""Forwarding: try the planned backends in order under one deadline, with retries, backoff,
failover and budget reservations. Residency was settled before we get here: `plan` only
ever contains compliant backends, so failover cannot leave the jurisdiction."""

from __future__ import annotations

import asyncio
import logging
import math
import random
import time
from collections.abc import AsyncGenerator
from dataclasses import dataclass

import orjson

from .adapters.base import StreamTranslator, Usage
from .breakers import Slot
from .budgets import Budgets, Reservation, micro_usd
from .config import RouterConfig
from .errors import RouterError, error_body
from .inbound import Inbound
from .metrics import Metrics
from .routing import Backend, RoutingPolicy
from .upstream import Pool, Response

log = logging.getLogger("meridian_router.forward")

RETRYABLE_STATUS = frozenset({408, 500, 502, 503, 504})
NETWORK_ERRORS = (asyncio.TimeoutError, OSError)  # UpstreamError, resets, refused, TLS errors


@dataclass(slots=True)
class Answer:
    status: int
    body: bytes
    backend: str
    attempts: int
    upstream_s: float = 0.0  # the answering upstream call's duration (the rest is the router's)
    cost: int = 0  # micro-USD charged to the budget ledger for it
    usage: Usage | None = None  # None: the upstream refused the request (no tokens used)

    @property
    def tokens(self) -> int | None:
        """Tokens the answer used (None: an answer that reported no usage)."""
        u = self.usage
        if u is None:
            return 0
        return u.prompt_tokens + u.completion_tokens if u.reported else None


class StreamAnswer:
    """A stream that has passed its status check; the server pumps `chunks()` to the client."""

    def __init__(
        self,
        fw: Forwarder,
        backend: Backend,
        slot: Slot,
        resp: Response,
        tr: StreamTranslator,
        res: Reservation | None,
        tenant: str,
        model: str,
        prompt_est: int,
        attempts: int,
        started: float,
    ) -> None:
        self.fw, self.backend, self.slot, self.resp, self.tr, self.res = fw, backend, slot, resp, tr, res
        self.tenant, self.model, self.prompt_est, self.attempts = tenant, model, prompt_est, attempts
        self.started = started
        self.status = 200
        self.client_gone = False
        self.done = False  # the upstream answer is complete and the last piece has been yielded
        self.settled = False
        self.cost = 0  # micro-USD charged once settled
        self.final_usage = Usage()  # what it was settled to: reported usage, or the estimate

    async def chunks(self) -> AsyncGenerator[bytes, None]:
        b = self.backend
        resp, tr = self.resp, self.tr
        outcome = "ok"
        try:
            async for chunk in resp.iter_chunks(b.cfg.stream_idle_timeout_s):
                out = tr.feed(chunk)
                more = resp.take_buffered()
                if more is not None or resp.finished:
                    # Chunks already buffered go out as one piece (never waiting for more); the
                    # translator still sees every upstream chunk on its own.
                    parts = [out]
                    failed: Exception | None = None
                    try:
                        while more is not None:
                            parts.append(tr.feed(more))
                            more = resp.take_buffered()
                        if resp.finished:  # the answer is complete: the tail joins the last piece
                            self.done = True
                            parts.append(tr.finish())
                    except Exception as exc:  # what was translated before the failure still goes out
                        failed = exc
                    out = b"".join(parts)
                    if out:
                        yield out
                    if failed is not None:
                        raise failed
                elif out:
                    yield out
            if not self.done:
                tail = tr.finish()
                if tail:
                    yield tail
        except NETWORK_ERRORS as exc:
            if self.client_gone:
                outcome = "client_gone"
            else:
                outcome = "stream_error"
                yield self._backend_failed(exc, "upstream stream broke", "the upstream stream ended early",
                                           "upstream_stream_error")
        except RouterError as exc:
            outcome = "stream_error"
            yield self.tr.error_event(exc.message, exc.type, exc.code)
        except Exception as exc:  # an upstream stream no translator can read: the backend's fault
            outcome = "stream_error"
            yield self._backend_failed(exc, "unreadable upstream stream", "the upstream stream could not be read",
                                       "upstream_bad_response")
        finally:
            if outcome == "ok":
                self.slot.success((time.monotonic() - self.started) * 1000)
            await self.finish()

    def _backend_failed(self, exc: Exception, what: str, message: str, code: str) -> bytes:
        """The stream failed on the backend's account: the breaker's verdict, the attempt metric, a log
        line, and the closing SSE error event for the client."""
        b = self.backend
        self.slot.failure(time.monotonic())
        self.fw.metrics.attempts.inc((b.name, "stream_error"))
        log.warning(what, extra={"backend": b.name, "error": type(exc).__name__})
        return self.tr.error_event(message, "api_error", code)

    async def finish(self) -> None:
        """Settle the stream once, however it ended (completed, broken, abandoned before the first
        chunk): close the upstream, give the breaker its verdict (none: release) and settle the
        reservation to the usage seen (or a conservative estimate)."""
        if self.settled:
            return
        self.settled = True
        self.resp.close()
        self.slot.release()
        usage = self.tr.usage
        if not usage.reported:  # estimate conservatively: prompt worst case, one token per chunk
            usage = Usage(self.prompt_est, self.tr.chunks)
        self.final_usage = usage
        self.cost = await self.fw.settle(self.res, self.backend, self.tenant, self.model, usage)

    def disconnect(self) -> None:
        self.client_gone = True
        self.resp.close()


def _retry_after(resp: Response) -> float:
    """Seconds from an upstream Retry-After; anything not a finite non-negative number (an HTTP
    date, `inf`, `1e400`, `nan`) counts as one second: the cap (max_retry_after_s) applies after."""
    raw = resp.header("retry-after")
    try:
        value = float(raw) if raw else 1.0
    except ValueError:
        return 1.0
    return value if math.isfinite(value) and value >= 0 else 1.0


def normalize_error(status: int, data: bytes) -> bytes:
    """Upstream 4xx bodies, in OpenAI's shape whatever the provider wrote."""
    try:
        obj = orjson.loads(data)
        err = obj.get("error") if isinstance(obj, dict) else None
        if isinstance(err, dict) and "message" in err and "type" in err and "code" in err:
            return data
        msg = err.get("message") if isinstance(err, dict) else (err if isinstance(err, str) else None)
        msg = (
            msg or (obj.get("message") if isinstance(obj, dict) else None) or "upstream rejected the request"
        )
    except (orjson.JSONDecodeError, AttributeError):
        msg = "upstream rejected the request"
    return error_body(str(msg)[:500], "invalid_request_error", f"upstream_{status}")


class Forwarder:
    def __init__(self, cfg: RouterConfig, policy: RoutingPolicy, budgets: Budgets, metrics: Metrics) -> None:
        self.cfg = cfg
        self.r = cfg.routing
        self.policy = policy
        self.budgets = budgets
        self.metrics = metrics
        self.pools: dict[str, Pool] = {}

    async def start(self) -> None:
        for b in self.policy.backends:
            self.pools[b.name] = Pool(b.cfg.base_url, b.cfg.max_connections)

    async def close(self) -> None:
        for p in self.pools.values():
            await p.close()

    async def settle(
        self, res: Reservation | None, b: Backend, tenant: str, model: str, usage: Usage
    ) -> int:
        """Charge `usage` at the backend's prices (metrics, and the reservation settled to it); the cost."""
        cost = micro_usd(b.cfg.price_for(model), usage.prompt_tokens, usage.completion_tokens)
        if usage.prompt_tokens or usage.completion_tokens:
            self.metrics.tokens.inc((b.name, "prompt"), usage.prompt_tokens)
            self.metrics.tokens.inc((b.name, "completion"), usage.completion_tokens)
        if cost:
            self.metrics.spend.inc((tenant, b.name), cost / 1_000_000)
        if res is not None:
            await self.budgets.settle(res, cost)
        return cost

    async def forward(
        self,
        op: str,
        body: dict,
        raw: bytes,
        tenant: str,
        model: str,
        scope: frozenset[str],
        stream: bool,
        inbound: Inbound | None = None,
    ) -> Answer | StreamAnswer:
        """`inbound`: a Responses / Messages request, with `op`, `body` and `raw` its chat translation
        (what plans, budgets and translating backends use); native backends get the original."""
        # the backends in order: one model's, or a model group's chain (`models`: what each serves)
        plan, models = self.policy.plan_chain(op, model, scope, body, inbound.kind if inbound else None)
        r = self.r
        started = time.monotonic()
        deadline = started + r.deadline_s
        max_tokens = body.get("max_tokens") or body.get("max_completion_tokens")
        choices = body.get("n") or 1
        prompt_est = int(len(raw) / self.budgets.cfg.prompt_chars_per_token) + 1
        attempts = 0
        refusal: RouterError | None = None
        last: RouterError | None = None
        for i, b in enumerate(plan):
            served = models[i] if models is not None else model
            if i and attempts:
                self.metrics.failovers.inc((plan[i - 1].name,))
            for retry in range(r.retries_per_backend + 1):
                now = time.monotonic()
                if attempts >= r.max_attempts or now >= deadline:
                    break
                slot = b.breaker.take(now)
                if slot is None:
                    break
                # The attempt scope: whatever raises from here on (a budget, an adapter, the upstream,
                # a cancelled client), the `finally` releases the breaker slot and refunds the
                # reservation unless the attempt gave its verdict and settled, or handed both to a stream.
                res: Reservation | None = None
                handed_over = False
                try:
                    price = b.cfg.price_for(served)
                    try:
                        res = await self.budgets.reserve(
                            tenant, self.budgets.worst_case(price, len(raw), max_tokens, choices)
                        )
                    except RouterError as exc:
                        refusal = exc
                        break
                    attempts += 1
                    self.metrics.decisions.inc((b.name, b.tier))
                    outcome = await self._attempt(
                        b, slot, op, body, raw, served, scope, stream, deadline, res, tenant, prompt_est, attempts,
                        inbound,
                    )
                    if isinstance(outcome, (Answer, StreamAnswer)):
                        handed_over = isinstance(outcome, StreamAnswer)
                        return outcome
                    last = outcome
                finally:
                    if not handed_over:
                        slot.release()
                        await self.budgets.settle(res, 0)  # nothing was served: give the reservation back
                if outcome.code == "upstream_rate_limited":
                    break  # cooling down: straight to the next backend
                if retry < r.retries_per_backend:
                    pause = min(r.backoff_max_s, r.backoff_base_s * (2**retry)) * (0.5 + random.random() / 2)
                    if time.monotonic() + pause >= deadline:
                        break
                    await asyncio.sleep(pause)
        if refusal is not None:  # the rest of the chain was refused by the budget: that is the reason
            if attempts:
                refusal.message += f" (after {attempts} failed attempt(s) on other backends)"
            raise refusal
        if last is None:
            if time.monotonic() >= deadline:
                raise RouterError(
                    504, "deadline_exceeded", "the request deadline passed before any backend answered"
                )
            raise RouterError(
                503,
                "no_healthy_backend",
                f"no compliant backend for {model!r} accepted the request",
                headers={"retry-after": "1"},
            )
        raise RouterError(
            last.status,
            last.code,
            f"all {attempts} attempt(s) failed; last: {last.message}",
            headers=last.headers,
        )

    async def _attempt(
        self,
        b: Backend,
        slot: Slot,
        op: str,
        body: dict,
        raw: bytes,
        model: str,
        scope: frozenset[str],
        stream: bool,
        deadline: float,
        res: Reservation | None,
        tenant: str,
        prompt_est: int,
        attempts: int,
        inbound: Inbound | None,
    ) -> Answer | StreamAnswer | RouterError:
        t0 = time.monotonic()
        timeout = min(b.cfg.timeout_s, deadline - t0)
        native = inbound is not None and inbound.kind in b.adapter.native
        if native:
            assert inbound is not None
            op, body, raw = inbound.kind, inbound.body, inbound.raw
        translate = inbound if inbound is not None and not native else None  # the way back from chat
        want_usage = res is not None or translate is not None  # translated streams report usage at their end
        req = b.adapter.build(op, body, raw, model, stream, scope, want_usage)
        pool = self.pools[b.name]
        resp: Response | None = None
        data = b""
        try:
            async with asyncio.timeout(timeout):
                resp = await pool.request(b"POST", req.url, req.headers, req.body)
                status = resp.status
                if not (stream and status == 200):
                    data = await resp.read()
        except Exception as exc:  # network errors, and anything an unreadable upstream answer raises
            if resp is not None:
                resp.close()
            slot.failure(time.monotonic())
            kind = "timeout" if isinstance(exc, TimeoutError) else "connection_error"
            self.metrics.attempts.inc((b.name, kind))
            log.warning(
                "upstream attempt failed",
                extra={"backend": b.name, "outcome": kind, "error": type(exc).__name__},
            )
            if kind == "timeout":
                return RouterError(504, "upstream_timeout", f"backend {b.name} timed out")
            return RouterError(502, "upstream_unreachable", f"backend {b.name} could not be reached")
        latency_ms = (time.monotonic() - t0) * 1000
        self.metrics.upstream_latency.observe((b.name,), latency_ms / 1000)
        if stream and status == 200:
            self.metrics.attempts.inc((b.name, "ok"))
            try:
                tr = b.adapter.stream_translator(model, True, op)
                if translate is not None:
                    tr = translate.stream(tr, model)
            except BaseException:
                resp.close()
                raise
            return StreamAnswer(self, b, slot, resp, tr, res, tenant, model, prompt_est, attempts, t0)
        if status < 300:
            try:
                out, usage = b.adapter.translate(op, data, model)
                if translate is not None:
                    out = translate.answer(out, model)
            except Exception as exc:  # the upstream's answer is untrusted input: any failure is its fault
                slot.failure(time.monotonic(), latency_ms)
                self.metrics.attempts.inc((b.name, "bad_response"))
                log.warning(
                    "unreadable upstream answer", extra={"backend": b.name, "error": type(exc).__name__}
                )
                return RouterError(
                    502, "upstream_bad_response", f"backend {b.name} sent an unreadable answer"
                )
            slot.success(latency_ms)
            self.metrics.attempts.inc((b.name, "ok"))
            if usage.reported:
                cost = await self.settle(res, b, tenant, model, usage)
            else:  # no usage reported: the worst-case reservation stands as the charge
                self.budgets.keep(res)
                cost = res.amount if res is not None else 0
            return Answer(status, out, b.name, attempts, latency_ms / 1000, cost, usage)
        if status == 429:
            slot.release()
            b.breaker.cool_down(min(_retry_after(resp), self.r.max_retry_after_s))
            self.metrics.attempts.inc((b.name, "rate_limited"))
            return RouterError(
                429,
                "upstream_rate_limited",
                f"backend {b.name} is rate limited",
                type_="rate_limit_error",
                headers={"retry-after": str(max(1, round(_retry_after(resp))))},
            )
        if status in (401, 403):
            # About the router's own credential, not the caller's: never relay the body (providers echo
            # the key they refused). The backend is unusable until its key is fixed: fail over.
            slot.failure(time.monotonic(), latency_ms)
            self.metrics.attempts.inc((b.name, f"http_{status}"))
            log.warning("backend %s refused the router's credential (HTTP %s)", b.name, status)
            return RouterError(502, "upstream_error", f"backend {b.name} refused the router's credentials")
        if status in RETRYABLE_STATUS or status >= 500:
            slot.failure(time.monotonic(), latency_ms)
            self.metrics.attempts.inc((b.name, f"http_{status}"))
            return RouterError(502, "upstream_error", f"backend {b.name} answered {status}")
        # any other 4xx: the request itself is wrong; the backend is fine. Pass it on.
        slot.success(latency_ms)
        self.metrics.attempts.inc((b.name, f"http_{status}"))
        await self.budgets.settle(res, 0)
        return Answer(status, normalize_error(status, data), b.name, attempts, latency_ms / 1000)

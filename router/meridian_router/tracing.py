"""Optional OpenTelemetry tracing, plugged in around the forwarder (the hot path has no branch for it).

Enabled by `tracing.enabled`. Needs the `otel` extra (`meridian-router[otel]`, in the image by
default): opentelemetry-api, -sdk and the OTLP/HTTP exporter, which sends spans to
OTEL_EXPORTER_OTLP_ENDPOINT / OTEL_EXPORTER_OTLP_TRACES_ENDPOINT (standard OTEL_* env vars; an
OpenTelemetry Collector listens for OTLP/HTTP on :4318).
A span covers routing and forwarding up to the answer (for streams: up to the first byte).
Attributes: model, operation, tenant, jurisdictions, backend, attempts, error code. Never prompts.
"""

from __future__ import annotations

import functools
import logging

from .config import TracingConfig
from .errors import RouterError

log = logging.getLogger("meridian_router.tracing")


def instrument(forwarder, cfg: TracingConfig) -> None:
    try:
        from opentelemetry import trace
    except ImportError:
        raise RuntimeError(
            "tracing.enabled needs OpenTelemetry in the router's environment: install meridian-router[otel]"
        ) from None
    try:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
        from opentelemetry.sdk.resources import Resource
        from opentelemetry.sdk.trace import TracerProvider
        from opentelemetry.sdk.trace.export import BatchSpanProcessor

        provider = TracerProvider(resource=Resource.create({"service.name": cfg.service_name}))
        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
        trace.set_tracer_provider(provider)
    except ImportError:
        log.warning(
            "opentelemetry-sdk or the OTLP/HTTP exporter is missing (meridian-router[otel]): spans go to the "
            "global provider"
        )
    tracer = trace.get_tracer("meridian_router")
    inner = forwarder.forward

    @functools.wraps(inner)
    async def forward(op, body, raw, tenant, model, scope, stream, inbound=None):
        name = inbound.kind if inbound is not None else op
        with tracer.start_as_current_span(f"router.{name}", kind=trace.SpanKind.SERVER) as span:
            span.set_attribute("meridian.model", model)
            span.set_attribute("meridian.tenant", tenant)
            span.set_attribute("meridian.jurisdictions", sorted(scope))
            span.set_attribute("meridian.stream", stream)
            try:
                result = await inner(op, body, raw, tenant, model, scope, stream, inbound)
            except RouterError as exc:
                span.set_attribute("meridian.error_code", exc.code)
                span.set_status(trace.Status(trace.StatusCode.ERROR, exc.code))
                raise
            backend = result.backend if isinstance(result.backend, str) else result.backend.name
            span.set_attribute("meridian.backend", backend)
            span.set_attribute("meridian.attempts", result.attempts)
            return result

    forwarder.forward = forward

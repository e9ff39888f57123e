"""OpenAI-compatible upstreams: OpenAI, Groq, vLLM, Ollama, edge peers (other Meridian routers),
and Azure OpenAI (same wire format, different URL and key header). Bytes pass through."""

from __future__ import annotations

import orjson

from ..features import ALL as ALL_FEATURES
from .base import Adapter, NativeStream, SSEParser, StreamTranslator, UpstreamRequest, Usage, native_usage

PATHS = {
    "chat": "/chat/completions",
    "completions": "/completions",
    "embeddings": "/embeddings",
    "responses": "/responses",
    "messages": "/messages",
}
USAGE_OPTION = frozenset({"chat", "completions"})  # the ops whose streams report usage on request (stream_options)


def _usage(obj: dict | None) -> Usage:
    if not obj:
        return Usage()
    return Usage(int(obj.get("prompt_tokens") or 0), int(obj.get("completion_tokens") or 0), True)


class PassThroughStream(StreamTranslator):
    """Forwards bytes untouched; looks for a usage object only in events that carry one."""

    def __init__(self, model: str) -> None:
        super().__init__(model)
        self.parser: SSEParser | None = None

    def feed(self, chunk: bytes) -> bytes:
        self.chunks += 1
        if self.parser is not None or b'"usage"' in chunk:
            if self.parser is None:
                self.parser = SSEParser()
            for data in self.parser.feed(chunk):
                if b'"usage"' in data and data != b"[DONE]":
                    try:
                        u = orjson.loads(data).get("usage")
                    except orjson.JSONDecodeError:
                        continue
                    if u:
                        self.usage = _usage(u)
        return chunk


class OpenAIAdapter(Adapter):
    ops = frozenset({"chat", "completions", "embeddings"})
    features = ALL_FEATURES  # the request goes through as it is

    def headers(self, scope: frozenset[str]) -> dict[str, str]:
        h = {"content-type": "application/json"}
        key = self.secret.get()
        if key:
            h["authorization"] = "Bearer " + key
        if self.cfg.provider == "edge" and "*" not in scope:
            # the peer router enforces the same residency: tell it what this request is bound to
            h["x-meridian-jurisdiction"] = ",".join(sorted(scope))
        return h

    def url(self, op: str, upstream_model: str) -> str:
        return self.base + PATHS[op]

    def build(self, op, body, raw, model, stream, scope, want_usage) -> UpstreamRequest:
        upstream = self.upstream_models[model]
        usage_option = stream and want_usage and op in USAGE_OPTION
        if upstream != model or usage_option or op == "responses":
            body = dict(body)
            body["model"] = upstream
            if usage_option:
                body["stream_options"] = {**(body.get("stream_options") or {}), "include_usage": True}
            if op == "responses":
                body["store"] = False  # the router is stateless, and so is what it asks of upstreams
            raw = orjson.dumps(body)
        return UpstreamRequest(self.url(op, upstream), self.headers(scope), raw, stream)

    def translate(self, op, data, model):
        obj = orjson.loads(data)  # an unreadable answer raises: the forwarder turns it into a 502
        if not isinstance(obj, dict):
            raise ValueError("upstream answer is not a JSON object")
        if op in ("responses", "messages"):
            usage = Usage()
            native_usage(usage, obj)
            return data, usage
        return data, _usage(obj.get("usage"))

    def stream_translator(self, model, client_stream, op="chat"):
        return NativeStream(model) if op in ("responses", "messages") else PassThroughStream(model)

    def health_headers(self) -> dict[str, str]:
        key = self.secret.get()
        return {"authorization": "Bearer " + key} if key else {}


class AzureOpenAIAdapter(OpenAIAdapter):
    """base_url: https://<resource>.openai.azure.com ; models map to deployment names."""

    def headers(self, scope):
        h = {"content-type": "application/json"}
        key = self.secret.get()
        if key:
            h["api-key"] = key
        return h

    def url(self, op, upstream_model):
        version = self.cfg.api_version or "2024-10-21"
        return f"{self.base}/openai/deployments/{upstream_model}{PATHS[op]}?api-version={version}"

    def health_headers(self):
        key = self.secret.get()
        return {"api-key": key} if key else {}

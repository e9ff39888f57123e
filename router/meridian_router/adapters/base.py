"""The one interface every provider adapter implements.

An adapter turns an OpenAI-shaped request into the provider's HTTP request, and the provider's
answer (whole or streamed) back into OpenAI's shape, reporting token usage on the way.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import orjson

from ..config import BackendConfig
from ..errors import error_body

OPS = ("chat", "completions", "embeddings")


@dataclass(slots=True)
class Usage:
    prompt_tokens: int = 0
    completion_tokens: int = 0
    reported: bool = False


@dataclass(slots=True)
class UpstreamRequest:
    url: str
    headers: dict[str, str]
    body: bytes
    stream: bool  # whether the upstream answers with a stream (may differ from the client's ask)


class Secret:
    """An upstream credential from an env var or a file (Vault Agent), re-read when the file changes."""

    __slots__ = ("_checked", "_mtime", "_value", "env", "file")

    def __init__(self, env: str | None, file: str | None) -> None:
        self.env, self.file = env, file
        self._value: str | None = None
        self._mtime = 0.0
        self._checked = 0.0

    def get(self) -> str | None:
        if self.env:
            return os.environ.get(self.env)
        if not self.file:
            return None
        now = time.monotonic()
        if self._value is None or now - self._checked > 5.0:
            self._checked = now
            try:
                mtime = os.stat(self.file).st_mtime
                if mtime != self._mtime or self._value is None:
                    self._value = Path(self.file).read_text().strip()
                    self._mtime = mtime
            except OSError:
                pass  # keep the last good value; the call fails upstream if there is none
        return self._value


def sse(obj: dict) -> bytes:
    return b"data: " + orjson.dumps(obj) + b"\n\n"


SSE_DONE = b"data: [DONE]\n\n"


class SSEParser:
    """Incremental SSE parser: feed bytes, get the `data:` payloads of complete events."""

    __slots__ = ("buf",)

    def __init__(self) -> None:
        self.buf = b""

    def feed(self, chunk: bytes) -> list[bytes]:
        self.buf += chunk
        if b"\r\n" in self.buf:
            self.buf = self.buf.replace(b"\r\n", b"\n")
        out = []
        while True:
            i = self.buf.find(b"\n\n")
            if i < 0:
                break
            event, self.buf = self.buf[:i], self.buf[i + 2 :]
            data = [ln[5:].lstrip() for ln in event.split(b"\n") if ln.startswith(b"data:")]
            if data:
                out.append(b"\n".join(data))
        return out


class StreamTranslator:
    """Turns upstream stream bytes into OpenAI SSE bytes; collects usage."""

    def __init__(self, model: str) -> None:
        self.model = model
        self.usage = Usage()
        self.chunks = 0

    def feed(self, chunk: bytes) -> bytes:
        raise NotImplementedError

    def finish(self) -> bytes:
        return b""

    def error_event(self, message: str, type_: str, code: str) -> bytes:
        """The closing event of a stream that failed (in the client's API)."""
        return b"data: " + error_body(message, type_, code) + b"\n\n" + SSE_DONE


def native_usage(usage: Usage, obj: dict) -> None:
    """Fold the token counts of a native Responses / Messages answer or stream event into `usage`:
    Responses put them in `usage` (whole answers) or `response.usage` (response.completed), Messages in
    `usage` (answers, message_delta) or `message.usage` (message_start)."""
    u = obj.get("usage")
    if not isinstance(u, dict):
        inner = obj.get("response") or obj.get("message")
        u = inner.get("usage") if isinstance(inner, dict) else None
    if not isinstance(u, dict):
        return
    if u.get("input_tokens") is not None:
        usage.prompt_tokens = int(u["input_tokens"])
    if u.get("output_tokens") is not None:
        usage.completion_tokens = int(u["output_tokens"])
        usage.reported = usage.reported or obj.get("type") != "message_start"


class NativeStream(StreamTranslator):
    """A native Responses / Messages stream: the bytes pass through; usage is read from the events
    that carry it."""

    def __init__(self, model: str) -> None:
        super().__init__(model)
        self.parser = SSEParser()

    def feed(self, chunk: bytes) -> bytes:
        self.chunks += 1
        for data in self.parser.feed(chunk):
            if b'"usage"' in data:
                try:
                    obj = orjson.loads(data)
                except orjson.JSONDecodeError:
                    continue
                if isinstance(obj, dict):
                    native_usage(self.usage, obj)
        return chunk


class Adapter:
    """Base for every provider. Subclasses override what differs."""

    ops: frozenset[str] = frozenset({"chat"})
    # Request features (meridian_router.features) this API honours; requests using others go elsewhere.
    features: frozenset[str] = frozenset()

    def __init__(self, cfg: BackendConfig) -> None:
        self.cfg = cfg
        self.native = cfg.natives()  # inbound APIs (responses, messages) passed through untranslated
        self.base = cfg.base_url.rstrip("/")
        self.secret = Secret(cfg.api_key_env, cfg.api_key_file)
        self.upstream_models = {m.name: (m.upstream or m.name) for m in cfg.models}

    # request ----------------------------------------------------------------------------------
    def build(
        self,
        op: str,
        body: dict,
        raw: bytes,
        model: str,
        stream: bool,
        scope: frozenset[str],
        want_usage: bool,
    ) -> UpstreamRequest:
        raise NotImplementedError

    # response ---------------------------------------------------------------------------------
    def translate(self, op: str, data: bytes, model: str) -> tuple[bytes, Usage]:
        raise NotImplementedError

    def stream_translator(self, model: str, client_stream: bool, op: str = "chat") -> StreamTranslator:
        raise NotImplementedError

    def health_url(self) -> str | None:
        path = self.cfg.health_check.path
        if not path:
            return None
        if path.startswith("http"):
            return path
        parts = urlsplit(self.base)
        return f"{parts.scheme}://{parts.netloc}{path}"  # relative to the backend's origin

    def health_headers(self) -> dict[str, str]:
        return {}


def chat_id() -> str:
    return "chatcmpl-" + os.urandom(12).hex()


def messages_text(content: object) -> str:
    """OpenAI message content (string or list of parts) as plain text."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(p.get("text", "") for p in content if isinstance(p, dict) and p.get("type") == "text")
    return ""


def usage_json(usage: Usage) -> dict[str, int]:
    return {
        "prompt_tokens": usage.prompt_tokens,
        "completion_tokens": usage.completion_tokens,
        "total_tokens": usage.prompt_tokens + usage.completion_tokens,
    }


def sampling_params(
    body: dict, *, max_tokens: str, top_p: str, stop: str, default_max_tokens: int | None = None
) -> dict:
    """The OpenAI sampling fields (max tokens, temperature, top_p, stop) under another API's names."""
    out: dict = {}
    mt = body.get("max_tokens") or body.get("max_completion_tokens") or default_max_tokens
    if mt:
        out[max_tokens] = mt
    if body.get("temperature") is not None:
        out["temperature"] = body["temperature"]
    if body.get("top_p") is not None:
        out[top_p] = body["top_p"]
    stops = body.get("stop")
    if stops:
        out[stop] = [stops] if isinstance(stops, str) else stops
    return out


def completion_envelope(
    model: str,
    text: str,
    finish: str,
    usage: Usage,
    id_: str | None = None,
    tool_calls: list[dict] | None = None,
) -> bytes:
    message: dict = {"role": "assistant", "content": text}
    if tool_calls:
        message = {"role": "assistant", "content": text or None, "tool_calls": tool_calls}
    return orjson.dumps(
        {
            "id": id_ or chat_id(),
            "object": "chat.completion",
            "created": int(time.time()),
            "model": model,
            "choices": [{"index": 0, "message": message, "finish_reason": finish}],
            "usage": usage_json(usage),
        }
    )


def chunk_event(
    id_: str, model: str, delta: dict, finish: str | None = None, usage: Usage | None = None
) -> bytes:
    obj: dict = {
        "id": id_,
        "object": "chat.completion.chunk",
        "created": int(time.time()),
        "model": model,
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    }
    if usage is not None:
        obj["usage"] = usage_json(usage)
    return sse(obj)


FINISH = {
    "end_turn": "stop",
    "stop_sequence": "stop",
    "max_tokens": "length",
    "tool_use": "tool_calls",
    "STOP": "stop",
    "MAX_TOKENS": "length",
    "SAFETY": "content_filter",
    "guardrail_intervened": "content_filter",
    "content_filtered": "content_filter",
}

"""Anthropic Messages API: chat only, translated both ways, streaming and tool calls included."""

from __future__ import annotations

import orjson

from .. import features
from . import tools as block_tools
from .base import (
    FINISH,
    SSE_DONE,
    Adapter,
    NativeStream,
    SSEParser,
    StreamTranslator,
    UpstreamRequest,
    Usage,
    chat_id,
    chunk_event,
    completion_envelope,
    native_usage,
    sampling_params,
)


class AnthropicStream(StreamTranslator):
    def __init__(self, model: str) -> None:
        super().__init__(model)
        self.parser = SSEParser()
        self.id = chat_id()
        self.started = False
        self.tool_index: dict[int, int] = {}  # Anthropic content block index -> OpenAI tool call index

    def feed(self, chunk: bytes) -> bytes:
        out = []
        for data in self.parser.feed(chunk):
            try:
                ev = orjson.loads(data)
            except orjson.JSONDecodeError:
                continue
            kind = ev.get("type")
            if kind == "message_start":
                u = (ev.get("message") or {}).get("usage") or {}
                self.usage.prompt_tokens = int(u.get("input_tokens") or 0)
                out.append(chunk_event(self.id, self.model, {"role": "assistant", "content": ""}))
            elif kind == "content_block_start":
                block = ev.get("content_block") or {}
                if block.get("type") == "tool_use":
                    i = self.tool_index[int(ev.get("index") or 0)] = len(self.tool_index)
                    self.chunks += 1
                    call = {
                        "index": i,
                        "id": block.get("id"),
                        "type": "function",
                        "function": {"name": block.get("name"), "arguments": ""},
                    }
                    out.append(chunk_event(self.id, self.model, {"tool_calls": [call]}))
            elif kind == "content_block_delta":
                delta = ev.get("delta") or {}
                text = delta.get("text")
                if text:
                    self.chunks += 1
                    out.append(chunk_event(self.id, self.model, {"content": text}))
                elif delta.get("type") == "input_json_delta" and delta.get("partial_json"):
                    i = self.tool_index.get(int(ev.get("index") or 0))
                    if i is not None:
                        call = {"index": i, "function": {"arguments": delta["partial_json"]}}
                        out.append(chunk_event(self.id, self.model, {"tool_calls": [call]}))
            elif kind == "message_delta":
                u = ev.get("usage") or {}
                self.usage.completion_tokens = int(u.get("output_tokens") or 0)
                self.usage.reported = True
                reason = FINISH.get((ev.get("delta") or {}).get("stop_reason") or "", "stop")
                out.append(chunk_event(self.id, self.model, {}, reason, self.usage))
            elif kind == "error":
                err = ev.get("error") or {}
                out.append(
                    b"data: "
                    + orjson.dumps(
                        {
                            "error": {
                                "message": err.get("message", "upstream error"),
                                "type": "api_error",
                                "code": "upstream_error",
                            }
                        }
                    )
                    + b"\n\n"
                )
            elif kind == "message_stop":
                out.append(SSE_DONE)
        return b"".join(out)


class AnthropicAdapter(Adapter):
    ops = frozenset({"chat"})
    features = frozenset({features.TOOLS})

    def headers(self) -> dict[str, str]:
        headers = {
            "content-type": "application/json",
            "anthropic-version": self.cfg.api_version or "2023-06-01",
        }
        key = self.secret.get()
        if key:
            headers["x-api-key"] = key
        return headers

    def build(self, op, body, raw, model, stream, scope, want_usage):
        if op == "messages":  # an Anthropic-shaped request (inbound Messages API): as it is
            native = {**body, "model": self.upstream_models[model]}
            return UpstreamRequest(self.base + "/v1/messages", self.headers(), orjson.dumps(native), stream)
        system, messages = block_tools.messages(body.get("messages") or [])
        req: dict = {
            "model": self.upstream_models[model],
            "messages": messages,
            **sampling_params(
                body, max_tokens="max_tokens", top_p="top_p", stop="stop_sequences", default_max_tokens=4096
            ),
        }
        if system:
            req["system"] = system
        tools = block_tools.tool_definitions(body)
        if tools:
            req["tools"] = tools
        choice = block_tools.tool_choice(body)
        if choice is not None and tools:
            req["tool_choice"] = choice
        if stream:
            req["stream"] = True
        return UpstreamRequest(self.base + "/v1/messages", self.headers(), orjson.dumps(req), stream)

    def translate(self, op, data, model):
        obj = orjson.loads(data)
        if op == "messages":
            if not isinstance(obj, dict):
                raise ValueError("upstream answer is not a JSON object")
            usage = Usage()
            native_usage(usage, obj)
            return data, usage
        content = obj.get("content") or []
        text = "".join(b.get("text", "") for b in content if b.get("type") == "text")
        u = obj.get("usage") or {}
        usage = Usage(int(u.get("input_tokens") or 0), int(u.get("output_tokens") or 0), bool(u))
        finish = FINISH.get(obj.get("stop_reason") or "", "stop")
        return completion_envelope(
            model, text, finish, usage, tool_calls=block_tools.tool_calls(content)
        ), usage

    def stream_translator(self, model, client_stream, op="chat"):
        return NativeStream(model) if op == "messages" else AnthropicStream(model)

    def health_headers(self):
        key = self.secret.get()
        return {"x-api-key": key, "anthropic-version": self.cfg.api_version or "2023-06-01"} if key else {}

"""Vertex AI / Gemini generateContent, streaming through `streamGenerateContent?alt=sse`.

base_url is the models collection, e.g.
  https://europe-west1-aiplatform.googleapis.com/v1/projects/P/locations/europe-west1/publishers/google/models
  https://generativelanguage.googleapis.com/v1beta/models   (Gemini API; key sent as x-goog-api-key)
The credential (api_key_env / api_key_file) is an OAuth access token for Vertex, or an API key for
the Gemini API.
"""

from __future__ import annotations

import orjson

from .. import features
from . import tools as block_tools
from .base import (
    FINISH,
    SSE_DONE,
    Adapter,
    SSEParser,
    StreamTranslator,
    UpstreamRequest,
    Usage,
    chat_id,
    chunk_event,
    completion_envelope,
    sampling_params,
)


def _usage(obj: dict) -> Usage:
    u = obj.get("usageMetadata") or {}
    return Usage(int(u.get("promptTokenCount") or 0), int(u.get("candidatesTokenCount") or 0), bool(u))


def _parts(obj: dict) -> tuple[list, str | None]:
    cands = obj.get("candidates") or []
    if not cands:
        return [], None
    c = cands[0]
    return (c.get("content") or {}).get("parts") or [], c.get("finishReason")


def _finish(reason: str | None, calls: bool) -> str:
    # Gemini ends a turn that calls functions with STOP; OpenAI clients look for tool_calls.
    return "tool_calls" if calls else FINISH.get(reason or "", "stop")


class GeminiStream(StreamTranslator):
    def __init__(self, model: str) -> None:
        super().__init__(model)
        self.parser = SSEParser()
        self.id = chat_id()
        self.started = False
        self.finish_reason: str | None = None
        self.calls = 0  # tool calls emitted so far (their OpenAI indices)

    def feed(self, chunk: bytes) -> bytes:
        out = []
        for data in self.parser.feed(chunk):
            try:
                obj = orjson.loads(data)
            except orjson.JSONDecodeError:
                continue
            if not self.started:
                self.started = True
                out.append(chunk_event(self.id, self.model, {"role": "assistant", "content": ""}))
            parts, finish = _parts(obj)
            text = "".join(p.get("text", "") for p in parts)
            if text:
                self.chunks += 1
                out.append(chunk_event(self.id, self.model, {"content": text}))
            calls = block_tools.gemini_tool_calls(parts)
            if calls:
                self.chunks += 1
                delta = [{"index": self.calls + i, **c} for i, c in enumerate(calls)]
                self.calls += len(calls)
                out.append(chunk_event(self.id, self.model, {"tool_calls": delta}))
            if obj.get("usageMetadata"):
                self.usage = _usage(obj)
            if finish:
                self.finish_reason = _finish(finish, self.calls > 0)
        return b"".join(out)

    def finish(self) -> bytes:
        return chunk_event(self.id, self.model, {}, self.finish_reason or "stop", self.usage) + SSE_DONE


class VertexAdapter(Adapter):
    ops = frozenset({"chat"})
    features = frozenset({features.TOOLS})

    def build(self, op, body, raw, model, stream, scope, want_usage):
        system, turns = block_tools.messages(body.get("messages") or [])
        req: dict = {"contents": block_tools.gemini_contents(turns)}
        if system:
            req["systemInstruction"] = {"parts": [{"text": system}]}
        tools, tool_config = block_tools.gemini_tools(body)
        if tools:
            req["tools"] = tools
        if tool_config:
            req["toolConfig"] = tool_config
        gen = sampling_params(body, max_tokens="maxOutputTokens", top_p="topP", stop="stopSequences")
        if gen:
            req["generationConfig"] = gen
        upstream = self.upstream_models[model]
        url = f"{self.base}/{upstream}:" + ("streamGenerateContent?alt=sse" if stream else "generateContent")
        headers = {"content-type": "application/json"}
        key = self.secret.get()
        if key:
            if "generativelanguage." in self.base:
                headers["x-goog-api-key"] = key
            else:
                headers["authorization"] = "Bearer " + key
        return UpstreamRequest(url, headers, orjson.dumps(req), stream)

    def translate(self, op, data, model):
        obj = orjson.loads(data)
        parts, finish = _parts(obj)
        text = "".join(p.get("text", "") for p in parts)
        calls = block_tools.gemini_tool_calls(parts)
        usage = _usage(obj)
        return completion_envelope(model, text, _finish(finish, bool(calls)), usage, tool_calls=calls), usage

    def stream_translator(self, model, client_stream, op="chat"):
        return GeminiStream(model)

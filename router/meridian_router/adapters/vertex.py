"""Vertex AI / Gemini generateContent, streaming through `streamGenerateContent?alt=sse`.

base_url is the models collection, e.g.
  https://europe-west1-aiplatform.googleapis.com/v1/projects/P/locations/europe-west1/publishers/google/models
  https://generativelanguage.googleapis.com/v1beta/models   (Gemini API; key sent as x-goog-api-key)
The credential (api_key_env / api_key_file) is an OAuth access token for Vertex, or an API key for
the Gemini API.
"""

from __future__ import annotations

import orjson

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
    split_system,
)


def _usage(obj: dict) -> Usage:
    u = obj.get("usageMetadata") or {}
    return Usage(int(u.get("promptTokenCount") or 0), int(u.get("candidatesTokenCount") or 0), bool(u))


def _text(obj: dict) -> tuple[str, str | None]:
    cands = obj.get("candidates") or []
    if not cands:
        return "", None
    c = cands[0]
    parts = (c.get("content") or {}).get("parts") or []
    return "".join(p.get("text", "") for p in parts), c.get("finishReason")


class GeminiStream(StreamTranslator):
    def __init__(self, model: str) -> None:
        super().__init__(model)
        self.parser = SSEParser()
        self.id = chat_id()
        self.started = False
        self.finish_reason: str | None = None

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
            text, finish = _text(obj)
            if text:
                self.chunks += 1
                out.append(chunk_event(self.id, self.model, {"content": text}))
            if obj.get("usageMetadata"):
                self.usage = _usage(obj)
            if finish:
                self.finish_reason = FINISH.get(finish, "stop")
        return b"".join(out)

    def finish(self) -> bytes:
        return chunk_event(self.id, self.model, {}, self.finish_reason or "stop", self.usage) + SSE_DONE


class VertexAdapter(Adapter):
    ops = frozenset({"chat"})

    def build(self, op, body, raw, model, stream, scope, want_usage):
        system, messages = split_system(body.get("messages") or [])
        req: dict = {
            "contents": [
                {"role": "model" if m["role"] == "assistant" else "user", "parts": [{"text": m["content"]}]}
                for m in messages
            ]
        }
        if system:
            req["systemInstruction"] = {"parts": [{"text": system}]}
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
        text, finish = _text(obj)
        usage = _usage(obj)
        return completion_envelope(model, text, FINISH.get(finish or "", "stop"), usage), usage

    def stream_translator(self, model, client_stream):
        return GeminiStream(model)

"""Inbound APIs other than chat completions: the OpenAI Responses API and Anthropic Messages.

Each is served two ways, chosen per backend attempt:

- **native**: a backend that speaks the same API (`native_apis` in its config) gets the client's
  request as it is (the model renamed to the upstream's id) and its answer goes back untouched;
- **translated**: every other backend gets the request as a chat-completions request through its
  usual adapter (local vLLM/Ollama, Anthropic, Bedrock, Vertex ...), and the chat answer, whole or
  streamed, is turned back into the client's API.

Either way the request goes through one forwarder: residency, budgets, breakers, rate limits and
failover apply exactly as for chat, and failover may switch between native and translated backends.
"""

from __future__ import annotations

import os

import orjson

from ..adapters.base import SSEParser, StreamTranslator, Usage
from ..config import RequestLimits
from ..errors import RouterError
from ..validation import validate


class Inbound:
    """One request in an inbound API: the client's body, its chat translation, and the ways back."""

    kind: str = ""

    def __init__(self, body: dict, raw: bytes, limits: RequestLimits) -> None:
        self.check(raw, body, limits)
        self.body = body
        self.raw = raw
        self.chat = self.to_chat(body)
        self.chat_raw = orjson.dumps(self.chat)
        try:  # the translated request obeys the same bounds as a chat request
            validate("chat", self.chat_raw, self.chat, limits)
        except RouterError as exc:
            exc.message = f"{exc.message} (in the request as translated to chat completions)"
            raise

    # the client's side --------------------------------------------------------------------------
    def check(self, raw: bytes, body: dict, limits: RequestLimits) -> None:
        """Raise a 400 naming the first field of the request that is malformed or cannot be honoured."""
        raise NotImplementedError

    def to_chat(self, body: dict) -> dict:
        raise NotImplementedError

    def answer(self, chat: bytes, model: str) -> bytes:
        """A whole chat-completions answer, in this API's shape."""
        raise NotImplementedError

    def stream(self, inner: StreamTranslator, model: str) -> StreamTranslator:
        """Turns the chat-completions SSE `inner` writes into this API's event stream."""
        raise NotImplementedError

    @staticmethod
    def error_body(exc: RouterError) -> bytes:
        """The router's own error, in this API's shape."""
        return exc.body()

    @staticmethod
    def upstream_error(status: int, body: bytes) -> bytes:
        """An upstream's refusal (normalised to OpenAI's error shape), in this API's shape."""
        return body


class ChatStreamConverter(StreamTranslator):
    """Base of the translating streams: reads the chat-completions SSE an adapter's translator writes
    (the adapter's own usage accounting stays in charge) and writes another API's events."""

    def __init__(self, inner: StreamTranslator, model: str) -> None:  # no super(): usage is the inner's
        self.inner = inner
        self.model = model
        self.parser = SSEParser()
        self.closed = False
        self.started = False
        self.finish_reason: str | None = None

    @property
    def usage(self) -> Usage:  # type: ignore[override]
        return self.inner.usage

    @property
    def chunks(self) -> int:  # type: ignore[override]
        return self.inner.chunks

    def feed(self, chunk: bytes) -> bytes:
        return self._events(self.parser.feed(self.inner.feed(chunk)))

    def finish(self) -> bytes:
        out = self._events(self.parser.feed(self.inner.finish()))
        return out + self.close()

    def _events(self, datas: list[bytes]) -> bytes:
        out: list[bytes] = []
        for data in datas:
            if self.closed:
                break
            if data == b"[DONE]":
                out.append(self.close())
                continue
            obj = orjson.loads(data)  # an unreadable stream raises: the forwarder ends it as the backend's fault
            if not isinstance(obj, dict):
                continue
            err = obj.get("error")
            if err is not None:
                e = err if isinstance(err, dict) else {"message": str(err)}
                out.append(
                    self.error_event(
                        str(e.get("message") or "upstream error"),
                        str(e.get("type") or "api_error"),
                        str(e.get("code") or "upstream_error"),
                    )
                )
                continue
            out.append(self._chunk(obj))
        return b"".join(out)

    def _chunk(self, chunk: dict) -> bytes:
        """One chat.completion.chunk: choice 0 is the answer (these APIs have one)."""
        head = b"" if self.started else self.start()
        choices = chunk.get("choices") or ()
        choice = choices[0] if choices and isinstance(choices[0], dict) else None
        if choice is None:
            return head
        out = self.on_delta(choice.get("delta") or {})
        if choice.get("finish_reason"):
            self.finish_reason = choice["finish_reason"]
        return head + out

    def start(self) -> bytes:
        """The events that open the answer (once; sets `started`)."""
        raise NotImplementedError

    def on_delta(self, delta: dict) -> bytes:
        """One chunk's delta: text and tool-call fragments."""
        raise NotImplementedError

    def close(self) -> bytes:
        """The end of a complete answer (once)."""
        raise NotImplementedError


def event(kind: str, obj: dict) -> bytes:
    """One named SSE event (both APIs name their events, and the clients read the names)."""
    return b"event: " + kind.encode() + b"\ndata: " + orjson.dumps(obj) + b"\n\n"


def first_choice(chat: bytes) -> tuple[dict, str | None, dict]:
    """(message, finish_reason, usage) of a chat-completions answer; raises on anything else (the
    forwarder counts an unreadable answer as the backend's fault)."""
    obj = orjson.loads(chat)
    choices = obj.get("choices") if isinstance(obj, dict) else None
    if not isinstance(choices, list) or not choices or not isinstance(choices[0], dict):
        raise ValueError("chat answer has no choices")
    message = choices[0].get("message") or {}
    if not isinstance(message, dict):
        raise ValueError("chat answer's message is not an object")
    usage = obj.get("usage") or {}
    return message, choices[0].get("finish_reason"), usage if isinstance(usage, dict) else {}


def tool_call_list(message: dict) -> list[dict]:
    calls = message.get("tool_calls") or []
    out = []
    for c in calls if isinstance(calls, list) else ():
        if isinstance(c, dict) and isinstance(c.get("function"), dict):
            out.append(c)
    return out


def new_id(prefix: str) -> str:
    """An id in the API's style (`resp_...`, `msg_...`, `toolu_...`)."""
    return f"{prefix}_{os.urandom(12).hex()}"

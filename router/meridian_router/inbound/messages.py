"""Anthropic Messages inbound (`POST /v1/messages`), in Anthropic's wire shape.

Auth by `x-api-key` (or a bearer token); `anthropic-version` is accepted as sent (2023-06-01 is
the only version the API has). Request -> chat completions: `system` (a string or text blocks) ->
a system message; text, image (base64 or URL) and document (base64 PDF) blocks -> content parts;
assistant `tool_use` blocks -> `tool_calls`; user `tool_result` blocks -> `tool` messages (ahead of
the rest of that user turn); `tools` (name, description, input_schema) -> function tools;
`tool_choice` auto / any / tool / none (and `disable_parallel_tool_use`) -> auto / required / a
named function / none (and `parallel_tool_calls: false`); max_tokens, temperature, top_p, top_k,
stop_sequences, metadata.user_id. `thinking` blocks fed back from an earlier answer are the model's
own notes and are left out; `output_config` format (a JSON schema) and effort -> `response_format`
and `reasoning_effort`; `inference_geo` reaches native Anthropic backends only (the router's own
residency binds every backend anyway). Asking for extended thinking, server tools (web search, code
execution ...) or MCP servers is a 400 naming the field.

Answer -> Messages: text and `tool_use` blocks, stop_reason end_turn / max_tokens / tool_use /
refusal, usage in input/output tokens. Streams are Anthropic's SSE events: message_start,
content_block_start / content_block_delta (text_delta, input_json_delta) / content_block_stop,
message_delta (stop reason and usage), message_stop; a failure mid-stream is an `error` event.
Errors are Anthropic-shaped: {"type": "error", "error": {"type": ..., "message": ...}}.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

import msgspec
import orjson

from ..adapters.base import StreamTranslator, messages_text
from ..config import RequestLimits
from ..errors import RouterError
from ..validation import Name, Tokens, Unit, check_tokens, decode, invalid
from . import ChatStreamConverter, Inbound, event, first_choice, new_id, tool_call_list


class _S(msgspec.Struct, omit_defaults=True):
    pass


class Base64Source(_S, tag_field="type", tag="base64"):
    media_type: str
    data: str


class URLSource(_S, tag_field="type", tag="url"):
    url: str


class TextSource(_S, tag_field="type", tag="text"):
    media_type: str
    data: str


class TextBlock(_S, tag_field="type", tag="text"):
    text: str
    cache_control: dict[str, Any] | None = None
    citations: list[Any] | None = None


class ImageBlock(_S, tag_field="type", tag="image"):
    source: Base64Source | URLSource
    cache_control: dict[str, Any] | None = None


class DocumentBlock(_S, tag_field="type", tag="document"):
    source: Base64Source | URLSource | TextSource
    title: str | None = None
    cache_control: dict[str, Any] | None = None


class ToolUseBlock(_S, tag_field="type", tag="tool_use"):
    id: Annotated[str, msgspec.Meta(min_length=1)]
    name: Name
    input: dict[str, Any]
    cache_control: dict[str, Any] | None = None


class ToolResultBlock(_S, tag_field="type", tag="tool_result"):
    tool_use_id: Annotated[str, msgspec.Meta(min_length=1)]
    content: str | list[TextBlock | ImageBlock] | None = None
    is_error: bool | None = None
    cache_control: dict[str, Any] | None = None


class ThinkingBlock(_S, tag_field="type", tag="thinking"):
    thinking: str
    signature: str | None = None


class RedactedThinkingBlock(_S, tag_field="type", tag="redacted_thinking"):
    data: str


Block = TextBlock | ImageBlock | DocumentBlock | ToolUseBlock | ToolResultBlock | ThinkingBlock | RedactedThinkingBlock


class Message(_S):
    role: Literal["user", "assistant"]
    content: str | list[Block]


class Tool(_S):
    name: Name
    input_schema: dict[str, Any]
    description: str | None = None
    type: Literal["custom"] | None = None
    cache_control: dict[str, Any] | None = None


class ToolChoice(_S):
    type: Literal["auto", "any", "tool", "none"]
    name: str | None = None
    disable_parallel_tool_use: bool | None = None


class Metadata(_S):
    user_id: str | None = None


class Thinking(_S):
    type: Literal["enabled", "disabled", "adaptive", "between_tools"]
    budget_tokens: int | None = None


class JSONOutputFormat(_S):
    type: Literal["json_schema"]
    schema: dict[str, Any]


class OutputConfig(_S):
    effort: Literal["low", "medium", "high", "xhigh", "max"] | None = None
    format: JSONOutputFormat | None = None


class MessagesRequest(_S):
    model: Name
    max_tokens: Tokens
    messages: Annotated[list[Message], msgspec.Meta(min_length=1)]
    system: str | list[TextBlock] | None = None
    stream: bool | None = None
    temperature: Annotated[float, msgspec.Meta(ge=0, le=1)] | None = None
    top_p: Unit | None = None
    top_k: Annotated[int, msgspec.Meta(ge=1)] | None = None
    stop_sequences: list[str] | None = None
    tools: list[dict[str, Any]] | None = None
    tool_choice: ToolChoice | None = None
    metadata: Metadata | None = None
    thinking: Thinking | None = None
    output_config: OutputConfig | None = None
    inference_geo: str | None = None
    mcp_servers: list[Any] | None = None
    container: Any = None
    service_tier: str | None = None


STOP = {"stop": "end_turn", "length": "max_tokens", "tool_calls": "tool_use", "function_call": "tool_use",
        "content_filter": "refusal"}
ERROR_TYPES = {400: "invalid_request_error", 401: "authentication_error", 403: "permission_error",
               404: "not_found_error", 413: "request_too_large", 429: "rate_limit_error", 503: "overloaded_error",
               529: "overloaded_error"}


def error_type(status: int) -> str:
    return ERROR_TYPES.get(status, "invalid_request_error" if status < 500 else "api_error")


def anthropic_error(status: int, message: str) -> bytes:
    return orjson.dumps({"type": "error", "error": {"type": error_type(status), "message": message}})


def error_from_openai(status: int, body: bytes) -> bytes:
    """An OpenAI-shaped error body (the router's normalised upstream 4xx) in Anthropic's shape."""
    try:
        obj = orjson.loads(body)
        message = str(obj["error"]["message"])
    except (orjson.JSONDecodeError, KeyError, TypeError):
        message = "upstream rejected the request"
    return anthropic_error(status, message)


def _source_url(src: dict) -> str:
    if src["type"] == "url":
        return src["url"]
    return f"data:{src['media_type']};base64,{src['data']}"


def _part(block: dict) -> dict | None:
    kind = block["type"]
    if kind == "text":
        return {"type": "text", "text": block["text"]}
    if kind == "image":
        return {"type": "image_url", "image_url": {"url": _source_url(block["source"])}}
    if kind == "document":
        src = block["source"]
        if src["type"] == "text":
            return {"type": "text", "text": src["data"]}
        f: dict = {"file_data": _source_url(src)}
        if block.get("title"):
            f["filename"] = block["title"]
        return {"type": "file", "file": f}
    return None  # thinking blocks: the model's own notes


class Messages(Inbound):
    kind = "messages"

    def check(self, raw: bytes, body: dict, limits: RequestLimits) -> None:
        req = decode(MessagesRequest, raw)
        check_tokens("max_tokens", req.max_tokens, limits)
        if req.thinking is not None and req.thinking.type != "disabled":
            raise invalid("thinking", "extended thinking is not available through this router")
        if req.mcp_servers:
            raise invalid("mcp_servers", "MCP servers are not available through this router")
        if req.container is not None:
            raise invalid("container", "code execution containers are not available through this router")
        for i, t in enumerate(req.tools or ()):
            if t.get("type") not in (None, "custom"):
                raise invalid(f"tools[{i}].type", f"server tool {t.get('type')!r} is not available through this router")
            decode(Tool, orjson.dumps(t), f"tools[{i}]")
        if req.tool_choice is not None and req.tool_choice.type == "tool" and not req.tool_choice.name:
            raise invalid("tool_choice.name", "is required when tool_choice.type is 'tool'")
        for i, m in enumerate(req.messages):
            for j, b in enumerate(m.content if isinstance(m.content, list) else ()):
                if isinstance(b, ToolUseBlock) and m.role != "assistant":
                    raise invalid(f"messages[{i}].content[{j}]", "tool_use blocks belong to assistant turns")
                if isinstance(b, ToolResultBlock) and m.role != "user":
                    raise invalid(f"messages[{i}].content[{j}]", "tool_result blocks belong to user turns")

    def to_chat(self, body: dict) -> dict:
        messages: list[dict] = []
        system = body.get("system")
        if system:
            messages.append({"role": "system", "content": system if isinstance(system, str) else messages_text(system)})
        for m in body["messages"]:
            content = m["content"]
            if isinstance(content, str):
                messages.append({"role": m["role"], "content": content})
                continue
            if m["role"] == "assistant":
                text = "".join(b["text"] for b in content if b["type"] == "text")
                calls = [
                    {"id": b["id"], "type": "function",
                     "function": {"name": b["name"], "arguments": orjson.dumps(b["input"]).decode()}}
                    for b in content if b["type"] == "tool_use"
                ]
                msg: dict = {"role": "assistant", "content": text or None}
                if calls:
                    msg["tool_calls"] = calls
                elif not text:
                    msg["content"] = ""
                messages.append(msg)
                continue
            parts: list[dict] = []
            for b in content:
                if b["type"] == "tool_result":
                    res = b.get("content")
                    text = res if isinstance(res, str) else messages_text(res or [])
                    if b.get("is_error"):
                        text = f"Error: {text}"
                    messages.append({"role": "tool", "tool_call_id": b["tool_use_id"], "content": text})
                else:
                    p = _part(b)
                    if p is not None:
                        parts.append(p)
            if parts:
                only_text = all(p["type"] == "text" for p in parts)
                messages.append({"role": "user", "content": "".join(p["text"] for p in parts) if only_text else parts})
        chat: dict = {"model": body["model"], "messages": messages, "max_tokens": body["max_tokens"]}
        for key in ("temperature", "top_p", "top_k", "stream"):
            if body.get(key) is not None:
                chat[key] = body[key]
        if body.get("stop_sequences"):
            chat["stop"] = body["stop_sequences"]
        out_cfg = body.get("output_config") or {}
        if out_cfg.get("format"):
            chat["response_format"] = {"type": "json_schema",
                                       "json_schema": {"name": "output", "schema": out_cfg["format"]["schema"]}}
        if out_cfg.get("effort"):
            chat["reasoning_effort"] = {"max": "xhigh"}.get(out_cfg["effort"], out_cfg["effort"])
        user = (body.get("metadata") or {}).get("user_id")
        if user:
            chat["user"] = user
        if body.get("tools"):
            chat["tools"] = [
                {"type": "function", "function": {"name": t["name"], "parameters": t["input_schema"],
                                                  **({"description": t["description"]} if t.get("description") else {})}}
                for t in body["tools"]
            ]
        choice = body.get("tool_choice")
        if choice:
            kind = choice["type"]
            chat["tool_choice"] = (
                {"type": "function", "function": {"name": choice["name"]}} if kind == "tool"
                else {"auto": "auto", "any": "required", "none": "none"}[kind]
            )
            if choice.get("disable_parallel_tool_use"):
                chat["parallel_tool_calls"] = False
        if "tools" not in chat:
            chat.pop("tool_choice", None)
            chat.pop("parallel_tool_calls", None)
        return chat

    def answer(self, chat: bytes, model: str) -> bytes:
        message, finish, usage = first_choice(chat)
        content: list[dict] = []
        text = messages_text(message.get("content")) or str(message.get("refusal") or "")
        if text:
            content.append({"type": "text", "text": text})
        for c in tool_call_list(message):
            f = c["function"]
            content.append({"type": "tool_use", "id": str(c.get("id") or new_id("toolu")),
                            "name": str(f.get("name") or ""), "input": tool_input(f.get("arguments"))})
        return orjson.dumps({
            "id": new_id("msg"),
            "type": "message",
            "role": "assistant",
            "model": model,
            "content": content,
            "stop_reason": STOP.get(finish or "stop", "end_turn"),
            "stop_sequence": None,
            "usage": {"input_tokens": int(usage.get("prompt_tokens") or 0),
                      "output_tokens": int(usage.get("completion_tokens") or 0)},
        })

    def stream(self, inner: StreamTranslator, model: str) -> StreamTranslator:
        return MessagesStream(inner, model)

    @staticmethod
    def error_body(exc: RouterError) -> bytes:
        return anthropic_error(exc.status, exc.message)

    @staticmethod
    def upstream_error(status: int, body: bytes) -> bytes:
        return error_from_openai(status, body)


def tool_input(arguments: object) -> dict:
    """A tool call's JSON arguments as the object Anthropic's `input` is; arguments that are not a
    JSON object are kept whole under `arguments` rather than lost."""
    if isinstance(arguments, str) and arguments.strip():
        try:
            value = orjson.loads(arguments)
        except orjson.JSONDecodeError:
            return {"arguments": arguments}
        return value if isinstance(value, dict) else {"arguments": value}
    return {}


class MessagesStream(ChatStreamConverter):
    """Chat-completions SSE in, Anthropic's message stream out."""

    def __init__(self, inner: StreamTranslator, model: str) -> None:
        super().__init__(inner, model)
        self.id = new_id("msg")
        self.block: int | None = None  # the open content block's index
        self.block_kind = ""
        self.blocks = 0
        # Tool calls, by chat index, written out whole when the answer ends: chat streams may interleave
        # several calls' argument deltas, Anthropic's stream has one open block at a time.
        self.calls: dict[int, dict] = {}

    def start(self) -> bytes:
        self.started = True
        message = {"id": self.id, "type": "message", "role": "assistant", "model": self.model, "content": [],
                   "stop_reason": None, "stop_sequence": None, "usage": {"input_tokens": 0, "output_tokens": 0}}
        return event("message_start", {"type": "message_start", "message": message})

    def _open(self, kind: str, block: dict) -> bytes:
        out = self._close_block()
        self.block, self.block_kind = self.blocks, kind
        self.blocks += 1
        return out + event("content_block_start", {"type": "content_block_start", "index": self.block, "content_block": block})

    def _close_block(self) -> bytes:
        if self.block is None:
            return b""
        i, self.block = self.block, None
        return event("content_block_stop", {"type": "content_block_stop", "index": i})

    def on_delta(self, delta: dict) -> bytes:
        out: list[bytes] = []
        text = delta.get("content")
        if text:
            if self.block is None or self.block_kind != "text":
                out.append(self._open("text", {"type": "text", "text": ""}))
            out.append(event("content_block_delta", {"type": "content_block_delta", "index": self.block,
                                                     "delta": {"type": "text_delta", "text": text}}))
        for tc in delta.get("tool_calls") or ():
            if not isinstance(tc, dict):
                continue
            fn = tc.get("function") or {}
            call = self.calls.setdefault(int(tc.get("index") or 0), {"id": None, "name": "", "arguments": ""})
            call["id"] = call["id"] or tc.get("id")
            call["name"] = call["name"] or fn.get("name") or ""
            call["arguments"] += fn.get("arguments") or ""
        return b"".join(out)

    def close(self) -> bytes:
        if self.closed:
            return b""
        out = [b"" if self.started else self.start()]
        self.closed = True
        for _, call in sorted(self.calls.items()):
            block = {"type": "tool_use", "id": call["id"] or new_id("toolu"), "name": call["name"], "input": {}}
            out.append(self._open("tool_use", block))
            if call["arguments"]:
                out.append(event("content_block_delta", {"type": "content_block_delta", "index": self.block,
                                                         "delta": {"type": "input_json_delta",
                                                                   "partial_json": call["arguments"]}}))
        out.append(self._close_block())
        u = self.usage
        out.append(event("message_delta", {
            "type": "message_delta",
            "delta": {"stop_reason": STOP.get(self.finish_reason or "stop", "end_turn"), "stop_sequence": None},
            "usage": {"input_tokens": u.prompt_tokens, "output_tokens": u.completion_tokens},
        }))
        out.append(event("message_stop", {"type": "message_stop"}))
        return b"".join(out)

    def error_event(self, message: str, type_: str, code: str) -> bytes:
        if self.closed:
            return b""
        self.closed = True
        return event("error", {"type": "error", "error": {"type": "api_error", "message": message}})

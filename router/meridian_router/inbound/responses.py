"""The OpenAI Responses API (`POST /v1/responses`), stateless.

Request -> chat completions: `instructions` -> a system message; `input` (a string, or items:
messages with input_text / output_text / input_image / input_file parts, `function_call` and
`function_call_output` items) -> messages; function `tools` and `tool_choice`; `max_output_tokens`
-> `max_tokens`; `text.format` -> `response_format`; `reasoning.effort` -> `reasoning_effort`;
temperature, top_p, parallel_tool_calls, metadata, user / safety_identifier as they are.
`reasoning` items fed back from an earlier answer are the model's own notes: chat has no place for
them, so they are left out (as OpenAI's own chat endpoint would).

What a stateless router cannot honour is a 400 naming the field: `store: true`,
`previous_response_id`, `conversation`, `background`, `item_reference` items, `file_id`
references, built-in tools (web search, file search, code interpreter, MCP ...). Nothing is
stored: native backends get `store: false`.

Answer -> Responses: a `message` output item with an `output_text` (or `refusal`) part, one
`function_call` item per tool call, usage as input/output tokens; `length` and `content_filter`
finishes are `status: incomplete` with the reason. Streams follow the Responses event sequence:
response.created, response.in_progress, output_item.added, content_part.added,
output_text.delta ..., output_text.done, content_part.done, output_item.done (function calls:
function_call_arguments.delta / .done), then response.completed (or response.incomplete, or
response.failed when the backend fails mid-stream).
"""

from __future__ import annotations

import time
from typing import Annotated, Any, Literal

import msgspec
import orjson

from ..adapters.base import StreamTranslator, messages_text
from ..config import RequestLimits
from ..validation import Name, Tokens, Unit, check_tokens, decode, invalid
from . import ChatStreamConverter, Inbound, event, first_choice, new_id, tool_call_list


class _S(msgspec.Struct, omit_defaults=True):
    pass


class InputText(_S, tag_field="type", tag="input_text"):
    text: str


class OutputText(_S, tag_field="type", tag="output_text"):
    text: str
    annotations: list[Any] | None = None


class InputImage(_S, tag_field="type", tag="input_image"):
    image_url: str | None = None
    file_id: str | None = None
    detail: str | None = None


class InputFile(_S, tag_field="type", tag="input_file"):
    file_data: str | None = None
    file_id: str | None = None
    file_url: str | None = None
    filename: str | None = None


class Refusal(_S, tag_field="type", tag="refusal"):
    refusal: str


ContentPart = InputText | OutputText | InputImage | InputFile | Refusal


class InputMessage(_S):
    """A message item (`type: message`, or the easy form without a type)."""

    role: Literal["user", "assistant", "system", "developer"]
    content: str | list[ContentPart]
    type: Literal["message"] | None = None
    id: str | None = None
    status: str | None = None


class FunctionCallItem(_S):
    type: Literal["function_call"]
    call_id: Annotated[str, msgspec.Meta(min_length=1)]
    name: Name
    arguments: str = ""
    id: str | None = None
    status: str | None = None


class FunctionCallOutput(_S):
    type: Literal["function_call_output"]
    call_id: Annotated[str, msgspec.Meta(min_length=1)]
    output: str | list[ContentPart]
    id: str | None = None
    status: str | None = None


class FunctionTool(_S):
    type: Literal["function"]
    name: Name
    parameters: dict[str, Any] | None = None
    description: str | None = None
    strict: bool | None = None


class FormatText(_S, tag_field="type", tag="text"):
    pass


class FormatJSONObject(_S, tag_field="type", tag="json_object"):
    pass


class FormatJSONSchema(_S, tag_field="type", tag="json_schema"):
    name: Name
    schema: dict[str, Any]
    description: str | None = None
    strict: bool | None = None


class TextConfig(_S):
    format: FormatText | FormatJSONObject | FormatJSONSchema | None = None
    verbosity: Literal["low", "medium", "high"] | None = None


class Reasoning(_S):
    effort: Literal["none", "minimal", "low", "medium", "high", "xhigh"] | None = None
    summary: str | None = None


class ResponsesRequest(_S):
    model: Name
    input: str | list[dict[str, Any]]
    instructions: str | None = None
    stream: bool | None = None
    max_output_tokens: Tokens | None = None
    temperature: Annotated[float, msgspec.Meta(ge=0, le=2)] | None = None
    top_p: Unit | None = None
    tools: list[dict[str, Any]] | None = None
    tool_choice: Literal["none", "auto", "required"] | dict[str, Any] | None = None
    parallel_tool_calls: bool | None = None
    text: TextConfig | None = None
    reasoning: Reasoning | None = None
    metadata: dict[str, str] | None = None
    user: str | None = None
    safety_identifier: str | None = None
    store: bool | None = None
    previous_response_id: str | None = None
    conversation: Any = None
    background: bool | None = None
    include: list[str] | None = None
    truncation: Literal["auto", "disabled"] | None = None


_ITEM: dict[str, type[InputMessage | FunctionCallItem | FunctionCallOutput]] = {
    "message": InputMessage,
    "function_call": FunctionCallItem,
    "function_call_output": FunctionCallOutput,
}
# Stateful or server-side features: named in the 400, never silently dropped.
_STATEFUL = {
    "previous_response_id": "needs stored responses; this router is stateless: send the whole conversation in `input`",
    "conversation": "needs stored conversations; this router is stateless: send the whole conversation in `input`",
    "background": "background responses need storage; this router is stateless",
}


class Responses(Inbound):
    kind = "responses"

    def check(self, raw: bytes, body: dict, limits: RequestLimits) -> None:
        req = decode(ResponsesRequest, raw)
        if req.store:
            raise invalid("store", "stored responses are not available: this router is stateless (send `store: false`)")
        for key, why in _STATEFUL.items():
            if body.get(key) not in (None, False):
                raise invalid(key, why)
        check_tokens("max_output_tokens", req.max_output_tokens, limits)
        for i, t in enumerate(req.tools or ()):
            if t.get("type") != "function":
                raise invalid(
                    f"tools[{i}].type",
                    f"built-in tool {t.get('type')!r} is not available through this router; only function tools",
                )
            decode(FunctionTool, orjson.dumps(t), f"tools[{i}]")
        choice = body.get("tool_choice")
        if isinstance(choice, dict) and (choice.get("type") != "function" or not isinstance(choice.get("name"), str)):
            raise invalid("tool_choice", "must be none, auto, required or {type: function, name}")
        for i, item in enumerate(body["input"] if isinstance(body["input"], list) else ()):
            kind = item.get("type", "message")
            if not isinstance(kind, str):
                raise invalid(f"input[{i}].type", f"must be a string (got {type(kind).__name__})")
            if kind == "reasoning":
                continue
            if kind == "item_reference":
                raise invalid(f"input[{i}].type", "item references need stored responses; this router is stateless")
            item_type = _ITEM.get(kind)
            if item_type is None:
                raise invalid(f"input[{i}].type", f"input item type {kind!r} is not supported")
            it = decode(item_type, orjson.dumps(item), f"input[{i}]")
            parts = it.content if isinstance(it, InputMessage) else it.output if isinstance(it, FunctionCallOutput) else None
            for j, p in enumerate(parts if isinstance(parts, list) else ()):
                where = f"input[{i}].{'content' if isinstance(it, InputMessage) else 'output'}[{j}]"
                if isinstance(p, (InputImage, InputFile)) and p.file_id:
                    raise invalid(f"{where}.file_id", "file references need the Files API; send the data inline")
                if isinstance(p, InputImage) and not p.image_url:
                    raise invalid(f"{where}.image_url", "is required")
                if isinstance(p, InputFile) and p.file_url:
                    raise invalid(f"{where}.file_url", "file URLs are not fetched by this router; send `file_data`")

    def to_chat(self, body: dict) -> dict:
        messages: list[dict] = []
        if body.get("instructions"):
            messages.append({"role": "system", "content": body["instructions"]})
        inp = body["input"]
        if isinstance(inp, str):
            messages.append({"role": "user", "content": inp})
        else:
            for item in inp:
                kind = item.get("type", "message")
                if kind == "message":
                    messages.append(_message(item))
                elif kind == "function_call":
                    call = {
                        "id": item["call_id"],
                        "type": "function",
                        "function": {"name": item["name"], "arguments": item.get("arguments") or ""},
                    }
                    last = messages[-1] if messages else None
                    if last is not None and last["role"] == "assistant" and "tool_calls" in last:
                        last["tool_calls"].append(call)
                    else:
                        messages.append({"role": "assistant", "content": None, "tool_calls": [call]})
                elif kind == "function_call_output":
                    out = item["output"]
                    messages.append(
                        {"role": "tool", "tool_call_id": item["call_id"], "content": out if isinstance(out, str) else _parts_text(out)}
                    )
        chat: dict = {"model": body["model"], "messages": messages}
        if body.get("max_output_tokens"):
            chat["max_tokens"] = body["max_output_tokens"]
        for key in ("temperature", "top_p", "parallel_tool_calls", "metadata", "stream"):
            if body.get(key) is not None:
                chat[key] = body[key]
        user = body.get("safety_identifier") or body.get("user")
        if user:
            chat["user"] = user
        tools = body.get("tools")
        if tools:
            chat["tools"] = [
                {"type": "function", "function": {k: t[k] for k in ("name", "description", "parameters", "strict") if k in t}}
                for t in tools
            ]
        choice = body.get("tool_choice")
        if isinstance(choice, str):
            chat["tool_choice"] = choice
        elif isinstance(choice, dict):
            chat["tool_choice"] = {"type": "function", "function": {"name": choice["name"]}}
        fmt = (body.get("text") or {}).get("format")
        if isinstance(fmt, dict) and fmt.get("type") == "json_object":
            chat["response_format"] = {"type": "json_object"}
        elif isinstance(fmt, dict) and fmt.get("type") == "json_schema":
            chat["response_format"] = {
                "type": "json_schema",
                "json_schema": {k: fmt[k] for k in ("name", "schema", "description", "strict") if k in fmt},
            }
        effort = (body.get("reasoning") or {}).get("effort")
        if effort:
            chat["reasoning_effort"] = effort
        if "tools" not in chat:  # chat APIs refuse tool settings without tools
            chat.pop("tool_choice", None)
            chat.pop("parallel_tool_calls", None)
        return chat

    def answer(self, chat: bytes, model: str) -> bytes:
        message, finish, usage = first_choice(chat)
        output: list[dict] = []
        text = messages_text(message.get("content"))
        if message.get("refusal"):
            output.append(_message_item(new_id("msg"), {"type": "refusal", "refusal": str(message["refusal"])}))
        elif text:
            output.append(_message_item(new_id("msg"), _text_part(text)))
        for c in tool_call_list(message):
            f = c["function"]
            output.append(_call_item(new_id("fc"), str(c.get("id") or new_id("call")), str(f.get("name") or ""), str(f.get("arguments") or "")))
        u = _usage(int(usage.get("prompt_tokens") or 0), int(usage.get("completion_tokens") or 0), usage)
        return orjson.dumps(response_object(self.body, new_id("resp"), model, int(time.time()), finish, output, u))

    def stream(self, inner: StreamTranslator, model: str) -> StreamTranslator:
        return ResponsesStream(inner, model, self.body)


def _parts_text(parts: list) -> str:
    return "".join(p.get("text") or "" for p in parts if isinstance(p, dict) and p.get("type") in ("input_text", "output_text"))


def _message(item: dict) -> dict:
    role = item["role"]
    content = item["content"]
    if isinstance(content, str) or role != "user":
        text = content if isinstance(content, str) else _parts_text(content)
        if role == "assistant" and isinstance(content, list):
            refusal = next((p["refusal"] for p in content if p.get("type") == "refusal"), None)
            if refusal and not text:
                return {"role": "assistant", "content": None, "refusal": refusal}
        return {"role": role, "content": text}
    parts: list[dict] = []
    for p in content:
        kind = p["type"]
        if kind in ("input_text", "output_text"):
            parts.append({"type": "text", "text": p["text"]})
        elif kind == "input_image":
            image: dict = {"url": p["image_url"]}
            if p.get("detail"):
                image["detail"] = p["detail"]
            parts.append({"type": "image_url", "image_url": image})
        elif kind == "input_file":
            parts.append({"type": "file", "file": {k: p[k] for k in ("file_data", "filename") if p.get(k)}})
    return {"role": "user", "content": parts}


def _text_part(text: str) -> dict:
    return {"type": "output_text", "text": text, "annotations": [], "logprobs": []}


def _message_item(id_: str, part: dict | None, status: str = "completed") -> dict:
    return {"type": "message", "id": id_, "status": status, "role": "assistant", "content": [part] if part else []}


def _call_item(id_: str, call_id: str, name: str, arguments: str, status: str = "completed") -> dict:
    return {"type": "function_call", "id": id_, "call_id": call_id, "name": name, "arguments": arguments, "status": status}


def _usage(prompt: int, completion: int, chat_usage: dict | None = None) -> dict:
    cached = reasoning = 0
    if chat_usage:
        cached = int((chat_usage.get("prompt_tokens_details") or {}).get("cached_tokens") or 0)
        reasoning = int((chat_usage.get("completion_tokens_details") or {}).get("reasoning_tokens") or 0)
    return {
        "input_tokens": prompt,
        "input_tokens_details": {"cached_tokens": cached, "cache_write_tokens": 0},
        "output_tokens": completion,
        "output_tokens_details": {"reasoning_tokens": reasoning},
        "total_tokens": prompt + completion,
    }


INCOMPLETE = {"length": "max_output_tokens", "content_filter": "content_filter"}


def response_object(
    req: dict,
    id_: str,
    model: str,
    created: int,
    finish: str | None,
    output: list[dict],
    usage: dict | None,
    status: str | None = None,
    error: dict | None = None,
) -> dict:
    """A Response object, echoing the request's settings as OpenAI does."""
    incomplete = INCOMPLETE.get(finish or "")
    status = status or ("incomplete" if incomplete else "completed")
    fmt = (req.get("text") or {}).get("format") or {"type": "text"}
    return {
        "id": id_,
        "object": "response",
        "created_at": created,
        "status": status,
        "completed_at": int(time.time()) if status == "completed" else None,
        "error": error,
        "incomplete_details": {"reason": incomplete} if incomplete and status == "incomplete" else None,
        "instructions": req.get("instructions"),
        "max_output_tokens": req.get("max_output_tokens"),
        "model": model,
        "output": output,
        "parallel_tool_calls": req.get("parallel_tool_calls", True),
        "previous_response_id": None,
        "reasoning": {"effort": (req.get("reasoning") or {}).get("effort"), "summary": None},
        "store": False,
        "temperature": req.get("temperature", 1.0),
        "text": {"format": fmt},
        "tool_choice": req.get("tool_choice", "auto"),
        "tools": req.get("tools") or [],
        "top_p": req.get("top_p", 1.0),
        "truncation": req.get("truncation", "disabled"),
        "usage": usage,
        "user": req.get("user"),
        "metadata": req.get("metadata") or {},
    }


class ResponsesStream(ChatStreamConverter):
    """Chat-completions SSE in, the Responses event stream out."""

    def __init__(self, inner: StreamTranslator, model: str, req: dict) -> None:
        super().__init__(inner, model)
        self.req = req
        self.id = new_id("resp")
        self.created = int(time.time())
        self.seq = 0
        self.done: dict[int, dict] = {}  # finished items by output index
        self.text_item: dict | None = None  # the open message item: {id, index, text}
        self.calls: dict[int, dict] = {}  # chat tool-call index -> open function_call item

    def _ev(self, kind: str, **fields: Any) -> bytes:
        obj = {"type": kind, "sequence_number": self.seq, **fields}
        self.seq += 1
        return event(kind, obj)

    def _snapshot(self, status: str, usage: dict | None = None, error: dict | None = None) -> dict:
        return response_object(
            self.req, self.id, self.model, self.created, self.finish_reason,
            [self.done[i] for i in sorted(self.done)], usage, status, error,
        )

    def start(self) -> bytes:
        self.started = True
        snap = self._snapshot("in_progress")
        return self._ev("response.created", response=snap) + self._ev("response.in_progress", response=snap)

    def on_delta(self, delta: dict) -> bytes:
        out: list[bytes] = []
        text = delta.get("content")
        if text:
            if self.text_item is None:
                out.append(self._open_text())
            item = self.text_item
            assert item is not None
            item["text"] += text
            out.append(self._ev("response.output_text.delta", item_id=item["id"], output_index=item["index"],
                                content_index=0, delta=text, logprobs=[]))
        for tc in delta.get("tool_calls") or ():
            if not isinstance(tc, dict):
                continue
            i = int(tc.get("index") or 0)
            call = self.calls.get(i)
            fn = tc.get("function") or {}
            if call is None:
                if self.text_item is not None:
                    out.append(self._close_text())
                call = self.calls[i] = {
                    "id": new_id("fc"),
                    "index": self._next_index(),
                    "call_id": tc.get("id") or new_id("call"),
                    "name": fn.get("name") or "",
                    "arguments": "",
                }
                item = _call_item(call["id"], call["call_id"], call["name"], "", "in_progress")
                out.append(self._ev("response.output_item.added", output_index=call["index"], item=item))
            args = fn.get("arguments")
            if args:
                call["arguments"] += args
                out.append(self._ev("response.function_call_arguments.delta", item_id=call["id"],
                                    output_index=call["index"], delta=args))
        return b"".join(out)

    def _next_index(self) -> int:
        return len(self.done) + len(self.calls) + (self.text_item is not None)

    def _open_text(self) -> bytes:
        item = self.text_item = {"id": new_id("msg"), "index": self._next_index(), "text": ""}
        return self._ev(
            "response.output_item.added", output_index=item["index"], item=_message_item(item["id"], None, "in_progress")
        ) + self._ev("response.content_part.added", item_id=item["id"], output_index=item["index"], content_index=0,
                     part=_text_part(""))

    def _close_text(self) -> bytes:
        item = self.text_item
        assert item is not None
        self.text_item = None
        part = _text_part(item["text"])
        done = self.done[item["index"]] = _message_item(item["id"], part)
        return (
            self._ev("response.output_text.done", item_id=item["id"], output_index=item["index"], content_index=0,
                     text=item["text"], logprobs=[])
            + self._ev("response.content_part.done", item_id=item["id"], output_index=item["index"], content_index=0,
                       part=part)
            + self._ev("response.output_item.done", output_index=item["index"], item=done)
        )

    def close(self) -> bytes:
        if self.closed:
            return b""
        out = [b"" if self.started else self.start()]
        self.closed = True
        if self.text_item is not None:
            out.append(self._close_text())
        for call in sorted(self.calls.values(), key=lambda c: c["index"]):
            done = self.done[call["index"]] = _call_item(call["id"], call["call_id"], call["name"], call["arguments"])
            out.append(self._ev("response.function_call_arguments.done", item_id=call["id"], output_index=call["index"],
                                name=call["name"], arguments=call["arguments"]))
            out.append(self._ev("response.output_item.done", output_index=call["index"], item=done))
        self.calls.clear()
        u = self.usage
        snap = self._snapshot("incomplete" if INCOMPLETE.get(self.finish_reason or "") else "completed",
                              _usage(u.prompt_tokens, u.completion_tokens))
        kind = "response.completed" if snap["status"] == "completed" else "response.incomplete"
        out.append(self._ev(kind, response=snap))
        return b"".join(out)

    def error_event(self, message: str, type_: str, code: str) -> bytes:
        if self.closed:
            return b""
        out = b"" if self.started else self.start()
        self.closed = True
        snap = self._snapshot("failed", error={"code": "server_error", "message": message})
        return out + self._ev("response.failed", response=snap)


def responses_usage(obj: dict) -> tuple[int, int] | None:
    """(input, output) tokens of a native Responses answer or of its completed event's response."""
    u = obj.get("usage")
    if not isinstance(u, dict):
        return None
    return int(u.get("input_tokens") or 0), int(u.get("output_tokens") or 0)

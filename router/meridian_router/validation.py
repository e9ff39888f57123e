"""Request validation: one typed layer in front of routing.

Every inference body is decoded against a msgspec model of the OpenAI request before a breaker, a
budget or an adapter sees it, so a malformed request is a 400 that names the field (OpenAI's
`param`, e.g. ``messages[0].content[0].text``), never a 500 from somewhere downstream.

The models type every field an adapter reads or translates (messages and their parts, tool calls,
tools, tool choice, sampling, stop, response format) and bound what could be abused (token counts,
message and tool counts, nesting of the free-form JSON-schema fields). Fields they do not name are
passed through untouched to OpenAI-compatible backends: the OpenAI API grows faster than any proxy.

The decoded dict (orjson) stays what routing and the adapters work on; the typed decode is a check.
Decoding both ways costs a few microseconds per request (measured in benchmarks/router_bench.py).
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal, TypeVar, cast

import msgspec

from .config import RequestLimits
from .errors import RouterError

T = TypeVar("T")

# Hard bounds that hold whatever the config says: they keep every amount the budget ledger sees
# integral and inside Redis's integer range (see budgets.MAX_RESERVATION_MICRO_USD).
TOKENS_CEILING = 100_000_000

Tokens = Annotated[int, msgspec.Meta(ge=1, le=TOKENS_CEILING)]
Name = Annotated[str, msgspec.Meta(min_length=1, max_length=256)]
Unit = Annotated[float, msgspec.Meta(ge=0, le=1)]
Penalty = Annotated[float, msgspec.Meta(ge=-2, le=2)]


class _S(msgspec.Struct, omit_defaults=True):
    """Unknown fields are allowed (and passed through); the named ones are typed."""


# --- message content -------------------------------------------------------------------------
class TextPart(_S, tag_field="type", tag="text"):
    text: str


class ImageURL(_S):
    url: str
    detail: str | None = None


class ImagePart(_S, tag_field="type", tag="image_url"):
    image_url: ImageURL


class InputAudio(_S):
    data: str
    format: str


class AudioPart(_S, tag_field="type", tag="input_audio"):
    input_audio: InputAudio


class FileRef(_S):
    file_data: str | None = None
    file_id: str | None = None
    filename: str | None = None


class FilePart(_S, tag_field="type", tag="file"):
    file: FileRef


class RefusalPart(_S, tag_field="type", tag="refusal"):
    refusal: str


Part = TextPart | ImagePart | AudioPart | FilePart | RefusalPart


class FunctionCall(_S):
    name: Name
    arguments: str = ""


class ToolCall(_S):
    id: Annotated[str, msgspec.Meta(min_length=1)]
    function: FunctionCall
    type: Literal["function"] = "function"


class Message(_S):
    role: Literal["system", "developer", "user", "assistant", "tool", "function"]
    content: str | list[Part] | None = None
    name: str | None = None
    tool_calls: list[ToolCall] | None = None
    tool_call_id: str | None = None
    function_call: FunctionCall | None = None
    refusal: str | None = None


# --- tools -----------------------------------------------------------------------------------
class FunctionDef(_S):
    name: Name
    description: str | None = None
    parameters: dict[str, Any] | None = None
    strict: bool | None = None


class FunctionTool(_S, tag_field="type", tag="function"):
    function: FunctionDef


class CustomDef(_S):
    name: Name
    description: str | None = None
    format: dict[str, Any] | None = None


class CustomTool(_S, tag_field="type", tag="custom"):
    custom: CustomDef


class NamedFunction(_S):
    name: Name


class ChoiceFunction(_S, tag_field="type", tag="function"):
    function: NamedFunction


class ChoiceCustom(_S, tag_field="type", tag="custom"):
    custom: NamedFunction


class ChoiceAllowed(_S, tag_field="type", tag="allowed_tools"):
    allowed_tools: dict[str, Any]


ToolChoice = Literal["none", "auto", "required"] | ChoiceFunction | ChoiceCustom | ChoiceAllowed


# --- structured output -------------------------------------------------------------------------
class FormatText(_S, tag_field="type", tag="text"):
    pass


class FormatJSONObject(_S, tag_field="type", tag="json_object"):
    pass


class JSONSchema(_S):
    name: Name
    schema: dict[str, Any] | None = None
    description: str | None = None
    strict: bool | None = None


class FormatJSONSchema(_S, tag_field="type", tag="json_schema"):
    json_schema: JSONSchema


class StreamOptions(_S):
    include_usage: bool | None = None


# --- the three operations ------------------------------------------------------------------------
class _Common(_S):
    model: Name
    stream: bool | None = None
    stream_options: StreamOptions | None = None
    max_tokens: Tokens | None = None
    temperature: Annotated[float, msgspec.Meta(ge=0, le=2)] | None = None
    top_p: Unit | None = None
    n: Annotated[int, msgspec.Meta(ge=1, le=128)] | None = None
    stop: str | list[str] | None = None
    presence_penalty: Penalty | None = None
    frequency_penalty: Penalty | None = None
    seed: int | None = None
    user: str | None = None
    logit_bias: dict[str, float] | None = None


class ChatRequest(_Common):
    messages: Annotated[list[Message], msgspec.Meta(min_length=1)] = msgspec.field(default_factory=list)
    max_completion_tokens: Tokens | None = None
    tools: list[FunctionTool | CustomTool] | None = None
    tool_choice: ToolChoice | None = None
    functions: list[FunctionDef] | None = None
    function_call: Literal["none", "auto"] | NamedFunction | None = None
    parallel_tool_calls: bool | None = None
    response_format: FormatText | FormatJSONObject | FormatJSONSchema | None = None
    logprobs: bool | None = None
    top_logprobs: Annotated[int, msgspec.Meta(ge=0, le=20)] | None = None
    metadata: dict[str, str] | None = None


class CompletionRequest(_Common):
    prompt: str | list[str | int | list[int]] = ""
    suffix: str | None = None
    echo: bool | None = None
    best_of: Annotated[int, msgspec.Meta(ge=1, le=128)] | None = None
    logprobs: Annotated[int, msgspec.Meta(ge=0, le=20)] | None = None


class EmbeddingRequest(_S):
    model: Name
    input: str | list[str | int | list[int]]
    encoding_format: Literal["float", "base64"] | None = None
    dimensions: Annotated[int, msgspec.Meta(ge=1)] | None = None
    user: str | None = None


_DECODERS: dict[str, msgspec.json.Decoder] = {
    "chat": msgspec.json.Decoder(ChatRequest),
    "completions": msgspec.json.Decoder(CompletionRequest),
    "embeddings": msgspec.json.Decoder(EmbeddingRequest),
}
# Required with no default in the wire format: msgspec cannot mark a field required *and* give it
# a min_length default, so `messages` defaults to [] and is checked for presence here.
_REQUIRED = {"chat": ("messages",), "completions": (), "embeddings": ()}

_AT = re.compile(r" - at `\$(?P<path>[^`]*)`$")
_MISSING = re.compile(r"^Object missing required field `(?P<field>[^`]+)`")


def invalid(param: str, message: str) -> RouterError:
    return RouterError(400, "invalid_request", f"`{param}`: {message}", param=param)


def _param(path: str) -> str:
    return path[1:] if path.startswith(".") else path


def _under(at: str, path: str) -> str:
    """`path` inside the value at `at` (`tools[0]` + `name` -> `tools[0].name`)."""
    if not at or not path:
        return at or path
    return at + path if path.startswith("[") else f"{at}.{path}"


def from_msgspec(exc: msgspec.ValidationError, at: str = "") -> RouterError:
    """A msgspec error as a 400 naming the field; `at`: where the decoded value sits in the request."""
    text = str(exc)
    m = _AT.search(text)
    path = _under(at, _param(m["path"]) if m else "")
    text = text[: m.start()] if m else text
    missing = _MISSING.match(text)
    if missing:
        param = f"{path}.{missing['field']}" if path else missing["field"]
        return invalid(param, "is required")
    detail = text[:1].lower() + text[1:]
    return invalid(path, detail) if path else RouterError(400, "invalid_request", detail)


_TYPED: dict[type, msgspec.json.Decoder] = {}


def decode(model: type[T], raw: bytes, at: str = "") -> T:
    """`raw` decoded as `model`, or a 400 naming the first bad field (under `at`, for a value nested in
    the request)."""
    dec = _TYPED.get(model)
    if dec is None:
        dec = _TYPED[model] = msgspec.json.Decoder(model)
    try:
        return cast(T, dec.decode(raw))
    except msgspec.ValidationError as exc:
        raise from_msgspec(exc, at) from None
    except (msgspec.DecodeError, RecursionError):
        raise RouterError(400, "invalid_request", "request body nests too deeply") from None


def _depth(value: object, limit: int) -> bool:
    """True when `value` nests no deeper than `limit` containers (iterative: no recursion)."""
    stack: list[tuple[object, int]] = [(value, 1)]
    while stack:
        v, d = stack.pop()
        if isinstance(v, dict):
            if d > limit:
                return False
            stack.extend((x, d + 1) for x in v.values())
        elif isinstance(v, list):
            if d > limit:
                return False
            stack.extend((x, d + 1) for x in v)
    return True


def check_tokens(param: str, value: int | None, limits: RequestLimits) -> None:
    """A token count the client asks for, within what this router allows."""
    if value is not None and value > limits.max_tokens:
        raise invalid(param, f"{value} is more than this router allows ({limits.max_tokens})")


def validate(op: str, raw: bytes, body: dict, limits: RequestLimits) -> None:
    """Raise a 400 RouterError naming the first bad field of `body` (decoded from `raw`)."""
    try:
        req = _DECODERS[op].decode(raw)
    except msgspec.ValidationError as exc:
        raise from_msgspec(exc) from None
    except (msgspec.DecodeError, RecursionError):  # orjson accepted it; msgspec nests less deep
        raise RouterError(400, "invalid_request", "request body nests too deeply") from None
    for key in _REQUIRED[op]:
        if key not in body:
            raise invalid(key, "is required")
    for key in ("max_tokens", "max_completion_tokens"):
        check_tokens(key, getattr(req, key, None), limits)
    if isinstance(req, ChatRequest):
        _chat(req, limits)


def _chat(req: ChatRequest, limits: RequestLimits) -> None:
    if len(req.messages) > limits.max_messages:
        raise invalid("messages", f"{len(req.messages)} messages; at most {limits.max_messages}")
    for i, m in enumerate(req.messages):
        if isinstance(m.content, list) and len(m.content) > limits.max_content_parts:
            raise invalid(
                f"messages[{i}].content", f"{len(m.content)} parts; at most {limits.max_content_parts}"
            )
    tools = req.tools or req.functions or []
    if len(tools) > limits.max_tools:
        raise invalid("tools" if req.tools else "functions", f"{len(tools)} tools; at most {limits.max_tools}")
    free: list[tuple[str, object]] = []
    for i, t in enumerate(req.tools or ()):
        if isinstance(t, FunctionTool) and t.function.parameters is not None:
            free.append((f"tools[{i}].function.parameters", t.function.parameters))
    for i, f in enumerate(req.functions or ()):
        if f.parameters is not None:
            free.append((f"functions[{i}].parameters", f.parameters))
    if isinstance(req.response_format, FormatJSONSchema) and req.response_format.json_schema.schema:
        free.append(("response_format.json_schema.schema", req.response_format.json_schema.schema))
    for param, value in free:
        if not _depth(value, limits.max_json_depth):
            raise invalid(param, f"nests deeper than {limits.max_json_depth} levels")

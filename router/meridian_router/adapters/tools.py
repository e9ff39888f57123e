"""OpenAI tool calling for APIs that speak in content blocks, both ways: Anthropic Messages (whose
blocks are the intermediate form here), Bedrock Converse and Gemini (both mapped from them).

Request: `tools` / legacy `functions` -> `tools` (name, description, input_schema); `tool_choice`
auto / none / required / a named function -> auto / none / any / tool (and `parallel_tool_calls:
false` -> disable_parallel_tool_use); assistant `tool_calls` -> `tool_use` blocks; `tool` messages
-> `tool_result` blocks in a user turn (consecutive ones merged: Anthropic alternates roles).
Answer: `tool_use` blocks -> `tool_calls` with JSON `arguments`; streamed `input_json_delta`
fragments -> `tool_calls[].function.arguments` deltas."""

from __future__ import annotations

import os

import orjson

from ..errors import RouterError
from .base import messages_text


def _bad(message: str) -> RouterError:
    return RouterError(400, "invalid_request", message)


def _tool(f: object, where: str) -> dict:
    if not isinstance(f, dict) or not isinstance(f.get("name"), str) or not f["name"]:
        raise _bad(f"{where}: a function needs a name")
    out = {"name": f["name"], "input_schema": f.get("parameters") or {"type": "object", "properties": {}}}
    if f.get("description"):
        out["description"] = f["description"]
    return out


def tool_definitions(body: dict) -> list[dict] | None:
    tools = body.get("tools")
    if tools:
        out = []
        for i, t in enumerate(tools):
            if not isinstance(t, dict) or t.get("type", "function") != "function":
                kind = t.get("type") if isinstance(t, dict) else type(t).__name__
                raise _bad(f"tools[{i}]: only function tools can go to this backend (got {kind!r})")
            out.append(_tool(t.get("function"), f"tools[{i}].function"))
        return out
    functions = body.get("functions")
    if functions:
        return [_tool(f, f"functions[{i}]") for i, f in enumerate(functions)]
    return None


def tool_choice(body: dict) -> dict | None:
    choice = body.get("tool_choice", body.get("function_call"))
    out: dict | None
    if choice is None:
        out = None
    elif choice == "auto":
        out = {"type": "auto"}
    elif choice == "none":
        out = {"type": "none"}
    elif choice == "required":
        out = {"type": "any"}
    elif isinstance(choice, dict) and ((choice.get("function") or {}).get("name") or choice.get("name")):
        out = {"type": "tool", "name": (choice.get("function") or {}).get("name") or choice["name"]}
    else:
        raise _bad(f"tool_choice: {choice!r} is not 'auto', 'none', 'required' or a named function")
    if body.get("parallel_tool_calls") is False and (out is None or out["type"] != "none"):
        out = {**(out or {"type": "auto"}), "disable_parallel_tool_use": True}
    return out


def _arguments(raw: object, where: str) -> object:
    if raw in (None, ""):
        return {}
    if not isinstance(raw, str):
        raise _bad(f"{where}: arguments must be a JSON string")
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError:
        raise _bad(f"{where}: arguments is not valid JSON") from None


def messages(msgs: list) -> tuple[str, list[dict]]:
    """OpenAI messages as (system prompt, Anthropic turns with content blocks)."""
    system: list[str] = []
    out: list[dict] = []
    legacy_id = ""  # legacy function_call / function messages carry no id: pair them in order

    def add(role: str, blocks: list[dict]) -> None:
        if out and out[-1]["role"] == role:
            out[-1]["content"].extend(blocks)
        else:
            out.append({"role": role, "content": blocks})

    for i, m in enumerate(msgs):
        if not isinstance(m, dict):
            raise _bad(f"messages[{i}] is not an object")
        role = m.get("role")
        if role in ("system", "developer"):
            system.append(messages_text(m.get("content")))
        elif role == "user":
            add("user", [{"type": "text", "text": messages_text(m.get("content"))}])
        elif role == "assistant":
            blocks: list[dict] = []
            text = messages_text(m.get("content"))
            if text:
                blocks.append({"type": "text", "text": text})
            calls = m.get("tool_calls") or []
            if m.get("function_call"):
                legacy_id = f"call_legacy_{i}"
                calls = [{"id": legacy_id, "function": m["function_call"]}]
            for j, c in enumerate(calls):
                f = c.get("function") or {}
                where = f"messages[{i}].tool_calls[{j}]"
                if not c.get("id") or not f.get("name"):
                    raise _bad(f"{where}: a tool call needs an id and function.name")
                blocks.append(
                    {
                        "type": "tool_use",
                        "id": c["id"],
                        "name": f["name"],
                        "input": _arguments(f.get("arguments"), f"{where}.function"),
                    }
                )
            add("assistant", blocks or [{"type": "text", "text": text}])
        elif role in ("tool", "function"):
            tool_use_id = m.get("tool_call_id") if role == "tool" else legacy_id
            if not tool_use_id:
                raise _bad(f"messages[{i}]: a {role} message needs the tool_call_id it answers")
            add(
                "user",
                [
                    {
                        "type": "tool_result",
                        "tool_use_id": tool_use_id,
                        "content": messages_text(m.get("content")),
                    }
                ],
            )
        else:
            raise RouterError(
                400, "unsupported_message", f"messages[{i}]: role {role!r} is not supported by this backend"
            )
    return "\n".join(system), out


def tool_calls(content: list) -> list[dict]:
    """Anthropic `tool_use` blocks of an answer as OpenAI `tool_calls`."""
    return [
        {
            "id": b.get("id"),
            "type": "function",
            "function": {"name": b.get("name"), "arguments": orjson.dumps(b.get("input") or {}).decode()},
        }
        for b in content
        if isinstance(b, dict) and b.get("type") == "tool_use"
    ]


# --------------------------------------------------------------------------- Bedrock Converse


def converse_blocks(blocks: list[dict]) -> list[dict]:
    """Anthropic-form content blocks (from `messages`) as Converse content blocks."""
    out: list[dict] = []
    for b in blocks:
        kind = b["type"]
        if kind == "text":
            out.append({"text": b["text"]})
        elif kind == "tool_use":
            out.append({"toolUse": {"toolUseId": b["id"], "name": b["name"], "input": b["input"]}})
        else:  # tool_result
            out.append({"toolResult": {"toolUseId": b["tool_use_id"], "content": [{"text": b["content"]}]}})
    return out


def converse_tool_config(body: dict) -> dict | None:
    """`toolConfig` for Converse, or None without tools. Converse has no 'none' choice and no switch
    for parallel calls: asking for either is refused rather than ignored."""
    defs = tool_definitions(body)
    if not defs:
        return None
    config: dict = {
        "tools": [
            {
                "toolSpec": {
                    "name": d["name"],
                    "description": d.get("description") or d["name"],
                    "inputSchema": {"json": d["input_schema"]},
                }
            }
            for d in defs
        ]
    }
    choice = tool_choice(body)
    if choice is not None:
        if choice["type"] == "none":
            raise RouterError(
                400, "unsupported_feature", "tool_choice 'none' is not supported by Bedrock backends"
            )
        if choice.get("disable_parallel_tool_use"):
            raise RouterError(
                400, "unsupported_feature", "parallel_tool_calls=false is not supported by Bedrock backends"
            )
        config["toolChoice"] = (
            {"tool": {"name": choice["name"]}} if choice["type"] == "tool" else {choice["type"]: {}}
        )
    return config


def converse_tool_calls(content: list) -> list[dict]:
    """Converse `toolUse` blocks of an answer as OpenAI `tool_calls`."""
    return tool_calls(
        [
            {
                "type": "tool_use",
                "id": c["toolUse"].get("toolUseId"),
                "name": c["toolUse"].get("name"),
                "input": c["toolUse"].get("input"),
            }
            for c in content
            if isinstance(c, dict) and "toolUse" in c
        ]
    )


# --------------------------------------------------------------------------- Gemini / Vertex AI


def gemini_contents(turns: list[dict]) -> list[dict]:
    """Anthropic-form turns as Gemini `contents`. A functionResponse names the function, not the call:
    each result takes the name of the call it answers."""
    names = {b["id"]: b["name"] for t in turns for b in t["content"] if b["type"] == "tool_use"}
    out: list[dict] = []
    for t in turns:
        parts: list[dict] = []
        for b in t["content"]:
            if b["type"] == "text":
                parts.append({"text": b["text"]})
            elif b["type"] == "tool_use":
                parts.append({"functionCall": {"name": b["name"], "args": b["input"]}})
            else:
                name = names.get(b["tool_use_id"])
                if name is None:
                    raise _bad(f"messages: tool result {b['tool_use_id']!r} answers no earlier tool call")
                parts.append({"functionResponse": {"name": name, "response": {"content": b["content"]}}})
        out.append({"role": "model" if t["role"] == "assistant" else "user", "parts": parts})
    return out


def gemini_tools(body: dict) -> tuple[list[dict] | None, dict | None]:
    """(`tools`, `toolConfig`) for Gemini, or (None, None) without tools. Gemini cannot forbid
    parallel calls: asking for it is refused rather than ignored."""
    defs = tool_definitions(body)
    if not defs:
        return None, None
    declarations = []
    for d in defs:
        decl = {"name": d["name"], "parameters": d["input_schema"]}
        if d.get("description"):
            decl["description"] = d["description"]
        declarations.append(decl)
    choice = tool_choice(body)
    config = None
    if choice is not None:
        if choice.get("disable_parallel_tool_use"):
            raise RouterError(
                400, "unsupported_feature", "parallel_tool_calls=false is not supported by Gemini backends"
            )
        mode = {"auto": "AUTO", "none": "NONE", "any": "ANY", "tool": "ANY"}[choice["type"]]
        fcc: dict = {"mode": mode}
        if choice["type"] == "tool":
            fcc["allowedFunctionNames"] = [choice["name"]]
        config = {"functionCallingConfig": fcc}
    return [{"functionDeclarations": declarations}], config


def gemini_tool_calls(parts: list) -> list[dict]:
    """Gemini `functionCall` parts as OpenAI `tool_calls` (Gemini gives calls no id: one is made)."""
    return tool_calls(
        [
            {
                "type": "tool_use",
                "id": "call_" + os.urandom(9).hex(),
                "name": fc.get("name"),
                "input": fc.get("args"),
            }
            for fc in (p["functionCall"] for p in parts if isinstance(p, dict) and "functionCall" in p)
        ]
    )

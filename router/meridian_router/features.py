"""Request features that not every backend API honours. A backend whose adapter does not translate a
feature never receives a request that uses it: dropping it silently would change the answer (a
tool call that never comes, prose where JSON was asked for). OpenAI-compatible backends (vLLM,
Ollama, OpenAI, Azure OpenAI, Groq, edge routers) take the request as it is and honour them all."""

from __future__ import annotations

TOOLS = "tools"
JSON_OUTPUT = "response_format"
CHOICES = "n"
LOGPROBS = "logprobs"
MEDIA = "media"
ALL = frozenset({TOOLS, JSON_OUTPUT, CHOICES, LOGPROBS, MEDIA})
NONE: frozenset[str] = frozenset()

DESCRIPTION = {
    TOOLS: "tool calling (tools, functions or tool messages)",
    JSON_OUTPUT: "structured output (response_format)",
    CHOICES: "several choices (n > 1)",
    LOGPROBS: "log probabilities (logprobs)",
    MEDIA: "non-text message parts (images, audio, files)",
}


def required(op: str, body: dict) -> frozenset[str]:
    """The features a chat request uses (other operations pass through OpenAI-compatible APIs only)."""
    if op != "chat":
        return NONE
    out: set[str] = set()
    if body.get("tools") or body.get("functions"):
        out.add(TOOLS)
    for m in body.get("messages") or ():
        if not isinstance(m, dict):
            continue
        if m.get("role") in ("tool", "function") or m.get("tool_calls") or m.get("function_call"):
            out.add(TOOLS)
        content = m.get("content")
        if isinstance(content, list) and any(isinstance(p, dict) and p.get("type") != "text" for p in content):
            out.add(MEDIA)
    rf = body.get("response_format")
    if isinstance(rf, dict) and rf.get("type") not in (None, "text"):
        out.add(JSON_OUTPUT)
    n = body.get("n")
    if isinstance(n, int) and not isinstance(n, bool) and n > 1:
        out.add(CHOICES)
    if body.get("logprobs") is True or body.get("top_logprobs"):
        out.add(LOGPROBS)
    return frozenset(out) if out else NONE


def describe(names: frozenset[str]) -> str:
    return ", ".join(DESCRIPTION[n] for n in sorted(names))

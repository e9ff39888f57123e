"""AWS Bedrock Converse API, signed with SigV4 (no botocore at runtime).

base_url: https://bedrock-runtime.<region>.amazonaws.com . Credentials come from the environment
(AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN by default, e.g. written by Vault's
AWS secrets engine). Streaming: Bedrock's ConverseStream uses the binary AWS event-stream framing;
this adapter calls Converse and replays the answer to the client as OpenAI SSE chunks. Tool calling
goes through Converse's toolConfig / toolUse / toolResult (adapters/tools.py).
"""

from __future__ import annotations

import os
from urllib.parse import quote

import orjson

from .. import features
from . import tools as block_tools
from .base import (
    FINISH,
    SSE_DONE,
    Adapter,
    Secret,
    StreamTranslator,
    UpstreamRequest,
    Usage,
    chat_id,
    chunk_event,
    completion_envelope,
    sampling_params,
)
from .sigv4 import sign


def _parse(data: bytes) -> tuple[str, str, Usage, list[dict]]:
    obj = orjson.loads(data)
    content = ((obj.get("output") or {}).get("message") or {}).get("content") or []
    text = "".join(c.get("text", "") for c in content)
    u = obj.get("usage") or {}
    usage = Usage(int(u.get("inputTokens") or 0), int(u.get("outputTokens") or 0), bool(u))
    return (
        text,
        FINISH.get(obj.get("stopReason") or "", "stop"),
        usage,
        block_tools.converse_tool_calls(content),
    )


class ReplayStream(StreamTranslator):
    """Buffers a whole Converse answer, then emits it as OpenAI chunks."""

    def __init__(self, model: str) -> None:
        super().__init__(model)
        self.buf = bytearray()

    def feed(self, chunk: bytes) -> bytes:
        self.buf += chunk
        return b""

    def finish(self) -> bytes:
        text, finish, self.usage, calls = _parse(bytes(self.buf))
        cid = chat_id()
        self.chunks = 1
        out = chunk_event(cid, self.model, {"role": "assistant", "content": ""})
        if text:
            out += chunk_event(cid, self.model, {"content": text})
        if calls:
            out += chunk_event(
                cid, self.model, {"tool_calls": [{"index": i, **c} for i, c in enumerate(calls)]}
            )
        return out + chunk_event(cid, self.model, {}, finish, self.usage) + SSE_DONE


class AwsCredentials:
    """AWS keys from env vars, or from a file Vault Agent rewrites as STS credentials rotate."""

    KEYS = ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN")

    def __init__(self, cfg) -> None:
        self.cfg = cfg
        self.file = Secret(None, cfg.aws_credentials_file) if cfg.aws_credentials_file else None

    def get(self) -> tuple[str, str, str | None]:
        if self.file is not None:
            vals: dict[str, str] = {}
            for line in (self.file.get() or "").splitlines():
                line = line.strip().removeprefix("export ").strip()
                if "=" in line:
                    k, v = line.split("=", 1)
                    vals[k.strip().upper()] = v.strip().strip("'\"")
            return vals.get(self.KEYS[0], ""), vals.get(self.KEYS[1], ""), vals.get(self.KEYS[2]) or None
        c = self.cfg
        return (
            os.environ.get(c.aws_access_key_id_env, ""),
            os.environ.get(c.aws_secret_access_key_env, ""),
            os.environ.get(c.aws_session_token_env) or None,
        )


class BedrockAdapter(Adapter):
    ops = frozenset({"chat"})
    features = frozenset({features.TOOLS})

    def __init__(self, cfg) -> None:
        super().__init__(cfg)
        self.aws = AwsCredentials(cfg)

    def build(self, op, body, raw, model, stream, scope, want_usage):
        system, turns = block_tools.messages(body.get("messages") or [])
        req: dict = {
            "messages": [
                {"role": t["role"], "content": block_tools.converse_blocks(t["content"])} for t in turns
            ]
        }
        if system:
            req["system"] = [{"text": system}]
        tool_config = block_tools.converse_tool_config(body)
        if tool_config is not None:
            req["toolConfig"] = tool_config
        inf = sampling_params(body, max_tokens="maxTokens", top_p="topP", stop="stopSequences")
        if inf:
            req["inferenceConfig"] = inf
        payload = orjson.dumps(req)
        url = f"{self.base}/model/{quote(self.upstream_models[model], safe='')}/converse"
        access_key, secret_key, token = self.aws.get()
        headers = sign(
            "POST",
            url,
            {"content-type": "application/json"},
            payload,
            access_key=access_key,
            secret_key=secret_key,
            session_token=token,
            region=self.cfg.aws_region or "",
            service="bedrock",
        )
        return UpstreamRequest(url, headers, payload, False)

    def translate(self, op, data, model):
        text, finish, usage, calls = _parse(data)
        return completion_envelope(model, text, finish, usage, tool_calls=calls), usage

    def stream_translator(self, model, client_stream, op="chat"):
        return ReplayStream(model)

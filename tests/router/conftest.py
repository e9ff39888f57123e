"""Fixtures: fake upstreams and routers, all on 127.0.0.1, run in one background event loop.

Every server is bounded: it listens on loopback only and is stopped when its fixture ends.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import socket
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import orjson
import pytest
import uvicorn
from aiohttp import web
from meridian_router.config import parse_config
from meridian_router.server import RouterApp


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LoopThread:
    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()

    def run(self, coro, timeout: float = 30) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def stop(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)


MODE = web.RequestKey("mode", str)
BODY = web.RequestKey("body", bytes)
CHAOS = ("ok", "ok", "ok", "ok", "error500", "ratelimit", "reset", "slow", "hang", "stall", "midreset")


class FakeUpstream:
    """An upstream speaking OpenAI, Anthropic, Gemini and Bedrock shapes, with injectable faults.

    mode: ok | error500 | ratelimit | hang | reset | slow | stall | midreset | badjson | badrequest | chaos
    """

    def __init__(self, name: str) -> None:
        self.name = name
        self.mode = "ok"
        self.delay = 0.0
        self.hits = 0
        self.seen: list[dict] = []
        self.retry_after = "1"
        self.health_ok = True
        self.prompt_tokens = 10
        self.completion_tokens = 5
        self.stream_chunks = 3
        self.served = 0
        self.served_bodies: list[bytes] = []
        self.rng = random.Random(name)
        self.port = free_port()
        self.runner: web.AppRunner | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def reset(self) -> None:
        self.mode, self.delay, self.hits, self.seen, self.health_ok = "ok", 0.0, 0, [], True
        self.served, self.stream_chunks, self.prompt_tokens, self.completion_tokens = 0, 3, 10, 5
        self.served_bodies = []

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/v1/chat/completions", self.chat)
        app.router.add_post("/v1/completions", self.completions)
        app.router.add_post("/v1/embeddings", self.embeddings)
        app.router.add_post("/v1/messages", self.anthropic)
        app.router.add_post("/v1/responses", self.responses)
        app.router.add_post("/openai/deployments/{dep}/chat/completions", self.chat)
        app.router.add_post("/models/{tail}", self.gemini)
        app.router.add_post("/model/{model}/converse", self.bedrock)
        app.router.add_get("/health", self.health)
        self.runner = web.AppRunner(app, access_log=None, handler_cancellation=True, shutdown_timeout=0.1)
        await self.runner.setup()
        await web.TCPSite(self.runner, "127.0.0.1", self.port).start()

    async def stop(self) -> None:
        if self.runner:
            await self.runner.cleanup()

    async def health(self, request: web.Request) -> web.Response:
        return web.Response(status=200 if self.health_ok else 503)

    async def _fault(self, request: web.Request) -> web.StreamResponse | None:
        self.hits += 1
        body = await request.read()
        self.seen.append(
            {
                "path": request.path_qs,
                "headers": {k.lower(): v for k, v in request.headers.items()},
                "body": body,
            }
        )
        mode = self.mode
        if mode == "chaos":
            mode = self.rng.choice(CHAOS)
        request[MODE] = mode
        request[BODY] = body
        if self.delay:
            await asyncio.sleep(self.delay)
        if mode == "slow":
            await asyncio.sleep(0.2)
        if mode == "error500":
            return web.json_response(
                {"error": {"message": "boom", "type": "server_error", "code": None}}, status=500
            )
        if mode == "ratelimit":
            return web.json_response(
                {"error": {"message": "slow down"}}, status=429, headers={"retry-after": self.retry_after}
            )
        if mode == "hang":
            await asyncio.sleep(30)
        if mode == "reset":
            assert request.transport is not None
            request.transport.abort()
            return web.Response()
        if mode == "unauthorized":  # a provider that echoes the credential it refused, as some do
            auth = request.headers.get("authorization", "") or request.headers.get("x-api-key", "")
            return web.json_response(
                {"error": {"message": f"invalid api key: {auth}", "type": "authentication_error", "code": "bad_key"}},
                status=401,
            )
        if mode == "badrequest":
            return web.json_response(
                {"error": {"message": "bad param", "type": "invalid_request_error", "code": "bad"}},
                status=400,
            )
        return None

    @staticmethod
    def _body(request: web.Request) -> dict:
        return orjson.loads(request[BODY])

    async def chat(self, request: web.Request) -> web.StreamResponse:
        fault = await self._fault(request)
        if fault is not None:
            return fault
        body = self._body(request)
        usage = {
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens": self.completion_tokens,
            "total_tokens": self.prompt_tokens + self.completion_tokens,
        }
        if body.get("tools"):
            return await self._chat_tool_call(request, body, usage)
        if body.get("stream"):
            resp = web.StreamResponse(headers={"content-type": "text/event-stream"})
            await resp.prepare(request)
            for i in range(self.stream_chunks):
                if request[MODE] == "stall" and i == 1:
                    await asyncio.sleep(30)
                if request[MODE] == "midreset" and i == 1:
                    assert request.transport is not None
                    request.transport.abort()
                    return resp
                chunk = {
                    "id": "c1",
                    "object": "chat.completion.chunk",
                    "created": 1,
                    "model": body["model"],
                    "choices": [
                        {"index": 0, "delta": {"content": f"{self.name}-{i} "}, "finish_reason": None}
                    ],
                }
                await resp.write(b"data: " + orjson.dumps(chunk) + b"\n\n")
                await asyncio.sleep(0.01)
            if (body.get("stream_options") or {}).get("include_usage"):
                await resp.write(
                    b"data: "
                    + orjson.dumps(
                        {
                            "id": "c1",
                            "object": "chat.completion.chunk",
                            "created": 1,
                            "model": body["model"],
                            "choices": [],
                            "usage": usage,
                        }
                    )
                    + b"\n\n"
                )
            await resp.write(b"data: [DONE]\n\n")
            await resp.write_eof()
            self.served += 1
            self.served_bodies.append(request[BODY])
            return resp
        if request[MODE] == "badjson":
            return web.Response(body=b"{not json", content_type="application/json")
        self.served += 1
        self.served_bodies.append(request[BODY])
        return web.json_response(
            {
                "id": "chatcmpl-1",
                "object": "chat.completion",
                "created": 1,
                "model": body["model"],
                "choices": [
                    {
                        "index": 0,
                        "message": {"role": "assistant", "content": f"hello from {self.name}"},
                        "finish_reason": "stop",
                    }
                ],
                "usage": usage,
            }
        )

    async def _chat_tool_call(self, request: web.Request, body: dict, usage: dict) -> web.StreamResponse:
        """A chat-completions model calling the first tool with {"city": "Paris"}, as OpenAI's API does
        (streamed: the arguments in two fragments)."""
        name = body["tools"][0]["function"]["name"]
        self.served += 1
        self.served_bodies.append(request[BODY])
        if not body.get("stream"):
            call = {"id": "call_1", "type": "function", "function": {"name": name, "arguments": '{"city": "Paris"}'}}
            return web.json_response({
                "id": "chatcmpl-2", "object": "chat.completion", "created": 1, "model": body["model"],
                "choices": [{"index": 0, "message": {"role": "assistant", "content": None, "tool_calls": [call]},
                             "finish_reason": "tool_calls"}],
                "usage": usage,
            })
        resp = web.StreamResponse(headers={"content-type": "text/event-stream"})
        await resp.prepare(request)
        deltas = [
            {"role": "assistant", "content": None, "tool_calls": [
                {"index": 0, "id": "call_1", "type": "function", "function": {"name": name, "arguments": ""}}]},
            {"tool_calls": [{"index": 0, "function": {"arguments": '{"city": '}}]},
            {"tool_calls": [{"index": 0, "function": {"arguments": '"Paris"}'}}]},
        ]
        for i, d in enumerate(deltas):
            chunk = {"id": "c2", "object": "chat.completion.chunk", "created": 1, "model": body["model"],
                     "choices": [{"index": 0, "delta": d, "finish_reason": "tool_calls" if i == len(deltas) - 1 else None}]}
            await resp.write(b"data: " + orjson.dumps(chunk) + b"\n\n")
        if (body.get("stream_options") or {}).get("include_usage"):
            chunk = {"id": "c2", "object": "chat.completion.chunk", "created": 1, "model": body["model"],
                     "choices": [], "usage": usage}
            await resp.write(b"data: " + orjson.dumps(chunk) + b"\n\n")
        await resp.write(b"data: [DONE]\n\n")
        await resp.write_eof()
        return resp

    async def responses(self, request: web.Request) -> web.StreamResponse:
        """A backend serving the Responses API natively (OpenAI, recent vLLM)."""
        fault = await self._fault(request)
        if fault is not None:
            return fault
        body = self._body(request)
        self.served += 1
        self.served_bodies.append(request[BODY])
        text = f"native from {self.name}"
        usage = {"input_tokens": 7, "input_tokens_details": {"cached_tokens": 0}, "output_tokens": 3,
                 "output_tokens_details": {"reasoning_tokens": 0}, "total_tokens": 10}
        item = {"type": "message", "id": "msg_up", "status": "completed", "role": "assistant",
                "content": [{"type": "output_text", "text": text, "annotations": []}]}
        full = {"id": "resp_up", "object": "response", "created_at": 1, "status": "completed", "model": body["model"],
                "output": [item], "parallel_tool_calls": True, "tool_choice": "auto", "tools": [], "usage": usage}
        if not body.get("stream"):
            return web.json_response(full)
        resp = web.StreamResponse(headers={"content-type": "text/event-stream"})
        await resp.prepare(request)
        events = [
            {"type": "response.created", "sequence_number": 0, "response": {**full, "status": "in_progress", "output": [], "usage": None}},
            {"type": "response.output_text.delta", "sequence_number": 1, "item_id": "msg_up", "output_index": 0,
             "content_index": 0, "delta": text, "logprobs": []},
            {"type": "response.completed", "sequence_number": 2, "response": full},
        ]
        for ev in events:
            await resp.write(f"event: {ev['type']}\n".encode() + b"data: " + orjson.dumps(ev) + b"\n\n")
        await resp.write_eof()
        return resp

    async def completions(self, request: web.Request) -> web.StreamResponse:
        fault = await self._fault(request)
        if fault is not None:
            return fault
        return web.json_response(
            {
                "id": "cmpl-1",
                "object": "text_completion",
                "created": 1,
                "model": self._body(request)["model"],
                "choices": [{"index": 0, "text": f"text from {self.name}", "finish_reason": "stop"}],
                "usage": {"prompt_tokens": 3, "completion_tokens": 4, "total_tokens": 7},
            }
        )

    async def embeddings(self, request: web.Request) -> web.StreamResponse:
        fault = await self._fault(request)
        if fault is not None:
            return fault
        return web.json_response(
            {
                "object": "list",
                "model": self._body(request)["model"],
                "data": [{"object": "embedding", "index": 0, "embedding": [0.1, 0.2, 0.3]}],
                "usage": {"prompt_tokens": 3, "total_tokens": 3},
            }
        )

    async def anthropic(self, request: web.Request) -> web.StreamResponse:
        fault = await self._fault(request)
        if fault is not None:
            return fault
        body = self._body(request)
        if body.get("tools"):
            return await self._anthropic_tool_use(request, body)
        if body.get("stream"):
            resp = web.StreamResponse(headers={"content-type": "text/event-stream"})
            await resp.prepare(request)
            start = {"id": "m1", "type": "message", "role": "assistant", "model": body["model"], "content": [],
                     "stop_reason": None, "stop_sequence": None, "usage": {"input_tokens": 11, "output_tokens": 1}}
            events = [
                ("message_start", {"type": "message_start", "message": start}),
                ("content_block_start",
                 {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}}),
                (
                    "content_block_delta",
                    {
                        "type": "content_block_delta",
                        "index": 0,
                        "delta": {"type": "text_delta", "text": "bonjour "},
                    },
                ),
                (
                    "content_block_delta",
                    {
                        "type": "content_block_delta",
                        "index": 0,
                        "delta": {"type": "text_delta", "text": "monde"},
                    },
                ),
                ("content_block_stop", {"type": "content_block_stop", "index": 0}),
                (
                    "message_delta",
                    {
                        "type": "message_delta",
                        "delta": {"stop_reason": "end_turn", "stop_sequence": None},
                        "usage": {"output_tokens": 2},
                    },
                ),
                ("message_stop", {"type": "message_stop"}),
            ]
            for name, ev in events:
                await resp.write(f"event: {name}\n".encode() + b"data: " + orjson.dumps(ev) + b"\n\n")
            await resp.write_eof()
            return resp
        return web.json_response(
            {
                "id": "m1",
                "type": "message",
                "role": "assistant",
                "model": body["model"],
                "content": [{"type": "text", "text": "bonjour monde"}],
                "stop_reason": "end_turn",
                "stop_sequence": None,
                "usage": {"input_tokens": 11, "output_tokens": 2},
            }
        )

    async def _anthropic_tool_use(self, request: web.Request, body: dict) -> web.StreamResponse:
        """Anthropic asking for the first tool with {"city": "Paris"}, as its API does."""
        name = body["tools"][0]["name"]
        if not body.get("stream"):
            return web.json_response(
                {
                    "id": "m2",
                    "type": "message",
                    "role": "assistant",
                    "content": [
                        {"type": "text", "text": "checking"},
                        {"type": "tool_use", "id": "toolu_01", "name": name, "input": {"city": "Paris"}},
                    ],
                    "stop_reason": "tool_use",
                    "usage": {"input_tokens": 30, "output_tokens": 12},
                }
            )
        resp = web.StreamResponse(headers={"content-type": "text/event-stream"})
        await resp.prepare(request)
        events = [
            {"type": "message_start", "message": {"id": "m2", "usage": {"input_tokens": 30}}},
            {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}},
            {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": "checking"}},
            {"type": "content_block_stop", "index": 0},
            {
                "type": "content_block_start",
                "index": 1,
                "content_block": {"type": "tool_use", "id": "toolu_01", "name": name, "input": {}},
            },
            {
                "type": "content_block_delta",
                "index": 1,
                "delta": {"type": "input_json_delta", "partial_json": ""},
            },
            {
                "type": "content_block_delta",
                "index": 1,
                "delta": {"type": "input_json_delta", "partial_json": '{"city": '},
            },
            {
                "type": "content_block_delta",
                "index": 1,
                "delta": {"type": "input_json_delta", "partial_json": '"Paris"}'},
            },
            {"type": "content_block_stop", "index": 1},
            {"type": "message_delta", "delta": {"stop_reason": "tool_use"}, "usage": {"output_tokens": 12}},
            {"type": "message_stop"},
        ]
        for ev in events:
            await resp.write(f"event: {ev['type']}\n".encode() + b"data: " + orjson.dumps(ev) + b"\n\n")
        await resp.write_eof()
        return resp

    async def gemini(self, request: web.Request) -> web.StreamResponse:
        fault = await self._fault(request)
        if fault is not None:
            return fault
        body = self._body(request)
        if body.get("tools"):  # Gemini calling the first declared function (calls come whole, no id)
            name = body["tools"][0]["functionDeclarations"][0]["name"]
            call = {"functionCall": {"name": name, "args": {"city": "Paris"}}}
            parts = [{"text": "checking"}, call]
            answer = {
                "candidates": [{"content": {"role": "model", "parts": parts}, "finishReason": "STOP"}],
                "usageMetadata": {"promptTokenCount": 20, "candidatesTokenCount": 6},
            }
            if "streamGenerateContent" not in request.path:
                return web.json_response(answer)
            resp = web.StreamResponse(headers={"content-type": "text/event-stream"})
            await resp.prepare(request)
            first = {"candidates": [{"content": {"role": "model", "parts": [{"text": "checking"}]}}]}
            answer["candidates"][0]["content"]["parts"] = [call]
            for obj in (first, answer):
                await resp.write(b"data: " + orjson.dumps(obj) + b"\r\n\r\n")
            await resp.write_eof()
            return resp
        part = {"candidates": [{"content": {"role": "model", "parts": [{"text": "hallo"}]}}]}
        last = {
            "candidates": [
                {"content": {"role": "model", "parts": [{"text": " welt"}]}, "finishReason": "STOP"}
            ],
            "usageMetadata": {"promptTokenCount": 7, "candidatesTokenCount": 2},
        }
        if "streamGenerateContent" in request.path:
            resp = web.StreamResponse(headers={"content-type": "text/event-stream"})
            await resp.prepare(request)
            for obj in (part, last):
                await resp.write(b"data: " + orjson.dumps(obj) + b"\r\n\r\n")
            await resp.write_eof()
            return resp
        last["candidates"][0]["content"]["parts"] = [{"text": "hallo welt"}]
        return web.json_response(last)

    async def bedrock(self, request: web.Request) -> web.StreamResponse:
        fault = await self._fault(request)
        if fault is not None:
            return fault
        body = self._body(request)
        if body.get("toolConfig"):  # Converse asking for the first tool, as Bedrock does
            name = body["toolConfig"]["tools"][0]["toolSpec"]["name"]
            return web.json_response(
                {
                    "output": {
                        "message": {
                            "role": "assistant",
                            "content": [
                                {"text": "checking"},
                                {
                                    "toolUse": {
                                        "toolUseId": "tooluse_1",
                                        "name": name,
                                        "input": {"city": "Paris"},
                                    }
                                },
                            ],
                        }
                    },
                    "stopReason": "tool_use",
                    "usage": {"inputTokens": 40, "outputTokens": 15},
                }
            )
        return web.json_response(
            {
                "output": {"message": {"role": "assistant", "content": [{"text": "hola"}]}},
                "stopReason": "end_turn",
                "usage": {"inputTokens": 9, "outputTokens": 1},
            }
        )


class RouterProc:
    def __init__(self, lt: LoopThread, cfg: dict) -> None:
        self.lt = lt
        self.cfg = parse_config(cfg)
        self.app = RouterApp(self.cfg)
        self.port = free_port()
        self.server = uvicorn.Server(
            uvicorn.Config(
                self.app,
                host="127.0.0.1",
                port=self.port,
                lifespan="on",
                log_level="warning",
                access_log=False,
                http="httptools",
            )
        )
        self.task = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> RouterProc:
        async def go():
            self.task = asyncio.get_running_loop().create_task(self.server.serve())
            for _ in range(1000):
                if self.server.started:
                    return
                await asyncio.sleep(0.01)
            raise RuntimeError("router did not start")

        self.lt.run(go())
        return self

    def stop(self) -> None:
        async def go():
            self.server.should_exit = True
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self.task, 10)

        self.lt.run(go())


@pytest.fixture(scope="session")
def loop_thread() -> Iterator[LoopThread]:
    lt = LoopThread()
    yield lt
    lt.stop()


@pytest.fixture(scope="session")
def upstreams(loop_thread: LoopThread) -> Iterator[dict[str, FakeUpstream]]:
    ups = {n: FakeUpstream(n) for n in ("local_eu", "edge_eu", "cloud_eu", "cloud_us", "local_us", "extra")}
    for u in ups.values():
        loop_thread.run(u.start())
    yield ups
    for u in ups.values():
        loop_thread.run(u.stop())


@pytest.fixture
def ups(upstreams: dict[str, FakeUpstream]) -> dict[str, FakeUpstream]:
    for u in upstreams.values():
        u.reset()
    return upstreams


API_KEYS = {"eu-key": "acme", "us-key": "globex", "any-key": "initech", "admin-key": "ops"}


def base_config(ups: dict[str, FakeUpstream], **over: Any) -> dict:
    import hashlib

    def be(name: str, tier: str, juris: str, price: float = 0.0, **kw: Any) -> dict:
        d = {
            "name": name,
            "provider": "vllm" if tier == "local" else ("edge" if tier == "edge" else "openai"),
            "tier": tier,
            "base_url": ups[name].url + "/v1",
            "jurisdiction": juris,
            "models": ["m1"],
            "price": {"input_per_mtok": price, "output_per_mtok": price},
            "timeout_s": 2.0,
            "stream_idle_timeout_s": 1.0,
            "breaker": {"failure_threshold": 3, "recovery_timeout_s": 0.5},
        }
        d.update(kw)
        return d

    cfg = {
        "auth": {
            "api_keys": [
                {
                    "sha256": hashlib.sha256(k.encode()).hexdigest(),
                    "tenant": t,
                    "scopes": ["inference", "admin"] if t == "ops" else ["inference"],
                }
                for k, t in API_KEYS.items()
            ]
        },
        "tenants": {
            "acme": {"jurisdictions": ["eu"]},
            "globex": {"jurisdictions": ["us"]},
            "initech": {"jurisdictions": ["*"]},
            "ops": {"jurisdictions": ["*"]},
        },
        "routing": {"deadline_s": 5, "max_attempts": 6, "retries_per_backend": 0, "backoff_base_s": 0.01},
        "backends": [
            be("local_eu", "local", "eu"),
            be("edge_eu", "edge", "eu"),
            be("cloud_eu", "cloud", "eu", price=1.0),
            be("cloud_us", "cloud", "us", price=1.0),
            be("local_us", "local", "us"),
        ],
    }
    for k, v in over.items():
        cfg[k] = v
    return cfg


@pytest.fixture
def make_router(loop_thread: LoopThread, ups: dict[str, FakeUpstream]) -> Iterator[Callable[..., RouterProc]]:
    started: list[RouterProc] = []

    def make(cfg: dict | None = None, **over: Any) -> RouterProc:
        r = RouterProc(loop_thread, cfg if cfg is not None else base_config(ups, **over)).start()
        started.append(r)
        return r

    yield make
    for r in started:
        r.stop()


def wait_until(pred: Callable[[], bool], timeout: float = 5.0) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if pred():
            return True
        time.sleep(0.02)
    return pred()

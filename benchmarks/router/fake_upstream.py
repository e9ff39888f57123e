"""A fast fake OpenAI-compatible upstream for the router benchmark (127.0.0.1 only).

    python benchmarks/router/fake_upstream.py --port 9000

Raw asyncio protocol + httptools on uvloop, HTTP/1.1 keep-alive. Answers
POST /v1/chat/completions (and /chat/completions) with a fixed small completion and token usage;
with `"stream": true` in the body, an SSE stream of a role chunk, three content chunks, a usage
chunk and `[DONE]`, chunked-encoded, one write per event. GET /health and /v1/models answer 200.
A request for model `m1-paced` is answered after `--delay-ms` (default 20), as a stand-in for
a model server's generation time. Nothing is computed per request beyond parsing, so it costs
as little CPU as a Python server can.
"""

from __future__ import annotations

import argparse
import asyncio
import json

import httptools

MODEL = "m1"
COMPLETION = {
    "id": "chatcmpl-bench",
    "object": "chat.completion",
    "created": 1700000000,
    "model": MODEL,
    "choices": [
        {
            "index": 0,
            "message": {"role": "assistant", "content": "Hello from the fake upstream."},
            "finish_reason": "stop",
        }
    ],
    "usage": {"prompt_tokens": 12, "completion_tokens": 7, "total_tokens": 19},
}


def _chunk(delta: dict | None, finish: str | None = None, usage: dict | None = None) -> bytes:
    obj: dict = {
        "id": "chatcmpl-bench",
        "object": "chat.completion.chunk",
        "created": 1700000000,
        "model": MODEL,
        "choices": [] if delta is None else [{"index": 0, "delta": delta, "finish_reason": finish}],
    }
    if usage is not None:
        obj["usage"] = usage
    data = b"data: " + json.dumps(obj, separators=(",", ":")).encode() + b"\n\n"
    return b"%x\r\n%s\r\n" % (len(data), data)


def _response(status: bytes, ctype: bytes, body: bytes) -> bytes:
    return (
        b"HTTP/1.1 " + status + b"\r\ncontent-type: " + ctype
        + b"\r\ncontent-length: " + str(len(body)).encode() + b"\r\n\r\n" + body
    )


CHAT = _response(b"200 OK", b"application/json", json.dumps(COMPLETION, separators=(",", ":")).encode())
MODELS = _response(
    b"200 OK", b"application/json",
    json.dumps({"object": "list", "data": [{"id": MODEL, "object": "model", "owned_by": "bench"}]}).encode(),
)
HEALTH = _response(b"200 OK", b"application/json", b'{"status":"ok"}')
NOT_FOUND = _response(b"404 Not Found", b"application/json", b'{"error":{"message":"not found"}}')
STREAM_HEAD = (
    b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ncache-control: no-cache\r\n"
    b"transfer-encoding: chunked\r\n\r\n"
)
STREAM_EVENTS = [
    _chunk({"role": "assistant", "content": ""}),
    _chunk({"content": "Hello "}),
    _chunk({"content": "from the "}),
    _chunk({"content": "fake upstream."}, finish="stop"),
    _chunk(None, usage={"prompt_tokens": 12, "completion_tokens": 7, "total_tokens": 19}),
    b"e\r\ndata: [DONE]\n\n\r\n",
    b"0\r\n\r\n",
]


DELAY = [0.02]


class Handler(asyncio.Protocol):
    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.parser = httptools.HttpRequestParser(self)
        self.url = b""
        self.body: list[bytes] = []

    def connection_made(self, transport) -> None:
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserError:
            assert self.transport is not None
            self.transport.close()

    def on_url(self, url: bytes) -> None:
        self.url += url

    def on_body(self, body: bytes) -> None:
        self.body.append(body)

    def on_message_complete(self) -> None:
        t = self.transport
        assert t is not None
        url, body = self.url.split(b"?", 1)[0], b"".join(self.body)
        self.url, self.body = b"", []
        method = self.parser.get_method()
        if method == b"POST" and url.endswith(b"/chat/completions"):
            compact = body.replace(b" ", b"")
            stream = b'"stream":true' in compact
            keep = self.parser.should_keep_alive()
            if b'"m1-paced"' in compact:
                asyncio.get_running_loop().call_later(DELAY[0], self.answer_chat, stream, keep)
            else:
                self.answer_chat(stream, keep)
            return
        elif method == b"GET" and url.endswith(b"/models"):
            t.write(MODELS)
        elif method == b"GET" and url in (b"/health", b"/healthz", b"/v1/health"):
            t.write(HEALTH)
        else:
            t.write(NOT_FOUND)
        if not self.parser.should_keep_alive():
            t.close()


    def answer_chat(self, stream: bool, keep: bool) -> None:
        t = self.transport
        if t is None or t.is_closing():
            return
        if stream:
            # One write per event, as a real model server flushes tokens.
            t.write(STREAM_HEAD)
            for ev in STREAM_EVENTS:
                t.write(ev)
        else:
            t.write(CHAT)
        if not keep:
            t.close()


async def serve(host: str, port: int) -> None:
    loop = asyncio.get_running_loop()
    server = await loop.create_server(Handler, host, port, backlog=4096)
    async with server:
        await server.serve_forever()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--delay-ms", type=float, default=20.0, help="answer delay for model m1-paced")
    args = ap.parse_args()
    DELAY[0] = args.delay_ms / 1e3
    if args.host not in ("127.0.0.1", "localhost", "::1"):
        raise SystemExit("loopback only")
    try:
        import uvloop

        asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())
    except ImportError:
        pass
    asyncio.run(serve(args.host, args.port))


if __name__ == "__main__":
    main()

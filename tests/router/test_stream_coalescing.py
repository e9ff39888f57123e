"""Streaming pass-through coalesces what the upstream has already sent, and never waits for more."""

from __future__ import annotations

import asyncio
import socket
import time

import openai
import orjson
import pytest

from .conftest import base_config, free_port

N = 50
MSG = [{"role": "user", "content": "hi"}]
HEAD = b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\n\r\n"


def frame(b: bytes) -> bytes:
    return b"%x\r\n" % len(b) + b + b"\r\n"


def event(i: int) -> bytes:
    obj = {
        "id": "chatcmpl-x",
        "object": "chat.completion.chunk",
        "created": 0,
        "model": "m1",
        "choices": [{"index": 0, "delta": {"content": f"t{i} "}, "finish_reason": None}],
    }
    return b"data: " + orjson.dumps(obj) + b"\n\n"


class RawSSE:
    """A raw upstream: `burst` writes all N events (one chunk each) in a single write; `slow` writes
    the first event, then the rest only once `release` is set (or after 5 s)."""

    def __init__(self) -> None:
        self.mode = "burst"
        self.port = free_port()
        self.release: asyncio.Event | None = None
        self.released_at: float | None = None
        self.server: asyncio.Server | None = None

    async def start(self) -> None:
        self.release = asyncio.Event()
        self.server = await asyncio.start_server(self.handle, "127.0.0.1", self.port)

    async def stop(self) -> None:
        assert self.server is not None
        self.server.close()
        await self.server.wait_closed()

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = 0
                for line in head.split(b"\r\n"):
                    if line.lower().startswith(b"content-length:"):
                        length = int(line.split(b":", 1)[1])
                await reader.readexactly(length)
                rest = (
                    b"".join(frame(event(i)) for i in range(1, N)) + frame(b"data: [DONE]\n\n") + b"0\r\n\r\n"
                )
                if self.mode == "burst":
                    writer.write(HEAD + frame(event(0)) + rest)
                else:
                    writer.write(HEAD + frame(event(0)))
                    await writer.drain()
                    assert self.release is not None
                    try:
                        await asyncio.wait_for(self.release.wait(), 5)
                    except TimeoutError:
                        pass
                    self.released_at = time.monotonic()
                    writer.write(rest)
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()


@pytest.fixture
def raw(loop_thread):
    r = RawSSE()
    loop_thread.run(r.start())
    yield r
    loop_thread.run(r.stop())


def router_on(make_router, ups, raw: RawSSE):
    cfg = base_config(ups)
    b = dict(cfg["backends"][0], name="raw", base_url=f"http://127.0.0.1:{raw.port}/v1")
    cfg["backends"] = [b]
    return make_router(cfg)


def client(r) -> openai.OpenAI:
    return openai.OpenAI(base_url=r.url + "/v1", api_key="eu-key", max_retries=0, timeout=10)


def test_burst_of_events_arrives_whole_and_in_order(make_router, ups, raw):
    r = router_on(make_router, ups, raw)
    for _ in range(3):  # keep-alive reuse of the upstream connection too
        chunks = list(client(r).chat.completions.create(model="m1", messages=MSG, stream=True))
        assert len(chunks) == N
        assert "".join(c.choices[0].delta.content for c in chunks) == "".join(f"t{i} " for i in range(N))


def test_burst_goes_out_in_few_body_writes(make_router, ups, raw):
    """The 50 buffered upstream chunks are sent as a handful of HTTP chunks, not 50."""
    r = router_on(make_router, ups, raw)
    body = orjson.dumps({"model": "m1", "stream": True, "messages": MSG})
    with socket.create_connection(("127.0.0.1", r.port), timeout=5) as s:
        s.sendall(
            b"POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\nauthorization: Bearer eu-key\r\n"
            b"connection: close\r\ncontent-type: application/json\r\ncontent-length: %d\r\n\r\n"
            % len(body)
            + body
        )
        data = b""
        while chunk := s.recv(65536):
            data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200") and b"transfer-encoding: chunked" in head
    frames, payload = 0, b""
    while True:
        size_line, _, rest = rest.partition(b"\r\n")
        size = int(size_line, 16)
        if size == 0:
            break
        payload += rest[:size]
        rest = rest[size + 2 :]
        frames += 1
    assert payload.count(b"data: ") == N + 1 and payload.endswith(b"data: [DONE]\n\n")
    assert frames <= 10, frames


def test_slow_stream_delivers_the_first_event_before_the_next_exists(make_router, ups, raw, loop_thread):
    raw.mode = "slow"
    r = router_on(make_router, ups, raw)
    stream = client(r).chat.completions.create(model="m1", messages=MSG, stream=True)
    it = iter(stream)
    first = next(it)
    assert raw.released_at is None  # the rest has not been written yet
    assert first.choices[0].delta.content == "t0 "
    assert raw.release is not None
    loop_thread.loop.call_soon_threadsafe(raw.release.set)
    rest = list(it)
    assert [c.choices[0].delta.content for c in rest] == [f"t{i} " for i in range(1, N)]

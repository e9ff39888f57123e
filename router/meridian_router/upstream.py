"""A lean pooled HTTP/1.1 client for upstream calls (asyncio protocol + httptools parser).

The hot path's biggest cost was building aiohttp request/response objects; this client writes
one pre-formatted request and parses the answer with httptools, keeping connections alive per
origin. TLS goes through the event loop's SSL transport. Everything the router needs, nothing
more: POST/GET with a body, status, headers, whole-body read, chunk iteration, close.
"""

from __future__ import annotations

import asyncio
import ssl
from collections import deque
from typing import cast
from urllib.parse import urlsplit

import httptools


class UpstreamError(OSError):
    """The connection failed or closed before a complete answer."""


class _Conn(asyncio.Protocol):
    __slots__ = (
        "body_waiter",
        "busy",
        "chunks",
        "closed",
        "complete",
        "headers",
        "headers_done",
        "keep_alive",
        "parser",
        "pool",
        "status",
        "transport",
    )

    def __init__(self, pool: Pool) -> None:
        self.pool = pool
        self.transport: asyncio.Transport | None = None
        self.closed = False
        self.busy = False
        self._reset()

    def _reset(self) -> None:
        self.parser = httptools.HttpResponseParser(self)
        self.status = 0
        self.headers: dict[bytes, bytes] = {}
        self.headers_done: asyncio.Future | None = asyncio.get_running_loop().create_future()
        self.chunks: deque[bytes] = deque()
        self.body_waiter: asyncio.Future | None = None
        self.complete = False
        self.keep_alive = True

    # asyncio.Protocol -------------------------------------------------------------------------
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)  # a stream connection's transport

    def data_received(self, data: bytes) -> None:
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserError as exc:
            self._fail(UpstreamError(f"bad HTTP from upstream: {exc}"))
            self.close()

    def connection_lost(self, exc) -> None:
        self.closed = True
        if self.busy and not self.complete:
            self._fail(UpstreamError("upstream closed the connection"))

    def _fail(self, exc: Exception) -> None:
        if self.headers_done is not None and not self.headers_done.done():
            self.headers_done.set_exception(exc)
        self.complete = True
        self.keep_alive = False
        self.chunks.append(exc)  # type: ignore[arg-type]
        self._wake()

    def _wake(self) -> None:
        w = self.body_waiter
        if w is not None and not w.done():
            w.set_result(None)

    # httptools callbacks --------------------------------------------------------------------------
    def on_header(self, name: bytes, value: bytes) -> None:
        self.headers[name.lower()] = value

    def on_headers_complete(self) -> None:
        self.status = self.parser.get_status_code()
        self.keep_alive = self.parser.should_keep_alive()
        if self.headers_done is not None and not self.headers_done.done():
            self.headers_done.set_result(None)

    def on_body(self, body: bytes) -> None:
        self.chunks.append(body)
        self._wake()

    def on_message_complete(self) -> None:
        self.complete = True
        self._wake()

    def close(self) -> None:
        self.closed = True
        if self.transport is not None:
            self.transport.close()


def _expire(waiter: asyncio.Future) -> None:
    if not waiter.done():
        waiter.set_exception(TimeoutError())


class Response:
    __slots__ = ("_conn", "_released", "headers", "status")

    def __init__(self, conn: _Conn) -> None:
        self._conn = conn
        self.status = conn.status
        self.headers = conn.headers
        self._released = False

    def header(self, name: str) -> str | None:
        v = self.headers.get(name.encode())
        return v.decode("latin-1") if v is not None else None

    async def _next(self) -> bytes | None:
        c = self._conn
        while True:
            if c.chunks:
                item = c.chunks.popleft()
                if isinstance(item, Exception):
                    raise item
                return item
            if c.complete:
                return None
            c.body_waiter = asyncio.get_running_loop().create_future()
            await c.body_waiter
            c.body_waiter = None

    async def read(self) -> bytes:
        parts = []
        while (chunk := await self._next()) is not None:
            parts.append(chunk)
        self.release()
        return parts[0] if len(parts) == 1 else b"".join(parts)

    async def iter_chunks(self, idle_timeout: float):
        """Body chunks as they come. Chunks already buffered are handed out without touching a
        timer; the idle timeout is armed only while actually waiting for the upstream."""
        c = self._conn
        chunks = c.chunks
        loop = asyncio.get_running_loop()
        while True:
            if chunks:
                item = chunks.popleft()
                if isinstance(item, Exception):
                    raise item
                yield item
                continue
            if c.complete:
                self.release()
                return
            waiter = c.body_waiter = loop.create_future()
            timer = loop.call_later(idle_timeout, _expire, waiter)
            try:
                await waiter
            finally:
                timer.cancel()
                c.body_waiter = None

    def take_buffered(self) -> bytes | None:
        """The next chunk if it is already here (never waits); None otherwise. A buffered error
        stays put so the next `iter_chunks` step raises it."""
        chunks = self._conn.chunks
        if chunks and not isinstance(chunks[0], Exception):
            return chunks.popleft()
        return None

    @property
    def finished(self) -> bool:
        """The whole answer has arrived and every chunk has been handed out."""
        c = self._conn
        return c.complete and not c.chunks

    def release(self) -> None:
        """Give the connection back to the pool (if the answer is complete) or close it."""
        if self._released:
            return
        self._released = True
        c = self._conn
        if c.complete and c.keep_alive and not c.closed:
            c.pool.put(c)
        else:
            c.close()
            c.pool.forget(c)

    def close(self) -> None:
        if not self._released:
            self._released = True
            self._conn.close()
            self._conn.pool.forget(self._conn)


class Pool:
    """Keep-alive connections to one origin, at most `limit` at once."""

    def __init__(self, base_url: str, limit: int) -> None:
        u = urlsplit(base_url)
        self.https = u.scheme == "https"
        self.host = u.hostname or "localhost"
        self.port = u.port or (443 if self.https else 80)
        self.host_header = u.netloc.encode()
        self.ssl = ssl.create_default_context() if self.https else None
        self.idle: deque[_Conn] = deque()
        self.sem = asyncio.Semaphore(limit)
        self.open = 0
        self._lines: dict[tuple[bytes, str], bytes] = {}

    async def _connect(self) -> _Conn:
        loop = asyncio.get_running_loop()
        _, conn = await loop.create_connection(
            lambda: _Conn(self),
            self.host,
            self.port,
            ssl=self.ssl,
            server_hostname=self.host if self.ssl else None,
        )
        self.open += 1
        return conn

    def put(self, conn: _Conn) -> None:
        conn.busy = False
        conn._reset()
        self.idle.append(conn)
        self.sem.release()

    def forget(self, conn: _Conn) -> None:
        self.open -= 1
        self.sem.release()

    def _request_line(self, method: bytes, url: str) -> bytes:
        key = (method, url)
        line = self._lines.get(key)
        if line is None:
            u = urlsplit(url)
            target = (u.path or "/") + ("?" + u.query if u.query else "")
            line = method + b" " + target.encode() + b" HTTP/1.1\r\nhost: " + self.host_header
            line += b"\r\ncontent-length: "
            if len(self._lines) < 256:  # a backend has a handful of URLs; stay bounded regardless
                self._lines[key] = line
        return line

    async def request(self, method: bytes, url: str, headers: dict[str, str], body: bytes) -> Response:
        # Request line, headers and body in one bytes object: one transport.write per request.
        fields = "".join(
            [
                f"{k}: {v}\r\n"
                for k, v in headers.items()
                if k != "host" and k != "content-length"  # written first (SigV4 signs the same host)
            ]
        )
        payload = b"".join(
            (
                self._request_line(method, url),
                b"%d\r\n" % len(body),
                fields.encode("latin-1"),
                b"\r\n",
                body,
            )
        )
        await self.sem.acquire()
        for attempt in (0, 1):
            try:
                conn = None
                while self.idle:
                    c = self.idle.pop()
                    if not c.closed:
                        conn = c
                        break
                    self.open -= 1
                reused = conn is not None
                if conn is None:
                    conn = await self._connect()
            except BaseException:
                self.sem.release()
                raise
            conn.busy = True
            assert conn.transport is not None and conn.headers_done is not None
            conn.transport.write(payload)
            try:
                await conn.headers_done
            except UpstreamError:
                conn.close()
                self.open -= 1
                if reused and attempt == 0:
                    continue  # the server dropped an idle keep-alive connection: one fresh try
                self.sem.release()
                raise
            except BaseException:
                conn.close()
                self.forget(conn)
                raise
            return Response(conn)
        raise AssertionError("unreachable")

    async def close(self) -> None:
        while self.idle:
            self.idle.pop().close()

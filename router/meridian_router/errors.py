"""Every error the router returns, in OpenAI's error JSON shape."""

from __future__ import annotations

import orjson


class RouterError(Exception):
    """An error answered to the client: HTTP status, OpenAI `type` and a stable `code`."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        type_: str | None = None,
        headers: dict | None = None,
        param: str | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.type = type_ or _default_type(status)
        self.headers = headers or {}
        self.param = param  # the request field at fault (OpenAI's `param`), when there is one

    def body(self) -> bytes:
        return error_body(self.message, self.type, self.code, self.param)


def _default_type(status: int) -> str:
    if status == 401:
        return "authentication_error"
    if status == 403:
        return "permission_error"
    if status == 404:
        return "not_found_error"
    if status == 429:
        return "rate_limit_error"
    if status < 500:
        return "invalid_request_error"
    return "api_error"


def error_body(message: str, type_: str, code: str, param: str | None = None) -> bytes:
    return orjson.dumps({"error": {"message": message, "type": type_, "param": param, "code": code}})


def bad_request(code: str, message: str) -> RouterError:
    return RouterError(400, code, message)

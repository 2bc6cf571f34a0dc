"""Bounded input before any work (issue #10): a pure ASGI middleware, the first thing a request
meets, that answers without calling the application

* 431 when the header block is larger than `max_header_bytes`;
* 413 when the body is larger than the route's limit: at once when `Content-Length` says so,
  and as soon as a streamed (chunked) body passes it, without reading the rest;
* 422 when an API path or query string holds a NUL or another control character.

Every answer is problem+json in Norwegian. The body limit is `max_body_bytes` except where a
route allows more (`allowances`: the case bundle upload). The check runs before the body is
parsed and before the token is looked at, so an unauthenticated client cannot make the server
hold more than the limit.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote_to_bytes

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.errors import problem_response

_CONTROL = re.compile(rb"[\x00-\x1f\x7f]")


@dataclass(frozen=True)
class Allowance:
    """A route that may receive a larger body than the default: method and path pattern."""

    method: str
    path: re.Pattern[str]
    max_bytes: int


def _mb(size: int) -> str:
    return f"{size / (1024 * 1024):g} MB" if size >= 1024 * 1024 else f"{size // 1024} kB"


class InputLimits:
    def __init__(
        self,
        app: ASGIApp,
        *,
        max_body_bytes: int,
        max_header_bytes: int,
        allowances: Sequence[Allowance] = (),
    ) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.max_header_bytes = max_header_bytes
        self.allowances = tuple(allowances)

    def body_limit(self, method: str, path: str) -> int:
        for allowance in self.allowances:
            if allowance.method == method and allowance.path.fullmatch(path):
                return allowance.max_bytes
        return self.max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers: list[tuple[bytes, bytes]] = scope["headers"]
        if sum(len(name) + len(value) + 4 for name, value in headers) > self.max_header_bytes:
            await _answer(
                scope, receive, send, 431, f"Forespørselens hoder er større enn {_mb(self.max_header_bytes)}."
            )
            return
        if scope["path"].startswith("/v1") and _has_control(scope):
            await _answer(scope, receive, send, 422, "Adressen eller et parameter inneholder kontrolltegn.")
            return
        limit = self.body_limit(scope["method"], scope["path"])
        too_large = f"Forespørselen er større enn {_mb(limit)}."
        length = next((value for name, value in headers if name == b"content-length"), None)
        if length is not None and length.isdigit() and int(length) > limit:  # the server checked its form
            await _answer(scope, receive, send, 413, too_large)
            return
        await _Bounded(self.app, limit, too_large)(scope, receive, send)


class _Bounded:
    """Counts the body as it streams in; past the limit it answers 413 itself, tells the
    application the client has gone, and drops whatever the application answers after that."""

    def __init__(self, app: ASGIApp, limit: int, detail: str) -> None:
        self.app, self.limit, self.detail = app, limit, detail
        self.received = 0
        self.started = False
        self.refused = False

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def bounded_receive() -> Message:
            if self.refused:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                self.received += len(message.get("body", b""))
                if self.received > self.limit:
                    self.refused = True
                    if not self.started:
                        self.started = True
                        await problem_response(413, self.detail, headers={"Connection": "close"})(scope, receive, send)
                    return {"type": "http.disconnect"}
            return message

        async def guarded_send(message: Message) -> None:
            if self.refused:
                return  # the 413 has been sent: the application's answer goes nowhere
            if message["type"] == "http.response.start":
                self.started = True
            await send(message)

        await self.app(scope, bounded_receive, guarded_send)


def _has_control(scope: Scope) -> bool:
    """A NUL or control character in the path or in any query parameter (percent-decoded)."""
    if _CONTROL.search(scope["path"].encode("utf-8", "surrogateescape")):
        return True
    query: bytes = scope.get("query_string", b"")
    return bool(query) and _CONTROL.search(unquote_to_bytes(query.replace(b"+", b" "))) is not None


async def _answer(scope: Scope, receive: Receive, send: Send, status: int, detail: str) -> None:
    headers: dict[str, Any] = {"Connection": "close"} if status in (413, 431) else {}
    await problem_response(status, detail, headers=headers)(scope, receive, send)

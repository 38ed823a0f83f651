"""One line per HTTP request in the `make dev` terminal (an ASGI middleware).

    12:04:31 POST /contacts/import 201 84ms req=01JD3Q...

Method, path, status, milliseconds and the request id the app sets (`X-Request-Id`, the id its
logs and error bodies carry). Only the path is written, never the query string (it may hold
search terms), bodies or headers (tokens), so no personal data reaches the terminal.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any, TextIO

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


def _printable(value: str, limit: int) -> str:
    """`value` cut to `limit` characters with anything unprintable replaced by `?`."""
    return "".join(c if c.isprintable() and not c.isspace() else "?" for c in value[:limit])


class RequestLog:
    """Writes one line per HTTP request to `out` (stdout) when its response has been sent."""

    def __init__(self, app: ASGIApp, out: TextIO | None = None) -> None:
        self.app = app
        self.out = out

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        seen: dict[str, Any] = {"status": 500, "rid": "-"}

        async def watch(message: Message) -> None:
            if message["type"] == "http.response.start":
                seen["status"] = message["status"]
                for name, value in message.get("headers", []):
                    if name.lower() == b"x-request-id":
                        seen["rid"] = value.decode("latin-1")
            await send(message)

        try:
            await self.app(scope, receive, watch)
        finally:
            ms = (time.perf_counter() - started) * 1000
            line = (
                f"{time.strftime('%H:%M:%S')} {scope.get('method', '?')} "
                f"{_printable(scope.get('path', ''), 200)} {seen['status']} {ms:.0f}ms "
                f"req={_printable(seen['rid'], 64)}"
            )
            print(line, file=self.out or sys.stdout, flush=True)

"""The FastAPI application factory every endpoint group uses.

It installs, in one place: request ids (`X-Request-Id`, also on every log line), CORS from
`ALLOWED_ORIGINS`, the request guard (core/guard.py: too-deep JSON, non-UTF-8 bodies and lone
surrogates are a 400 before any route parses them), the exception handlers that turn domain
errors, validation errors, unknown routes and unexpected failures into the one error envelope
(DESIGN.md section 3), the OpenAPI document (core/openapi.py) and its pages, `/docs` and
`/redoc`, served with no internet. A 500 never carries a stack trace: only its request id,
which is in the log line too.

Writing an error never fails, whatever the input it quotes: every string of an error body is
cut to `MAX_ECHO` characters, lone surrogates become U+FFFD, containers are cut to
`MAX_ITEMS` entries and `MAX_NESTING` levels, and values JSON cannot hold become text.
"""

from __future__ import annotations

import json
import math
import re
import uuid
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from fastapi import APIRouter, FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from engage.core import guard
from engage.core.errors import EngageError, RateLimited, ValidationFailed, error_body
from engage.core.observability import logger
from engage.core.openapi import install_openapi, new_app
from engage.core.settings import get_settings

_REQUEST_ID = re.compile(r"^[A-Za-z0-9\-_.:]{8,128}$")
_STATUS_CODES = {
    400: "validation_error",
    401: "unauthorized",
    402: "insufficient_credits",
    403: "forbidden",
    404: "not_found",
    405: "not_found",
    409: "conflict",
    413: "payload_too_large",
    429: "rate_limited",
}
MAX_ECHO = 200
"""Longest string an error body quotes back (characters); longer ones end with an ellipsis."""
MAX_ITEMS = 50
MAX_NESTING = 6
_FALLBACK = json.dumps(error_body("internal_error", "Internal error")).encode()
_BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def printable(value: Any, depth: int = 0) -> Any:
    """`value` made safe to write as UTF-8 JSON: see the module docstring for the rules."""
    if value is None or isinstance(value, bool | int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, str):
        text = value if len(value) <= MAX_ECHO else value[:MAX_ECHO] + "…"
        if text.isascii() or guard.is_unicode(text):
            return text
        return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    if depth >= MAX_NESTING:
        return "…"
    if isinstance(value, dict):
        items = list(value.items())[:MAX_ITEMS]
        return {printable(str(k)): printable(v, depth + 1) for k, v in items}
    if isinstance(value, list | tuple | set | frozenset):
        return [printable(v, depth + 1) for v in list(value)[:MAX_ITEMS]]
    return printable(str(value))


class ErrorResponse(JSONResponse):
    """A JSONResponse for error envelopes whose rendering cannot fail (module docstring)."""

    def render(self, content: Any) -> bytes:
        """UTF-8 JSON of `printable(content)`; a fixed `internal_error` body if even that fails."""
        try:
            return super().render(printable(content))
        except (TypeError, ValueError, RecursionError):
            return _FALLBACK


def _request_id(request: Request) -> str:
    rid: str = getattr(request.state, "request_id", "") or ""
    return rid


def error_response(exc: EngageError, request_id: str) -> ErrorResponse:
    """The error envelope for a domain error: its status, code, message and details, plus the
    rate-limit headers of seed 000 section 6 for a 429 and the challenge of RFC 6750 for a 401."""
    headers = {"X-Request-Id": request_id}
    if exc.status == 401:
        headers["WWW-Authenticate"] = "Bearer"
    if isinstance(exc, RateLimited):
        headers.update(
            {
                "Retry-After": str(exc.retry_after),
                "X-RateLimit-Limit": str(exc.limit),
                "X-RateLimit-Remaining": "0",
                "X-RateLimit-Reset": str(exc.retry_after),
            }
        )
    return ErrorResponse(error_body(exc.code, exc.message, exc.details), exc.status, headers)


def _validation_details(exc: RequestValidationError) -> dict[str, Any]:
    details: dict[str, Any] = {}
    for err in exc.errors():
        loc = [str(p) for p in err.get("loc", ()) if p not in ("body", "query", "path", "header")]
        key = ".".join(loc) or "body"
        details.setdefault(key, err.get("msg", "invalid"))
    return details


def install_error_handlers(app: FastAPI) -> None:
    """Map every exception to the error envelope of DESIGN.md section 3."""

    @app.exception_handler(EngageError)
    async def _engage(request: Request, exc: EngageError) -> Response:
        return error_response(exc, _request_id(request))

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> Response:
        failed = ValidationFailed("Validation failed", _validation_details(exc))
        return error_response(failed, _request_id(request))

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        code = _STATUS_CODES.get(exc.status_code, "internal_error")
        message = {404: "Resource not found", 405: "Resource not found"}.get(
            exc.status_code, str(exc.detail)
        )
        status = 404 if exc.status_code == 405 else exc.status_code
        return ErrorResponse(
            error_body(code, message), status, headers={"X-Request-Id": _request_id(request)}
        )

    @app.exception_handler(Exception)
    async def _crash(request: Request, exc: Exception) -> Response:
        rid = _request_id(request)
        logger.exception("unhandled error", extra={"request_id": rid, "path": request.url.path})
        return ErrorResponse(
            error_body("internal_error", "Internal error", {"requestId": rid}),
            500,
            headers={"X-Request-Id": rid},
        )


class RequestGuard:
    """ASGI middleware: refuses hostile input (core/guard.py) with the 400 envelope before any
    route parses it. A non-form body is read once and replayed to the app unchanged."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Check the path and (for POST/PUT/PATCH/DELETE, forms aside) the body; then pass on."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        try:
            guard.check_path(scope["path"])
            if scope["method"] in _BODY_METHODS and not guard.is_form(
                request.headers.get("content-type", "")
            ):
                body, pending = await _read_body(receive)
                if pending is None:
                    guard.check_body(body)
                receive = _replay(body, pending, receive)
        except EngageError as exc:
            await error_response(exc, _request_id(request))(scope, receive, send)
            return
        await self.app(scope, receive, send)


async def _read_body(receive: Receive) -> tuple[bytes, Message | None]:
    """The whole body, and the message that cut it short (a disconnect) if one did."""
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return b"".join(chunks), message
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks), None


def _replay(body: bytes, pending: Message | None, receive: Receive) -> Receive:
    """A `receive` that hands the app the body already read, then defers to the server."""
    queued: list[Message] = [{"type": "http.request", "body": body, "more_body": False}]
    if pending is not None:
        queued.append(pending)

    async def replay() -> Message:
        return queued.pop(0) if queued else await receive()

    return replay


def create_app(title: str, routers: Sequence[APIRouter]) -> FastAPI:
    """Build one endpoint group's app: routers + request ids + guard + CORS + error handlers,
    its OpenAPI document (bearer scheme, error responses) and offline `/docs` and `/redoc`."""
    settings = get_settings()
    app = new_app(f"Engage {title}")

    app.add_middleware(RequestGuard)

    @app.middleware("http")
    async def _ids(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Any:
        incoming = request.headers.get("x-request-id", "")
        aws_ctx = request.scope.get("aws.context")
        rid = (
            incoming
            if _REQUEST_ID.match(incoming)
            else getattr(aws_ctx, "aws_request_id", None) or uuid.uuid4().hex
        )
        request.state.request_id = rid
        logger.append_keys(request_id=rid)
        response = await call_next(request)
        response.headers["X-Request-Id"] = rid
        for name, value in getattr(request.state, "rate_limit", {}).items():
            response.headers.setdefault(name, value)
        return response

    origins = settings.origins
    if origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=[o for o in origins if "*" not in o],
            allow_origin_regex="|".join(
                re.escape(o).replace(r"\*", r"[A-Za-z0-9-]+") for o in origins if "*" in o
            )
            or None,
            allow_credentials=True,
            allow_methods=["GET", "POST", "PUT", "DELETE", "OPTIONS"],
            allow_headers=[
                "Authorization",
                "Content-Type",
                "Idempotency-Key",
                "X-Request-Id",
                "X-API-Key",  # end users (engage/endusers/deps.py)
                "X-User-Id",
                "X-User-Hash",
            ],
            expose_headers=[
                "X-Request-Id",
                "X-RateLimit-Limit",
                "X-RateLimit-Remaining",
                "X-RateLimit-Reset",
            ],
        )
    install_error_handlers(app)
    for router in routers:
        app.include_router(router)
    install_openapi(app)
    return app

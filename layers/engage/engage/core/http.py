"""The FastAPI application factory every endpoint group uses.

It installs, in one place: request ids (`X-Request-Id`, also on every log line), CORS from
`ALLOWED_ORIGINS`, and the exception handlers that turn domain errors, validation errors,
unknown routes and unexpected failures into the one error envelope (DESIGN.md section 3).
A 500 never carries a stack trace: only its request id, which is in the log line too.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from fastapi import APIRouter, FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from engage.core.errors import EngageError, RateLimited, error_body
from engage.core.observability import logger
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


def _request_id(request: Request) -> str:
    rid: str = getattr(request.state, "request_id", "") or ""
    return rid


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
    async def _engage(request: Request, exc: EngageError) -> JSONResponse:
        headers = {"X-Request-Id": _request_id(request)}
        if isinstance(exc, RateLimited):
            headers.update(
                {
                    "Retry-After": str(exc.retry_after),
                    "X-RateLimit-Limit": str(exc.limit),
                    "X-RateLimit-Remaining": "0",
                    "X-RateLimit-Reset": str(exc.retry_after),
                }
            )
        return JSONResponse(
            error_body(exc.code, exc.message, exc.details), exc.status, headers=headers
        )

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        return JSONResponse(
            error_body("validation_error", "Validation failed", _validation_details(exc)),
            400,
            headers={"X-Request-Id": _request_id(request)},
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = _STATUS_CODES.get(exc.status_code, "internal_error")
        message = {404: "Resource not found", 405: "Resource not found"}.get(
            exc.status_code, str(exc.detail)
        )
        status = 404 if exc.status_code == 405 else exc.status_code
        return JSONResponse(
            error_body(code, message), status, headers={"X-Request-Id": _request_id(request)}
        )

    @app.exception_handler(Exception)
    async def _crash(request: Request, exc: Exception) -> JSONResponse:
        rid = _request_id(request)
        logger.exception("unhandled error", extra={"request_id": rid, "path": request.url.path})
        return JSONResponse(
            error_body("internal_error", "Internal error", {"requestId": rid}),
            500,
            headers={"X-Request-Id": rid},
        )


def create_app(title: str, routers: Sequence[APIRouter]) -> FastAPI:
    """Build one endpoint group's app: routers + request ids + CORS + error handlers."""
    settings = get_settings()
    app = FastAPI(title=f"Engage {title}", version="0.1.0")

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
            allow_headers=["Authorization", "Content-Type", "Idempotency-Key", "X-Request-Id"],
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
    return app

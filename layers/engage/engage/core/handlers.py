"""Lambda entry points, decorated the same way everywhere (STYLE.md rule 6).

Imports are cheap here (STYLE.md rule 7): this module loads neither FastAPI nor Mangum, so a
worker (`worker_handler`) pays for neither at cold start; `http_handler` receives an app that
its API group built already and imports Mangum itself.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from engage.core.observability import logger, metrics, tracer

if TYPE_CHECKING:
    from fastapi import FastAPI

Handler = Callable[[dict[str, Any], Any], Any]


def _decorate(fn: Handler) -> Handler:
    @logger.inject_lambda_context(clear_state=True)
    @tracer.capture_lambda_handler(capture_response=False)
    @metrics.log_metrics
    def handler(event: dict[str, Any], context: Any) -> Any:
        return fn(event, context)

    return handler


def http_handler(app: FastAPI) -> Handler:
    """API Gateway (REST, proxy integration) -> FastAPI through Mangum."""
    from mangum import Mangum

    mangum = Mangum(app, lifespan="off")

    def handle(event: dict[str, Any], context: Any) -> Any:
        # Mangum runs each request with `asyncio.get_event_loop()`, which raises once anything
        # in the process (an `asyncio.run`, a closed test client) has left no current loop.
        _ensure_event_loop()
        return mangum(event, context)

    return _decorate(handle)


def _ensure_event_loop() -> None:
    """Give the main thread a current event loop if it has none (or a closed one)."""
    import asyncio

    try:
        loop = asyncio.get_event_loop()
    except RuntimeError:
        loop = None
    if loop is None or loop.is_closed():
        asyncio.set_event_loop(asyncio.new_event_loop())


def worker_handler(fn: Handler) -> Handler:
    """SQS / Step Functions / Scheduler workers: `fn(event, context)` with the same logging,
    tracing and metrics as the API groups."""
    return _decorate(fn)

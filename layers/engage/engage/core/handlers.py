"""Lambda entry points, decorated the same way everywhere (STYLE.md rule 6)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI

from engage.core.observability import logger, metrics, tracer

Handler = Callable[[dict[str, Any], Any], Any]


def http_handler(app: FastAPI) -> Handler:
    """API Gateway (REST, proxy integration) -> FastAPI through Mangum."""
    from mangum import Mangum

    asgi = Mangum(app, lifespan="off")

    @logger.inject_lambda_context(clear_state=True)
    @tracer.capture_lambda_handler(capture_response=False)
    @metrics.log_metrics
    def handler(event: dict[str, Any], context: Any) -> Any:
        return asgi(event, context)

    return handler


def worker_handler(fn: Handler) -> Handler:
    """SQS / Step Functions / Scheduler workers."""

    @logger.inject_lambda_context(clear_state=True)
    @tracer.capture_lambda_handler(capture_response=False)
    @metrics.log_metrics
    def handler(event: dict[str, Any], context: Any) -> Any:
        return fn(event, context)

    return handler

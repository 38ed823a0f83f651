"""system group (seed 003): health and capabilities, public."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from engage.core.handlers import http_handler
from engage.core.http import create_app
from engage.system.service import capabilities, health

router = APIRouter(tags=["system"])


@router.get("/health")
def get_health() -> JSONResponse:
    """`{status, services: {database, queue}, uptime}`; 503 when a service is down."""
    body, healthy = health()
    return JSONResponse(body, status_code=200 if healthy else 503)


@router.get("/capabilities")
def get_capabilities() -> dict[str, Any]:
    """Channels, features and limits."""
    return capabilities()


app = create_app("system", [router])
handler = http_handler(app)

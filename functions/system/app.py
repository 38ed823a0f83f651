"""system group (seed 003 section 7): health and capabilities, public."""

from __future__ import annotations

from fastapi import APIRouter, Response

from engage.core.handlers import http_handler
from engage.core.http import create_app
from engage.system.schemas import CapabilitiesPublic, HealthPublic
from engage.system.service import capabilities, health

router = APIRouter(tags=["system"])


@router.get(
    "/health",
    response_model=HealthPublic,
    responses={503: {"model": HealthPublic, "description": "a backing service is unavailable"}},
)
def get_health(response: Response) -> HealthPublic:
    """`{status, services: {database, queue}, uptime}`; 503 when a service is down."""
    body, healthy = health()
    response.status_code = 200 if healthy else 503
    return HealthPublic.model_validate(body)


@router.get("/capabilities", response_model=CapabilitiesPublic)
def get_capabilities() -> CapabilitiesPublic:
    """Enabled channels, each channel's provider, features, limits and the version."""
    return CapabilitiesPublic.model_validate(capabilities())


app = create_app("system", [router])
handler = http_handler(app)

"""settings group (seed 004 "Settings Page"; seed 000 section 1)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from engage.core.auth import CurrentPrincipal
from engage.core.envelope import ok
from engage.core.handlers import http_handler
from engage.core.http import create_app
from engage.tenants import service
from engage.tenants.schemas import SettingsUpdate

router = APIRouter(tags=["settings"])


@router.get("/settings")
def get_settings(principal: CurrentPrincipal) -> dict[str, Any]:
    """The tenant's settings."""
    return ok(service.get_settings_of(principal.tenant_id).model_dump())


@router.put("/settings")
def put_settings(body: SettingsUpdate, principal: CurrentPrincipal) -> dict[str, Any]:
    """Change any subset; invalid values are a 400 with details per field."""
    return ok(service.update_settings(principal.tenant_id, body).model_dump())


app = create_app("settings", [router])
handler = http_handler(app)

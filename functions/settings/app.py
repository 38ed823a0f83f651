"""settings group (seed 004 "Settings Page"; seed 000 section 1)."""

from __future__ import annotations

from fastapi import APIRouter

from engage.core.auth import AdminPrincipal, CurrentPrincipal
from engage.core.handlers import http_handler
from engage.core.http import create_app
from engage.core.schemas import Ok
from engage.tenants import service
from engage.tenants.schemas import TenantSettingsPublic, TenantSettingsUpdate

router = APIRouter(tags=["settings"])


@router.get("/settings")
def get_settings(principal: CurrentPrincipal) -> Ok[TenantSettingsPublic]:
    """The tenant's settings."""
    return Ok(data=service.get_settings_of(principal.tenant_id))


@router.put("/settings")
def put_settings(body: TenantSettingsUpdate, principal: AdminPrincipal) -> Ok[TenantSettingsPublic]:
    """Change any subset; invalid values are a 400 with details per field."""
    return Ok(data=service.update_settings(principal.tenant_id, body))


app = create_app("settings", [router])
handler = http_handler(app)

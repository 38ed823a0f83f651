"""automations group (seed 004 "Automations Page"; seed 000 section 2)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from engage.automations import service
from engage.automations.schemas import AutomationCreate, AutomationStatus, AutomationUpdate
from engage.core.auth import CurrentPrincipal
from engage.core.envelope import ok
from engage.core.handlers import http_handler
from engage.core.http import create_app

router = APIRouter(prefix="/automations", tags=["automations"])


@router.get("")
def list_automations(principal: CurrentPrincipal) -> dict[str, Any]:
    """`{automations: [...]}`."""
    return ok(service.list_automations(principal.tenant_id))


@router.post("", status_code=201)
def create_automation(body: AutomationCreate, principal: CurrentPrincipal) -> dict[str, Any]:
    """Store an automation."""
    return ok(service.create(principal.tenant_id, body))


@router.put("/{automation_id}")
def update_automation(
    automation_id: str, body: AutomationUpdate, principal: CurrentPrincipal
) -> dict[str, Any]:
    """Toggle `active` and/or change the message."""
    return ok(service.update(principal.tenant_id, automation_id, body))


@router.put("/{automation_id}/status")
def set_status(
    automation_id: str, body: AutomationStatus, principal: CurrentPrincipal
) -> dict[str, Any]:
    """`{active}` (seed 000 section 2)."""
    return ok(
        service.update(principal.tenant_id, automation_id, AutomationUpdate(active=body.active))
    )


@router.delete("/{automation_id}")
def delete_automation(automation_id: str, principal: CurrentPrincipal) -> dict[str, Any]:
    """Delete."""
    service.delete(principal.tenant_id, automation_id)
    return ok({"id": automation_id, "deleted": True})


app = create_app("automations", [router])
handler = http_handler(app)

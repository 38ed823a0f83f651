"""automations group (seed 004 "Automations Page"; seed 000 section 2)."""

from __future__ import annotations

from fastapi import APIRouter

from engage.automations import service
from engage.automations.schemas import (
    AutomationCreate,
    AutomationListPublic,
    AutomationPublic,
    AutomationStatusUpdate,
    AutomationUpdate,
)
from engage.core.auth import AdminPrincipal, CurrentPrincipal
from engage.core.handlers import http_handler
from engage.core.http import create_app
from engage.core.schemas import Deleted, Ok

router = APIRouter(prefix="/automations", tags=["automations"])


@router.get("")
def list_automations(principal: CurrentPrincipal) -> Ok[AutomationListPublic]:
    """`{automations: [...]}`."""
    return Ok(data=service.list_automations(principal.tenant_id))


@router.post("", status_code=201)
def create_automation(body: AutomationCreate, principal: AdminPrincipal) -> Ok[AutomationPublic]:
    """Store an automation."""
    return Ok(data=service.create(principal.tenant_id, body))


@router.put("/{automation_id}")
def update_automation(
    automation_id: str, body: AutomationUpdate, principal: AdminPrincipal
) -> Ok[AutomationPublic]:
    """Toggle `active` and/or change the message."""
    return Ok(data=service.update(principal.tenant_id, automation_id, body))


@router.put("/{automation_id}/status")
def set_status(
    automation_id: str, body: AutomationStatusUpdate, principal: AdminPrincipal
) -> Ok[AutomationPublic]:
    """`{active}` (seed 000 section 2)."""
    return Ok(
        data=service.update(
            principal.tenant_id, automation_id, AutomationUpdate(active=body.active)
        )
    )


@router.delete("/{automation_id}")
def delete_automation(automation_id: str, principal: AdminPrincipal) -> Ok[Deleted]:
    """Delete."""
    service.delete(principal.tenant_id, automation_id)
    return Ok(data=Deleted(id=automation_id))


app = create_app("automations", [router])
handler = http_handler(app)

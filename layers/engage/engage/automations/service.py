"""Automations: stored, listed, toggled and edited (seed 004; seed 000 section 2).
Firing them on store events is a later issue (README "Not built yet")."""

from __future__ import annotations

from typing import Any

from engage.automations.models import AutomationItem
from engage.automations.schemas import AutomationCreate, AutomationUpdate
from engage.core import clock, ids, keys
from engage.core.errors import NotFound
from engage.core.render import parse_template


def to_public(item: AutomationItem) -> dict[str, Any]:
    """Wire shape."""
    return {
        "id": item.sk,
        "name": item.name,
        "triggerType": item.trigger_type,
        "message": item.message,
        "active": item.active,
        "createdAt": item.created_at,
        "updatedAt": item.updated_at,
    }


def list_automations(tenant_id: str) -> dict[str, Any]:
    """`{automations: [...]}`, oldest first."""
    return {
        "automations": [
            to_public(a) for a in AutomationItem.query(keys.automation_partition(tenant_id))
        ]
    }


def count_active(tenant_id: str) -> int:
    """Number of active automations."""
    active = AutomationItem.active == True  # noqa: E712 (a condition, not a comparison)
    items = AutomationItem.query(keys.automation_partition(tenant_id), filter_condition=active)
    return sum(1 for _ in items)


def _get(tenant_id: str, automation_id: str) -> AutomationItem:
    try:
        return AutomationItem.get(keys.automation_partition(tenant_id), automation_id)
    except AutomationItem.DoesNotExist:
        raise NotFound("Automation not found") from None


def create(tenant_id: str, body: AutomationCreate) -> dict[str, Any]:
    """Store a new automation (its message is validated like a campaign's)."""
    parse_template(body.message, discount="x")
    now = clock.now_iso()
    item = AutomationItem(
        keys.automation_partition(tenant_id),
        ids.new_id(),
        name=body.name,
        trigger_type=body.triggerType,
        message=body.message,
        active=body.active,
        created_at=now,
        updated_at=now,
    )
    item.save()
    return to_public(item)


def update(tenant_id: str, automation_id: str, body: AutomationUpdate) -> dict[str, Any]:
    """Toggle `active` and/or change `message` / `name`."""
    item = _get(tenant_id, automation_id)
    if body.message is not None:
        parse_template(body.message, discount="x")
        item.message = body.message
    if body.active is not None:
        item.active = body.active
    if body.name is not None:
        item.name = body.name
    item.updated_at = clock.now_iso()
    item.save(condition=AutomationItem.pk.exists())
    return to_public(item)


def delete(tenant_id: str, automation_id: str) -> None:
    """Delete an automation."""
    _get(tenant_id, automation_id).delete()

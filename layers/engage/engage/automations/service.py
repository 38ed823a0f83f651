"""Automations: stored, listed, toggled and edited (seed 004; seed 000 section 2).
Firing them on store events is a later issue (README "Not built yet"). Storage is in
`engage.automations.store`."""

from __future__ import annotations

import re

from engage.automations import store
from engage.automations.models import AutomationItem
from engage.automations.schemas import (
    AutomationCreate,
    AutomationListPublic,
    AutomationPublic,
    AutomationUpdate,
)
from engage.core import clock, ids
from engage.core.errors import NotFound
from engage.core.render import parse_template

_ID = re.compile(r"^[0-9A-HJKMNP-TV-Z]{26}$")  # `ids.new_id`


def to_public(item: AutomationItem) -> AutomationPublic:
    """Wire shape."""
    return AutomationPublic.model_validate(
        {
            "id": item.sk,
            "name": item.name,
            "triggerType": item.trigger_type,
            "message": item.message,
            "active": item.active,
            "createdAt": item.created_at,
            "updatedAt": item.updated_at,
        }
    )


def list_automations(tenant_id: str) -> AutomationListPublic:
    """`{automations: [...]}`, oldest first."""
    return AutomationListPublic(automations=[to_public(a) for a in store.all_of(tenant_id)])


def count_active(tenant_id: str) -> int:
    """Number of active automations."""
    return store.count_active(tenant_id)


def _get(tenant_id: str, automation_id: str) -> AutomationItem:
    item = store.get(tenant_id, automation_id) if _ID.match(automation_id) else None
    if item is None:
        raise NotFound("Automation not found")
    return item


def create(tenant_id: str, body: AutomationCreate) -> AutomationPublic:
    """Store a new automation (its message is validated like a campaign's: 400)."""
    parse_template(body.message, discount="x")
    now = clock.now_iso()
    item = store.new_item(
        tenant_id,
        ids.new_id(),
        name=body.name,
        trigger_type=body.trigger_type.value,
        message=body.message,
        active=body.active,
        created_at=now,
        updated_at=now,
    )
    store.put(item)
    return to_public(item)


def update(tenant_id: str, automation_id: str, body: AutomationUpdate) -> AutomationPublic:
    """Toggle `active` and/or change `message` / `name`; NotFound for unknown ids."""
    item = _get(tenant_id, automation_id)
    if body.message is not None:
        parse_template(body.message, discount="x")
        item.message = body.message
    if body.active is not None:
        item.active = body.active
    if body.name is not None:
        item.name = body.name
    item.updated_at = clock.now_iso()
    if not store.put(item, must_exist=True):
        raise NotFound("Automation not found")
    return to_public(item)


def delete(tenant_id: str, automation_id: str) -> None:
    """Delete an automation; NotFound for unknown ids."""
    store.delete(_get(tenant_id, automation_id))

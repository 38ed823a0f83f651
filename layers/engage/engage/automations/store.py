"""Automation storage (`T#<tenantId>#AUTO`): the only automations module that talks to
DynamoDB."""

from __future__ import annotations

from typing import Any

from pynamodb.exceptions import PutError

from engage.automations.models import AutomationItem
from engage.core import keys


def all_of(tenant_id: str) -> list[AutomationItem]:
    """Every automation of the tenant, oldest first (ids are time-ordered)."""
    return list(AutomationItem.query(keys.automation_partition(tenant_id)))


def count_active(tenant_id: str) -> int:
    """Number of active automations (one Query with a filter)."""
    active = AutomationItem.active == True  # noqa: E712 (a condition, not a comparison)
    items = AutomationItem.query(keys.automation_partition(tenant_id), filter_condition=active)
    return sum(1 for _ in items)


def get(tenant_id: str, automation_id: str) -> AutomationItem | None:
    """An automation, or None."""
    try:
        return AutomationItem.get(keys.automation_partition(tenant_id), automation_id)
    except AutomationItem.DoesNotExist:
        return None


def new_item(tenant_id: str, automation_id: str, **fields: Any) -> AutomationItem:
    """An unsaved automation item."""
    return AutomationItem(keys.automation_partition(tenant_id), automation_id, **fields)


def put(item: AutomationItem, *, must_exist: bool = False) -> bool:
    """Write an automation; with `must_exist`, only over an existing one (False if gone)."""
    try:
        item.save(condition=AutomationItem.pk.exists() if must_exist else None)
    except PutError as exc:
        if must_exist and exc.cause_response_code == "ConditionalCheckFailedException":
            return False
        raise
    return True


def delete(item: AutomationItem) -> None:
    """Delete an automation."""
    item.delete()

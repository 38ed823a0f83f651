"""Usage counter storage (models.py): atomic ADDs, reads by period."""

from __future__ import annotations

from typing import Any

from engage.core import keys
from engage.usage.models import UsageItem


def add(tenant_id: str, period: str, deltas: dict[str, int], at: str) -> None:
    """ADD `deltas` (counter name -> amount) to the period's item in one update, creating it
    (with `firstCountedAt` = `at`) when it is the first."""
    actions: list[Any] = [getattr(UsageItem, name).add(n) for name, n in deltas.items() if n]
    actions.append(UsageItem.first_counted_at.set(UsageItem.first_counted_at | at))
    UsageItem(*keys.usage_key(tenant_id, period)).update(actions=actions)


def get(tenant_id: str, period: str) -> UsageItem | None:
    """The period's counters, or None when nothing was counted in it."""
    try:
        return UsageItem.get(*keys.usage_key(tenant_id, period), consistent_read=True)
    except UsageItem.DoesNotExist:
        return None

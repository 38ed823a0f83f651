"""`credits.low`, derived from the table's stream (engage/events/derive.py): a write of the
tenant's item (`T#<t>` / `TENANT`) that takes its `credits` from CREDITS_LOW_THRESHOLD or
more to below it gives `{credits, threshold}`: once per crossing (a top-up above the
threshold and a later fall below it is a new crossing).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from engage.core import keys
from engage.core.settings import get_settings
from engage.events.derive import Derived, StreamChange, iso
from engage.events.envelope import EventType


def _number(value: Any) -> int | None:
    return int(value) if isinstance(value, int | Decimal) else None


def derive_credits_low(change: StreamChange) -> list[Derived]:
    """The `credits.low` event of `change`, if it is one."""
    if change.new is None or change.old is None:
        return []
    try:
        tenant_id = keys.parse_tenant_pk(change.pk)
    except ValueError:
        return []
    if keys.tenant_key(tenant_id) != (change.pk, change.keys.get("SK")):
        return []  # a member, an invitation: not the tenant's own item
    before, after = _number(change.old.get("credits")), _number(change.new.get("credits"))
    threshold = get_settings().credits_low_threshold
    if before is None or after is None or not (after < threshold <= before):
        return []
    data: dict[str, Any] = {"credits": after, "threshold": threshold}
    return [Derived(EventType.CREDITS_LOW, tenant_id, iso(change.at), data)]

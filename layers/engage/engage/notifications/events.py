"""`notification.created`, derived from the table's stream (engage/events/derive.py): the
INSERT of a notification item (`T#<t>#NTF#<memberId>`, not its unread copy) gives `{id,
member_id, type, title, message, data, created_at}`. The realtime fan-out pushes it as a
`notification:new` frame to that member's sockets only (engage/realtime/views.py).
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import JsonValue

from engage.core import keys
from engage.events.derive import Derived, StreamChange
from engage.events.envelope import EventType


def _data(value: Any) -> dict[str, JsonValue]:
    """The item's `data` (a JSONAttribute: stored as a JSON string)."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return {}
    if not isinstance(value, dict):
        return {}
    return {str(k): v if isinstance(v, str) or v is None else str(v) for k, v in value.items()}


def derive_notification_created(change: StreamChange) -> list[Derived]:
    """The `notification.created` event of `change`, if it is one."""
    if change.name != "INSERT" or change.new is None:
        return []
    try:
        tenant_id, member_id = keys.parse_notification_partition(change.pk)
    except ValueError:
        return []
    new = change.new
    created_at = str(new.get("createdAt"))
    data: dict[str, JsonValue] = {
        "id": str(change.keys.get("SK", "")),
        "member_id": member_id,
        "type": str(new.get("type")),
        "title": str(new.get("title")),
        "message": str(new.get("message")),
        "data": _data(new.get("data")),
        "created_at": created_at,
    }
    return [Derived(EventType.NOTIFICATION_CREATED, tenant_id, created_at, data)]

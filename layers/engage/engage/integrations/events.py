"""`channel.status_failed`, derived from the table's stream (engage/events/derive.py): a
channel's configuration item (`T#<t>#CHAN` / `<channel>`) caches its last provider check
(health.py `check`); a write that turns its `health` to `unhealthy` from anything else (a
first check, or a healthy one) gives `{channel, detail, checked_at}`. A check that stays
unhealthy gives nothing more, so a failing channel is reported once until it recovers.
"""

from __future__ import annotations

from pydantic import JsonValue

from engage.core import keys
from engage.events.derive import Derived, StreamChange, iso
from engage.events.envelope import EventType
from engage.integrations.schemas import ChannelHealth

UNHEALTHY = ChannelHealth.UNHEALTHY.value


def derive_channel_status_failed(change: StreamChange) -> list[Derived]:
    """The `channel.status_failed` event of `change`, if it is one."""
    new, old = change.new, change.old or {}
    if new is None or new.get("health") != UNHEALTHY or old.get("health") == UNHEALTHY:
        return []
    try:
        tenant_id = keys.parse_channel_config_partition(change.pk)
    except ValueError:
        return []
    checked = new.get("checkedAt")
    at = checked if isinstance(checked, str) and checked else iso(change.at)
    detail = new.get("healthDetail")
    data: dict[str, JsonValue] = {
        "channel": str(change.keys.get("SK", "")),
        "detail": detail if isinstance(detail, str) else None,
        "checked_at": at,
    }
    return [Derived(EventType.CHANNEL_STATUS_FAILED, tenant_id, at, data)]

"""`video.ended` events, derived from the table's stream (engage/events/derive.py; issue 10
"video": minutes come from the meeting's end).

A video session item (`T#<tenantId>#VS`, video/models.py) gets its `endedAt` in exactly one
write (ending.py `record_end`, conditional), whether the end route or Chime's
`chime:MeetingEnded` event came first. So a stream record whose old image has no `endedAt` and
whose new image has one is one session that ended, and gives one `video.ended`:

`{session_id, conversation_id, contact_id, member_id, provider, started_at, ended_at,
duration_seconds, minutes, ended_by}` (`minutes`: the duration rounded up to whole minutes,
what the video channel's metrics count; `ended_by`: `api` or `event`).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from pydantic import JsonValue

from engage.core import keys
from engage.events.derive import Derived, StreamChange
from engage.events.envelope import EventType
from engage.video.wire import minutes_of


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def derive_video_events(change: StreamChange) -> list[Derived]:
    """One `video.ended` when `change` ended a session; none for other items or changes."""
    try:
        tenant_id = keys.parse_video_session_partition(change.pk)
    except ValueError:
        return []
    new, old = change.new, change.old or {}
    if new is None or new.get("endedAt") is None or old.get("endedAt") is not None:
        return []
    raw = new.get("durationSeconds")
    seconds = int(raw) if isinstance(raw, int | float | Decimal) else 0
    ended_at = str(new["endedAt"])
    data: dict[str, JsonValue] = {
        "session_id": str(change.keys.get("SK", "")),
        "conversation_id": _text(new.get("conversationId")),
        "contact_id": _text(new.get("contactId")),
        "member_id": _text(new.get("memberId")),
        "provider": _text(new.get("provider")),
        "started_at": _text(new.get("startedAt") or new.get("createdAt")),
        "ended_at": ended_at,
        "duration_seconds": seconds,
        "minutes": minutes_of(seconds),
        "ended_by": _text(new.get("endedBy")),
    }
    return [Derived(EventType.VIDEO_ENDED, tenant_id, ended_at, data)]

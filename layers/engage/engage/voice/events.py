"""`call.completed` events, derived from the table's stream (engage/events/derive.py; issue 9
"The event backbone").

A call-queue item (`T#<tenantId>#VQ#<campaignId>`, voice/models.py `CallQueueItem`) records
each placed call in its `calls` log when the call ends (voice/store.py `finish`: one entry
appended in the same write that moves the item on). So every entry that a write appends is one
call that ended, whatever came of it (answered, voicemail, no answer, busy, failed), and gives
one `call.completed`:

`{campaign_id, contact_id, attempt, call_sid, status, outcome, answered_by, talk_seconds,
started_at, ended_at, queue_status, conversation_id}` (`status` is the provider's final call
status, `outcome` voice/models.py `VoiceCallOutcome`, `queue_status` what the queue item
became: `queued` again for a retry, `completed`, `failed`, ...; `conversation_id` the hub
session a session call was placed for, engage/voice/session_calls.py, else null). The phone
number is not in the event (consumers look the contact up by `contact_id`).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from pydantic import JsonValue

from engage.core import keys
from engage.events.derive import Derived, StreamChange, iso
from engage.events.envelope import EventType

_ENTRY_FIELDS = (
    "attempt",
    "call_sid",
    "status",
    "outcome",
    "answered_by",
    "talk_seconds",
    "started_at",
    "ended_at",
)


def _json(value: Any) -> JsonValue:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)


def _calls(image: dict[str, Any] | None) -> list[Any]:
    calls = (image or {}).get("calls")
    return list(calls) if isinstance(calls, list) else []


def derive_call_events(change: StreamChange) -> list[Derived]:
    """One `call.completed` per call-log entry that `change` appended; none for other items."""
    try:
        tenant_id, campaign_id = keys.parse_call_queue_partition(change.pk)
    except ValueError:
        return []
    if change.new is None:
        return []
    before, after = _calls(change.old), _calls(change.new)
    out: list[Derived] = []
    for entry in after[len(before) :]:
        if not isinstance(entry, dict):
            continue
        data: dict[str, JsonValue] = {
            "campaign_id": campaign_id,
            "contact_id": _json(change.new.get("contact_id")),
            **{name: _json(entry.get(name)) for name in _ENTRY_FIELDS},
            "queue_status": _json(change.new.get("status")),
            "conversation_id": _json(change.new.get("conversationId")),
        }
        at = str(entry.get("ended_at") or iso(change.at))
        out.append(Derived(EventType.CALL_COMPLETED, tenant_id, at, data))
    return out

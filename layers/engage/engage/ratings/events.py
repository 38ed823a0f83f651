"""`rating.recorded`, derived from the table's stream (engage/events/derive.py; issue 11
"Analytics"): the INSERT of a session's rating item (ratings/models.py `RatingItem`; a
session has one, written once, so each rating is one event). Nothing else of the rating
partition (the pending request) means an event.

`data`: `{rating_id, session_id, contact_id, channel, agent_id, score, comment, at}`:
`session_id` the conversation id, `agent_id` the session's assignee when it resolved (null:
none), `score` an int 1-5, `comment` text or null, `at` ISO 8601 UTC (when it was recorded;
also the event's `occurred_at`).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from pydantic import JsonValue

from engage.core import keys
from engage.events.derive import Derived, StreamChange
from engage.events.envelope import EventType


def _text(value: Any) -> str | None:
    return str(value) if value is not None else None


def derive_rating_events(change: StreamChange) -> list[Derived]:
    """`rating.recorded` for the INSERT of a rating item; nothing for any other record."""
    if change.name != "INSERT" or change.new is None:
        return []
    try:
        tenant_id, session_id = keys.parse_rating_partition(change.pk)
    except ValueError:
        return []
    if str(change.keys.get("SK", "")) != keys.RATING_SK:
        return []
    new = change.new
    score = new.get("score")
    at = str(new["createdAt"])
    data: dict[str, JsonValue] = {
        "rating_id": str(new["ratingId"]),
        "session_id": session_id,
        "contact_id": str(new["contactId"]),
        "channel": str(new["channel"]),
        "agent_id": _text(new.get("agentId")),
        "score": int(score) if isinstance(score, Decimal | int) else 0,
        "comment": _text(new.get("comment")),
        "at": at,
    }
    return [Derived(EventType.RATING_RECORDED, tenant_id, at, data)]

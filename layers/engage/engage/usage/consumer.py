"""The usage consumer (issue 9 "The event backbone"; `GET /admin/account/usage`): the bus's
`conversation.created`, `message.created` and `contact.created` events -> per-tenant counters of
the event's calendar month (UTC, from `occurred_at`) and of all time (`ALL`).

Idempotent on the event id: the event is claimed first for each counter item
(`events/seen.py`), and a claim is given back if its ADD fails, so a retry counts it once.
`message.created` data carries `sender` (`user` | `agent` | `bot` | `system`) and `private`
(an internal note): every message counts in `messages` and its sender's counter; a private one
also in `private_notes`, a public agent one in `agent_replies`.
"""

from __future__ import annotations

import datetime as dt

from engage.events import seen
from engage.events.envelope import DomainEvent, EventType
from engage.usage import store

CONSUMER = "usage"
ALL_TIME = "ALL"
SENDERS = ("user", "agent", "bot", "system")


def period_of(occurred_at: str) -> str | None:
    """`YYYY-MM` (UTC) of an ISO 8601 time, or None when it is not one."""
    try:
        at = dt.datetime.fromisoformat(occurred_at)
    except ValueError:
        return None
    if at.tzinfo is None:
        at = at.replace(tzinfo=dt.UTC)
    return at.astimezone(dt.UTC).strftime("%Y-%m")


def deltas_of(event: DomainEvent) -> dict[str, int]:
    """The counters an event adds to (empty for events usage does not count)."""
    if event.type is EventType.CONVERSATION_CREATED:
        return {"conversations": 1}
    if event.type is EventType.CONTACT_CREATED:
        return {"contacts": 1}
    if event.type is not EventType.MESSAGE_CREATED:
        return {}
    out = {"messages": 1}
    sender = event.data.get("sender")
    private = event.data.get("private") is True
    if isinstance(sender, str) and sender in SENDERS:
        out[f"messages_{sender}"] = 1
    if private:
        out["private_notes"] = 1
    elif sender == "agent":
        out["agent_replies"] = 1
    return out


def count(event: DomainEvent) -> bool:
    """Count `event` once in its month and once in all time; False when it counts nothing or
    was counted already. Raises what the store raises (the record is then retried)."""
    deltas = deltas_of(event)
    period = period_of(event.occurred_at)
    if not deltas or period is None:
        return False
    counted = False
    # One claim per counter item, so a failure of the second ADD never repeats the first.
    for consumer, target in ((CONSUMER, period), (f"{CONSUMER}-all", ALL_TIME)):
        if not seen.claim(consumer, event.id):
            continue
        try:
            store.add(event.tenant_id, target, deltas, event.occurred_at)
        except Exception:
            seen.release(consumer, event.id)
            raise
        counted = True
    return counted

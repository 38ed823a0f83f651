"""Idempotent consumers (DESIGN.md section 5): a consumer claims an event id once.

`claim` is one conditional put of `EVT#<consumer>#<eventId>` (expires after a day: the bus and
the stream retry for less than that), so a redelivered event is seen as already handled.
"""

from __future__ import annotations

from engage.events.seen_store import delete_claim, put_once


def claim(consumer: str, event_id: str) -> bool:
    """True the first time `consumer` sees `event_id`, False on every later delivery."""
    return put_once(consumer, event_id)


def release(consumer: str, event_id: str) -> None:
    """Give a claim back when handling the event failed after claiming it, so the retry
    handles it (a consumer whose work is not itself idempotent: counters)."""
    delete_claim(consumer, event_id)

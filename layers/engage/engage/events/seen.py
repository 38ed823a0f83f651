"""Idempotent consumers (DESIGN.md section 5): a consumer claims an event id once.

`claim` is one conditional put of `EVT#<consumer>#<eventId>` (expires after a day: the bus and
the stream retry for less than that), so a redelivered event is seen as already handled.
"""

from __future__ import annotations

from collections.abc import Callable

from engage.events.seen_store import delete_claim, put_once


def claim(consumer: str, event_id: str) -> bool:
    """True the first time `consumer` sees `event_id`, False on every later delivery."""
    return put_once(consumer, event_id)


def release(consumer: str, event_id: str) -> None:
    """Give a claim back when handling the event failed after claiming it, so the retry
    handles it (a consumer whose work is not itself idempotent: counters)."""
    delete_claim(consumer, event_id)


def once(consumer: str, event_id: str, write: Callable[[], object]) -> bool:
    """Run `write` once per `event_id` for `consumer`: claim the event, run `write`, and give
    the claim back if `write` raises (the retry then runs it again), so a write that is not
    itself idempotent (an ADD to a counter) counts the event once. False when the event was
    claimed already (nothing run); re-raises what `write` raises."""
    if not claim(consumer, event_id):
        return False
    try:
        write()
    except Exception:
        release(consumer, event_id)
        raise
    return True

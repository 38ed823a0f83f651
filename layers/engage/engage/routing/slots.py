"""Agents' slots, as the rest of the code takes and gives them back (issue 11 "Routing and
agent capacity"): the load item's conditional write (load_store.py) and, after it, the
session's record of it (queue_store.py `slots`), so whoever later sees the session resolve,
unassign or move knows whose slot to release. Imports nothing of conversations, so the
console's `inbox.update` can call it without a cycle."""

from __future__ import annotations

from engage.core import clock
from engage.routing import load_store, queue_store
from engage.routing.load_store import Mode, Taken

MANUAL = "manual"
"""The queue id recorded for a slot taken by a manual assignment (console, hub)."""

__all__ = ["MANUAL", "Mode", "Taken", "release", "take"]


def take(tenant_id: str, user_id: str, conversation_id: str, queue_id: str, mode: Mode) -> Taken:
    """Take (or find already held) a slot of `user_id` for the session; FULL when there is
    no room (nothing changed). See `load_store.take` for what room means per `mode`."""
    outcome = load_store.take(tenant_id, user_id, conversation_id, queue_id, mode)
    if outcome != Taken.FULL:
        queue_store.add_slot(tenant_id, conversation_id, user_id, clock.now_iso())
    return outcome


def release(tenant_id: str, user_id: str, conversation_id: str) -> bool:
    """Give back the session's slot of `user_id`; True if it held one (exactly once: a
    second release finds no holder). Does not drain: `assignment.release` does."""
    released = load_store.release(tenant_id, user_id, conversation_id)
    queue_store.drop_slot(tenant_id, conversation_id, user_id)
    return released

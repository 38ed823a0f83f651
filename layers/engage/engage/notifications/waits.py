"""Waiting high-priority sessions (issue 11 "Notifications": a high-priority session waiting
longer than a threshold, checked on a schedule). No scan: work follows the events.

A session WAITS while it is active (`open` or `pending`), unassigned and of priority `high`
or `urgent`. `track` applies each `conversation.created` / `conversation.updated` event to
the session's wait record (`SessionWaitItem`): when a wait begins (the session was not waiting
before), it records `since` (the event's time) and puts a watch in the global partition of
the minute `since + SESSION_ALERT_WAIT_SECONDS` falls in (now's, if that is past). A change
that keeps it waiting (high -> urgent, open -> pending) keeps `since`; one that ends it
records that (a first record that says "not waiting" too, so an older event delivered late
cannot begin a wait); an update that changes none of status, assignee and priority reads nothing
(most updates are messages and receipts). Events older than the one last applied change
nothing (SQS may deliver out of order). The scheduled checker (alerts.py) reads the due
minutes' watches and alerts once per session per wait, if that same wait still goes on and
the conversation, read again, still waits.
"""

from __future__ import annotations

import datetime as dt

from pydantic import JsonValue

from engage.core import clock
from engage.core.settings import get_settings
from engage.events.envelope import DomainEvent
from engage.notifications import store
from engage.notifications.service import parse_time

ACTIVE_STATUSES = ("open", "pending")
URGENT_PRIORITIES = ("high", "urgent")
WAIT_FIELDS = frozenset({"status", "assignee_id", "priority"})
"""The fields whose change can begin or end a wait (other updates read nothing)."""
ATTEMPTS = 5
KEEP = dt.timedelta(days=2)
"""How long wait records and watches outlive their last change (TTL)."""


def is_waiting(status: object, assignee_id: object, priority: object) -> bool:
    """Whether a session with these fields waits for an agent (see the module docstring)."""
    return status in ACTIVE_STATUSES and not assignee_id and priority in URGENT_PRIORITIES


def _text(value: JsonValue) -> str | None:
    return value if isinstance(value, str) and value else None


def track(event: DomainEvent) -> str | None:
    """Apply a conversation event to its session's wait; returns `since` when this event began
    a wait (and its watch is put), else None. Raises RuntimeError when the record kept
    changing under it (the consumer's retry applies it again)."""
    conversation_id = _text(event.data.get("id"))
    if conversation_id is None:
        return None
    waiting = is_waiting(
        event.data.get("status"), event.data.get("assignee_id"), event.data.get("priority")
    )
    changes = event.data.get("changes")
    if changes is None and not waiting:
        return None  # a new session that does not wait: nothing to record
    if isinstance(changes, list) and not WAIT_FIELDS.intersection(map(str, changes)):
        return None  # a message, a receipt, a label: the wait is as it was (no read)
    at = parse_time(event.occurred_at)
    for _ in range(ATTEMPTS):
        current = store.get_wait(event.tenant_id, conversation_id)
        if current is not None and current.event_id == event.id:  # a retry of this event
            if current.waiting and current.since == event.occurred_at:
                _watch(event.tenant_id, conversation_id, event.occurred_at, at)
                return event.occurred_at
            return None
        if current is not None and parse_time(current.at) > at:
            return None  # an older event
        if current is not None and waiting == current.waiting:
            return None  # no wait began or ended: nothing to record
        since = event.occurred_at if waiting else None
        if store.put_wait(
            event.tenant_id,
            conversation_id,
            waiting=waiting,
            since=since,
            at=event.occurred_at,
            event_id=event.id,
            expected_at=None if current is None else current.at,
            expires_at=int((at + KEEP).timestamp()),
        ):
            if since is not None:
                _watch(event.tenant_id, conversation_id, since, at)
            return since
    raise RuntimeError("the session's wait record kept changing")


def _watch(tenant_id: str, conversation_id: str, since: str, started: dt.datetime) -> None:
    due = started + dt.timedelta(seconds=get_settings().session_alert_wait_seconds)
    bucket = max(due, clock.now())
    expires_at = int((bucket + KEEP).timestamp())
    store.put_watch(tenant_id, conversation_id, since, due, bucket, expires_at)

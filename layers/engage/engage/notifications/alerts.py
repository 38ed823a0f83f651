"""The waiting-session checker (issue 11 "Notifications"; EventBridge schedule, every
minute): the watches of the due minutes (waits.py puts them) -> a `session_alert` for the
tenant's agents, admins and owners, once per session per wait.

Each run reads the global watch partitions of the last LOOKBACK_MINUTES minutes and this one
(one Query each; a missed run is caught up by the next), and for each watch due by now: the
session's wait record (the same wait must still go on) and the conversation itself, read
again (it must still be active, unassigned and high or urgent). Then the alert is written
with an id per (session, wait start, member), so a watch checked twice alerts once; the
watch is deleted after. Requests per run: LOOKBACK_MINUTES + 1 Queries, plus per due watch
two GetItems, the team's `USER#` page(s) and the notifications' writes.
"""

from __future__ import annotations

import datetime as dt

from engage.conversations import store as conversations
from engage.core import clock
from engage.notifications import recipients, service, store, waits
from engage.notifications.schemas import NotificationData, NotificationType

LOOKBACK_MINUTES = 15


def wait_text(seconds: float) -> str:
    """`Customer waiting for 5+ minutes` (seed 003 section 6's example)."""
    if seconds < 120:
        return f"Customer waiting for {int(seconds)}+ seconds"
    return f"Customer waiting for {int(seconds // 60)}+ minutes"


def check_waiting() -> dict[str, int]:
    """Check every watch due by now (see the module docstring): `{checked, alerted}` (watches
    read and deleted; notifications written)."""
    now = clock.now()
    minute = now.replace(second=0, microsecond=0)
    checked = alerted = 0
    for back in range(LOOKBACK_MINUTES, -1, -1):
        for item, (tenant_id, conversation_id, since) in store.watches(
            minute - dt.timedelta(minutes=back)
        ):
            due = service.parse_time(item.due)
            if due > now:
                continue
            alerted += _alert(tenant_id, conversation_id, since, due)
            store.delete_watch(item)
            checked += 1
    return {"checked": checked, "alerted": alerted}


def _alert(tenant_id: str, conversation_id: str, since: str, due: dt.datetime) -> int:
    wait = store.get_wait(tenant_id, conversation_id)
    if wait is None or not wait.waiting or wait.since != since:
        return 0  # that wait ended (a later one has its own watch)
    conversation = conversations.get_conversation(tenant_id, conversation_id)
    if conversation is None or not waits.is_waiting(
        conversation.status, conversation.assignee_id, conversation.priority
    ):
        return 0
    seconds = (due - service.parse_time(since)).total_seconds()
    return service.notify(
        tenant_id,
        recipients.waiting_alert_members(tenant_id),
        NotificationType.SESSION_ALERT,
        "High Priority Session",
        wait_text(seconds),
        source=f"wait/{conversation_id}/{since}",
        at=due,
        data=NotificationData(session_id=conversation_id, channel=str(conversation.channel)),
    )

"""Waiting-session alerts and assignment notices against events as the bus delivers them:
late, repeated, or for a member who is gone (issue 11 "Notifications"). Events are real
`DomainEvent`s published on the bus (engage/events/bus.py) and taken from the template's
`NotifyRule` queue; the threshold runs on the fake clock."""

from __future__ import annotations

import datetime as dt
import uuid

from engage.conversations import inbox
from engage.conversations.schemas import ConversationUpdate
from engage.core import clock
from engage.events import bus
from engage.events.envelope import DomainEvent, EventType
from tests.unit.test_conversations import start
from tests.unit.test_notifications import (  # noqa: F401 (fixtures)
    frozen,
    listed,
    notify_queue,
    run_notify,
    team,
    tick,
)


def conversation_event(
    tenant_id: str, kind: EventType, at: dt.datetime, cid: str, **fields: object
) -> DomainEvent:
    data: dict = {"id": cid, "channel": "chat", "status": "open", "priority": "normal"}
    data.update({"assignee_id": None, **fields})
    return DomainEvent(
        id=str(uuid.uuid4()), type=kind, tenant_id=tenant_id, occurred_at=clock.iso(at), data=data
    )


def test_an_older_event_delivered_late_does_not_start_a_wait(h, team, notify_queue, frozen):  # noqa: F811
    t = team["tenant_id"]
    cid = start(t, "user-1", "Help")
    inbox.update(t, cid, ConversationUpdate(priority="urgent"))
    h.deliver_stream()
    for _ in h._queue_events(notify_queue):  # the stream's own events are not this test's
        pass
    now = clock.now()
    urgent = conversation_event(
        t, EventType.CONVERSATION_UPDATED, now, cid, priority="urgent", changes=["priority"]
    )
    taken = conversation_event(
        t,
        EventType.CONVERSATION_UPDATED,
        now + dt.timedelta(seconds=30),
        cid,
        priority="urgent",
        assignee_id=team["agent"]["x-user-id"],
        changes=["assignee_id"],
    )
    # When the bus delivers the assignment first and the earlier "urgent" event after it
    bus.publish([taken])
    run_notify(h, notify_queue)
    bus.publish([urgent, urgent])
    run_notify(h, notify_queue)
    # Then no wait began: past the threshold there is no alert
    frozen[0] += dt.timedelta(minutes=6)
    assert tick() == {"checked": 0, "alerted": 0}
    assert [n["type"] for n in listed(h, team["agent"])] == ["session_assigned"]
    assert listed(h, team["admin"]) == []


def test_a_wait_event_delivered_twice_alerts_once(h, team, notify_queue, frozen):  # noqa: F811
    t = team["tenant_id"]
    cid = start(t, "user-1", "Help")
    inbox.update(t, cid, ConversationUpdate(priority="high"))
    h.deliver_stream()
    for _ in h._queue_events(notify_queue):
        pass
    urgent = conversation_event(
        t, EventType.CONVERSATION_UPDATED, clock.now(), cid, priority="high", changes=["priority"]
    )
    bus.publish([urgent])
    run_notify(h, notify_queue)
    frozen[0] += dt.timedelta(seconds=30)
    bus.publish([urgent])
    run_notify(h, notify_queue)
    frozen[0] += dt.timedelta(minutes=5)
    assert tick()["alerted"] == 4
    assert tick()["alerted"] == 0
    assert len(listed(h, team["owner"])) == 1


def test_a_member_deactivated_before_the_event_arrives_is_not_notified(h, team, notify_queue):  # noqa: F811
    from engage.auth import store

    t, agent = team["tenant_id"], team["agent"]["x-user-id"]
    cid = start(t, "user-1", "Hello")
    inbox.update(t, cid, ConversationUpdate(assignee_id=agent))
    assert store.update_member(t, agent, active=False)
    run_notify(h, notify_queue)
    from engage.notifications import store as notifications

    items, _ = notifications.list_notifications(t, agent, unread_only=False, limit=10, before=None)
    assert items == []

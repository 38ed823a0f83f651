"""Notifications pushed on the socket (issue 11 "Notifications": pushed on the socket too):
a notification item's INSERT is `notification.created`, which the realtime fan-out sends as
`notification:new` to the sockets of its member only. `@connections` is faked at its port
(engage/realtime/push.py), as tests/unit/test_realtime.py does."""

from __future__ import annotations

from engage.conversations import inbox
from engage.conversations.schemas import ConversationUpdate
from engage.events.envelope import DomainEvent, EventType
from engage.realtime.views import audiences
from tests.unit.test_conversations import start
from tests.unit.test_notifications import auth, listed, notify_queue, run_notify, team  # noqa: F401
from tests.unit.test_realtime import _connect, sockets  # noqa: F401 (fixture)


def _frames(sent: dict, connection_id: str, name: str) -> list[dict]:
    return [f["data"] for f in sent.get(connection_id, []) if f["event"] == name]


def test_a_notification_is_pushed_to_its_member_only(h, team, notify_queue, sockets):  # noqa: F811
    sent, _ = sockets
    t, agent = team["tenant_id"], team["agent"]
    # Given sockets of the agent (two tabs), another agent and the owner
    for connection_id, who in (
        ("c-agent", agent),
        ("c-agent-tab", agent),
        ("c-agent2", team["agent2"]),
        ("c-owner", team["owner"]),
    ):
        assert _connect(connection_id, auth(who)) == 200
    # When a session is assigned to the agent
    cid = start(t, "user-1", "Hello")
    inbox.update(t, cid, ConversationUpdate(assignee_id=agent["x-user-id"]))
    run_notify(h, notify_queue)
    # Then both of the agent's sockets got the notification, as the list shows it
    stored = listed(h, agent)[0]
    for connection_id in ("c-agent", "c-agent-tab"):
        pushed = _frames(sent, connection_id, "notification:new")
        assert len(pushed) == 1, connection_id
        frame = pushed[0]
        assert frame["id"] == stored["id"] and frame["member_id"] == agent["x-user-id"]
        assert frame["type"] == "session_assigned" and frame["created_at"] == stored["created_at"]
        assert frame["data"]["session_id"] == cid
    # and the others' sockets got the session's update, but no notification
    for connection_id in ("c-agent2", "c-owner"):
        assert _frames(sent, connection_id, "conversation:updated")
        assert _frames(sent, connection_id, "notification:new") == [], connection_id


def test_a_notification_event_without_a_member_goes_to_nobody():
    event = DomainEvent(
        id="e1",
        type=EventType.NOTIFICATION_CREATED,
        tenant_id="t1",
        occurred_at="2026-01-01T00:00:00.000Z",
        data={"id": "ntf_x", "type": "credits_low", "title": "t", "message": "m"},
    )
    assert audiences(event) is None

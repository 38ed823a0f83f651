"""Notifications (issue 11 "Notifications"; seed 003 section 6): made from the bus's real
events, per member, once; listed and marked read by their member only.

Events travel as deployed: the table's stream -> EventsStreamFunction -> the bus -> the
template's `NotifyRule` queue -> NotifyFunction; the waiting-session check is
NotifyTickFunction under the fake clock (no sleeps)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from engage.conversations import inbox
from engage.conversations.models import ConversationItem
from engage.conversations.schemas import ConversationUpdate
from engage.core import clock, keys
from tests.conftest import FUNCTIONS, _bus_rule_queue
from tests.unit.test_conversations import start
from tests.unit.test_integrations import dns, tenant_of, twilio  # noqa: F401 (fixtures)
from tests.unit.test_roles import _member


@pytest.fixture
def notify_queue(h):
    return _bus_rule_queue("NotifyRule")


@pytest.fixture
def frozen():
    """A clock the test moves by hand (from ten minutes ago: access tokens are checked
    against the real time)."""
    start_at = dt.datetime.now(dt.UTC).replace(microsecond=0) - dt.timedelta(minutes=10)
    now = [start_at]
    clock.set_clock(lambda: now[0])
    return now


@pytest.fixture
def team(h):
    """A tenant with an owner, an admin, two agents and a viewer: their headers and ids."""
    owner = h.register()
    tenant_id = tenant_of(h, owner)
    me = h.client.get("/auth/me", headers=owner).json()["data"]["user"]["id"]
    people: dict[str, Any] = {"tenant_id": tenant_id, "owner": {**owner, "x-user-id": me}}
    for name, role in (("admin", "admin"), ("agent", "agent"), ("agent2", "agent")):
        people[name] = _member(h, owner, role)
    people["viewer"] = _member(h, owner, "viewer")
    return people


def run_notify(h, queue_url: str) -> list[dict]:
    """Deliver the stream and the realtime fan-out (h.drain), and give the notify queue's
    records to NotifyFunction, until nothing moves; returns the batches given."""
    batches = []
    for _ in range(10):
        h.drain()
        moved = 0
        for batch in h._queue_events(queue_url):
            result = FUNCTIONS["NotifyFunction"].invoke(batch)
            assert not result.get("batchItemFailures"), result
            batches.append(batch)
            moved += 1
        if not moved:
            h.drain()
            return batches
    raise AssertionError("the notify queue did not drain")


def tick() -> dict:
    event = {
        "version": "0",
        "id": "tick",
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": "123456789012",
        "time": clock.now_iso(),
        "region": "us-east-1",
        "resources": [],
        "detail": {},
    }
    return FUNCTIONS["NotifyTickFunction"].invoke(event)


def listed(h, who: dict, **params: Any) -> list[dict]:
    auth = {"Authorization": who["Authorization"]}
    resp = h.client.get("/notifications", headers=auth, params=params)
    assert resp.status_code == 200, resp.text
    return resp.json()["notifications"]


def auth(who: dict) -> dict:
    return {"Authorization": who["Authorization"]}


# -- sources --------------------------------------------------------------------------------------
def test_a_session_assigned_to_an_agent_notifies_that_agent_once(h, team, notify_queue):
    t, agent = team["tenant_id"], team["agent"]
    # Given a chat session
    cid = start(t, "user-1", "Hello")
    run_notify(h, notify_queue)
    # When an admin assigns it to the agent
    inbox.update(t, cid, ConversationUpdate(assignee_id=agent["x-user-id"]))
    batches = run_notify(h, notify_queue)
    # Then the agent has one session_assigned notification linking to the session
    mine = listed(h, agent)
    assert [(n["type"], n["read"]) for n in mine] == [("session_assigned", False)]
    assert mine[0]["data"] == {"session_id": cid, "campaign_id": None, "channel": "chat"}
    assert mine[0]["title"] == "Session assigned to you" and mine[0]["created_at"]
    # and nobody else has one
    for other in ("owner", "admin", "agent2", "viewer"):
        assert listed(h, team[other]) == [], other
    # When the bus delivers the same events again, nothing is written twice
    for batch in batches:
        assert not FUNCTIONS["NotifyFunction"].invoke(batch).get("batchItemFailures")
    assert len(listed(h, agent)) == 1


def test_a_retried_event_whose_claim_was_lost_writes_no_second_notification(h, team, notify_queue):
    from engage.notifications import sources

    t, agent = team["tenant_id"], team["agent"]
    cid = start(t, "user-1", "Hello")
    run_notify(h, notify_queue)
    inbox.update(t, cid, ConversationUpdate(assignee_id=agent["x-user-id"]))
    batches = run_notify(h, notify_queue)
    assert len(listed(h, agent)) == 1
    # Given the consumer's claims are gone (as if it crashed after writing)
    from engage.events import seen
    from engage.events.consumer import BusEventRecord

    for batch in batches:
        for record in batch["Records"]:
            seen.release(sources.CONSUMER, BusEventRecord.model_validate(record).body.detail["id"])
    # When the events are delivered again
    for batch in batches:
        assert not FUNCTIONS["NotifyFunction"].invoke(batch).get("batchItemFailures")
    # Then the deterministic ids keep one notification (and one unread)
    assert len(listed(h, agent)) == 1 and len(listed(h, agent, unread_only=True)) == 1


def test_a_transfer_notifies_the_sessions_assignee(h, team, notify_queue):
    t, agent = team["tenant_id"], team["agent"]
    cid = start(t, "user-1", "Hello")
    inbox.update(t, cid, ConversationUpdate(assignee_id=agent["x-user-id"]))
    run_notify(h, notify_queue)
    # When the session moves to WhatsApp (a transfer changes the conversation's channel)
    item = ConversationItem.get(*keys.conversation_key(t, cid))
    item.update(
        actions=[
            ConversationItem.channel.set("whatsapp"),
            ConversationItem.updated_at.set(clock.now_iso()),
        ]
    )
    run_notify(h, notify_queue)
    # Then its agent is told, newest first, and the agent2 is not
    types = [n["type"] for n in listed(h, agent)]
    assert types == ["session_transfer", "session_assigned"]
    transfer = listed(h, agent)[0]
    assert transfer["data"]["channel"] == "whatsapp" and transfer["data"]["session_id"] == cid
    assert listed(h, team["agent2"]) == []


def test_a_high_priority_session_waiting_past_the_threshold_alerts_the_team_once(
    h, team, notify_queue, frozen
):
    t = team["tenant_id"]
    # Given an unassigned session made urgent
    cid = start(t, "user-1", "My order never came")
    inbox.update(t, cid, ConversationUpdate(priority="urgent"))
    run_notify(h, notify_queue)
    # When 4 minutes 59 seconds pass, no alert yet
    frozen[0] += dt.timedelta(seconds=299)
    assert tick()["alerted"] == 0
    run_notify(h, notify_queue)
    assert listed(h, team["agent"]) == []
    # When the 5 minutes have passed
    frozen[0] += dt.timedelta(seconds=2)
    assert tick() == {"checked": 1, "alerted": 4}
    run_notify(h, notify_queue)
    # Then every agent, admin and owner has one session_alert, the viewer none
    for who in ("owner", "admin", "agent", "agent2"):
        alerts = listed(h, team[who])
        assert [(n["type"], n["title"]) for n in alerts] == [
            ("session_alert", "High Priority Session")
        ], who
        assert alerts[0]["message"] == "Customer waiting for 5+ minutes"
        assert alerts[0]["data"]["session_id"] == cid
    assert listed(h, team["viewer"]) == []
    # And later checks alert no more for the same wait
    frozen[0] += dt.timedelta(minutes=2)
    assert tick()["alerted"] == 0
    assert len(listed(h, team["agent"])) == 1


def test_a_waiting_alert_goes_to_the_online_agents_and_the_leads(h, team, notify_queue, frozen):
    t = team["tenant_id"]
    # Given one agent online and the other not (presence: PUT /agents/me/presence)
    online = h.client.put(
        "/agents/me/presence", headers=team["agent2"], json={"status": "online"}
    )
    assert online.status_code == 200, online.text
    # And an unassigned urgent session waiting past the threshold
    cid = start(t, "user-1", "Still waiting")
    inbox.update(t, cid, ConversationUpdate(priority="urgent"))
    run_notify(h, notify_queue)
    frozen[0] += dt.timedelta(seconds=301)
    # Then the online agent, the admin and the owner are alerted; the offline agent is not
    assert tick() == {"checked": 1, "alerted": 3}
    run_notify(h, notify_queue)
    for who in ("owner", "admin", "agent2"):
        assert [n["type"] for n in listed(h, team[who])] == ["session_alert"], who
    assert listed(h, team["agent"]) == []


def test_a_session_assigned_before_the_threshold_raises_no_alert(h, team, notify_queue, frozen):
    t = team["tenant_id"]
    cid = start(t, "user-1", "Help")
    inbox.update(t, cid, ConversationUpdate(priority="high"))
    run_notify(h, notify_queue)
    frozen[0] += dt.timedelta(minutes=3)
    inbox.update(t, cid, ConversationUpdate(assignee_id=team["agent"]["x-user-id"]))
    run_notify(h, notify_queue)
    frozen[0] += dt.timedelta(minutes=3)
    assert tick() == {"checked": 1, "alerted": 0}
    assert [n["type"] for n in listed(h, team["agent"])] == ["session_assigned"]
    assert listed(h, team["admin"]) == []


def test_a_session_that_waits_again_is_a_new_wait_with_its_own_alert(h, team, notify_queue, frozen):
    t = team["tenant_id"]
    cid = start(t, "user-1", "Help")
    inbox.update(t, cid, ConversationUpdate(priority="high"))
    run_notify(h, notify_queue)
    # high -> urgent keeps the same wait: one alert at 5 minutes from the start
    frozen[0] += dt.timedelta(minutes=2)
    inbox.update(t, cid, ConversationUpdate(priority="urgent"))
    run_notify(h, notify_queue)
    frozen[0] += dt.timedelta(minutes=3, seconds=1)
    assert tick()["alerted"] == 4
    # assigned, then unassigned again: a new wait, alerted 5 minutes later
    agent = team["agent"]["x-user-id"]
    inbox.update(t, cid, ConversationUpdate(assignee_id=agent))
    run_notify(h, notify_queue)
    frozen[0] += dt.timedelta(seconds=1)
    from engage.conversations import store as conversations

    item = conversations.get_conversation(t, cid)
    assert item is not None
    item.update(
        actions=[
            ConversationItem.assignee_id.remove(),
            ConversationItem.updated_at.set(clock.now_iso()),
        ]
    )
    run_notify(h, notify_queue)
    frozen[0] += dt.timedelta(minutes=5, seconds=1)
    assert tick()["alerted"] == 4
    alerts = [n for n in listed(h, team["admin"]) if n["type"] == "session_alert"]
    assert len(alerts) == 2


def test_a_failing_channel_check_notifies_admins_and_owners_once(h, team, notify_queue, twilio):  # noqa: F811
    from tests.unit.test_integrations import configure_sms

    owner = team["owner"]
    # Given SMS configured with a credential Twilio refuses
    configure_sms(h, auth(owner), token="wrong-token-00000000")
    # When its status is checked (the check is cached on the channel's item)
    status = h.client.get("/channels/sms/status", headers=auth(owner)).json()
    assert status["health"] == "unhealthy"
    run_notify(h, notify_queue)
    # Then the owner and the admin have one channel_alert, agents none
    for who in ("owner", "admin"):
        alerts = listed(h, team[who])
        assert [n["type"] for n in alerts] == ["channel_alert"], who
        assert alerts[0]["data"]["channel"] == "sms" and "401" in alerts[0]["message"]
    assert listed(h, team["agent"]) == []


def test_a_finished_campaign_notifies_admins_and_owners(h, team, notify_queue):
    owner = auth(team["owner"])
    for i in range(2):
        h.contact(owner, f"+1201555{300 + i:04d}")
    c = h.campaign(owner, name="Spring sale")
    assert h.client.post(f"/campaigns/{c['id']}/enqueue", headers=owner).status_code == 200
    h.send_all()
    run_notify(h, notify_queue)
    for who in ("owner", "admin"):
        done = [n for n in listed(h, team[who]) if n["type"] == "campaign_finished"]
        assert len(done) == 1, who
        assert done[0]["data"]["campaign_id"] == c["id"]
        assert done[0]["message"] == "“Spring sale” finished: 2 sent, 0 failed, 0 skipped"
    assert listed(h, team["agent"]) == []


def test_credits_falling_below_the_threshold_notify_once_per_crossing(h, team, notify_queue):
    from engage.tenants import service as tenants

    t = team["tenant_id"]
    # Given 1,000 credits; when 950 are spent, the balance crosses below 100 once
    tenants.debit_credits(t, 950)
    tenants.debit_credits(t, 10)
    run_notify(h, notify_queue)
    low = listed(h, team["owner"])
    assert [(n["type"], n["message"]) for n in low] == [
        ("credits_low", "50 credits left (below 100)")
    ]
    assert [n["type"] for n in listed(h, team["admin"])] == ["credits_low"]
    # When topped up above and spent below again, that is a second crossing
    tenants.add_counters(t, credits=500)
    tenants.debit_credits(t, 500)
    run_notify(h, notify_queue)
    assert [n["type"] for n in listed(h, team["owner"])] == ["credits_low", "credits_low"]
    assert listed(h, team["agent"]) == []


# -- routes ---------------------------------------------------------------------------------------
def _three_for_agent(h, team, notify_queue) -> list[str]:
    t, agent = team["tenant_id"], team["agent"]["x-user-id"]
    for i in range(3):
        cid = start(t, f"user-{i}", "Hello")
        inbox.update(t, cid, ConversationUpdate(assignee_id=agent))
    run_notify(h, notify_queue)
    return [n["id"] for n in listed(h, team["agent"])]


def test_marking_read_takes_it_out_of_unread_only_and_is_idempotent(h, team, notify_queue):
    agent = team["agent"]
    ids = _three_for_agent(h, team, notify_queue)
    assert len(ids) == 3 and len(listed(h, agent, unread_only="true")) == 3
    # When the agent marks the newest read, twice
    for _ in range(2):
        resp = h.client.put(f"/notifications/{ids[0]}/read", headers=auth(agent))
        assert resp.status_code == 200, resp.text
        assert resp.json() == {"success": True, "notification_id": ids[0]}
    # Then it is read in the list and absent from the unread ones
    assert [n["read"] for n in listed(h, agent)] == [True, False, False]
    assert [n["id"] for n in listed(h, agent, unread_only="true")] == ids[1:]


def test_another_members_or_tenants_notification_is_a_404(h, team, notify_queue):
    ids = _three_for_agent(h, team, notify_queue)
    stranger = h.register(email="other@shop.test", tenant="Other")
    for who in (auth(team["agent2"]), auth(team["owner"]), stranger):
        resp = h.client.put(f"/notifications/{ids[0]}/read", headers=who)
        assert resp.status_code == 404 and resp.json()["error"] == "not_found"
    assert h.client.put("/notifications/nope/read", headers=auth(team["agent"])).status_code == 404
    assert all(not n["read"] for n in listed(h, team["agent"]))


def test_the_list_pages_newest_first_with_a_cursor(h, team, notify_queue):
    agent = team["agent"]
    ids = _three_for_agent(h, team, notify_queue)
    created = [n["created_at"] for n in listed(h, agent)]
    assert created == sorted(created, reverse=True)
    first = h.client.get("/notifications", headers=auth(agent), params={"limit": 2}).json()
    assert [n["id"] for n in first["notifications"]] == ids[:2] and first["next_cursor"]
    rest = h.client.get(
        "/notifications", headers=auth(agent), params={"limit": 2, "cursor": first["next_cursor"]}
    ).json()
    assert [n["id"] for n in rest["notifications"]] == ids[2:] and rest["next_cursor"] is None
    for bad in ({"limit": 101}, {"limit": 0}, {"cursor": "x#y"}):
        resp = h.client.get("/notifications", headers=auth(agent), params=bad)
        assert resp.status_code == 400, bad


def test_a_new_member_has_no_notifications(h):
    owner = h.register()
    assert h.client.get("/notifications", headers=owner).json() == {
        "notifications": [],
        "next_cursor": None,
    }

"""Assignment as the deployed pieces run it (issue 11): the bus's conversation events through
AssignmentFunction (rules stubbed: the rule language is built beside this engine), replayed
events, the one-minute sweep healing what a crash left, drains interleaved with each other
and with manual assignments, presence from sockets, and the rule actions other than groups."""

from __future__ import annotations

import pytest

from engage.conversations import inbox, store
from engage.conversations.schemas import ConversationUpdate
from engage.core import clock
from engage.routing import assignment, consumer, groups, load_store, queue_store, slots, sweep
from engage.routing.facts import ActionKind, RuleAction
from engage.routing.group_schemas import Presence
from tests.conftest import FUNCTIONS, _bus_rule_queue
from tests.unit.assignment_helpers import (
    FakeClock,
    assignee,
    group,
    member,
    online,
    open_count,
    resolve,
    route,
    session,
    tenant_of,
)


@pytest.fixture
def team(h):
    fake = FakeClock()
    clock.set_clock(fake)
    headers = h.register()
    t, owner = tenant_of(h, headers)
    return {"t": t, "owner": owner, "clock": fake, "headers": headers}


@pytest.fixture
def bus(h, monkeypatch):
    """The assignment rule's queue, and a rule table: every session goes to `rules["to"]`."""
    rules: dict[str, RuleAction | None] = {"to": None}
    monkeypatch.setattr(consumer, "_rules", lambda: lambda tenant_id, facts: rules["to"])
    return {"url": _bus_rule_queue("AssignmentRule"), "rules": rules, "batches": []}


def deliver(h, bus) -> int:
    """The stream to the bus, then the assignment queue's records to AssignmentFunction (kept
    in `bus["batches"]`, to replay them)."""
    h.deliver_stream()
    records = 0
    for batch in h._queue_events(bus["url"]):
        bus["batches"].append(batch)
        result = FUNCTIONS["AssignmentFunction"].invoke(batch)
        assert not result.get("batchItemFailures"), result
        records += len(batch["Records"])
    return records


def test_sessions_routed_by_rules_are_assigned_and_refilled_through_the_bus(h, team, bus):
    # Given a group with one agent of capacity 1 and a rule that sends every session to it
    t = team["t"]
    a = member(t)
    g = group(t, "support", {a: 1})
    online(t, a)
    bus["rules"]["to"] = RuleAction(ActionKind.ASSIGN_TO_AGENT_GROUP, "Support")  # by name
    # When two sessions start
    first = session(t)
    team["clock"].tick()
    second = session(t)
    deliver(h, bus)
    # Then the first is assigned, the second waits
    assert (assignee(t, first), assignee(t, second)) == (a, None)
    assert groups.list_groups(t).groups[0].waiting == 1
    # When the agent resolves the first in the console, the second is assigned
    resp = h.client.put(
        f"/admin/api/conversations/{first}", headers=team["headers"], json={"status": "resolved"}
    )
    assert resp.status_code == 200, resp.text
    deliver(h, bus)
    assert assignee(t, second) == a and open_count(t, a) == 1
    assert g == groups.list_groups(t).groups[0].id


def test_a_replayed_event_changes_nothing(h, team, bus):
    t = team["t"]
    a = member(t)
    group(t, "support", {a: 2})
    online(t, a)
    bus["rules"]["to"] = RuleAction(ActionKind.ASSIGN_TO_AGENT_GROUP, "support")
    held = session(t)
    deliver(h, bus)
    inbox.update(t, held, ConversationUpdate(status="resolved"))
    deliver(h, bus)
    assert open_count(t, a) == 0
    # When every batch the consumer saw is delivered again (SQS redelivery)
    for batch in list(bus["batches"]):
        result = FUNCTIONS["AssignmentFunction"].invoke(batch)
        assert not result.get("batchItemFailures")
    # Then no slot was taken or released twice
    assert open_count(t, a) == 0
    second = session(t)
    deliver(h, bus)
    assert assignee(t, second) == a and open_count(t, a) == 1


def test_a_session_no_rule_matches_stays_unassigned(h, team, bus):
    t = team["t"]
    cid = session(t)
    deliver(h, bus)
    assert assignee(t, cid) is None


def test_the_sweep_frees_a_slot_a_crashed_drain_left_and_assigns_the_queue(h, team):
    # Given a drain that died after taking the agent's only slot, before the conversation
    t = team["t"]
    a = member(t)
    g = group(t, "support", {a: 1})
    online(t, a)
    lost = session(t)
    slots.take(t, a, lost, g, slots.Mode.GROUP)
    waiting = session(t)
    route(t, waiting, g)
    assert assignee(t, waiting) is None and open_count(t, a) == 1
    # When the sweep runs within the grace period, it leaves the slot (it may be in flight)
    sweep.sweep()
    assert assignee(t, waiting) is None
    # When it runs after the grace period, the slot is freed and the waiting session assigned
    team["clock"].tick(120)
    report = sweep.sweep()
    assert report.slots_released == 1 and report.assigned == 1
    assert assignee(t, waiting) == a and open_count(t, a) == 1


def test_the_sweep_drains_a_queue_whose_drainer_died(h, team):
    t = team["t"]
    a = member(t)
    g = group(t, "support", {a: 1})
    cid = session(t)
    route(t, cid, g)  # waits: a is offline
    assert queue_store.take_lease(t, g, "dead-drainer", 60)[0]  # a drainer dies holding it
    online(t, a)  # a's drain finds the lease taken, marks the queue dirty and leaves
    assert assignee(t, cid) is None
    team["clock"].tick(61)
    sweep.sweep()
    assert assignee(t, cid) == a


def test_two_drains_at_once_never_double_assign_or_overfill(h, team, monkeypatch):
    # Given two agents with one slot each and three waiting sessions
    t = team["t"]
    a, b = member(t), member(t)
    g = group(t, "support", {a: 1, b: 1})
    waiting = [session(t) for _ in range(3)]
    for cid in waiting:
        team["clock"].tick()
        route(t, cid, g)
    # When a drain runs another drain (and a manual assignment) in the middle of taking a slot
    real_take = slots.take
    nested = {"done": False}

    def interleaved(tenant_id, user_id, conversation_id, queue_id, mode):
        if not nested["done"]:
            nested["done"] = True
            assignment.drain(tenant_id, g)  # the lease is held: it marks the queue and leaves
            extra = session(tenant_id)
            inbox.update(tenant_id, extra, ConversationUpdate(assignee_id=b))  # takes b's slot
        return real_take(tenant_id, user_id, conversation_id, queue_id, mode)

    monkeypatch.setattr(slots, "take", interleaved)
    online(t, a, b)
    # Then nobody is over capacity, each session has one agent, the oldest was served first
    assert (open_count(t, a), open_count(t, b)) == (1, 1)
    assert [assignee(t, c) for c in waiting] == [a, None, None]
    assert groups.list_groups(t).groups[0].waiting == 2


def test_a_release_happens_once_however_often_the_resolve_is_settled(h, team):
    t = team["t"]
    a = member(t)
    g = group(t, "support", {a: 2})
    online(t, a)
    first, second = session(t), session(t)
    route(t, first, g)
    route(t, second, g)
    inbox.update(t, first, ConversationUpdate(status="resolved"))
    for _ in range(3):
        assignment.settle(t, first)
    assert open_count(t, a) == 1
    assert not slots.release(t, a, first)


def test_another_tenants_group_is_404_and_not_listed(h, team):
    t = team["t"]
    g = group(t, "support", {member(t): 2})
    other = h.register("other@shop.test", "Other")
    for method in ("put", "delete"):
        resp = h.client.request(method, f"/routing/groups/{g}", headers=other, json={})
        assert resp.status_code == 404, resp.text
    assert h.client.get("/routing/groups", headers=other).json() == {"groups": []}
    # and a rule of the other tenant naming this group's id routes nothing
    ot, _ = tenant_of(h, other)
    cid = session(ot)
    route(ot, cid, g)
    assert assignee(ot, cid) is None


def test_group_routes_shapes_and_validation(h, team):
    t, headers = team["t"], team["headers"]
    a, viewer = member(t), member(t, "viewer")
    resp = h.client.post(
        "/routing/groups",
        headers=headers,
        json={"name": "VIP", "members": [{"user_id": a, "capacity": 3}]},
    )
    assert resp.status_code == 201, resp.text
    body = resp.json()
    assert body["name"] == "VIP" and body["waiting"] == 0 and body["created_at"]
    assert body["members"] == [
        {"user_id": a, "capacity": 3, "presence": "offline", "open_sessions": 0}
    ]
    bad = [
        {"name": "x", "members": [{"user_id": a, "capacity": 0}]},
        {"name": "x", "members": [{"user_id": a, "capacity": 101}]},
        {"name": "x", "members": [{"user_id": viewer, "capacity": 1}]},
        {"name": "x", "members": [{"user_id": "nobody", "capacity": 1}]},
        {"name": "", "members": []},
    ]
    for payload in bad:
        resp = h.client.post("/routing/groups", headers=headers, json=payload)
        assert resp.status_code == 400, (payload, resp.text)
    dup = h.client.post("/routing/groups", headers=headers, json={"name": "vip"})
    assert dup.status_code == 409
    renamed = h.client.put(f"/routing/groups/{body['id']}", headers=headers, json={"name": "Gold"})
    assert renamed.status_code == 200 and renamed.json()["name"] == "Gold"
    assert (
        h.client.post("/routing/groups", headers=headers, json={"name": "VIP"}).status_code == 201
    )
    deleted = h.client.delete(f"/routing/groups/{body['id']}", headers=headers)
    assert deleted.json() == {"id": body["id"], "deleted": True}
    assert h.client.get("/routing/groups", headers=headers).json()["groups"][0]["name"] == "VIP"


def test_presence_route_and_roles(h, team):
    headers = team["headers"]
    resp = h.client.put("/agents/me/presence", headers=headers, json={"status": "away"})
    assert resp.status_code == 200, resp.text
    assert resp.json()["user_id"] == team["owner"] and resp.json()["status"] == "away"
    assert resp.json()["updated_at"]
    bad = h.client.put("/agents/me/presence", headers=headers, json={"status": "busy"})
    assert bad.status_code == 400


def test_presence_follows_the_agents_sockets_unless_they_chose_away(h, team):
    from engage.realtime import service as realtime

    t, owner = team["t"], team["owner"]
    g = group(t, "support", {owner: 1})
    cid = session(t)
    route(t, cid, g)
    token = team["headers"]["Authorization"].split()[1]
    # When the agent's console opens two sockets, they are online and take the waiting session
    realtime.connect("conn-1", {"access_token": token})
    realtime.connect("conn-2", {"access_token": token})
    assert load_store.get(t, owner).presence == "online"
    assert assignee(t, cid) == owner
    # When one closes they stay online; when the last closes they are offline
    realtime.disconnect("conn-1")
    assert load_store.get(t, owner).presence == "online"
    realtime.disconnect("conn-2")
    assert load_store.get(t, owner).presence == "offline"
    # A chosen away survives sockets
    groups.set_presence(t, owner, Presence.AWAY)
    realtime.connect("conn-3", {"access_token": token})
    assert load_store.get(t, owner).presence == "away"


def test_assign_to_agent_waits_for_that_agent_when_they_are_full(h, team):
    t = team["t"]
    a = member(t)
    group(t, "support", {a: 1})
    first, second = session(t), session(t)
    action = RuleAction(ActionKind.ASSIGN_TO_AGENT, a)
    consumer.apply_action(t, first, action, ref="e1")
    team["clock"].tick()
    consumer.apply_action(t, second, action, ref="e2")
    assert (assignee(t, first), assignee(t, second)) == (a, None)
    resolve(t, first)
    assert assignee(t, second) == a


def test_set_priority_and_auto_reply_actions(h, team):
    t = team["t"]
    cid = session(t)
    consumer.apply_action(t, cid, RuleAction(ActionKind.SET_PRIORITY, "urgent"), ref="e1")
    assert inbox.get(t, cid).priority == "urgent"
    reply = RuleAction(ActionKind.AUTO_REPLY, "welcome")
    consumer.apply_action(t, cid, reply, ref="e2")
    consumer.apply_action(t, cid, reply, ref="e2")  # the same event again
    bot = [m for m in inbox.list_messages(t, cid, None, None, 50).data if m.sender == "bot"]
    assert len(bot) == 1 and bot[0].content.startswith("Welcome there!")


def test_a_transfer_reruns_the_rules_and_moves_a_waiting_session(h, team):
    # Given a session waiting in a full group, and an assigned one
    t = team["t"]
    a, b = member(t), member(t)
    ga = group(t, "chat", {a: 1})
    gb = group(t, "whatsapp", {b: 1})
    online(t, a, b)
    held = session(t)
    route(t, held, ga)
    team["clock"].tick()
    cid = session(t)
    route(t, cid, ga)
    assert (assignee(t, held), assignee(t, cid)) == (a, None)
    # When both move to WhatsApp and the rules now send WhatsApp sessions to the other group
    from engage.events.envelope import DomainEvent, EventType

    action = RuleAction(ActionKind.ASSIGN_TO_AGENT_GROUP, gb)
    for moved in (cid, held):
        conv = store.get_conversation(t, moved)
        store.update_conversation(conv, set_={"channel": "whatsapp"})
        event = DomainEvent(
            id=f"transfer-{moved}",
            type=EventType.CONVERSATION_UPDATED,
            tenant_id=t,
            occurred_at=clock.now_iso(),
            data={"id": moved, "changes": ["channel"]},
        )
        consumer.handle(event, rules=lambda tenant_id, facts: action)
    # Then the waiting one left the first queue for the second group's agent; the assigned one
    # kept its agent
    assert (assignee(t, cid), assignee(t, held)) == (b, a)
    assert queue_store.entries(t, ga) == []
    assert (open_count(t, a), open_count(t, b)) == (1, 1)


def test_the_scheduled_sweep_function_reports_what_it_did(h, team):
    import json

    from local.cfn import ROOT

    t = team["t"]
    a = member(t)
    g = group(t, "support", {a: 1})
    cid = session(t)
    route(t, cid, g)
    load_store.set_presence(t, a, "online", chosen=True)  # online, but nobody drained
    event = json.loads((ROOT / "events/eventbridge_assignment_sweep.json").read_text())
    result = FUNCTIONS["AssignmentSweepFunction"].invoke(event)
    assert result == {"tenants": 1, "caps_repaired": 0, "slots_released": 0, "assigned": 1}
    assert assignee(t, cid) == a


def test_a_drainer_that_dies_holding_the_head_loses_no_session(h, team, monkeypatch):
    # Given a waiting session and a drainer that dies after taking it out of the queue
    t = team["t"]
    a = member(t)
    g = group(t, "support", {a: 1})
    cid = session(t)
    route(t, cid, g)

    class Died(Exception):
        pass

    def die(*args, **kwargs):
        raise Died

    monkeypatch.setattr(assignment, "_place", die)
    with pytest.raises(Died):
        online(t, a)
    assert queue_store.entries(t, g) == [] and assignee(t, cid) is None
    monkeypatch.undo()
    clock.set_clock(team["clock"])
    # When the next drain comes (the sweep, a minute later), the session is put back and assigned
    team["clock"].tick(61)
    sweep.sweep()
    assert assignee(t, cid) == a and open_count(t, a) == 1


def test_a_rule_written_in_the_rule_language_routes_sessions_to_its_group(h, team):
    # Given a group and the rule "channel=chat AND priority=normal" -> that group, by name
    t, headers = team["t"], team["headers"]
    a = member(t)
    group(t, "Chat desk", {a: 1})
    online(t, a)
    body = {
        "condition": "channel=chat AND priority=normal",
        "action": "assign_to_agent_group:Chat desk",
    }
    resp = h.client.post("/routing/rules", headers=headers, json=body)
    assert resp.status_code in (200, 201), resp.text
    queue = {"url": _bus_rule_queue("AssignmentRule"), "batches": []}
    # When two chat sessions start and the bus delivers their events
    first = session(t)
    team["clock"].tick()
    second = session(t)
    deliver(h, queue)
    # Then the first is the agent's and the second waits in the group's queue
    assert (assignee(t, first), assignee(t, second)) == (a, None)
    assert groups.list_groups(t).groups[0].waiting == 1

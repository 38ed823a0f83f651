"""The assignment engine (issue 11 "Routing and agent capacity"): sessions routed to a group go
to the least-loaded online agent under capacity, wait in priority-then-age order when nobody
has room, and are assigned the moment room appears (a resolve, an agent online, a capacity
raised). Driven through the engine's entry points as the consumer calls them."""

from __future__ import annotations

import pytest

from engage.conversations import inbox
from engage.conversations.schemas import ConversationUpdate
from engage.core import clock
from engage.core.errors import Conflict
from engage.routing import assignment, groups, queue_store
from engage.routing.group_schemas import Presence
from tests.unit.assignment_helpers import (
    FakeClock,
    assignee,
    change,
    group,
    member,
    online,
    open_count,
    resolve,
    route,
    session,
    set_caps,
    tenant_of,
)


@pytest.fixture
def fake_clock(h):
    fake = FakeClock()
    clock.set_clock(fake)
    return fake


@pytest.fixture
def team(h, fake_clock):
    t, owner = tenant_of(h, h.register())
    return {"t": t, "owner": owner, "clock": fake_clock}


def arrive(team, group_id: str, priority: str | None = None) -> str:
    """A session arrives (a second later than the last) and is routed to `group_id`."""
    team["clock"].tick()
    cid = session(team["t"], priority=priority)
    route(team["t"], cid, group_id)
    return cid


def test_a_session_goes_to_the_least_loaded_online_agent(h, team):
    # Given two online agents, one already holding a session, and one offline agent
    t = team["t"]
    busy, free, away = member(t), member(t), member(t)
    g = group(t, "support", {busy: 3, free: 3, away: 3})
    online(t, busy)
    arrive(team, g)
    online(t, free)
    # When a session is routed to the group
    cid = arrive(team, g)
    # Then the agent with fewer open sessions gets it; the offline one none
    assert assignee(t, cid) == free
    assert (open_count(t, busy), open_count(t, free), open_count(t, away)) == (1, 1, 0)


def test_equally_loaded_agents_take_turns_longest_idle_first(h, team):
    t = team["t"]
    a, b = member(t), member(t)
    g = group(t, "support", {a: 5, b: 5})
    online(t, a, b)
    first = arrive(team, g)
    second = arrive(team, g)
    resolve(t, first)
    resolve(t, second)
    # When the next session arrives, both have 0 open: the one assigned longest ago gets it
    third = arrive(team, g)
    assert assignee(t, third) == assignee(t, first)
    assert assignee(t, first) != assignee(t, second)


def test_when_everyone_is_full_sessions_wait_and_go_in_arrival_order(h, team):
    # Given one agent with capacity 1, holding a session
    t = team["t"]
    a = member(t)
    g = group(t, "support", {a: 1})
    online(t, a)
    held = arrive(team, g)
    waiting = [arrive(team, g) for _ in range(3)]
    # Then the others wait, unassigned, and the group shows them
    assert [assignee(t, c) for c in waiting] == [None, None, None]
    assert groups.list_groups(t).groups[0].waiting == 3
    # When sessions resolve one by one, the waiting ones are assigned oldest first
    order = []
    current = held
    for _ in waiting:
        resolve(t, current)
        current = next(c for c in waiting if assignee(t, c) == a and c not in order)
        order.append(current)
    assert order == waiting
    assert open_count(t, a) == 1
    assert groups.list_groups(t).groups[0].waiting == 0


def test_higher_priority_waits_less_and_equal_priority_keeps_age_order(h, team):
    t = team["t"]
    a = member(t)
    g = group(t, "support", {a: 1})
    online(t, a)
    held = arrive(team, g)
    low = arrive(team, g, priority="low")
    normal_old = arrive(team, g)
    urgent = arrive(team, g, priority="urgent")
    normal_new = arrive(team, g)
    high = arrive(team, g, priority="high")
    served = []
    current = held
    for _ in range(5):
        resolve(t, current)
        current = next(
            c
            for c in (low, normal_old, urgent, normal_new, high)
            if c not in served and assignee(t, c) == a
        )
        served.append(current)
    assert served == [urgent, high, normal_old, normal_new, low]


def test_a_new_arrival_never_takes_a_slot_an_older_session_waits_for(h, team):
    # Given a full agent and a waiting session
    t = team["t"]
    a = member(t)
    g = group(t, "support", {a: 1})
    online(t, a)
    held = arrive(team, g)
    older = arrive(team, g)
    # When the slot frees without the release being drained yet, and a new session arrives
    from engage.routing import slots

    inbox.update(t, held, ConversationUpdate(status="resolved"))
    slots.release(t, a, held)  # the consumer died before its drain
    newer = arrive(team, g)
    # Then the older one got the slot (enqueue-then-drain), the newer one waits
    assert assignee(t, older) == a
    assert assignee(t, newer) is None


def test_an_agent_coming_online_takes_waiting_sessions(h, team):
    t = team["t"]
    a = member(t)
    g = group(t, "support", {a: 2})
    waiting = [arrive(team, g) for _ in range(3)]
    assert [assignee(t, c) for c in waiting] == [None, None, None]
    # When the agent comes online, they get as many as their capacity allows, oldest first
    online(t, a)
    assert [assignee(t, c) for c in waiting] == [a, a, None]
    assert open_count(t, a) == 2


def test_away_agents_get_nothing_and_keep_what_they_hold(h, team):
    t = team["t"]
    a = member(t)
    g = group(t, "support", {a: 3})
    online(t, a)
    held = arrive(team, g)
    groups.set_presence(t, a, Presence.AWAY)
    new = arrive(team, g)
    assert assignee(t, held) == a and assignee(t, new) is None


def test_raising_a_capacity_assigns_waiting_sessions_at_once(h, team):
    t = team["t"]
    a = member(t)
    g = group(t, "support", {a: 1})
    online(t, a)
    arrive(team, g)
    waiting = [arrive(team, g) for _ in range(2)]
    set_caps(t, g, {a: 2})
    assert [assignee(t, c) for c in waiting] == [a, None]
    assert open_count(t, a) == 2


def test_lowering_a_capacity_stops_new_assignments_until_under_it(h, team):
    t = team["t"]
    a = member(t)
    g = group(t, "support", {a: 3})
    online(t, a)
    held = [arrive(team, g) for _ in range(3)]
    set_caps(t, g, {a: 1})
    new = arrive(team, g)
    resolve(t, held[0])
    assert assignee(t, new) is None  # 2 open, capacity 1
    resolve(t, held[1])
    assert assignee(t, new) is None  # 1 open
    resolve(t, held[2])
    assert assignee(t, new) == a


def test_unassigning_or_reassigning_frees_the_slot_for_the_queue(h, team):
    t = team["t"]
    a, b = member(t), member(t)
    g = group(t, "support", {a: 1})
    online(t, a)
    held = arrive(team, g)
    waiting = arrive(team, g)
    # When the console hands the held session to b (not in the group, no limit)
    change(t, held, assignee_id=b)
    # Then a's slot went to the waiting session, and b holds the other
    assert assignee(t, waiting) == a
    assert (open_count(t, a), open_count(t, b)) == (1, 1)
    change(t, held, assignee_id=None)
    assert open_count(t, b) == 0


def test_manual_assignment_at_capacity_is_a_409_and_counts_otherwise(h, team):
    t = team["t"]
    a = member(t)
    g = group(t, "support", {a: 1})
    online(t, a)
    held = arrive(team, g)
    other = session(t)
    with pytest.raises(Conflict) as err:
        inbox.update(t, other, ConversationUpdate(assignee_id=a))
    assert err.value.message == "Agent at capacity"
    assert assignee(t, other) is None and open_count(t, a) == 1
    resolve(t, held)
    change(t, other, assignee_id=a)
    assert assignee(t, other) == a and open_count(t, a) == 1


def test_the_console_answers_409_at_capacity(h, team):
    owner_headers = h.register("boss@shop.test", "Boss")
    t2, _ = tenant_of(h, owner_headers)
    a = member(t2)
    g = group(t2, "support", {a: 1})
    online(t2, a)
    held = session(t2)
    route(t2, held, g)
    other = session(t2)
    resp = h.client.put(
        f"/admin/api/conversations/{other}", headers=owner_headers, json={"assignee_id": a}
    )
    assert resp.status_code == 409, resp.text
    assert resp.json()["error"] == "conflict"


def test_a_session_resolved_while_waiting_leaves_the_queue(h, team):
    t = team["t"]
    a = member(t)
    g = group(t, "support", {a: 1})
    online(t, a)
    held = arrive(team, g)
    gone = arrive(team, g)
    kept = arrive(team, g)
    resolve(t, gone)
    assert groups.list_groups(t).groups[0].waiting == 1
    resolve(t, held)
    assert assignee(t, kept) == a and assignee(t, gone) is None


def test_a_reopened_session_returns_to_its_agent_only_within_capacity(h, team):
    t = team["t"]
    a = member(t)
    g = group(t, "support", {a: 1})
    online(t, a)
    first = arrive(team, g)
    resolve(t, first)
    second = arrive(team, g)
    assert assignee(t, second) == a
    # When the end user writes again in the first (reopening it, still assigned to a)
    from engage.conversations import messages, store
    from engage.conversations.schemas import MessageCreate, Sender

    conv = store.get_conversation(t, first)
    author = messages.Author(sender=Sender.USER, sender_id="x", guard="user")
    messages.send(t, conv, author, MessageCreate(content="again"), private=False)
    assignment.settle(t, first)
    # Then a, at capacity, does not get it back: it is unassigned (routed again by the rules)
    assert assignee(t, first) is None
    assert open_count(t, a) == 1


def test_deleting_a_group_leaves_its_waiting_sessions_unassigned(h, team):
    t = team["t"]
    a = member(t)
    g = group(t, "support", {a: 1})
    online(t, a)
    held = arrive(team, g)
    waiting = arrive(team, g)
    groups.delete_group(t, g)
    assert assignee(t, held) == a and assignee(t, waiting) is None
    assert queue_store.get_route(t, waiting).qsk is None
    resolve(t, held)
    assert assignee(t, waiting) is None and open_count(t, a) == 0

"""The assignment engine's promises under a long random mix of what happens in a contact
centre (issue 11: Chatwoot's #10583, #13050, #11034): sessions arriving at every priority,
resolving, being assigned and unassigned by hand, agents coming and going, capacities rising.
After every step: nobody over capacity and every slot counted once; no session waits while a
member of its group is online with room; within a group and a priority, sessions are assigned
in arrival order. The RNG is seeded and injected: a failure replays exactly."""

from __future__ import annotations

import random

import pytest

from engage.conversations import inbox, store
from engage.conversations.schemas import ConversationUpdate
from engage.core import clock
from engage.core.errors import Conflict
from engage.routing import assignment, groups, load_store, queue_store
from engage.routing.group_schemas import Presence
from tests.unit.assignment_helpers import (
    FakeClock,
    group,
    member,
    route,
    session,
    set_caps,
    tenant_of,
)

PRIORITIES = ("low", "normal", "high", "urgent")


@pytest.mark.parametrize("seed", [3, 11])
def test_random_operations_keep_every_promise(h, seed):
    rng = random.Random(seed)
    fake = FakeClock()
    clock.set_clock(fake)
    t, _ = tenant_of(h, h.register())
    agents = [member(t) for _ in range(4)]
    caps = {0: {agents[0]: 1, agents[1]: 2}, 1: {agents[1]: 1, agents[2]: 1, agents[3]: 2}}
    gids = {g: group(t, f"g{g}", c) for g, c in caps.items()}
    online_now: set[str] = set()
    arrived: list[tuple[str, int, str]] = []  # (conversation id, group, priority) in order
    assigned_order: list[str] = []
    by_hand: set[str] = set()
    real = inbox.assign_routed

    def recording(tenant_id, conversation_id, agent_id, item=None):
        done = real(tenant_id, conversation_id, agent_id, item)
        if done:
            assigned_order.append(conversation_id)
        return done

    assignment.inbox.assign_routed = recording  # type: ignore[attr-defined]
    try:
        for _ in range(90):
            fake.tick(rng.uniform(1, 30))
            step = rng.choices(
                ["arrive", "resolve", "presence", "raise", "assign", "unassign"],
                [5, 3, 2, 1, 1, 1],
            )[0]
            convs = {c: inbox.get(t, c) for c, _, _ in arrived}
            if step == "arrive":
                g, priority = rng.choice(list(gids)), rng.choice(PRIORITIES)
                cid = session(t, priority=priority)
                arrived.append((cid, g, priority))
                route(t, cid, gids[g])
            elif step == "resolve":
                live = [c for c, v in convs.items() if v.assignee_id and v.status == "open"]
                if live:
                    cid = rng.choice(live)
                    inbox.update(t, cid, ConversationUpdate(status="resolved"))
                    assignment.settle(t, cid)
            elif step == "presence":
                agent = rng.choice(agents)
                status = Presence.OFFLINE if agent in online_now else Presence.ONLINE
                groups.set_presence(t, agent, status)
                online_now ^= {agent}
            elif step == "raise":
                g = rng.choice(list(gids))
                agent = rng.choice(list(caps[g]))
                caps[g][agent] += 1
                set_caps(t, gids[g], caps[g])
            elif step == "assign":
                waiting = [c for c, v in convs.items() if v.status == "open" and not v.assignee_id]
                if waiting:
                    cid, agent = rng.choice(waiting), rng.choice(agents)
                    try:
                        inbox.update(t, cid, ConversationUpdate(assignee_id=agent))
                        by_hand.add(cid)
                    except Conflict:
                        pass
                    assignment.settle(t, cid)
            else:
                live = [c for c, v in convs.items() if v.assignee_id and v.status == "open"]
                if live:
                    cid = rng.choice(live)
                    inbox.update(t, cid, ConversationUpdate(assignee_id=None))
                    by_hand.add(cid)
                    assignment.settle(t, cid)
            _check(t, agents, caps, gids, arrived, assigned_order, by_hand)
    finally:
        assignment.inbox.assign_routed = real  # type: ignore[attr-defined]


def _check(t, agents, caps, gids, arrived, assigned_order, by_hand) -> None:
    convs = {c: store.get_conversation(t, c) for c, _, _ in arrived}
    loads = {a: load_store.get(t, a) for a in agents}
    for agent in agents:
        load = loads[agent]
        holding = {c for c, v in convs.items() if v.assignee_id == agent and v.status in ("open",)}
        held = set(load_store.holders(load))
        # Then every slot is counted once and belongs to a session the agent has open
        assert held == holding, agent
        assert int(load.open or 0) == len(held) if load else not holding
        # and nobody is over their capacity (capacities only rise in this run)
        limit = max(c.get(agent, 0) for c in caps.values())
        assert len(held) <= limit or limit == 0
    for g, gid in gids.items():
        waiting = queue_store.entries(t, gid)
        if waiting:
            # Then no member of a group with waiting sessions is online with room in it
            for agent, cap in caps[g].items():
                load = loads[agent]
                assert not (load and load.presence == "online" and int(load.open or 0) < cap)
    # Within a group and a priority, sessions were assigned by the engine in arrival order
    position = {c: i for i, c in enumerate(assigned_order)}
    for g in gids:
        for priority in PRIORITIES:
            same = [c for c, gg, p in arrived if gg == g and p == priority and c not in by_hand]
            done = [c for c in same if c in position]
            assert [position[c] for c in done] == sorted(position[c] for c in done)
            first_waiting = next((i for i, c in enumerate(same) if c not in position), None)
            if first_waiting is not None:
                still = [c for c in same[first_waiting:] if c in position]
                waiting_ids = {str(e.conversation_id) for e in queue_store.entries(t, gids[g])}
                if same[first_waiting] in waiting_ids:
                    assert not still, "a newer session was assigned past a waiting one"

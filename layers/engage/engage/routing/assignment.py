"""The assignment engine (issue 11 "Routing and agent capacity"; README "Agent groups,
presence and assignment").

A routed session is ENQUEUED in its queue (a group's, or `@<agent>` for
`assign_to_agent`), then the queue is DRAINED: the head (highest priority, then oldest) is
claimed with a conditional delete, given to the least-loaded online member with room (ties:
the one whose last assignment is oldest) by taking that agent's slot with a conditional write
(`open < capacity`, load_store.py) and then setting the conversation's assignee
(`inbox.assign_routed`, conditional on the session still being open and unassigned); when no
member has room the head is put back under the same sort key and the pass stops. A new
arrival therefore never takes a slot while an older session of equal or higher priority
waits (enqueue-then-drain). One drainer works a queue at a time (queue_store.py leases); a
caller that finds the lease taken marks the queue dirty and the holder drains again.

Capacity frees -> `settle` (a session resolved, snoozed, unassigned or reassigned: the
slots it should no longer hold are released, exactly once, and the freed agents' queues are
drained), an agent comes online -> `drain_agent`, a capacity rises -> `drain`. Work is
proportional to the sessions moved, never to the length of a queue; `sweep.py` heals what a
crash left, every minute.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from engage.conversations import inbox
from engage.conversations import store as conversations
from engage.conversations.models import ConversationItem
from engage.core import clock, ids, keys
from engage.core.observability import logger
from engage.core.settings import get_settings
from engage.routing import group_store, load_store, queue_store, slots
from engage.routing.load_store import Mode, Taken

OPEN_STATES = ("open", "pending")
LEASE_SECONDS = 60
MAX_PASS = 500
"""Entries one pass looks at before it gives the lease back (the sweep continues)."""


class Placed(StrEnum):
    """What became of a claimed queue head."""

    ASSIGNED = "assigned"
    FULL = "full"  # nobody has room: it goes back to its place
    GONE = "gone"  # resolved, assigned elsewhere or its group deleted: it leaves the queue


def waitable(conv: ConversationItem | None) -> bool:
    """Whether a session may wait or be assigned by the engine: open or pending, no
    assignee."""
    return conv is not None and conv.status in OPEN_STATES and not conv.assignee_id


# -- enqueue ---------------------------------------------------------------------------------
def enqueue(tenant_id: str, conv: ConversationItem, queue_id: str) -> bool:
    """Put an open, unassigned session at its place in `queue_id` (priority, then now). A
    session waiting in another queue moves (a transfer re-routed it); one already waiting
    here keeps its place. True when an entry was written."""
    conversation_id = keys.parse_conversation_partition(conv.pk)[1]
    if not waitable(conv):
        return False
    route = queue_store.get_route(tenant_id, conversation_id)
    if route is not None and route.qsk:
        if route.queue == queue_id:
            return False
        leave_queue(tenant_id, conversation_id, str(route.queue), str(route.qsk))
    at = clock.now_iso()
    sk = keys.routing_queue_sk(conv.priority, at, conversation_id)
    queue_store.put_entry(tenant_id, queue_id, sk, conv.priority, at)
    if not queue_store.set_waiting(tenant_id, conversation_id, queue_id, sk):
        queue_store.delete_entry(tenant_id, queue_id, sk)  # a concurrent enqueue won
        return False
    return True


def leave_queue(tenant_id: str, conversation_id: str, queue_id: str, sk: str) -> None:
    """Take a session out of the queue it waits in (its entry, then its route's record)."""
    queue_store.delete_entry(tenant_id, queue_id, sk)
    queue_store.clear_waiting(tenant_id, conversation_id, sk)


def reprioritise(tenant_id: str, conv: ConversationItem) -> None:
    """A waiting session whose priority changed moves to its new place, keeping its age."""
    conversation_id = keys.parse_conversation_partition(conv.pk)[1]
    route = queue_store.get_route(tenant_id, conversation_id)
    if route is None or not route.qsk or not route.queue:
        return
    _, at, _ = keys.parse_routing_queue_sk(str(route.qsk))
    sk = keys.routing_queue_sk(conv.priority, at, conversation_id)
    if sk == route.qsk:
        return
    queue_id = str(route.queue)
    queue_store.put_entry(tenant_id, queue_id, sk, conv.priority, at)
    if not queue_store.delete_entry(tenant_id, queue_id, str(route.qsk)):
        queue_store.delete_entry(tenant_id, queue_id, sk)  # a drainer has it now
        return
    queue_store.clear_waiting(tenant_id, conversation_id, str(route.qsk))
    queue_store.set_waiting(tenant_id, conversation_id, queue_id, sk)
    drain(tenant_id, queue_id)


# -- drain -----------------------------------------------------------------------------------
def candidates(tenant_id: str, queue_id: str) -> tuple[list[str], Mode] | None:
    """Who may take the queue's head, best first, and how their room is checked; None when
    the queue's group is gone. A group's: online members under their capacity in it, fewest
    open sessions first, ties to the longest since their last assignment. An agent's queue:
    that agent."""
    agent = keys.queue_agent(queue_id)
    if agent is not None:
        return [agent], Mode.AGENT
    group = group_store.get_group(tenant_id, queue_id)
    if group is None:
        return None
    loads = load_store.many(tenant_id, [str(m.user_id) for m in group.members])
    ranked = []
    for user_id, load in loads.items():
        cap = load_store.caps(load).get(queue_id)
        open_ = int(load.open or 0)
        if load.presence == "online" and cap is not None and open_ < cap:
            ranked.append((open_, load.last_assigned_at or "", user_id))
    return [u for _, _, u in sorted(ranked)], Mode.GROUP


def _place(tenant_id: str, queue_id: str, conv: ConversationItem) -> Placed:
    """Give one claimed session to the first candidate whose slot can be taken."""
    conversation_id = keys.parse_conversation_partition(conv.pk)[1]
    found = candidates(tenant_id, queue_id)
    if found is None:
        return Placed.GONE
    agents, mode = found
    for user_id in agents:
        if slots.take(tenant_id, user_id, conversation_id, queue_id, mode) == Taken.FULL:
            continue  # someone else's drain (or a manual assignment) took that room
        if inbox.assign_routed(tenant_id, conversation_id, user_id, conv):
            logger.info("session assigned", extra={"queue": queue_id, "agent": user_id})
            return Placed.ASSIGNED
        slots.release(tenant_id, user_id, conversation_id)  # resolved or assigned meanwhile
        return Placed.GONE
    return Placed.FULL


def _pass(tenant_id: str, queue_id: str, token: str) -> int:
    """Assign from the head while someone has room; returns the sessions assigned. Each head
    is noted on the lease before it is claimed, so a drainer that dies holding it does not
    lose it (`_restore`)."""
    assigned = 0
    for _ in range(MAX_PASS):
        entries = queue_store.head(tenant_id, queue_id)
        if not entries:
            break
        entry = entries[0]
        queue_store.note_claim(tenant_id, queue_id, token, entry.sk)
        if not queue_store.claim(entry):
            continue  # another drainer (the sweep, a lease that ran out) took it
        conversation_id = str(entry.conversation_id)
        conv = conversations.get_conversation(tenant_id, conversation_id)
        placed = _place(tenant_id, queue_id, conv) if conv and waitable(conv) else Placed.GONE
        if placed == Placed.FULL:
            queue_store.put_entry(tenant_id, queue_id, entry.sk, entry.priority, entry.enqueued_at)
            break
        queue_store.clear_waiting(tenant_id, conversation_id, entry.sk)
        assigned += placed == Placed.ASSIGNED
    return assigned


def _restore(tenant_id: str, queue_id: str, sk: str) -> None:
    """Put back an entry a dead drainer took out, if its session still waits for it."""
    _, at, conversation_id = keys.parse_routing_queue_sk(sk)
    conv = conversations.get_conversation(tenant_id, conversation_id)
    route = queue_store.get_route(tenant_id, conversation_id)
    if conv is not None and waitable(conv) and route is not None and route.qsk == sk:
        queue_store.put_entry(tenant_id, queue_id, sk, conv.priority, at)
        logger.info("queue entry put back after a drainer died", extra={"queue": queue_id})


def drain(tenant_id: str, queue_id: str) -> int:
    """Assign the queue's waiting sessions while agents have room (see the module
    docstring); returns how many this call assigned (0 also when another drainer holds the
    queue: it drains again for this call)."""
    token = ids.token(12)
    taken, leftover = queue_store.take_lease(tenant_id, queue_id, token, LEASE_SECONDS)
    if not taken:
        queue_store.mark_dirty(tenant_id, queue_id)
        taken, leftover = queue_store.take_lease(tenant_id, queue_id, token, LEASE_SECONDS)
        if not taken:
            return 0  # the holder will see the mark
    total = 0
    try:
        if leftover:
            _restore(tenant_id, queue_id, leftover)
        while True:
            total += _pass(tenant_id, queue_id, token)
            if queue_store.give_back_lease(tenant_id, queue_id, only_if_clean=True, token=token):
                return total
            queue_store.clear_dirty(tenant_id, queue_id, token)
    except BaseException:
        queue_store.give_back_lease(tenant_id, queue_id, only_if_clean=False, token=token)
        raise


def agent_queues(tenant_id: str, user_id: str) -> list[str]:
    """The queues an agent takes sessions from: their own and their groups'."""
    load = load_store.get(tenant_id, user_id)
    return [keys.agent_queue_id(user_id), *sorted(load_store.caps(load))]


def drain_agent(tenant_id: str, user_id: str) -> int:
    """An agent has room (a slot freed, they came online): drain their queues, the one whose
    head has the highest priority and then the oldest first. Returns the sessions assigned."""
    heads = []
    for queue_id in agent_queues(tenant_id, user_id):
        entries = queue_store.head(tenant_id, queue_id)
        if entries:
            rank, at, _ = keys.parse_routing_queue_sk(entries[0].sk)
            heads.append((rank, at, queue_id))
    return sum(drain(tenant_id, queue_id) for _, _, queue_id in sorted(heads))


# -- release ---------------------------------------------------------------------------------
def release(tenant_id: str, user_id: str, conversation_id: str) -> bool:
    """Give back the session's slot of `user_id` (exactly once) and, if it held one, drain
    the agent's queues; True if it held one."""
    if not slots.release(tenant_id, user_id, conversation_id):
        return False
    drain_agent(tenant_id, user_id)
    return True


def young(since: str) -> bool:
    """Whether a slot taken at `since` is within ASSIGNMENT_GRACE_SECONDS (its assignment
    may still be in flight)."""
    grace = get_settings().assignment_grace_seconds
    taken = dt.datetime.fromisoformat(since.replace("Z", "+00:00"))
    return (clock.now() - taken).total_seconds() < grace


def _full(tenant_id: str, user_id: str, conversation_id: str) -> bool:
    """Count the session's slot of its assignee (their capacity applies); True: no room."""
    taken = slots.take(tenant_id, user_id, conversation_id, slots.MANUAL, Mode.AGENT)
    return taken == Taken.FULL


def settle(tenant_id: str, conversation_id: str) -> bool:
    """Make the engine agree with the session as it is now (after a status, assignee or
    priority change): release the slots it should no longer hold (its agent's when it
    resolved or snoozed; the previous agent's on a reassignment) and drain the freed agents'
    queues; count the slot of an assignee who has none (a reopened session) if they have
    room; take it out of its queue if it is no longer waiting, or move it when its priority
    changed. Returns True when the session needs routing again: its assignee had no room for
    it (it was unassigned) — the caller runs the rules on it."""
    conv = conversations.get_conversation(tenant_id, conversation_id)
    route = queue_store.get_route(tenant_id, conversation_id)
    held = queue_store.slots_of(route)
    open_ = conv is not None and conv.status in OPEN_STATES
    desired = conv.assignee_id if conv is not None and open_ and conv.assignee_id else None
    freed = []
    for user_id, since in held.items():
        if user_id == desired:
            continue
        if route is not None and route.qsk and waitable(conv) and young(since):
            continue  # a drain is placing it now: it finishes (or gives the slot back)
        if slots.release(tenant_id, user_id, conversation_id):
            freed.append(user_id)
    reroute = False
    if desired and desired not in held and _full(tenant_id, desired, conversation_id):
        logger.info("reopened session's agent has no room", extra={"agent": desired})
        reroute = inbox.unassign_routed(tenant_id, conversation_id, desired)
    if route is not None and route.qsk and route.queue:
        if not waitable(conv):
            leave_queue(tenant_id, conversation_id, str(route.queue), str(route.qsk))
        elif conv is not None:
            reprioritise(tenant_id, conv)
    for user_id in freed:
        drain_agent(tenant_id, user_id)
    return reroute

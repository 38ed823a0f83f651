"""`make bench`: agent assignment (issue 11 "Speed"). 1,000 chat sessions arrive over simulated
time into three groups of agents with different capacities; each assigned session is resolved
after a random handling time. Everything is seeded (`BENCH_SEED`), so a run is repeatable.

What runs is the real code on in-process moto (tables from template.yaml): sessions are opened
by `conversations.service`, routed by the consumer's `apply_action` (enqueue, drain: the
queue's lease, the head's claim, the agent's conditional slot, the conversation's assignee),
resolved through the console's `inbox.update` and settled as the consumer does on the event
(`assignment.settle`: release, drain). Time is the fake clock of engage/core/clock.py, moved to
each event of the simulation; the bus is replaced by calling the consumer's functions in the
order the events happen.

Measured outside the engine (from the assignments it makes, recorded as they happen):
- utilisation while a queue waits: per group, time-averaged open sessions / capacity over the
  time at least one of its sessions waits unassigned (weighted by that time over the groups);
- the maximum ever over capacity: an agent's open sessions beyond their capacity, at any time;
- p50 / p99 wait (arrival -> assignment) beside an ideal FIFO multi-server simulation of the
  same arrivals and handling times in the same run (each group's slots shared first come,
  first served, assignment instant).
Aim: utilisation >= 0.9 while anyone waits, 0 over capacity, p99 wait <= 1.2x ideal.
"""

from __future__ import annotations

import datetime as dt
import heapq
import os
import random
import sys
import time
from dataclasses import dataclass, field

SESSIONS = int(os.environ.get("BENCH_SESSIONS", "1000"))
SEED = int(os.environ.get("BENCH_SEED", "11"))
MEAN_HANDLING = 300.0  # seconds
# (group name, agents, capacity of each): 6, 12 and 10 slots
GROUPS = [("billing", 3, 2), ("support", 4, 3), ("sales", 2, 5)]
LOAD = 1.1  # arrival rate / service rate while the burst lasts (queues form), then 0.6


def _env() -> None:
    """The benchmarks' settings (bench/common.py), for in-process moto."""
    from bench.common import env_for_child

    os.environ.update(env_for_child())
    os.environ.update(
        {
            "TABLE_NAME": "bench-assignment",
            "EVENT_BUS_NAME": "bench-assignment-events",
        }
    )
    os.environ.pop("AWS_ENDPOINT_URL", None)


@dataclass(frozen=True)
class Arrival:
    """One session of the simulation: when, into which group, and how long its agent takes."""

    index: int
    at: float
    group: int
    handling: float


def arrivals(rng: random.Random) -> list[Arrival]:
    """Poisson arrivals per group at LOAD x the group's service rate for the first 60 % of the
    sessions, then 0.6 x (the queues drain)."""
    slots = [agents * cap for _, agents, cap in GROUPS]
    weights = [s / sum(slots) for s in slots]
    service_rate = sum(slots) / MEAN_HANDLING
    out, at = [], 0.0
    for i in range(SESSIONS):
        load = LOAD if i < SESSIONS * 0.6 else 0.6
        at += rng.expovariate(load * service_rate)
        group = rng.choices(range(len(GROUPS)), weights)[0]
        out.append(Arrival(i, at, group, rng.expovariate(1 / MEAN_HANDLING)))
    return out


def ideal_waits(sessions: list[Arrival]) -> list[float]:
    """FIFO per group over its pooled slots, assignment instant: each session starts at the
    later of its arrival and the earliest free slot."""
    free: dict[int, list[float]] = {
        g: [0.0] * (agents * cap) for g, (_, agents, cap) in enumerate(GROUPS)
    }
    waits = []
    for s in sessions:
        slots = free[s.group]
        start = max(s.at, heapq.heappop(slots))
        heapq.heappush(slots, start + s.handling)
        waits.append(start - s.at)
    return waits


@dataclass
class Meter:
    """Open sessions per agent over simulated time, and who waits, per group."""

    capacity: dict[str, int]
    group_of: dict[str, int]
    open: dict[str, int] = field(default_factory=dict)
    waiting: dict[int, int] = field(default_factory=dict)
    last: float = 0.0
    busy_area: dict[int, float] = field(default_factory=dict)
    cap_area: dict[int, float] = field(default_factory=dict)
    over: int = 0

    def advance(self, now: float) -> None:
        span = now - self.last
        for g in range(len(GROUPS)):
            if self.waiting.get(g, 0) > 0 and span > 0:
                agents = [a for a, gg in self.group_of.items() if gg == g]
                self.busy_area[g] = self.busy_area.get(g, 0.0) + span * sum(
                    self.open.get(a, 0) for a in agents
                )
                self.cap_area[g] = self.cap_area.get(g, 0.0) + span * sum(
                    self.capacity[a] for a in agents
                )
        self.last = now

    def moved(self, agent: str, delta: int) -> None:
        self.open[agent] = self.open.get(agent, 0) + delta
        self.over = max(self.over, self.open[agent] - self.capacity[agent])

    def utilisation(self) -> float | None:
        cap = sum(self.cap_area.values())
        return sum(self.busy_area.values()) / cap if cap else None


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else 0.0


def run() -> dict[str, float | int | None]:
    """The simulation against the engine (see the module docstring)."""
    from moto import mock_aws

    from local import moto_patches
    from local.cfn import create_core_resources

    moto_patches.install()  # the tests' and the local runtime's moto: partition queries
    with mock_aws():
        create_core_resources("bench-assignment")
        return _simulate()


def _simulate() -> dict[str, float | int | None]:
    from engage.auth import store as auth_store
    from engage.conversations import inbox, service
    from engage.conversations.schemas import ConversationCreate, ConversationUpdate
    from engage.core import clock, ids
    from engage.routing import assignment, consumer, groups
    from engage.routing.facts import ActionKind, RuleAction
    from engage.routing.group_schemas import GroupCreate, GroupMemberIn, Presence

    rng = random.Random(SEED)
    sessions = arrivals(rng)
    origin = dt.datetime(2026, 3, 2, 8, 0, tzinfo=dt.UTC)
    sim = {"now": 0.0}
    clock.set_clock(lambda: origin + dt.timedelta(seconds=sim["now"]))
    tenant_id = ids.new_id()
    capacity, group_of, group_ids = {}, {}, []
    for g, (name, count, cap) in enumerate(GROUPS):
        members = []
        for _ in range(count):
            user_id = ids.new_id()
            auth_store.put_user(tenant_id, user_id, f"{user_id}@b.test", "x", "agent", "")
            capacity[user_id], group_of[user_id] = cap, g
            members.append(GroupMemberIn(user_id=user_id, capacity=cap))
        group_ids.append(groups.create_group(tenant_id, GroupCreate(name=name, members=members)).id)
    for user_id in capacity:
        groups.set_presence(tenant_id, user_id, Presence.ONLINE)

    meter = Meter(capacity, group_of)
    events: list[tuple[float, int, str, int]] = []  # (time, order, kind, session index)
    for s in sessions:
        heapq.heappush(events, (s.at, s.index, "arrive", s.index))
    by_cid: dict[str, Arrival] = {}
    assigned_at: dict[int, float] = {}
    cid_of: dict[int, str] = {}
    seq = SESSIONS

    original = inbox.assign_routed

    def recording(t: str, cid: str, agent: str, item=None) -> bool:  # what the engine assigns
        nonlocal seq
        done = original(t, cid, agent, item)
        if done:
            s = by_cid[cid]
            assigned_at[s.index] = sim["now"]
            meter.moved(agent, +1)
            meter.waiting[s.group] -= 1
            seq += 1
            heapq.heappush(events, (sim["now"] + s.handling, seq, "resolve", s.index))
        return done

    assignment.inbox.assign_routed = recording  # type: ignore[attr-defined]
    started = time.perf_counter()
    try:
        while events:
            at, _, kind, index = heapq.heappop(events)
            meter.advance(at)
            sim["now"] = at
            s = sessions[index]
            if kind == "arrive":
                body = ConversationCreate()
                cid = service.start_conversation(tenant_id, f"c{index}", body).id
                by_cid[cid], cid_of[index] = s, cid
                meter.waiting[s.group] = meter.waiting.get(s.group, 0) + 1
                action = RuleAction(ActionKind.ASSIGN_TO_AGENT_GROUP, group_ids[s.group])
                consumer.apply_action(tenant_id, cid, action, ref=str(index))
            else:
                cid = cid_of[index]
                agent = inbox.get(tenant_id, cid).assignee_id
                inbox.update(tenant_id, cid, ConversationUpdate(status="resolved"))
                meter.moved(str(agent), -1)
                assignment.settle(tenant_id, cid)
    finally:
        assignment.inbox.assign_routed = original  # type: ignore[attr-defined]
        clock.set_clock(None)
    elapsed = time.perf_counter() - started
    waits = [assigned_at[s.index] - s.at for s in sessions if s.index in assigned_at]
    ideal = ideal_waits(sessions)
    return {
        "sessions": SESSIONS,
        "assigned": len(assigned_at),
        "utilisation_while_waiting": meter.utilisation(),
        "max_over_capacity": meter.over,
        "p50_wait": percentile(waits, 0.5),
        "p99_wait": percentile(waits, 0.99),
        "ideal_p50_wait": percentile(ideal, 0.5),
        "ideal_p99_wait": percentile(ideal, 0.99),
        "wall_seconds": elapsed,
    }


def main() -> None:
    _env()
    result = run()
    util = result["utilisation_while_waiting"]
    p99, ideal99 = float(result["p99_wait"] or 0), float(result["ideal_p99_wait"] or 0)
    ratio = p99 / ideal99 if ideal99 else (1.0 if p99 == 0 else float("inf"))
    print(f"assignment: {result['assigned']}/{result['sessions']} sessions assigned")
    print(
        f"  utilisation while a queue waits: {util:.3f} (aim >= 0.9)"
        if util is not None
        else "  utilisation while a queue waits: n/a (no queue ever waited)"
    )
    print(f"  max ever over capacity: {result['max_over_capacity']} (aim 0)")
    print(
        f"  wait p50 {float(result['p50_wait']):.1f} s, p99 {p99:.1f} s; ideal FIFO p50 "
        f"{float(result['ideal_p50_wait']):.1f} s, p99 {ideal99:.1f} s; p99 ratio {ratio:.3f}"
        " (aim <= 1.2)"
    )
    print(f"  wall time {float(result['wall_seconds']):.1f} s")
    ok = (util is None or util >= 0.9) and result["max_over_capacity"] == 0 and ratio <= 1.2
    sys.exit(0 if ok and result["assigned"] == SESSIONS else 1)


if __name__ == "__main__":
    main()

"""The one-minute assignment sweep (functions/assignment_sweep; EventBridge schedule): heals
what a crash between two writes left, so no session stays unassigned while an agent has
room and no slot stays held by a session that no longer needs it.

Per tenant with groups (the global `RTENANTS` list), per group member:
- their capacities agree with the groups (a crash between a group's write and its members'
  load items);
- each slot they hold belongs to a session still open or pending and assigned to them; a
  slot older than ASSIGNMENT_GRACE_SECONDS that does not is released (a drain that died
  between the slot and the conversation's write, an event lost for good);
then every group's queue and every member's own queue is drained (a lease that ran out, a
release whose drain died). Work: the tenant's groups, members and held sessions (each bounded
by capacities), plus the sessions assigned now; never a Scan.
"""

from __future__ import annotations

from dataclasses import dataclass

from engage.conversations import store as conversations
from engage.core import keys
from engage.core.observability import logger
from engage.routing import assignment, group_store, load_store, queue_store, slots


@dataclass
class SweepReport:
    """What one sweep did."""

    tenants: int = 0
    caps_repaired: int = 0
    slots_released: int = 0
    assigned: int = 0


def sweep_tenant(tenant_id: str, report: SweepReport) -> None:
    """Sweep one tenant (see the module docstring)."""
    groups = group_store.list_groups(tenant_id)
    wanted: dict[str, dict[str, int]] = {}
    for group in groups:
        for member in group.members:
            wanted.setdefault(str(member.user_id), {})[str(group.sk)] = int(member.capacity)
    loads = load_store.many(tenant_id, wanted)
    group_ids = {str(g.sk) for g in groups}
    for user_id, caps in wanted.items():
        have = load_store.caps(loads.get(user_id))
        for group_id in set(have) | set(caps):
            if group_id in caps and have.get(group_id) != caps[group_id]:
                load_store.set_cap(tenant_id, user_id, group_id, caps[group_id])
                report.caps_repaired += 1
            elif group_id not in caps and group_id not in group_ids:
                load_store.set_cap(tenant_id, user_id, group_id, None)
                report.caps_repaired += 1
    held = [
        (user_id, conversation_id, str(info.get("since", "")))
        for user_id, load in loads.items()
        for conversation_id, info in load_store.holders(load).items()
    ]
    found = conversations.batch_get_conversations(tenant_id, {c for _, c, _ in held})
    for user_id, conversation_id, since in held:
        conv = found.get(conversation_id)
        mine = conv is not None and conv.assignee_id == user_id
        if mine and conv is not None and conv.status in assignment.OPEN_STATES:
            queue_store.add_slot(tenant_id, conversation_id, user_id, since)
            continue
        if since and assignment.young(since):
            continue
        if slots.release(tenant_id, user_id, conversation_id):
            report.slots_released += 1
    queues = [str(g.sk) for g in groups] + [keys.agent_queue_id(u) for u in wanted]
    for queue_id in queues:
        report.assigned += assignment.drain(tenant_id, queue_id)


def sweep() -> SweepReport:
    """Sweep every tenant that has groups. A tenant whose sweep fails does not stop the
    others; the failures are raised together at the end (the next minute tries again)."""
    report = SweepReport()
    failed: list[Exception] = []
    for tenant_id in group_store.routing_tenants():
        report.tenants += 1
        try:
            sweep_tenant(tenant_id, report)
        except Exception as exc:  # re-raised below, after the other tenants
            logger.exception("assignment sweep failed", extra={"tenant": tenant_id})
            failed.append(exc)
    if failed:
        raise ExceptionGroup("assignment sweep failed for some tenants", failed)
    return report

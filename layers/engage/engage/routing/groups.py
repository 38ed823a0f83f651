"""Agent groups and presence (issue 11 "Routing and agent capacity"; README "Agent groups,
presence and assignment"): the service behind `/routing/groups` and `/agents/me/presence`.

A group's members are active team members with the agent role or higher, each with a
capacity (1-100) in that group, mirrored on their load item (`caps`), which is what the engine
compares against. A capacity that rises, or a member added, drains the group at once.
Deleting a group takes its waiting sessions out of its queue: they stay open and unassigned
(the console lists them as unassigned; a transfer or an edit of their rules routes them
again); the sessions its members hold stay theirs.
"""

from __future__ import annotations

from engage.auth import store as members_store
from engage.core import clock, ids, keys
from engage.core.errors import Conflict, NotFound, ValidationFailed
from engage.core.roles import Role
from engage.routing import assignment, group_store, load_store, queue_store
from engage.routing.group_schemas import (
    GroupCreate,
    GroupListPublic,
    GroupMemberIn,
    GroupMemberPublic,
    GroupPublic,
    GroupUpdate,
    Presence,
    PresencePublic,
)
from engage.routing.models import AgentGroupItem

UPDATE_ATTEMPTS = 5


def _group(tenant_id: str, group_id: str) -> AgentGroupItem:
    item = group_store.get_group(tenant_id, group_id) if group_id.isalnum() else None
    if item is None:
        raise NotFound("Group not found")
    return item


def _check_members(tenant_id: str, given: list[GroupMemberIn]) -> list[tuple[str, int]]:
    """`(user_id, capacity)` pairs; ValidationFailed naming the first member who is not an
    active agent, admin or owner of the team."""
    out = []
    for i, member in enumerate(given):
        user_id = member.user_id
        user = members_store.get_user(tenant_id, user_id) if user_id.isalnum() else None
        if user is None or user.active is False or not Role.parse(user.role).at_least(Role.AGENT):
            raise ValidationFailed(
                "Group members must be active members with the agent role or higher",
                {f"members.{i}.user_id": "not an active agent, admin or owner of this team"},
            )
        out.append((member.user_id, member.capacity))
    return out


def group_public(tenant_id: str, item: AgentGroupItem) -> GroupPublic:
    """The wire shape, with each member's presence and open sessions (one BatchGetItem) and
    the queue's length (one COUNT Query)."""
    loads = load_store.many(tenant_id, [str(m.user_id) for m in item.members])
    out = []
    for member in item.members:
        load = loads.get(str(member.user_id))
        out.append(
            GroupMemberPublic(
                user_id=str(member.user_id),
                capacity=int(member.capacity),
                presence=Presence(load.presence) if load and load.presence else Presence.OFFLINE,
                open_sessions=int(load.open or 0) if load else 0,
            )
        )
    return GroupPublic(
        id=str(item.sk),
        name=str(item.name),
        members=out,
        waiting=queue_store.count(tenant_id, str(item.sk)),
        created_at=str(item.created_at),
    )


def list_groups(tenant_id: str) -> GroupListPublic:
    """The tenant's groups, oldest first."""
    return GroupListPublic(
        groups=[group_public(tenant_id, g) for g in group_store.list_groups(tenant_id)]
    )


def _claim(tenant_id: str, name: str, group_id: str) -> None:
    if not group_store.claim_name(tenant_id, name, group_id):
        raise Conflict("A group with this name exists", {"name": "already used by a group"})


def _sync_caps(
    tenant_id: str, group_id: str, before: dict[str, int], after: dict[str, int]
) -> bool:
    """Mirror the members' capacities on their load items; True when room may have
    appeared (a capacity rose or a member joined)."""
    room = False
    for user_id in set(before) | set(after):
        if before.get(user_id) != after.get(user_id):
            room |= load_store.set_cap(tenant_id, user_id, group_id, after.get(user_id))
    return room


def create_group(tenant_id: str, body: GroupCreate) -> GroupPublic:
    """Create a group; 400 for a member who is not an active agent+, 409 for a name in use."""
    pairs = _check_members(tenant_id, body.members)
    group_id, now = ids.new_id(), clock.now_iso()
    _claim(tenant_id, body.name, group_id)
    group_store.register_tenant(tenant_id, now)
    _sync_caps(tenant_id, group_id, {}, dict(pairs))
    item = AgentGroupItem(
        *keys.agent_group_key(tenant_id, group_id),
        name=body.name,
        members=group_store.members(pairs),
        created_at=now,
        updated_at=now,
        version=0,
    )
    group_store.put_new_group(item)
    return group_public(tenant_id, item)


def update_group(tenant_id: str, group_id: str, body: GroupUpdate) -> GroupPublic:
    """Rename a group and/or replace its members; a capacity that rose or a new member
    drains its queue. 404 for an unknown (or another tenant's) id; 400, 409 as create."""
    pairs = _check_members(tenant_id, body.members) if body.members is not None else None
    for _ in range(UPDATE_ATTEMPTS):
        item = _group(tenant_id, group_id)
        before = {str(m.user_id): int(m.capacity) for m in item.members}
        after = dict(pairs) if pairs is not None else before
        old_name = str(item.name)
        name = body.name if body.name is not None else old_name
        renamed = name.lower() != old_name.lower()
        if renamed:
            _claim(tenant_id, name, group_id)
        member_list = group_store.members(list(after.items()))
        if group_store.update_group(item, name, member_list, clock.now_iso()):
            if renamed:
                group_store.release_name(tenant_id, old_name, group_id)
            if _sync_caps(tenant_id, group_id, before, after):
                assignment.drain(tenant_id, group_id)
            return group_public(tenant_id, item)
        if renamed:
            group_store.release_name(tenant_id, name, group_id)
    raise Conflict("The group is changing too fast; retry")


def delete_group(tenant_id: str, group_id: str) -> None:
    """Delete a group (see the module docstring); 404 for an unknown id."""
    item = _group(tenant_id, group_id)
    name = str(item.name)
    if not group_store.delete_group(item):
        raise NotFound("Group not found")
    group_store.release_name(tenant_id, name, group_id)
    for member in item.members:
        load_store.set_cap(tenant_id, str(member.user_id), group_id, None)
    for entry in queue_store.entries(tenant_id, group_id):
        assignment.leave_queue(tenant_id, str(entry.conversation_id), group_id, str(entry.sk))


# -- presence --------------------------------------------------------------------------------
def set_presence(tenant_id: str, user_id: str, status: Presence) -> PresencePublic:
    """The member chooses a presence; coming online drains their queues at once. A chosen
    `away` stays until they choose again (their sockets do not change it)."""
    became_online, at = load_store.set_presence(tenant_id, user_id, status.value, chosen=True)
    if became_online:
        assignment.drain_agent(tenant_id, user_id)
    return PresencePublic(user_id=user_id, status=status, updated_at=at)


def socket_opened(tenant_id: str, user_id: str, connection_id: str) -> None:
    """A member's realtime socket connected: online (unless they chose `away`)."""
    if load_store.socket_opened(tenant_id, user_id, connection_id):
        assignment.drain_agent(tenant_id, user_id)


def socket_closed(tenant_id: str, user_id: str, connection_id: str) -> None:
    """A member's socket closed: offline when it was their last (unless they chose `away`)."""
    load_store.socket_closed(tenant_id, user_id, connection_id)

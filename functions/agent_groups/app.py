"""agent_groups group (issue 11 "Routes", seed 003 section 9; README "Agent groups, presence
and assignment"; bare JSON, snake_case): agent groups with their members' capacities,
presence and open sessions, and the caller's own presence. Reads need a viewer, group writes
an admin, a member's own presence an agent. Routes call boto3, so they are plain `def`."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from engage.core.auth import AdminPrincipal, AgentPrincipal, ViewerPrincipal
from engage.core.handlers import http_handler
from engage.core.http import create_app
from engage.core.schemas import Deleted
from engage.routing import groups
from engage.routing.group_schemas import (
    GroupCreate,
    GroupListPublic,
    GroupPublic,
    GroupUpdate,
    PresencePublic,
    PresenceUpdate,
)

router = APIRouter(tags=["routing"])

GroupId = Annotated[str, Path(min_length=1, max_length=64, description="a group id")]


@router.get("/routing/groups")
def list_groups(principal: ViewerPrincipal) -> GroupListPublic:
    """The team's agent groups, oldest first, with members (capacity, presence, open
    sessions) and how many sessions wait in each queue."""
    return groups.list_groups(principal.tenant_id)


@router.post("/routing/groups", status_code=201)
def create_group(body: GroupCreate, principal: AdminPrincipal) -> GroupPublic:
    """Create a group `{name, members: [{user_id, capacity}]}`: 400 for a member who is not
    an active agent, admin or owner, or a capacity outside 1-100; 409 for a name in use."""
    return groups.create_group(principal.tenant_id, body)


@router.put("/routing/groups/{id}")
def update_group(id: GroupId, body: GroupUpdate, principal: AdminPrincipal) -> GroupPublic:
    """Rename a group and/or replace its members; a capacity raised or a member added
    assigns waiting sessions at once. 404 for an unknown id."""
    return groups.update_group(principal.tenant_id, id, body)


@router.delete("/routing/groups/{id}")
def delete_group(id: GroupId, principal: AdminPrincipal) -> Deleted:
    """Delete a group: its waiting sessions leave the queue and stay unassigned; sessions its
    members hold stay theirs. 404 for an unknown id."""
    groups.delete_group(principal.tenant_id, id)
    return Deleted(id=id)


@router.put("/agents/me/presence")
def set_presence(body: PresenceUpdate, principal: AgentPrincipal) -> PresencePublic:
    """Set the caller's presence (`online`, `away`, `offline`); only online agents receive
    routed sessions, and coming online assigns waiting ones at once."""
    return groups.set_presence(principal.tenant_id, principal.user_id, body.status)


app = create_app("agent_groups", [router])
handler = http_handler(app)

"""team group (issue 9 "Admin console API"; README "Team and invitations"): members and
invitations of the caller's tenant. Listing is for every member (agents assign conversations
to teammates); inviting, changing and removing need an admin (owners for owners)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from engage.core.auth import AdminPrincipal, ViewerPrincipal
from engage.core.handlers import http_handler
from engage.core.http import create_app
from engage.core.schemas import Deleted
from engage.team import invitations, service
from engage.team.schemas import (
    TeamInvitationCreatedPublic,
    TeamInvitationListPublic,
    TeamInvitationPublic,
    TeamInvite,
    TeamMemberListPublic,
    TeamMemberPublic,
    TeamMemberUpdate,
)

router = APIRouter(prefix="/admin/team", tags=["team"])

Id = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[0-9A-Za-z]+$")]
Cursor = Annotated[
    str | None,
    Query(
        min_length=1,
        max_length=64,
        pattern=r"^[0-9A-Za-z]+$",
        description="next_cursor of the last page",
    ),
]
Limit = Annotated[int, Query(ge=1, le=100, description="members per page")]


@router.get("/users")
def list_members(
    principal: ViewerPrincipal, cursor: Cursor = None, limit: Limit = 50
) -> TeamMemberListPublic:
    """The tenant's members (id, email, name, role, active, created_at, last_login_at)."""
    return service.list_members(principal.tenant_id, limit, cursor)


@router.put("/users/{id}")
def update_member(id: Id, body: TeamMemberUpdate, principal: AdminPrincipal) -> TeamMemberPublic:
    """Change a member's `role` and/or `active`. 403 for your own, for an owner unless you
    are one, and for making an owner unless you are one; 409 for the last owner."""
    return service.update_member(principal, id, body)


@router.delete("/users/{id}")
def remove_member(id: Id, principal: AdminPrincipal) -> Deleted:
    """Remove a member; their tokens stop working at once. Same rules as the PUT."""
    return service.remove_member(principal, id)


@router.post("/invitations", status_code=201)
def invite(body: TeamInvite, principal: AdminPrincipal) -> TeamInvitationCreatedPublic:
    """Invite `email` as `role` (admins up to admin, owners any); e-mails the link and answers
    it as `invite_url` (409 if the e-mail is already a member)."""
    return invitations.invite(principal, body)


@router.get("/invitations")
def list_invitations(principal: ViewerPrincipal) -> TeamInvitationListPublic:
    """The tenant's invitations, newest first, with their status."""
    return invitations.list_invitations(principal.tenant_id)


@router.delete("/invitations/{id}")
def revoke_invitation(id: Id, principal: AdminPrincipal) -> TeamInvitationPublic:
    """Revoke a pending invitation: its link stops working at once (409 if not pending)."""
    return invitations.revoke(principal, id)


app = create_app("team", [router])
handler = http_handler(app)

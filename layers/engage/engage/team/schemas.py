"""Team wire schemas (issue 9 "Admin console API": `/admin/team/*`, snake_case, bare
resources; lists as `{"data": [...], "next_cursor": ...}`)."""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field, StrictBool, field_validator

from engage.auth.schemas import valid_email
from engage.core.roles import Role
from engage.core.schemas import PublicModel, RequestModel
from engage.core.wiretext import CheckedText


class TeamMemberPublic(PublicModel):
    """A team member. `last_login_at` is their latest sign-in (null: never, or before it was
    recorded); `active: false` = deactivated (their tokens and sign-ins are refused)."""

    id: str
    email: str
    name: str | None
    role: Role
    active: bool
    created_at: str
    last_login_at: str | None


class TeamMemberListPublic(PublicModel):
    """GET /admin/team/users: one page of members in id order; pass `next_cursor` as
    `cursor` for the next (null: no more)."""

    data: list[TeamMemberPublic]
    next_cursor: str | None


class TeamMemberUpdate(CheckedText, RequestModel):
    """PUT /admin/team/users/{id}: a new role and/or standing (`active: false` deactivates,
    `true` reactivates). At least one of the two."""

    role: Role | None = None
    active: StrictBool | None = None


class TeamInvite(CheckedText, RequestModel):
    """POST /admin/team/invitations."""

    email: str = Field(max_length=254)
    role: Role

    @field_validator("email")
    @classmethod
    def _email(cls, v: str) -> str:
        return valid_email(v)


class InvitationStatus(StrEnum):
    """Where an invitation stands: `expired` = still pending when its time ran out."""

    PENDING = "pending"
    ACCEPTED = "accepted"
    REVOKED = "revoked"
    EXPIRED = "expired"


class EmailStatus(StrEnum):
    """Whether the e-mail provider took the invitation e-mail (`failed`: share `invite_url`
    yourself, or invite again)."""

    SENT = "sent"
    FAILED = "failed"


class TeamInvitationPublic(PublicModel):
    """A team invitation (the token itself is shown once, in the creation's `invite_url`)."""

    id: str
    email: str
    role: Role
    status: InvitationStatus
    invited_by: str = Field(description="the user id of the member who invited")
    created_at: str
    expires_at: str


class TeamInvitationCreatedPublic(TeamInvitationPublic):
    """POST /admin/team/invitations: the invitation, its link (CONSOLE_BASE_URL +
    `/accept-invite?token=...`; the console posts the token to
    `POST /auth/invitations/{token}/accept`) and whether the e-mail went out."""

    invite_url: str
    email_status: EmailStatus


class TeamInvitationListPublic(PublicModel):
    """GET /admin/team/invitations: the tenant's invitations, newest first (accepted, revoked
    and expired ones until the table's TTL removes them). `next_cursor` is always null."""

    data: list[TeamInvitationPublic]
    next_cursor: str | None = None

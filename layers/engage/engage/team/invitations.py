"""Inviting team members (issue 9 "Admin console API": `POST /admin/team/invitations`
e-mails an invitation and answers it with its `invite_url`).

An admin invites up to admin; only an owner invites an owner. An e-mail that is already a
member of the tenant is a 409 at once; one that belongs to an account of another tenant is
refused when accepted (409 there: one e-mail = one account), so inviting never tells an admin
which e-mails other tenants use. The link is `CONSOLE_BASE_URL/accept-invite?token=<token>`;
the token (engage/auth/invitations.py) travels only in it and is stored hashed. The e-mail
goes through the configured adapter (EMAIL_PROVIDER); when the provider refuses it, the
invitation stands and the answer says `email_status: "failed"`.
"""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import urlencode

from engage.auth import invitation_store, store
from engage.auth.invitations import new_token, now_epoch
from engage.auth.models import InvitationItem
from engage.channels.email_base import EmailRefused
from engage.channels.email_registry import email_adapter
from engage.core import clock, ids, keys
from engage.core.errors import Conflict, Forbidden, NotFound
from engage.core.observability import logger
from engage.core.roles import Role
from engage.core.settings import get_settings
from engage.core.tokens import Principal
from engage.team.mail import invitation_email
from engage.team.schemas import (
    EmailStatus,
    InvitationStatus,
    TeamInvitationCreatedPublic,
    TeamInvitationListPublic,
    TeamInvitationPublic,
    TeamInvite,
)
from engage.tenants.service import get_tenant

ACCEPT_PATH = "/accept-invite"


def _public(item: InvitationItem) -> TeamInvitationPublic:
    status = InvitationStatus(item.status)
    expires = int(item.expires_at or 0)
    if status is InvitationStatus.PENDING and expires <= now_epoch():
        status = InvitationStatus.EXPIRED
    return TeamInvitationPublic(
        id=keys.id_from_sk(item.sk, keys.INVITATION_SK_PREFIX),
        email=item.email,
        role=Role.parse(item.role),
        status=status,
        invited_by=item.invited_by,
        created_at=item.created_at,
        expires_at=clock.iso(datetime.fromtimestamp(expires, UTC)),
    )


def invite_url(token: str) -> str:
    """The console's accept page for `token` (CONSOLE_BASE_URL + /accept-invite?token=...)."""
    return f"{get_settings().console_base_url}{ACCEPT_PATH}?{urlencode({'token': token})}"


def invite(principal: Principal, body: TeamInvite) -> TeamInvitationCreatedPublic:
    """Create an invitation for `body.email` with `body.role` and e-mail it. Raises Forbidden
    (an owner invitation from a non-owner), Conflict (already a member of this tenant)."""
    tenant_id = principal.tenant_id
    if body.role is Role.OWNER and Role.parse(principal.role) is not Role.OWNER:
        raise Forbidden("Only an owner can invite an owner", {"role": "owner"})
    taken = store.get_email(body.email)
    if taken is not None and taken.tenant_id == tenant_id:
        raise Conflict("This e-mail is already a member of the team", {"email": "member"})
    settings = get_settings()
    invitation_id = ids.new_id()
    token, secret_hash = new_token(tenant_id, invitation_id)
    item = invitation_store.put(
        tenant_id,
        invitation_id,
        email=body.email,
        role=body.role.value,
        secret_hash=secret_hash,
        invited_by=principal.user_id,
        created_at=clock.now_iso(),
        expires_at=now_epoch() + settings.invitation_ttl_seconds,
    )
    url = invite_url(token)
    inviter = store.get_user(tenant_id, principal.user_id)
    email = invitation_email(
        to=body.email,
        tenant_id=tenant_id,
        tenant_name=get_tenant(tenant_id).name,
        inviter=(inviter.name if inviter and inviter.name else principal.email) or "A teammate",
        role=body.role.value,
        url=url,
        days=max(settings.invitation_ttl_seconds // 86400, 1),
    )
    adapter = email_adapter()
    try:
        adapter.send(email)
        sent = EmailStatus.SENT
    except EmailRefused as exc:
        logger.warning(
            "invitation e-mail refused",
            extra={"provider": adapter.name, "reason": exc.reason, "invitation": invitation_id},
        )
        sent = EmailStatus.FAILED
    public = _public(item)
    return TeamInvitationCreatedPublic(**public.model_dump(), invite_url=url, email_status=sent)


def list_invitations(tenant_id: str) -> TeamInvitationListPublic:
    """The tenant's invitations, newest first."""
    items = invitation_store.list_all(tenant_id)
    return TeamInvitationListPublic(data=[_public(i) for i in reversed(items)])


def revoke(principal: Principal, invitation_id: str) -> TeamInvitationPublic:
    """Revoke a pending invitation (its link stops working at once); returns it. Raises
    NotFound, Forbidden (an owner invitation, unless you are an owner), Conflict (no longer
    pending: accepted, revoked or expired)."""
    tenant_id = principal.tenant_id
    item = invitation_store.get(tenant_id, invitation_id)
    if item is None:
        raise NotFound("Invitation not found")
    if Role.parse(item.role) is Role.OWNER and Role.parse(principal.role) is not Role.OWNER:
        raise Forbidden("Only an owner can revoke an owner invitation", {"required": "owner"})
    if not invitation_store.revoke(tenant_id, invitation_id, now_epoch()):
        raise Conflict(f"This invitation is {_public(item).status.value}", {"id": "not pending"})
    item.status = "revoked"
    return _public(item)

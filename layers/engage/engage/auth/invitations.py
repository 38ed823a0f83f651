"""Team invitation tokens and accepting them (issue 9 "Admin console API": `POST
/auth/invitations/{token}/accept` answers tokens exactly as `/auth/login` does).

A token is `<tenantId>.<invitationId>.<secret>`: 256 random bits of secret, of which only the
SHA-256 is stored (auth/models.py InvitationItem), like refresh tokens. Accepting uses the
invitation up with one conditional write (pending and unexpired -> accepted), so it works at
most once, then claims the e-mail in the global `EMAIL#` index (one e-mail = one user, in one
tenant) and writes the member with the invited role.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from engage.auth import invitation_store, owners, service, store
from engage.auth.models import InvitationItem
from engage.auth.schemas import AuthInvitationAccept, AuthTokenPublic
from engage.core import clock, ids
from engage.core.errors import Conflict, Unauthorized
from engage.core.roles import Role
from engage.core.tokens import Principal

_INVALID = "Invalid invitation link"
_TAKEN = (
    "An account with this e-mail already exists: one e-mail belongs to one account. Sign in "
    "with it, or ask for an invitation to another e-mail address"
)


def hash_secret(secret: str) -> str:
    """SHA-256 (hex) of a token's secret: what is stored."""
    return hashlib.sha256(secret.encode()).hexdigest()


def new_token(tenant_id: str, invitation_id: str) -> tuple[str, str]:
    """A fresh invitation token and the hash to store: `(token, secret_hash)`."""
    secret = secrets.token_urlsafe(32)
    return f"{tenant_id}.{invitation_id}.{secret}", hash_secret(secret)


def now_epoch() -> int:
    """The clock's time in epoch seconds (invitations expire by it)."""
    return int(clock.now().timestamp())


def _verified(token: str) -> tuple[str, str, InvitationItem]:
    """Tenant id, invitation id and item of a genuine invitation token (any status); raises
    Unauthorized for anything else."""
    parts = token.split(".")  # a token string, not a storage key
    if len(parts) != 3 or not all(parts) or not all(p.isascii() and len(p) <= 64 for p in parts):
        raise Unauthorized(_INVALID)
    tenant_id, invitation_id, secret = parts
    item = invitation_store.get(tenant_id, invitation_id)
    if item is None or not hmac.compare_digest(item.secret_hash, hash_secret(secret)):
        raise Unauthorized(_INVALID)
    return tenant_id, invitation_id, item


def _usable(item: InvitationItem) -> None:
    """Raises Unauthorized when the invitation was used, revoked or has expired."""
    if item.status == "accepted":
        raise Unauthorized("This invitation was already accepted; sign in instead")
    if item.status != invitation_store.PENDING:
        raise Unauthorized("This invitation was revoked")
    if (item.expires_at or 0) <= now_epoch():
        raise Unauthorized("This invitation has expired; ask for a new one")


def accept(token: str, body: AuthInvitationAccept) -> AuthTokenPublic:
    """Become a member of the invitation's tenant with its role; returns the token response of
    `/auth/login` (the new member is signed in). Raises Unauthorized (401) for an unknown,
    used, revoked or expired invitation, Conflict (409) when the e-mail already belongs to an
    account (in this tenant or another)."""
    tenant_id, invitation_id, item = _verified(token)
    _usable(item)
    if store.get_email(item.email) is not None:
        raise Conflict(_TAKEN, {"email": "already registered"})
    password_hash = service.hash_password(body.password)
    user_id = ids.new_id()
    now = clock.now_iso()
    if not invitation_store.consume(
        tenant_id, invitation_id, user_id=user_id, accepted_at=now, now_epoch=now_epoch()
    ):
        raise Unauthorized("This invitation was already accepted, revoked or has expired")
    if not store.claim_email(item.email, tenant_id, user_id):
        raise Conflict(_TAKEN, {"email": "already registered"})
    makes_owner = Role.parse(item.role) is Role.OWNER
    try:
        if makes_owner:
            owners.ensure(tenant_id)
        store.put_user(tenant_id, user_id, item.email, password_hash, item.role, now, body.name)
    except Exception:
        store.release_email(item.email, user_id)  # the e-mail stays free for another try
        raise
    if makes_owner:
        owners.give_back(tenant_id)  # counted once the member exists (auth/owners.py)
    return service.issue_tokens(Principal(user_id, tenant_id, item.role, item.email))

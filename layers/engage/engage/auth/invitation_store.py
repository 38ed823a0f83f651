"""Team invitation storage (`PK=T#<tenantId>`, `SK=INV#<invitationId>`): the only module that
reads or writes invitation items. Accepting and revoking are one conditional write each, so an
invitation is used at most once."""

from __future__ import annotations

from pynamodb.exceptions import UpdateError
from pynamodb.expressions.update import Action

from engage.auth.models import InvitationItem
from engage.core import keys

_FAILED = "ConditionalCheckFailedException"
PENDING = "pending"


def put(
    tenant_id: str,
    invitation_id: str,
    *,
    email: str,
    role: str,
    secret_hash: str,
    invited_by: str,
    created_at: str,
    expires_at: int,
) -> InvitationItem:
    """Write a new pending invitation; returns it."""
    item = InvitationItem(
        *keys.invitation_key(tenant_id, invitation_id),
        email=email,
        role=role,
        status=PENDING,
        secret_hash=secret_hash,
        invited_by=invited_by,
        created_at=created_at,
        expires_at=expires_at,
    )
    item.save(condition=InvitationItem.pk.does_not_exist())
    return item


def get(tenant_id: str, invitation_id: str) -> InvitationItem | None:
    """The invitation (strongly consistent read), or None."""
    try:
        return InvitationItem.get(
            *keys.invitation_key(tenant_id, invitation_id), consistent_read=True
        )
    except InvitationItem.DoesNotExist:
        return None


def list_all(tenant_id: str) -> list[InvitationItem]:
    """Every invitation the table still holds for the tenant (expired ones leave by TTL), in
    id (creation) order. One Query of the tenant partition's `INV#` range."""
    return list(
        InvitationItem.query(
            keys.tenant_pk(tenant_id),
            InvitationItem.sk.startswith(keys.INVITATION_SK_PREFIX),
            consistent_read=True,
        )
    )


def _finish(tenant_id: str, invitation_id: str, status: str, now_epoch: int, **extra: str) -> bool:
    """Move a pending, unexpired invitation to `status` (one conditional write); False when it
    is gone, no longer pending or expired."""
    item = InvitationItem(*keys.invitation_key(tenant_id, invitation_id))
    actions: list[Action] = [InvitationItem.status.set(status)]
    if "accepted_at" in extra:
        actions.append(InvitationItem.accepted_at.set(extra["accepted_at"]))
    if "user_id" in extra:
        actions.append(InvitationItem.user_id.set(extra["user_id"]))
    try:
        item.update(
            actions=actions,
            condition=InvitationItem.pk.exists()
            & (InvitationItem.status == PENDING)
            & (InvitationItem.expires_at > now_epoch),
        )
    except UpdateError as exc:
        if exc.cause_response_code == _FAILED:
            return False
        raise
    return True


def consume(
    tenant_id: str, invitation_id: str, *, user_id: str, accepted_at: str, now_epoch: int
) -> bool:
    """Use the invitation up for `user_id`: True for the one caller that wins, False when it
    was already used, revoked or has expired."""
    return _finish(
        tenant_id, invitation_id, "accepted", now_epoch, accepted_at=accepted_at, user_id=user_id
    )


def revoke(tenant_id: str, invitation_id: str, now_epoch: int) -> bool:
    """Revoke a pending invitation; False when it is not pending (or has expired)."""
    return _finish(tenant_id, invitation_id, "revoked", now_epoch)

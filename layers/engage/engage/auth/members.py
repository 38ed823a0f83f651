"""The signed-in member as stored now (issue 9 "Roles": a deactivated or removed member's
tokens stop working at once, not when they expire; a role change applies at once)."""

from __future__ import annotations

from engage.auth import store
from engage.core.errors import Unauthorized
from engage.core.roles import Role
from engage.core.tokens import Principal


def current(principal: Principal) -> Principal:
    """`principal` (from a verified access token) checked against its user item: the role is
    the stored one. One GetItem. Raises Unauthorized when the member was removed or
    deactivated."""
    user = store.get_user(principal.tenant_id, principal.user_id)
    if user is None:
        raise Unauthorized("This account no longer exists")
    if user.active is False:
        raise Unauthorized("This account is deactivated")
    return Principal(
        user_id=principal.user_id,
        tenant_id=principal.tenant_id,
        role=Role.parse(user.role).value,
        email=user.email,
    )

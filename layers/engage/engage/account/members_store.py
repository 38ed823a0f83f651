"""How many team members a tenant has, for the onboarding checklist: a counting Query of the
tenant's `USER#` items (engage/auth/models.py). When the team group (engage/team) is on main,
its member and invitation counts should replace this."""

from __future__ import annotations

from engage.auth.models import UserItem
from engage.core import keys


def count_members(tenant_id: str) -> int:
    """Members of the tenant (active or not)."""
    pk, prefix = keys.user_key(tenant_id, "")
    return UserItem.count(pk, UserItem.sk.startswith(prefix), consistent_read=True)

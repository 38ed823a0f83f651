"""Who a notification goes to (issue 11 "Notifications"): the tenant's active members by
role, read from the team's `USER#` range (engage/auth/store.py; pages of 100).

Presence (`online` / `away` / `offline`) is not on main yet (engage/routing builds it): until
it is, a waiting-session alert goes to every active agent, admin and owner.
"""

from __future__ import annotations

from engage.auth import store as members
from engage.core import keys
from engage.core.roles import Role

PAGE = 100


def active_members(tenant_id: str, at_least: Role) -> list[str]:
    """The ids of the tenant's active members whose role is `at_least` or higher."""
    out: list[str] = []
    after: str | None = None
    while True:
        page, after = members.list_users(tenant_id, PAGE, after)
        for user in page:
            if user.active and Role.parse(user.role).at_least(at_least):
                out.append(keys.id_from_sk(user.sk, keys.USER_SK_PREFIX))
        if after is None:
            return out


def is_active_member(tenant_id: str, member_id: str) -> bool:
    """Whether `member_id` is an active member of the tenant (one GetItem)."""
    user = members.get_user(tenant_id, member_id)
    return user is not None and bool(user.active)

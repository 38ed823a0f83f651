"""Who a notification goes to (issue 11 "Notifications"): the tenant's active members by
role, read from the team's `USER#` range (engage/auth/store.py; pages of 100).

A waiting-session alert goes to the admins and owners, and to the agents who are online
(their presence in engage/routing, `PUT /agents/me/presence` or their socket); to every active
agent when none is online, so that someone sees it.
"""

from __future__ import annotations

from engage.auth import store as members
from engage.core import keys
from engage.core.roles import Role

PAGE = 100


def _active_roles(tenant_id: str) -> dict[str, Role]:
    """Every active member's id and role (the team's `USER#` range, pages of 100)."""
    out: dict[str, Role] = {}
    after: str | None = None
    while True:
        page, after = members.list_users(tenant_id, PAGE, after)
        for user in page:
            if user.active:
                out[keys.id_from_sk(user.sk, keys.USER_SK_PREFIX)] = Role.parse(user.role)
        if after is None:
            return out


def active_members(tenant_id: str, at_least: Role) -> list[str]:
    """The ids of the tenant's active members whose role is `at_least` or higher."""
    return [m for m, role in _active_roles(tenant_id).items() if role.at_least(at_least)]


def waiting_alert_members(tenant_id: str) -> list[str]:
    """Who hears of a session left waiting: every active admin and owner, and the active
    agents who are online (one BatchGetItem of their load items, engage/routing/load_store);
    every active agent when no agent is online."""
    from engage.routing import load_store

    roles = _active_roles(tenant_id)
    leads = [m for m, role in roles.items() if role.at_least(Role.ADMIN)]
    agents = [m for m, role in roles.items() if role is Role.AGENT]
    loads = load_store.many(tenant_id, agents)
    online = [m for m in agents if m in loads and loads[m].presence == "online"]
    return [*leads, *(online or agents)]


def is_active_member(tenant_id: str, member_id: str) -> bool:
    """Whether `member_id` is an active member of the tenant (one GetItem)."""
    user = members.get_user(tenant_id, member_id)
    return user is not None and bool(user.active)

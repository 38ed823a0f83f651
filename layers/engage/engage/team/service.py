"""Team members: list, change role or standing, remove (issue 9 "Roles"; README "Team and
invitations").

Who may do what: an admin manages the members below owner (agents, viewers, other admins) and
may make admins; only an owner makes an owner or changes or removes an owner; nobody changes
their own role or standing or removes themselves (403: another admin or owner does it). The
last active owner stays (409; engage/auth/owners.py makes that hold under concurrency). Every
member write is conditional on the role and standing that the decision was made on, so a
change that raced with another is a 409 ("changed meanwhile") instead of a lost update. A
deactivated or removed member's tokens stop working at their next request
(engage/auth/members.py reads the user item per request, refresh included).
"""

from __future__ import annotations

from engage.auth import invitation_store, owners, store
from engage.auth.invitations import now_epoch
from engage.auth.models import UserItem
from engage.core import keys
from engage.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from engage.core.roles import Role
from engage.core.schemas import Deleted
from engage.core.tokens import Principal
from engage.team.schemas import TeamMemberListPublic, TeamMemberPublic, TeamMemberUpdate

_LAST_OWNER = "The team must keep at least one active owner; make another owner first"
_RACED = "This member was changed meanwhile; reload and try again"


def member_public(user: UserItem) -> TeamMemberPublic:
    """The wire form of a user item."""
    return TeamMemberPublic(
        id=keys.id_from_sk(user.sk, keys.USER_SK_PREFIX),
        email=user.email,
        name=user.name,
        role=Role.parse(user.role),
        active=user.active is not False,
        created_at=user.created_at,
        last_login_at=user.last_login_at,
    )


def list_members(tenant_id: str, limit: int, cursor: str | None) -> TeamMemberListPublic:
    """One page of the tenant's members in id order (`cursor` = a member id from
    `next_cursor`)."""
    users, after = store.list_users(tenant_id, limit, cursor)
    return TeamMemberListPublic(data=[member_public(u) for u in users], next_cursor=after)


def _target(principal: Principal, user_id: str) -> UserItem:
    """The member `user_id` of the caller's tenant (404 otherwise, other tenants' included);
    403 when it is the caller."""
    user = store.get_user(principal.tenant_id, user_id)
    if user is None:
        raise NotFound("Team member not found")
    if user_id == principal.user_id:
        raise Forbidden(
            "You cannot change your own role or standing, or remove yourself; another admin or "
            "owner can",
            {"id": "is you"},
        )
    return user


def _may_manage(caller: Role, current: Role, new_role: Role) -> None:
    """403 unless `caller` may move a member from `current` to `new_role`."""
    if caller is Role.OWNER:
        return
    if current is Role.OWNER:
        raise Forbidden("Only an owner can change or remove an owner", {"required": "owner"})
    if new_role is Role.OWNER:
        raise Forbidden("Only an owner can make an owner", {"required": "owner"})


def update_member(principal: Principal, user_id: str, body: TeamMemberUpdate) -> TeamMemberPublic:
    """Change a member's role and/or standing; returns the member as now stored. Raises
    ValidationFailed (nothing to change), NotFound, Forbidden (see the module docstring),
    Conflict (the last owner; or changed meanwhile)."""
    if body.role is None and body.active is None:
        raise ValidationFailed("Give role or active", {"body": "needs role or active"})
    tenant_id = principal.tenant_id
    user = _target(principal, user_id)
    current, was_active = Role.parse(user.role), user.active is not False
    new_role = body.role or current
    new_active = was_active if body.active is None else body.active
    _may_manage(Role.parse(principal.role), current, new_role)
    if (new_role, new_active) == (current, was_active) and user.role == current.value:
        return member_public(user)
    was_owner = current is Role.OWNER and was_active
    is_owner = new_role is Role.OWNER and new_active
    if was_owner and not is_owner and not owners.take(tenant_id):
        raise Conflict(_LAST_OWNER, {"id": "last owner"})
    if is_owner and not was_owner:
        owners.ensure(tenant_id)  # before the write: see engage/auth/owners.py
    changed = store.set_member_if(
        tenant_id,
        user_id,
        expect_role=user.role,
        expect_active=was_active,
        role=new_role.value,
        active=new_active,
    )
    if was_owner and not is_owner and not changed:
        owners.give_back(tenant_id)
    if not changed:
        raise Conflict(_RACED, {"id": "changed meanwhile"})
    if is_owner and not was_owner:
        owners.give_back(tenant_id)  # count the new active owner
    user.role, user.active = new_role.value, new_active
    return member_public(user)


def remove_member(principal: Principal, user_id: str) -> Deleted:
    """Remove a member (their e-mail is freed: it may be invited again or register). Raises
    NotFound, Forbidden (yourself; an owner unless you are one), Conflict (the last owner; or
    changed meanwhile)."""
    tenant_id = principal.tenant_id
    user = _target(principal, user_id)
    current, was_active = Role.parse(user.role), user.active is not False
    _may_manage(Role.parse(principal.role), current, Role.VIEWER)
    was_owner = current is Role.OWNER and was_active
    if was_owner and not owners.take(tenant_id):
        raise Conflict(_LAST_OWNER, {"id": "last owner"})
    if not store.delete_user_if(
        tenant_id, user_id, expect_role=user.role, expect_active=was_active
    ):
        if was_owner:
            owners.give_back(tenant_id)
        raise Conflict(_RACED, {"id": "changed meanwhile"})
    store.release_email(user.email, user_id)
    return Deleted(id=user_id)


def counts(tenant_id: str) -> dict[str, int]:
    """`{"members": n, "pending_invitations": n}`: members (active or not) and invitations
    that can still be accepted (for the onboarding checklist). Two Queries."""
    now = now_epoch()
    pending = sum(
        1
        for item in invitation_store.list_all(tenant_id)
        if item.status == invitation_store.PENDING and (item.expires_at or 0) > now
    )
    return {"members": store.count_users(tenant_id), "pending_invitations": pending}

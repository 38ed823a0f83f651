"""Auth storage: users, the global e-mail index, refresh tokens and their families. The only
auth module that talks to DynamoDB; keys come from `engage.core.keys`."""

from __future__ import annotations

from typing import Any

from pynamodb.exceptions import DeleteError, PutError, UpdateError
from pynamodb.expressions.update import Action

from engage.auth.models import EmailItem, RefreshFamilyItem, RefreshTokenItem, UserItem
from engage.core import keys

_FAILED = "ConditionalCheckFailedException"


def _update_if(item: RefreshFamilyItem | RefreshTokenItem, actions: list[Any]) -> bool:
    """Apply `actions` to the existing, not yet revoked `item` in one conditional write;
    False when it is gone or revoked (the condition failed)."""
    model = type(item)
    try:
        item.update(
            actions=actions,
            condition=model.pk.exists() & (model.revoked == False),  # noqa: E712
        )
    except UpdateError as exc:
        if exc.cause_response_code == _FAILED:
            return False
        raise
    return True


def _has(role: str, active: bool) -> Any:
    """Condition: the user has `role` and is `active` (items written before `active` existed
    have no such attribute and count as active)."""
    if active:
        standing = (UserItem.active == True) | UserItem.active.does_not_exist()  # noqa: E712
    else:
        standing = UserItem.active == False  # noqa: E712
    return (UserItem.role == role) & standing


def claim_email(email: str, tenant_id: str, user_id: str) -> bool:
    """Claim a login e-mail for a user (conditional put); False when it is already taken."""
    try:
        EmailItem(*keys.email_key(email), tenant_id=tenant_id, user_id=user_id).save(
            condition=EmailItem.pk.does_not_exist()
        )
    except PutError as exc:
        if exc.cause_response_code == _FAILED:
            return False
        raise
    return True


def release_email(email: str, user_id: str) -> None:
    """Give a claimed e-mail back (only while `user_id` holds it)."""
    try:
        EmailItem(*keys.email_key(email)).delete(condition=EmailItem.user_id == user_id)
    except DeleteError as exc:
        if exc.cause_response_code != _FAILED:
            raise


def get_email(email: str) -> EmailItem | None:
    """The e-mail index entry, or None."""
    try:
        return EmailItem.get(*keys.email_key(email))
    except EmailItem.DoesNotExist:
        return None


def put_user(
    tenant_id: str,
    user_id: str,
    email: str,
    password_hash: str,
    role: str,
    created_at: str,
    name: str | None = None,
) -> None:
    """Write a user."""
    UserItem(
        *keys.user_key(tenant_id, user_id),
        email=email,
        password_hash=password_hash,
        role=role,
        created_at=created_at,
        name=name,
    ).save()


def get_user(tenant_id: str, user_id: str) -> UserItem | None:
    """The user, or None."""
    try:
        return UserItem.get(*keys.user_key(tenant_id, user_id))
    except UserItem.DoesNotExist:
        return None


def update_member(
    tenant_id: str, user_id: str, *, role: str | None = None, active: bool | None = None
) -> bool:
    """Set a member's role and/or active flag (one conditional update); False when there is no
    such member. Takes effect on the member's next request (auth/members.py)."""
    actions: list[Action] = []
    if role is not None:
        actions.append(UserItem.role.set(role))
    if active is not None:
        actions.append(UserItem.active.set(active))
    if not actions:
        return get_user(tenant_id, user_id) is not None
    try:
        UserItem(*keys.user_key(tenant_id, user_id)).update(
            actions=actions, condition=UserItem.pk.exists()
        )
    except UpdateError as exc:
        if exc.cause_response_code == _FAILED:
            return False
        raise
    return True


def list_users(
    tenant_id: str, limit: int, after: str | None = None
) -> tuple[list[UserItem], str | None]:
    """Up to `limit` members in id order, after the member id `after`; and the id to continue
    after (None at the end). One Query of the tenant partition's `USER#` range."""
    start = None
    if after is not None:
        pk, sk = keys.user_key(tenant_id, after)
        start = {"PK": {"S": pk}, "SK": {"S": sk}}
    result = UserItem.query(
        keys.tenant_pk(tenant_id),
        UserItem.sk.startswith(keys.USER_SK_PREFIX),
        limit=limit,
        last_evaluated_key=start,
        consistent_read=True,
    )
    items = list(result)
    last = result.last_evaluated_key
    return items, keys.id_from_sk(last["SK"]["S"], keys.USER_SK_PREFIX) if last else None


def count_users(tenant_id: str) -> int:
    """How many members the tenant has (a counting Query of its `USER#` range)."""
    return UserItem.count(
        keys.tenant_pk(tenant_id),
        UserItem.sk.startswith(keys.USER_SK_PREFIX),
        consistent_read=True,
    )


def active_owner_count(tenant_id: str) -> int:
    """How many members are active owners (a Query of the tenant's `USER#` range; only to
    seed the owner count of a tenant that has none yet)."""
    return sum(
        1
        for user in UserItem.query(
            keys.tenant_pk(tenant_id),
            UserItem.sk.startswith(keys.USER_SK_PREFIX),
            filter_condition=_has("owner", True),
            consistent_read=True,
        )
    )


def set_member_if(
    tenant_id: str,
    user_id: str,
    *,
    expect_role: str,
    expect_active: bool,
    role: str | None = None,
    active: bool | None = None,
) -> bool:
    """Set role and/or active in one write, on the condition that the member still has
    `expect_role` and `expect_active` (what the caller read and decided on); False when the
    member is gone or changed meanwhile."""
    actions: list[Action] = []
    if role is not None:
        actions.append(UserItem.role.set(role))
    if active is not None:
        actions.append(UserItem.active.set(active))
    try:
        UserItem(*keys.user_key(tenant_id, user_id)).update(
            actions=actions or [UserItem.role.set(expect_role)],
            condition=UserItem.pk.exists() & _has(expect_role, expect_active),
        )
    except UpdateError as exc:
        if exc.cause_response_code == _FAILED:
            return False
        raise
    return True


def delete_user_if(tenant_id: str, user_id: str, *, expect_role: str, expect_active: bool) -> bool:
    """Remove a member on the condition that they still have `expect_role` and
    `expect_active`; False when they are gone or changed meanwhile."""
    try:
        UserItem(*keys.user_key(tenant_id, user_id)).delete(
            condition=UserItem.pk.exists() & _has(expect_role, expect_active)
        )
    except DeleteError as exc:
        if exc.cause_response_code == _FAILED:
            return False
        raise
    return True


def touch_login(tenant_id: str, user_id: str, at_iso: str) -> None:
    """Record a member's latest sign-in (login, registration, accepted invitation)."""
    try:
        UserItem(*keys.user_key(tenant_id, user_id)).update(
            actions=[UserItem.last_login_at.set(at_iso)], condition=UserItem.pk.exists()
        )
    except UpdateError as exc:
        if exc.cause_response_code != _FAILED:
            raise


def delete_user(tenant_id: str, user_id: str) -> None:
    """Remove a member's user item (idempotent); their tokens stop working at once."""
    UserItem(*keys.user_key(tenant_id, user_id)).delete()


def set_password_hash(tenant_id: str, user_id: str, password_hash: str) -> None:
    """Replace a user's password hash (argon2 parameters upgraded at login)."""
    UserItem(*keys.user_key(tenant_id, user_id)).update(
        actions=[UserItem.password_hash.set(password_hash)]
    )


def put_family(
    tenant_id: str, family_id: str, user_id: str, created_at: str, expires_at: int
) -> None:
    """Start a refresh-token family (one per sign-in)."""
    RefreshFamilyItem(
        *keys.refresh_family_key(tenant_id, family_id),
        user_id=user_id,
        created_at=created_at,
        expires_at=expires_at,
    ).save()


def extend_family(tenant_id: str, family_id: str, expires_at: int) -> bool:
    """Push a live family's expiry to its newest token's (conditional on not revoked);
    False when the family is revoked or gone."""
    return _update_if(
        RefreshFamilyItem(*keys.refresh_family_key(tenant_id, family_id)),
        [RefreshFamilyItem.expires_at.set(expires_at)],
    )


def revoke_family(tenant_id: str, family_id: str) -> bool:
    """Revoke every token of a family in one conditional write; False when it was already
    revoked (or is gone)."""
    return _update_if(
        RefreshFamilyItem(*keys.refresh_family_key(tenant_id, family_id)),
        [RefreshFamilyItem.revoked.set(True)],
    )


def put_token(
    tenant_id: str,
    token_id: str,
    *,
    family_id: str,
    user_id: str,
    secret_hash: str,
    created_at: str,
    expires_at: int,
) -> None:
    """Write a new refresh token of `family_id`."""
    RefreshTokenItem(
        *keys.refresh_token_key(tenant_id, token_id),
        user_id=user_id,
        secret_hash=secret_hash,
        family_id=family_id,
        created_at=created_at,
        expires_at=expires_at,
    ).save(condition=RefreshTokenItem.pk.does_not_exist())


def get_token(tenant_id: str, token_id: str) -> RefreshTokenItem | None:
    """A refresh token item, or None."""
    try:
        return RefreshTokenItem.get(*keys.refresh_token_key(tenant_id, token_id))
    except RefreshTokenItem.DoesNotExist:
        return None


def use_token(tenant_id: str, token_id: str) -> bool:
    """Mark a refresh token used (conditional on unused): True for the one caller that wins,
    False when it was already used or revoked."""
    return _update_if(
        RefreshTokenItem(*keys.refresh_token_key(tenant_id, token_id)),
        [RefreshTokenItem.revoked.set(True)],
    )

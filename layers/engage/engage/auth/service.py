"""Register, login, refresh (rotating), logout, me.

Passwords: argon2id via argon2-cffi. Refresh tokens: `<tenantId>.<tokenId>.<secret>`; only the
SHA-256 of the secret is stored, and rotation marks the old token revoked in the same
conditional update that checks it, so a refresh token works exactly once.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from pynamodb.exceptions import PutError, UpdateError

from engage.auth.models import EmailItem, RefreshTokenItem, UserItem
from engage.auth.schemas import LoginRequest, RegisterRequest, TokenResponse
from engage.core import clock, ids, keys
from engage.core.auth import Principal, issue_access_token
from engage.core.errors import Conflict, NotFound, Unauthorized
from engage.core.settings import get_settings
from engage.tenants.service import get_tenant, new_tenant_item, tenant_id_of

_hasher = PasswordHasher()
# Verified against when the e-mail is unknown, so both paths cost one argon2 verification.
_DUMMY_HASH = _hasher.hash(secrets.token_hex(16))


def _hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _issue(principal: Principal) -> TokenResponse:
    access, ttl = issue_access_token(principal)
    token_id = ids.new_id()
    secret = secrets.token_urlsafe(32)
    settings = get_settings()
    RefreshTokenItem(
        keys.tenant_pk(principal.tenant_id),
        f"RT#{token_id}",
        user_id=principal.user_id,
        secret_hash=_hash_secret(secret),
        created_at=clock.now_iso(),
        expires_at=int(clock.now().timestamp()) + settings.refresh_token_ttl_seconds,
    ).save()
    return TokenResponse(
        access_token=access,
        refresh_token=f"{principal.tenant_id}.{token_id}.{secret}",
        expires_in=ttl,
    )


def register(body: RegisterRequest) -> TokenResponse:
    """Create a tenant and its owner; 409 if the e-mail is taken (claimed by a conditional put)."""
    tenant = new_tenant_item(body.tenantName)
    tenant_id = tenant_id_of(tenant)
    user_id = ids.new_id()
    user = UserItem(
        keys.tenant_pk(tenant_id),
        f"USER#{user_id}",
        email=body.email,
        password_hash=_hasher.hash(body.password),
        role="owner",
        created_at=clock.now_iso(),
    )
    email = EmailItem(*keys.email_key(body.email), tenant_id=tenant_id, user_id=user_id)
    try:
        email.save(condition=EmailItem.pk.does_not_exist())  # the e-mail is claimed first
    except PutError as exc:
        if exc.cause_response_code == "ConditionalCheckFailedException":
            raise Conflict(
                "An account with this e-mail already exists", {"email": "already registered"}
            ) from exc
        raise
    try:
        tenant.save()
        user.save()
    except Exception:
        email.delete()  # give the e-mail back so the registration can be retried
        raise
    return _issue(Principal(user_id, tenant_id, "owner", body.email))


def login(body: LoginRequest) -> TokenResponse:
    """Check e-mail and password; the same 401 for an unknown e-mail and a wrong password."""
    email = body.email.strip().lower()
    try:
        idx = EmailItem.get(*keys.email_key(email))
        user = UserItem.get(keys.tenant_pk(idx.tenant_id), f"USER#{idx.user_id}")
        stored = user.password_hash
    except (EmailItem.DoesNotExist, UserItem.DoesNotExist):
        idx, user, stored = None, None, _DUMMY_HASH
    try:
        _hasher.verify(stored, body.password)
    except (VerificationError, InvalidHashError):
        raise Unauthorized("Invalid e-mail or password") from None
    if idx is None or user is None:
        raise Unauthorized("Invalid e-mail or password")
    if _hasher.check_needs_rehash(stored):
        user.update(actions=[UserItem.password_hash.set(_hasher.hash(body.password))])
    return _issue(Principal(idx.user_id, idx.tenant_id, user.role, user.email))


def _parse_refresh(token: str) -> tuple[str, str, str]:
    parts = token.split(".")
    if len(parts) != 3 or not all(parts):
        raise Unauthorized("Invalid refresh token")
    return parts[0], parts[1], parts[2]


def _revoke(token: str) -> RefreshTokenItem:
    """Check a refresh token and revoke it in one conditional update; raises Unauthorized."""
    tenant_id, token_id, secret = _parse_refresh(token)
    try:
        item = RefreshTokenItem.get(keys.tenant_pk(tenant_id), f"RT#{token_id}")
    except RefreshTokenItem.DoesNotExist:
        raise Unauthorized("Invalid refresh token") from None
    expired = (item.expires_at or 0) < clock.now().timestamp()
    if expired or not hmac.compare_digest(item.secret_hash, _hash_secret(secret)):
        raise Unauthorized("Invalid refresh token")
    try:
        item.update(
            actions=[RefreshTokenItem.revoked.set(True)],
            condition=RefreshTokenItem.revoked == False,  # noqa: E712
        )
    except UpdateError as exc:
        if exc.cause_response_code == "ConditionalCheckFailedException":
            raise Unauthorized("Refresh token already used or revoked") from exc
        raise
    return item


def refresh(token: str) -> TokenResponse:
    """Rotate: the presented token stops working and a new pair is issued."""
    item = _revoke(token)
    tenant_id = item.pk.split("#", 1)[1]
    try:
        user = UserItem.get(keys.tenant_pk(tenant_id), f"USER#{item.user_id}")
    except UserItem.DoesNotExist:
        raise Unauthorized("User no longer exists") from None
    return _issue(Principal(item.user_id, tenant_id, user.role, user.email))


def logout(token: str) -> None:
    """Revoke the refresh token (a second logout with it is a 401)."""
    _revoke(token)


def me(principal: Principal) -> dict[str, Any]:
    """The caller's user, role and tenant (seed 001 `/auth/me`)."""
    try:
        user = UserItem.get(keys.tenant_pk(principal.tenant_id), f"USER#{principal.user_id}")
    except UserItem.DoesNotExist:
        raise NotFound("User not found") from None
    tenant = get_tenant(principal.tenant_id)
    return {
        "user": {"id": principal.user_id, "email": user.email, "createdAt": user.created_at},
        "role": user.role,
        "tenant": {"id": principal.tenant_id, "name": tenant.name, "credits": int(tenant.credits)},
    }

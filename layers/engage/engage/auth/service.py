"""Register, login, refresh (rotating, with reuse detection), logout, me.

Passwords: argon2id via argon2-cffi. Refresh tokens: `<tenantId>.<tokenId>.<secret>`; only the
SHA-256 of the secret is stored. Each sign-in starts a token family; refreshing uses the
presented token up (one conditional write, so it works exactly once) and issues its successor
in the same family. Presenting a token that was already used is reuse: the whole family is
revoked with one conditional write on the family item, so a stolen token and every successor
die together (OAuth 2.0 Security BCP, RFC 9700 section 4.14). Logout revokes the family too.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from engage.auth import owners, store
from engage.auth.models import RefreshTokenItem
from engage.auth.schemas import AuthLogin, AuthMePublic, AuthRegister, AuthTokenPublic
from engage.core import clock, ids
from engage.core.auth import Principal, issue_access_token
from engage.core.errors import Conflict, NotFound, Unauthorized
from engage.core.settings import get_settings
from engage.tenants.service import get_tenant, new_tenant_item, save_new_tenant, tenant_id_of

_hasher = PasswordHasher()


def hash_password(password: str) -> str:
    """The argon2id hash of `password` (what is stored; never the password)."""
    return _hasher.hash(password)


# Verified against when the e-mail is unknown, so both paths cost one argon2 verification.
# A hash of a random password with the hasher's parameters (argon2id, m=65536, t=3, p=4),
# written out so that no cold start pays for hashing it: checking a password against it costs
# exactly what checking a real user's does, so a login with an unknown e-mail takes as long.
_DUMMY_HASH = (
    "$argon2id$v=19$m=65536,t=3,p=4$ZB1OCR0hvjdD9c098nIKXg"
    "$1ZoFisrv8Y101/c2W6VCYKKEL1Qm+KkElGlGeHwtxAU"
)
_INVALID = "Invalid refresh token"


def _hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def issue_tokens(principal: Principal, family_id: str | None = None) -> AuthTokenPublic:
    """An access token and a refresh token; without `family_id`, a new family (a sign-in,
    recorded as the member's `last_login_at`)."""
    access, ttl = issue_access_token(principal)
    now = clock.now_iso()
    expires_at = int(clock.now().timestamp()) + get_settings().refresh_token_ttl_seconds
    tenant_id = principal.tenant_id
    if family_id is None:
        family_id = ids.new_id()
        store.put_family(tenant_id, family_id, principal.user_id, now, expires_at)
        store.touch_login(tenant_id, principal.user_id, now)
    token_id = ids.new_id()
    secret = secrets.token_urlsafe(32)
    store.put_token(
        tenant_id,
        token_id,
        family_id=family_id,
        user_id=principal.user_id,
        secret_hash=_hash_secret(secret),
        created_at=now,
        expires_at=expires_at,
    )
    return AuthTokenPublic(
        access_token=access, refresh_token=f"{tenant_id}.{token_id}.{secret}", expires_in=ttl
    )


def register(body: AuthRegister) -> AuthTokenPublic:
    """Create a tenant and its owner; 409 if the e-mail is taken (claimed by a conditional put)."""
    tenant = new_tenant_item(body.tenant_name)
    tenant_id = tenant_id_of(tenant)
    user_id = ids.new_id()
    password_hash = _hasher.hash(body.password)
    if not store.claim_email(body.email, tenant_id, user_id):  # the e-mail is claimed first
        raise Conflict(
            "An account with this e-mail already exists", {"email": "already registered"}
        )
    try:
        save_new_tenant(tenant)
        store.put_user(tenant_id, user_id, body.email, password_hash, "owner", clock.now_iso())
        owners.start(tenant_id)
    except Exception:
        store.release_email(body.email, user_id)  # so the registration can be retried
        raise
    return issue_tokens(Principal(user_id, tenant_id, "owner", body.email))


def login(body: AuthLogin) -> AuthTokenPublic:
    """Check e-mail and password; the same 401 for an unknown e-mail and a wrong password."""
    email = body.email.strip().lower()
    idx = store.get_email(email)
    user = store.get_user(idx.tenant_id, idx.user_id) if idx else None
    stored = user.password_hash if user else _DUMMY_HASH
    try:
        _hasher.verify(stored, body.password)
    except (VerificationError, InvalidHashError):
        raise Unauthorized("Invalid e-mail or password") from None
    if idx is None or user is None:
        raise Unauthorized("Invalid e-mail or password")
    if user.active is False:
        raise Unauthorized("This account is deactivated")
    if _hasher.check_needs_rehash(stored):
        store.set_password_hash(idx.tenant_id, idx.user_id, _hasher.hash(body.password))
    return issue_tokens(Principal(idx.user_id, idx.tenant_id, user.role, user.email))


def _parse_refresh(token: str) -> tuple[str, str, str]:
    """`<tenantId>.<tokenId>.<secret>` (a token string, not a storage key)."""
    parts = token.split(".")
    if len(parts) != 3 or not all(parts) or not all(p.isascii() for p in parts):
        raise Unauthorized(_INVALID)
    return parts[0], parts[1], parts[2]


def _verified(token: str) -> tuple[str, str, RefreshTokenItem]:
    """Tenant id, token id and item of a genuine, unexpired refresh token (used or not);
    raises Unauthorized for anything else."""
    tenant_id, token_id, secret = _parse_refresh(token)
    if len(tenant_id) > 64 or len(token_id) > 64:
        raise Unauthorized(_INVALID)
    item = store.get_token(tenant_id, token_id)
    if item is None or not hmac.compare_digest(item.secret_hash, _hash_secret(secret)):
        raise Unauthorized(_INVALID)
    if (item.expires_at or 0) < clock.now().timestamp() or not item.family_id:
        raise Unauthorized(_INVALID)
    return tenant_id, token_id, item


def _reused(tenant_id: str, item: RefreshTokenItem) -> Unauthorized:
    """Reuse of a used token: revoke its whole family (one conditional write)."""
    store.revoke_family(tenant_id, item.family_id or "")
    return Unauthorized("Refresh token already used or revoked; sign in again")


def refresh(token: str) -> AuthTokenPublic:
    """Rotate: the presented token is used up and its successor (same family) is issued.
    A token presented a second time revokes its family: it and every successor stop working."""
    tenant_id, token_id, item = _verified(token)
    family_id = item.family_id or ""
    if item.revoked or not store.use_token(tenant_id, token_id):
        raise _reused(tenant_id, item)
    expires_at = int(clock.now().timestamp()) + get_settings().refresh_token_ttl_seconds
    if not store.extend_family(tenant_id, family_id, expires_at):
        raise Unauthorized("Refresh token already used or revoked; sign in again")
    user = store.get_user(tenant_id, item.user_id)
    if user is None:
        raise Unauthorized("User no longer exists")
    if user.active is False:
        raise Unauthorized("This account is deactivated")
    return issue_tokens(Principal(item.user_id, tenant_id, user.role, user.email), family_id)


def logout(token: str) -> None:
    """End the sign-in: the token is used up and its family revoked (a second logout with it,
    or a refresh, is a 401)."""
    tenant_id, token_id, item = _verified(token)
    if item.revoked or not store.use_token(tenant_id, token_id):
        raise _reused(tenant_id, item)
    store.revoke_family(tenant_id, item.family_id or "")


def me(principal: Principal) -> AuthMePublic:
    """The caller's user, role and tenant (seed 001 `/auth/me`)."""
    user = store.get_user(principal.tenant_id, principal.user_id)
    if user is None:
        raise NotFound("User not found")
    tenant = get_tenant(principal.tenant_id)
    return AuthMePublic.model_validate(
        {
            "user": {"id": principal.user_id, "email": user.email, "createdAt": user.created_at},
            "role": user.role,
            "tenant": {
                "id": principal.tenant_id,
                "name": tenant.name,
                "credits": int(tenant.credits),
            },
        }
    )

"""End-user authentication (issue 9 "Who is who"; seed 001 mismatch 2): an API key, the
tenant's own id for the end user, and, when the tenant has identity verification on, the
user's identity hash (engage/account/identity.py).

Used by the HTTP dependency (deps.py: headers `X-API-Key`, `X-User-Id`, `X-User-Hash`) and by
the realtime `$connect` (query parameters `api_key`, `user_id`, `user_hash`), so it imports no
FastAPI. A secret key (server to server) may act for any user id without a hash; a publishable
key needs the hash whenever verification is on.
"""

from __future__ import annotations

from dataclasses import dataclass

from engage.account import identity
from engage.apikeys import service as apikeys
from engage.apikeys.models import ApiKeyKind
from engage.core.errors import Unauthorized

USER_ID_MAX = 128
"""Longest `X-User-Id` accepted (characters)."""


@dataclass(frozen=True)
class EndUser:
    """An authenticated end user: `user_id` is the tenant's external id for them (as sent in
    `X-User-Id`); `trusted` is True when a secret key vouched for them."""

    tenant_id: str
    user_id: str
    key_id: str
    trusted: bool


def _valid_user_id(value: str) -> bool:
    return (
        0 < len(value) <= USER_ID_MAX
        and value.isprintable()
        and value == value.strip()
        and _encodes(value)
    )


def _encodes(value: str) -> bool:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def authenticate(api_key: str | None, user_id: str | None, user_hash: str | None) -> EndUser:
    """The end user a request speaks for. Raises Unauthorized (401) for a missing, unknown or
    revoked key (or a rotated-out one past its grace), a missing or invalid user id (1 to 128
    printable characters, no surrounding spaces), or, for a publishable key of a tenant with
    identity verification on, a missing or wrong user hash."""
    key = (api_key or "").strip()
    if not key:
        raise Unauthorized("An API key is required (X-API-Key)")
    if not user_id:
        raise Unauthorized("The end user's id is required (X-User-Id)")
    if not _valid_user_id(user_id):
        raise Unauthorized(
            f"The end user's id must be 1 to {USER_ID_MAX} printable characters (X-User-Id)"
        )
    resolved = apikeys.resolve(key)
    if resolved is None:
        raise Unauthorized("Invalid or revoked API key")
    trusted = resolved.kind is ApiKeyKind.SECRET
    if not trusted:
        state = identity.state_of(resolved.tenant_id)
        if state is None:
            raise Unauthorized("Invalid or revoked API key")
        if state.enabled:
            if not user_hash:
                raise Unauthorized("Identity verification is on: X-User-Hash is required")
            if not identity.verify(state, user_id, user_hash.strip()):
                raise Unauthorized("The user hash does not match this user id (X-User-Hash)")
    return EndUser(resolved.tenant_id, user_id, resolved.key_id, trusted)

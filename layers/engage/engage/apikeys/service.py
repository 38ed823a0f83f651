"""API keys: create (shown once), list, revoke, rotate with a grace period, and resolve a
presented key (issue 9 "Keys"; seed 001 mismatch 2). No HTTP, no boto3: storage is store.py.

Key format: `<pk|sk>_<live|test>_<40 base62 characters>` (`live` on the prod stage, `test`
elsewhere; about 238 random bits from `secrets`). Only the SHA-256 of the whole value is stored
(a fast hash is right for a value that cannot be guessed) with a display `prefix` (its first 12
characters), so the key is in the create / rotate answer and nowhere else, ever.

Rotation gives the key a new value and keeps the old one valid for
API_KEY_ROTATION_GRACE_SECONDS (24 hours by default; the answer states
`previous_key_expires_at`). Rotating again during a grace period ends the older value's grace at
once: a key has at most two valid values. Revocation makes every value invalid at once.
`last_used_at` is written at most once a minute per key, by conditional updates.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass
from typing import Any

from engage.apikeys import store
from engage.apikeys.models import ApiKeyItem, ApiKeyKind
from engage.core import clock, ids, keys
from engage.core.errors import Conflict, NotFound, ValidationFailed
from engage.core.settings import get_settings

PREFIX_LENGTH = 12
"""Characters of a key shown in lists (`pk_test_` and four random characters)."""
LAST_USED_RESOLUTION_SECONDS = 60
"""`last_used_at` is written at most once per this many seconds per key."""
_KIND_TAG = {ApiKeyKind.PUBLISHABLE: "pk", ApiKeyKind.SECRET: "sk"}
_SHAPE = re.compile(r"^(pk|sk)_(live|test)_[0-9A-Za-z]{40}$")
_ID = re.compile(r"^[0-9A-HJKMNP-TV-Z]{26}$")


@dataclass(frozen=True)
class ResolvedKey:
    """What a valid presented key names: its tenant, key id and kind."""

    tenant_id: str
    key_id: str
    kind: ApiKeyKind


def hash_key(value: str) -> str:
    """The stored form of a key value: SHA-256, hex."""
    return hashlib.sha256(value.encode()).hexdigest()


def _new_value(kind: ApiKeyKind) -> str:
    mode = "live" if get_settings().stage == "prod" else "test"
    return f"{_KIND_TAG[kind]}_{mode}_{ids.token(40)}"


def _grace_end() -> dt.datetime:
    return clock.now() + dt.timedelta(seconds=get_settings().api_key_rotation_grace_seconds)


def _public(item: ApiKeyItem) -> dict[str, Any]:
    """The listed shape of a key (never its value or hashes)."""
    previous: str | None = item.previous_expires_at
    if previous is not None and (item.revoked_at or previous <= clock.now_iso()):
        previous = None
    return {
        "id": item.sk,
        "name": item.name,
        "kind": item.kind,
        "prefix": item.prefix,
        "status": "revoked" if item.revoked_at else "active",
        "created_at": item.created_at,
        "last_used_at": item.last_used_at,
        "rotated_at": item.rotated_at,
        "previous_key_expires_at": previous,
        "revoked_at": item.revoked_at,
    }


def _get(tenant_id: str, key_id: str) -> ApiKeyItem:
    item = store.get_key(tenant_id, key_id) if _ID.match(key_id) else None
    if item is None:
        raise NotFound("API key not found")
    return item


def create_key(tenant_id: str, name: str, kind: ApiKeyKind, created_by: str) -> dict[str, Any]:
    """A new key: `{id, name, kind, prefix, key, created_at, ...}`; `key` is the value, in
    this answer only. The look-up is written after the key item, so a crash between them
    leaves a key that never worked, never a working key the console does not list."""
    value = _new_value(kind)
    key_hash = hash_key(value)
    key_id = ids.new_id()
    item = ApiKeyItem(
        *keys.api_key_key(tenant_id, key_id),
        name=name,
        kind=kind.value,
        prefix=value[:PREFIX_LENGTH],
        key_hash=key_hash,
        created_at=clock.now_iso(),
        created_by=created_by,
    )
    store.put_key(item)
    store.put_lookup(key_hash, tenant_id, key_id, kind.value)
    return {**_public(item), "key": value}


def list_keys(tenant_id: str, limit: int, cursor: str | None) -> dict[str, Any]:
    """`{"data": [key...], "next_cursor"}`, newest first; `cursor` is a previous answer's
    `next_cursor` (a key id). Raises ValidationFailed for a cursor that is not one."""
    if cursor is not None and not _ID.match(cursor):
        raise ValidationFailed("Invalid cursor", {"cursor": "not a cursor from this list"})
    items, next_cursor = store.list_keys(tenant_id, limit, cursor)
    return {"data": [_public(i) for i in items], "next_cursor": next_cursor}


def get_key(tenant_id: str, key_id: str) -> dict[str, Any]:
    """One key's listed shape; raises NotFound (also for another tenant's id)."""
    return _public(_get(tenant_id, key_id))


def revoke_key(tenant_id: str, key_id: str) -> dict[str, Any]:
    """Revoke a key: every value of it is refused from now on (its look-ups are deleted
    before the key is flagged, so a crash between them errs on refusing). Idempotent: revoking
    a revoked key answers it unchanged. Raises NotFound."""
    item = _get(tenant_id, key_id)
    for key_hash in (item.key_hash, item.previous_hash):
        if key_hash:
            store.delete_lookup(key_hash, key_id)
    revoked = store.mark_revoked(tenant_id, key_id, clock.now_iso())
    if revoked is None:
        raise NotFound("API key not found")
    return _public(revoked)


def rotate_key(tenant_id: str, key_id: str) -> dict[str, Any]:
    """A new value for the key: `{...key, key, previous_key_expires_at,
    grace_period_seconds}`; the old value works until `previous_key_expires_at`. Raises
    NotFound, or Conflict for a revoked key or when a concurrent rotation won."""
    item = _get(tenant_id, key_id)
    if item.revoked_at:
        raise Conflict("A revoked API key cannot be rotated", {"id": key_id})
    kind = ApiKeyKind(item.kind)
    value = _new_value(kind)
    new_hash = hash_key(value)
    grace_end = _grace_end()
    # The new value first, then the old one's expiry, then the swap: a crash at any point
    # leaves the old value valid for at most the grace period, never for ever.
    store.put_lookup(new_hash, tenant_id, key_id, kind.value)
    store.expire_lookup(item.key_hash, int(grace_end.timestamp()))
    swapped = store.swap_hash(
        tenant_id,
        key_id,
        old_hash=item.key_hash,
        new_hash=new_hash,
        prefix=value[:PREFIX_LENGTH],
        previous_expires_at=clock.iso(grace_end),
        rotated_at=clock.now_iso(),
    )
    if not swapped:
        store.delete_lookup(new_hash, key_id)
        raise Conflict("The API key was rotated or revoked meanwhile; try again", {"id": key_id})
    if item.previous_hash:
        store.delete_lookup(item.previous_hash, key_id)
    rotated = _get(tenant_id, key_id)
    return {
        **_public(rotated),
        "key": value,
        "grace_period_seconds": get_settings().api_key_rotation_grace_seconds,
    }


def resolve(presented: str) -> ResolvedKey | None:
    """The key a presented value names, or None when it is malformed, unknown, revoked, or a
    rotated-out value past its grace. One GetItem; records the use (`last_used_at`, at most a
    write a minute per key)."""
    if not _SHAPE.match(presented):
        return None
    key_hash = hash_key(presented)
    lookup = store.get_lookup(key_hash)
    now_s = int(clock.now().timestamp())
    if lookup is None or (lookup.expires_at is not None and lookup.expires_at <= now_s):
        return None
    cutoff = now_s - LAST_USED_RESOLUTION_SECONDS
    if (lookup.last_used_at is None or lookup.last_used_at < cutoff) and store.claim_use(
        key_hash, now_s, cutoff
    ):
        since = clock.iso(dt.datetime.fromtimestamp(cutoff, dt.UTC))
        store.set_last_used(lookup.tenant_id, lookup.key_id, clock.now_iso(), since)
    return ResolvedKey(lookup.tenant_id, lookup.key_id, ApiKeyKind(lookup.kind))

"""API key storage: the tenant's key items and the global hash look-up (models.py). The only
module that reads or writes them; keys come from `engage.core.keys`."""

from __future__ import annotations

from pynamodb.exceptions import DeleteError, UpdateError

from engage.apikeys.models import ApiKeyItem, ApiKeyLookupItem
from engage.core import keys

_FAILED = "ConditionalCheckFailedException"


def put_key(item: ApiKeyItem) -> None:
    """Write a new key item (its id is fresh: conditional on not existing)."""
    item.save(condition=ApiKeyItem.pk.does_not_exist())


def get_key(tenant_id: str, key_id: str) -> ApiKeyItem | None:
    """The tenant's key item (strongly consistent), or None."""
    try:
        return ApiKeyItem.get(*keys.api_key_key(tenant_id, key_id), consistent_read=True)
    except ApiKeyItem.DoesNotExist:
        return None


def list_keys(tenant_id: str, limit: int, after: str | None) -> tuple[list[ApiKeyItem], str | None]:
    """Up to `limit` key items, newest first, after the key id `after`; and the id to continue
    from (None when there are no more)."""
    condition = ApiKeyItem.sk < after if after else None
    items = list(
        ApiKeyItem.query(
            keys.api_key_partition(tenant_id),
            range_key_condition=condition,
            scan_index_forward=False,
            limit=limit + 1,
            consistent_read=True,
        )
    )
    more = len(items) > limit
    return items[:limit], (items[limit - 1].sk if more else None)


def put_lookup(key_hash: str, tenant_id: str, key_id: str, kind: str) -> None:
    """Make a key value valid: its hash resolves to the key (conditional on a new hash)."""
    ApiKeyLookupItem(
        *keys.api_key_lookup_key(key_hash), tenant_id=tenant_id, key_id=key_id, kind=kind
    ).save(condition=ApiKeyLookupItem.pk.does_not_exist())


def get_lookup(key_hash: str) -> ApiKeyLookupItem | None:
    """What a key value's hash resolves to, or None (unknown or revoked)."""
    try:
        return ApiKeyLookupItem.get(*keys.api_key_lookup_key(key_hash))
    except ApiKeyLookupItem.DoesNotExist:
        return None


def expire_lookup(key_hash: str, expires_at: int) -> None:
    """Let a rotated-out value work until `expires_at` (epoch seconds; also its TTL). Does
    nothing when the value is no longer valid (revoked meanwhile)."""
    try:
        ApiKeyLookupItem(*keys.api_key_lookup_key(key_hash)).update(
            actions=[ApiKeyLookupItem.expires_at.set(expires_at)],
            condition=ApiKeyLookupItem.pk.exists(),
        )
    except UpdateError as exc:
        if exc.cause_response_code != _FAILED:
            raise


def delete_lookup(key_hash: str, key_id: str) -> None:
    """Make a key value invalid at once (idempotent; only while it still names `key_id`)."""
    try:
        ApiKeyLookupItem(*keys.api_key_lookup_key(key_hash)).delete(
            condition=ApiKeyLookupItem.key_id == key_id
        )
    except DeleteError as exc:
        if exc.cause_response_code != _FAILED:
            raise


def swap_hash(
    tenant_id: str,
    key_id: str,
    *,
    old_hash: str,
    new_hash: str,
    prefix: str,
    previous_expires_at: str,
    rotated_at: str,
) -> bool:
    """Make `new_hash` the key's current value and `old_hash` its previous one, in one write
    conditional on `old_hash` still being current and the key not revoked; False otherwise
    (a concurrent rotation or revocation won)."""
    try:
        ApiKeyItem(*keys.api_key_key(tenant_id, key_id)).update(
            actions=[
                ApiKeyItem.key_hash.set(new_hash),
                ApiKeyItem.prefix.set(prefix),
                ApiKeyItem.previous_hash.set(old_hash),
                ApiKeyItem.previous_expires_at.set(previous_expires_at),
                ApiKeyItem.rotated_at.set(rotated_at),
            ],
            condition=(ApiKeyItem.key_hash == old_hash) & ApiKeyItem.revoked_at.does_not_exist(),
        )
    except UpdateError as exc:
        if exc.cause_response_code == _FAILED:
            return False
        raise
    return True


def mark_revoked(tenant_id: str, key_id: str, revoked_at: str) -> ApiKeyItem | None:
    """Flag the key revoked (first revocation wins; later ones keep its time); the item after,
    or None when there is no such key."""
    item = ApiKeyItem(*keys.api_key_key(tenant_id, key_id))
    try:
        item.update(
            actions=[ApiKeyItem.revoked_at.set(ApiKeyItem.revoked_at | revoked_at)],
            condition=ApiKeyItem.pk.exists(),
        )
    except UpdateError as exc:
        if exc.cause_response_code == _FAILED:
            return None
        raise
    return item


def claim_use(key_hash: str, now_s: int, not_before_s: int) -> bool:
    """Record a use of the value at `now_s` (epoch seconds) unless one was recorded after
    `not_before_s`: True for the one request a minute that should write `last_used_at`."""
    model = ApiKeyLookupItem
    try:
        model(*keys.api_key_lookup_key(key_hash)).update(
            actions=[model.last_used_at.set(now_s)],
            condition=model.pk.exists()
            & (model.last_used_at.does_not_exist() | (model.last_used_at < not_before_s)),
        )
    except UpdateError as exc:
        if exc.cause_response_code == _FAILED:
            return False
        raise
    return True


def set_last_used(tenant_id: str, key_id: str, at: str, unless_since: str) -> None:
    """Write the key's `last_used_at` (ISO) unless one at or after `unless_since` is there (the
    key's other value, during a rotation, may have written it) or the key item is gone."""
    model = ApiKeyItem
    try:
        model(*keys.api_key_key(tenant_id, key_id)).update(
            actions=[model.last_used_at.set(at)],
            condition=model.pk.exists()
            & (model.last_used_at.does_not_exist() | (model.last_used_at < unless_since)),
        )
    except UpdateError as exc:
        if exc.cause_response_code != _FAILED:
            raise

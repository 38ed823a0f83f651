"""End-user look-up storage (external id -> contact id). The only endusers module that talks
to DynamoDB; keys come from `engage.core.keys`."""

from __future__ import annotations

from pynamodb.exceptions import PutError

from engage.core import keys
from engage.endusers.models import EndUserItem

_FAILED = "ConditionalCheckFailedException"


def get(tenant_id: str, external_id: str) -> EndUserItem | None:
    """The look-up item of `external_id`, or None."""
    try:
        return EndUserItem.get(*keys.end_user_key(tenant_id, external_id), consistent_read=True)
    except EndUserItem.DoesNotExist:
        return None


def claim(tenant_id: str, external_id: str, contact_id: str, at: str) -> bool:
    """Make `contact_id` the end user `external_id` (conditional put); False if taken."""
    try:
        EndUserItem(
            *keys.end_user_key(tenant_id, external_id), contact_id=contact_id, created_at=at
        ).save(condition=EndUserItem.pk.does_not_exist())
    except PutError as exc:
        if exc.cause_response_code == _FAILED:
            return False
        raise
    return True


def page(tenant_id: str, after: str | None, limit: int) -> tuple[list[EndUserItem], bool]:
    """Up to `limit` end users in external-id order after `after`, and whether more follow."""
    pk = keys.end_users_partition(tenant_id)
    condition = EndUserItem.sk > after if after else None
    found = list(EndUserItem.query(pk, condition, limit=limit + 1, page_size=limit + 1))
    return found[:limit], len(found) > limit

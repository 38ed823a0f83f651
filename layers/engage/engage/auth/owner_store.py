"""The owner count (`PK=T#<tenantId>`, `SK=OWNERS`): the only module that reads or writes it.
Every change is one atomic update; taking an owner away is conditional on one staying."""

from __future__ import annotations

from pynamodb.exceptions import PutError, UpdateError

from engage.auth.models import OwnerCountItem
from engage.core import keys

_FAILED = "ConditionalCheckFailedException"


def exists(tenant_id: str) -> bool:
    """Whether the tenant's owner count has been written."""
    try:
        OwnerCountItem.get(*keys.owner_count_key(tenant_id), consistent_read=True)
    except OwnerCountItem.DoesNotExist:
        return False
    return True


def create(tenant_id: str, owners: int) -> bool:
    """Write the count if there is none yet (conditional put); False when one exists."""
    try:
        OwnerCountItem(*keys.owner_count_key(tenant_id), owners=owners).save(
            condition=OwnerCountItem.pk.does_not_exist()
        )
    except PutError as exc:
        if exc.cause_response_code == _FAILED:
            return False
        raise
    return True


def take_one(tenant_id: str) -> bool:
    """Count one owner fewer, on the condition that at least one stays (owners > 1 before);
    False (nothing written) when that would leave none."""
    try:
        OwnerCountItem(*keys.owner_count_key(tenant_id)).update(
            actions=[OwnerCountItem.owners.add(-1)],
            condition=OwnerCountItem.pk.exists() & (OwnerCountItem.owners > 1),
        )
    except UpdateError as exc:
        if exc.cause_response_code == _FAILED:
            return False
        raise
    return True


def add_one(tenant_id: str) -> None:
    """Count one owner more (atomic ADD)."""
    OwnerCountItem(*keys.owner_count_key(tenant_id)).update(actions=[OwnerCountItem.owners.add(1)])

"""Contact queries: every function takes `tenant_id` first and builds keys itself."""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Iterator
from typing import Any

from pynamodb.expressions.condition import Condition

from engage.contacts.models import ConsentLogItem, ContactItem, PhoneItem
from engage.core import keys
from engage.core.ids import shard_of
from engage.core.settings import get_settings


def shard_for(contact_id: str) -> int:
    """The shard a contact id lives in."""
    return shard_of(contact_id, get_settings().contact_shards)


def contact_key(tenant_id: str, contact_id: str) -> tuple[str, str]:
    """Full key of a contact."""
    return keys.contact_key(tenant_id, contact_id, shard_for(contact_id))


def get(tenant_id: str, contact_id: str) -> ContactItem | None:
    """The contact, or None (also for another tenant's id)."""
    try:
        return ContactItem.get(*contact_key(tenant_id, contact_id))
    except ContactItem.DoesNotExist:
        return None


def get_phone(tenant_id: str, phone_e164: str) -> PhoneItem | None:
    """The phone guard item, or None."""
    try:
        return PhoneItem.get(*keys.phone_key(tenant_id, phone_e164))
    except PhoneItem.DoesNotExist:
        return None


def existing_phones(tenant_id: str, phones: Iterable[str]) -> set[str]:
    """Which of `phones` already belong to a contact of the tenant (BatchGetItem, 100/call)."""
    wanted = list(dict.fromkeys(phones))
    found: set[str] = set()
    for item in PhoneItem.batch_get([keys.phone_key(tenant_id, p) for p in wanted]):
        found.add(item.pk.rsplit("#", 1)[1])
    return found


def contacts_by_phone(tenant_id: str, phones: Iterable[str]) -> dict[str, str]:
    """E.164 number -> contact id for those of `phones` that belong to a contact (BatchGet)."""
    wanted = list(dict.fromkeys(phones))
    return {
        item.pk.rsplit("#", 1)[1]: item.contact_id
        for item in PhoneItem.batch_get([keys.phone_key(tenant_id, p) for p in wanted])
    }


def batch_get(tenant_id: str, contact_ids: Iterable[str]) -> dict[str, ContactItem]:
    """Contacts by id (BatchGetItem); missing ids are absent from the result."""
    ids_ = list(dict.fromkeys(contact_ids))
    return {c.sk: c for c in ContactItem.batch_get([contact_key(tenant_id, i) for i in ids_])}


def iter_shard(
    tenant_id: str,
    shard: int,
    *,
    newest_first: bool = False,
    limit: int | None = None,
    filter_condition: Condition | None = None,
    start_key: dict[str, Any] | None = None,
    page_size: int | None = None,
) -> Iterator[ContactItem]:
    """Contacts of one shard in id order (Query, not Scan)."""
    return ContactItem.query(
        keys.contact_partition(tenant_id, shard),
        scan_index_forward=not newest_first,
        limit=limit,
        filter_condition=filter_condition,
        last_evaluated_key=start_key,
        page_size=page_size,
    )


def iter_all(
    tenant_id: str,
    *,
    newest_first: bool = False,
    limit_per_shard: int | None = None,
    filter_condition: Condition | None = None,
) -> Iterator[ContactItem]:
    """Every contact of the tenant, merged across shards in id (creation) order."""
    n = get_settings().contact_shards
    streams = [
        iter_shard(
            tenant_id,
            s,
            newest_first=newest_first,
            limit=limit_per_shard,
            filter_condition=filter_condition,
        )
        for s in range(n)
    ]
    return heapq.merge(*streams, key=lambda c: c.sk, reverse=newest_first)


def query_page(
    tenant_id: str,
    shard: int,
    start_key: dict[str, Any] | None,
    limit: int,
    filter_condition: Condition | None = None,
) -> tuple[list[ContactItem], dict[str, Any] | None]:
    """One page of a shard: up to `limit` items read and the key to continue from."""
    result = ContactItem.query(
        keys.contact_partition(tenant_id, shard),
        limit=limit,
        page_size=limit,
        last_evaluated_key=start_key,
        filter_condition=filter_condition,
    )
    items = list(result)
    return items, result.last_evaluated_key


def unsendable_since(tenant_id: str, since_iso: str) -> set[str]:
    """Contact ids that became unsendable at or after `since_iso` (one Query)."""
    return {
        item.contact_id
        for item in ConsentLogItem.query(
            keys.consent_log_partition(tenant_id), ConsentLogItem.sk >= since_iso
        )
    }

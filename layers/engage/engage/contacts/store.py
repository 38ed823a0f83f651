"""Contact storage: contacts, phone guards, the consent log, the import lease and import jobs.
The only contacts module that talks to DynamoDB; every function takes `tenant_id` first and
builds keys with `engage.core.keys`."""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Iterator
from typing import Any

from pynamodb.exceptions import DeleteError, PutError, UpdateError
from pynamodb.expressions.condition import Condition

from engage.contacts.models import (
    ConsentLogItem,
    ContactItem,
    ImportJobItem,
    ImportLockItem,
    PhoneItem,
)
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
        found.add(keys.phone_from_phone_key(item.pk))
    return found


def contacts_by_phone(tenant_id: str, phones: Iterable[str]) -> dict[str, str]:
    """E.164 number -> contact id for those of `phones` that belong to a contact (BatchGet)."""
    wanted = list(dict.fromkeys(phones))
    return {
        keys.phone_from_phone_key(item.pk): item.contact_id
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


def unsendable_since(tenant_id: str, since_iso: str, channel: str | None = None) -> set[str]:
    """Contact ids that became unsendable at or after `since_iso` (one Query): on `channel`
    (entries of that channel and those for every channel), or on any channel when None."""
    return {
        item.contact_id
        for item in ConsentLogItem.query(
            keys.consent_log_partition(tenant_id), ConsentLogItem.sk >= since_iso
        )
        if channel is None or item.channel in (None, channel)
    }


def contact_ids_by_email(tenant_id: str, email: str, limit: int = 25) -> list[str]:
    """Ids of the tenant's contacts with this e-mail address, newest first (GSI1, one Query)."""
    return [
        item.sk
        for item in ContactItem.by_email.query(
            keys.contact_email_index_pk(tenant_id, email), scan_index_forward=False, limit=limit
        )
    ]


def _index_email(item: ContactItem) -> None:
    """Set (or clear) the contact's sparse e-mail index entry from its `email`."""
    if item.email:
        item.gsi1pk = keys.contact_email_index_pk(
            keys.parse_contact_partition(item.pk)[0], item.email
        )
        item.gsi1sk = item.sk
    else:
        item.gsi1pk = None
        item.gsi1sk = None


_FAILED = "ConditionalCheckFailedException"


def phone_item(tenant_id: str, phone_e164: str, contact_id: str) -> PhoneItem:
    """The uniqueness guard of `phone_e164` (GSI1 finds the tenants that know the number)."""
    return PhoneItem(
        *keys.phone_key(tenant_id, phone_e164),
        contact_id=contact_id,
        gsi1pk=keys.phone_index_pk(phone_e164),
        gsi1sk=keys.tenant_pk(tenant_id),
    )


def claim_phone(tenant_id: str, phone_e164: str, contact_id: str) -> bool:
    """Make `contact_id` the owner of the number (conditional put); False if it is taken."""
    try:
        phone_item(tenant_id, phone_e164, contact_id).save(condition=PhoneItem.pk.does_not_exist())
    except PutError as exc:
        if exc.cause_response_code == _FAILED:
            return False
        raise
    return True


def release_phone(tenant_id: str, phone_e164: str, contact_id: str) -> None:
    """Delete the number's guard if (and only if) `contact_id` still owns it."""
    try:
        PhoneItem(*keys.phone_key(tenant_id, phone_e164)).delete(
            condition=PhoneItem.contact_id == contact_id
        )
    except DeleteError as exc:
        if exc.cause_response_code != _FAILED:
            raise


def put_contact(item: ContactItem, *, must_exist: bool = False) -> bool:
    """Write a contact; with `must_exist`, only over an existing one (False if it is gone).
    The e-mail index entry is written with it."""
    _index_email(item)
    try:
        item.save(condition=ContactItem.pk.exists() if must_exist else None)
    except PutError as exc:
        if must_exist and exc.cause_response_code == _FAILED:
            return False
        raise
    return True


def delete_contact(item: ContactItem) -> None:
    """Delete a contact item."""
    item.delete()


def set_consent(item: ContactItem, consent: str, source: str | None, updated_at: str) -> None:
    """Set a contact's SMS consent and its opt-out source (removed when `source` is None)."""
    item.update(
        actions=[
            ContactItem.sms_consent.set(consent),
            ContactItem.opt_out_source.set(source)
            if source is not None
            else ContactItem.opt_out_source.remove(),
            ContactItem.updated_at.set(updated_at),
        ]
    )


def set_channel_consent(item: ContactItem, attribute: str, consent: str, updated_at: str) -> bool:
    """Set `whatsappConsent` or `emailConsent` (`attribute` is the Python name) to `consent`
    unless it is that already (conditional update); True when it changed. False also when the
    contact is gone."""
    attr = getattr(ContactItem, attribute)
    try:
        item.update(
            actions=[attr.set(consent), ContactItem.updated_at.set(updated_at)],
            condition=ContactItem.pk.exists() & (attr != consent),
        )
    except UpdateError as exc:
        if exc.cause_response_code == _FAILED:
            return False
        raise
    return True


def log_unsendable(
    tenant_id: str,
    contact_id: str,
    reason: str,
    at_iso: str,
    expires_at: int,
    channel: str | None = None,
) -> None:
    """Append to the consent log (see `keys.consent_log_partition`); `channel` None means
    every channel."""
    ConsentLogItem(
        keys.consent_log_partition(tenant_id),
        keys.consent_log_sk(at_iso, contact_id),
        contact_id=contact_id,
        reason=reason,
        channel=channel,
        expires_at=expires_at,
    ).save()


def write_new_contacts(tenant_id: str, items: list[ContactItem]) -> None:
    """BatchWriteItem new contacts with their phone guards (the caller holds the tenant's
    import lease and has checked that the numbers are new)."""
    with ContactItem.batch_write() as batch:
        for item in items:
            _index_email(item)
            batch.save(phone_item(tenant_id, item.phone_e164, item.sk))
            batch.save(item)


def take_import_lease(tenant_id: str, now: int, seconds: int) -> bool:
    """Take the tenant's import lease until `now + seconds`; False while another holds it."""
    lock = ImportLockItem(
        *keys.import_lock_key(tenant_id),
        locked_until=now + seconds,
        expires_at=now + seconds + 3600,
    )
    try:
        lock.save(
            condition=ImportLockItem.pk.does_not_exist() | (ImportLockItem.locked_until < now)
        )
    except PutError as exc:
        if exc.cause_response_code == _FAILED:
            return False
        raise
    return True


def release_import_lease(tenant_id: str) -> None:
    """Give the import lease back."""
    ImportLockItem(*keys.import_lock_key(tenant_id)).delete()


def put_job(job: ImportJobItem) -> None:
    """Write a new import job."""
    job.save()


def get_job(tenant_id: str, job_id: str) -> ImportJobItem | None:
    """An import job (strongly consistent), or None."""
    try:
        return ImportJobItem.get(*keys.import_job_key(tenant_id, job_id), consistent_read=True)
    except ImportJobItem.DoesNotExist:
        return None


def update_job(job: ImportJobItem, **values: object) -> None:
    """Set attributes of a job (`status`, `processed_rows`, `imported`, `skipped`,
    `invalid`, `errors`, `failure`, `updated_at`) in one update."""
    actions = [getattr(ImportJobItem, name).set(value) for name, value in values.items()]
    if actions:
        try:
            job.update(actions=actions, condition=ImportJobItem.pk.exists())
        except UpdateError as exc:
            if exc.cause_response_code != _FAILED:
                raise

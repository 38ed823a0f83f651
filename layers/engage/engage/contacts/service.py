"""Contacts: list/search, create, read, update, delete (seed 004 "Contacts Page").

Uniqueness of a phone number per tenant is enforced by a guard item claimed with a conditional
put before the contact is written (and given back if that write fails), so two concurrent
creates of one number cannot both succeed.
"""

from __future__ import annotations

from typing import Any

from pynamodb.exceptions import DeleteError, PutError

from engage.contacts import store
from engage.contacts.models import ConsentLogItem, ContactItem, PhoneItem
from engage.contacts.schemas import ContactCreate, ContactUpdate
from engage.core import clock, ids, keys
from engage.core.errors import Conflict, NotFound
from engage.core.phones import require_phone
from engage.tenants import service as tenants


def search_text(item: ContactItem) -> str:
    """Lower-cased haystack for `search` (phone, e-mail, names)."""
    parts = [item.phone_e164, item.email, item.first_name, item.last_name]
    return " ".join(p.lower() for p in parts if p)


def to_public(item: ContactItem) -> dict[str, Any]:
    """Wire shape of a contact (seed 004 plus the fields issue 2 lists)."""
    return {
        "id": item.sk,
        "phoneE164": item.phone_e164,
        "firstName": item.first_name,
        "lastName": item.last_name,
        "email": item.email,
        "gender": item.gender,
        "birthDate": item.birth_date,
        "smsConsent": item.sms_consent,
        "tags": list(item.tags or []),
        "createdAt": item.created_at,
        "updatedAt": item.updated_at,
    }


def new_contact_item(tenant_id: str, phone_e164: str, fields: dict[str, Any]) -> ContactItem:
    """An unsaved contact with a fresh id in its shard."""
    contact_id = ids.new_id()
    now = clock.now_iso()
    item = ContactItem(
        *store.contact_key(tenant_id, contact_id),
        phone_e164=phone_e164,
        first_name=fields.get("firstName") or None,
        last_name=fields.get("lastName") or None,
        email=fields.get("email") or None,
        gender=fields.get("gender") or None,
        birth_date=str(fields["birthDate"]) if fields.get("birthDate") else None,
        sms_consent=fields.get("smsConsent") or "unknown",
        tags=list(fields.get("tags") or []),
        created_at=now,
        updated_at=now,
    )
    item.search_text = search_text(item)
    return item


def phone_item(tenant_id: str, phone_e164: str, contact_id: str) -> PhoneItem:
    """The uniqueness guard for `phone_e164`."""
    return PhoneItem(
        *keys.phone_key(tenant_id, phone_e164),
        contact_id=contact_id,
        gsi1pk=keys.phone_index_pk(phone_e164),
        gsi1sk=keys.tenant_pk(tenant_id),
    )


CONSENT_LOG_TTL_SECONDS = 15 * 86400


def log_unsendable(tenant_id: str, contact_id: str, reason: str) -> None:
    """Record that a contact may no longer be messaged (see `keys.consent_log_partition`)."""
    ConsentLogItem(
        keys.consent_log_partition(tenant_id),
        f"{clock.now_iso()}#{contact_id}",
        contact_id=contact_id,
        reason=reason,
        expires_at=int(clock.now().timestamp()) + CONSENT_LOG_TTL_SECONDS,
    ).save()


def claim_phone(tenant_id: str, phone_e164: str, contact_id: str) -> None:
    """Make `contact_id` the owner of the number (conditional put); Conflict if taken."""
    try:
        phone_item(tenant_id, phone_e164, contact_id).save(condition=PhoneItem.pk.does_not_exist())
    except PutError as exc:
        if exc.cause_response_code == "ConditionalCheckFailedException":
            raise Conflict(
                "A contact with this phone number already exists", {"phone": phone_e164}
            ) from exc
        raise


def release_phone(tenant_id: str, phone_e164: str, contact_id: str) -> None:
    """Delete the number's guard if (and only if) `contact_id` still owns it."""
    try:
        PhoneItem(*keys.phone_key(tenant_id, phone_e164)).delete(
            condition=PhoneItem.contact_id == contact_id
        )
    except DeleteError as exc:
        if exc.cause_response_code != "ConditionalCheckFailedException":
            raise


def list_contacts(tenant_id: str, page: int, limit: int, search: str | None) -> dict[str, Any]:
    """Newest first. Without `search`, reads only the first page*limit items per shard and
    takes the total from the tenant counter; with `search`, filters the tenant's partitions."""
    start = (page - 1) * limit
    if search and search.strip():
        needle = search.strip().lower()
        condition = ContactItem.search_text.contains(needle)
        matches = list(store.iter_all(tenant_id, newest_first=True, filter_condition=condition))
        window, total = matches[start : start + limit], len(matches)
    else:
        merged = store.iter_all(tenant_id, newest_first=True, limit_per_shard=start + limit)
        window = [c for i, c in enumerate(merged) if i >= start][:limit]
        total = int(tenants.get_tenant(tenant_id).contact_count)
    return {
        "contacts": [to_public(c) for c in window],
        "total": total,
        "page": page,
        "pageSize": limit,
    }


def create_contact(tenant_id: str, body: ContactCreate) -> dict[str, Any]:
    """Create; 409 when the number already belongs to a contact of this tenant."""
    country = tenants.get_settings_of(tenant_id).defaultCountry
    phone = require_phone(body.phone, country)
    item = new_contact_item(tenant_id, phone, body.model_dump(exclude={"phone"}))
    if item.sms_consent == "opted_out":
        item.opt_out_source = "manual"
    claim_phone(tenant_id, phone, item.sk)
    try:
        item.save()
    except Exception:
        release_phone(tenant_id, phone, item.sk)
        raise
    tenants.add_counters(tenant_id, contact_count=1)
    return to_public(item)


def ensure_contact(tenant_id: str, phone_e164: str, fields: dict[str, Any]) -> tuple[str, bool]:
    """The id of the contact that owns `phone_e164`, creating it (with `fields`, seed 004
    names) when no contact has the number: `(contact_id, created)`. Concurrent callers with one
    number end with one contact. The caller adds created contacts to the tenant's counter."""
    item = new_contact_item(tenant_id, phone_e164, fields)
    try:
        claim_phone(tenant_id, phone_e164, item.sk)
    except Conflict:  # the number has a contact (or just got one): reuse it
        guard = store.get_phone(tenant_id, phone_e164)
        if guard is None:
            raise
        return guard.contact_id, False
    try:
        item.save()
    except Exception:
        release_phone(tenant_id, phone_e164, item.sk)
        raise
    return item.sk, True


def get_contact(tenant_id: str, contact_id: str) -> ContactItem:
    """The contact; NotFound for unknown ids and for other tenants' ids."""
    item = store.get(tenant_id, contact_id)
    if item is None:
        raise NotFound("Contact not found")
    return item


def update_contact(tenant_id: str, contact_id: str, body: ContactUpdate) -> dict[str, Any]:
    """Change fields; a new phone claims its guard first and releases the old one after.
    A contact that stops being sendable is written to the consent log for the sender."""
    item = get_contact(tenant_id, contact_id)
    patch = body.model_dump(exclude_unset=True)
    old_phone = item.phone_e164
    new_phone = old_phone
    if patch.get("phone") is not None:
        country = tenants.get_settings_of(tenant_id).defaultCountry
        new_phone = require_phone(patch["phone"], country)
    was_sendable = item.sms_consent == "opted_in"
    mapping = {
        "firstName": "first_name",
        "lastName": "last_name",
        "email": "email",
        "gender": "gender",
        "smsConsent": "sms_consent",
        "tags": "tags",
    }
    for wire, attr in mapping.items():
        if wire in patch:
            value = patch[wire]
            setattr(item, attr, value if value not in ("",) else None)
    if "birthDate" in patch:
        item.birth_date = str(patch["birthDate"]) if patch["birthDate"] else None
    if item.sms_consent is None:
        item.sms_consent = "unknown"
    if "smsConsent" in patch:
        item.opt_out_source = "manual" if patch["smsConsent"] == "opted_out" else None
    if item.tags is None:
        item.tags = []
    item.phone_e164 = new_phone
    item.updated_at = clock.now_iso()
    item.search_text = search_text(item)
    if new_phone != old_phone:
        claim_phone(tenant_id, new_phone, contact_id)
    try:
        item.save(condition=ContactItem.pk.exists())
    except Exception:
        if new_phone != old_phone:
            release_phone(tenant_id, new_phone, contact_id)
        raise
    if new_phone != old_phone:
        release_phone(tenant_id, old_phone, contact_id)
    if was_sendable and (item.sms_consent != "opted_in" or new_phone != old_phone):
        log_unsendable(tenant_id, contact_id, "consent or phone changed")
    return to_public(item)


def delete_contact(tenant_id: str, contact_id: str) -> None:
    """Delete the contact and its phone guard together."""
    item = get_contact(tenant_id, contact_id)
    if item.sms_consent == "opted_in":
        log_unsendable(tenant_id, contact_id, "deleted")
    item.delete()
    release_phone(tenant_id, item.phone_e164, contact_id)
    tenants.add_counters(tenant_id, contact_count=-1)


def set_consent(tenant_id: str, contact_id: str, consent: str, source: str) -> bool:
    """Set `smsConsent` from an inbound reply; returns True when it changed."""
    item = store.get(tenant_id, contact_id)
    if item is None or item.sms_consent == consent:
        return False
    if item.sms_consent == "opted_in":
        log_unsendable(tenant_id, contact_id, source)
    item.update(
        actions=[
            ContactItem.sms_consent.set(consent),
            ContactItem.opt_out_source.set(source)
            if consent == "opted_out"
            else ContactItem.opt_out_source.remove(),
            ContactItem.updated_at.set(clock.now_iso()),
        ]
    )
    return True

"""Contacts: list/search, create, read, update, delete (seed 004 "Contacts Page").

Uniqueness of a phone number per tenant is enforced by a guard item claimed with a conditional
put before the contact is written (and given back if that write fails), so two concurrent
creates of one number cannot both succeed. Storage is in `engage.contacts.store`.
"""

from __future__ import annotations

import re
from typing import Any

from engage.contacts import store
from engage.contacts.models import ContactItem, PhoneItem
from engage.contacts.schemas import (
    ContactCreate,
    ContactListPublic,
    ContactPublic,
    ContactUpdate,
    SmsConsent,
)
from engage.core import clock, ids
from engage.core.errors import Conflict, NotFound, ValidationFailed
from engage.core.phones import require_phone
from engage.tenants import service as tenants

CONSENT_LOG_TTL_SECONDS = 15 * 86400
_ID = re.compile(r"^[0-9A-HJKMNP-TV-Z]{26}$")  # `ids.new_id` (ULID layout, Crockford base32)


def search_text(item: ContactItem) -> str:
    """Lower-cased haystack for `search` (phone, e-mail, names)."""
    parts = [item.phone_e164, item.email, item.first_name, item.last_name]
    return " ".join(p.lower() for p in parts if p)


def to_public(item: ContactItem) -> ContactPublic:
    """Wire shape of a contact (seed 004 plus the fields issue 2 lists)."""
    return ContactPublic(
        id=item.sk,
        phone_e164=item.phone_e164 or None,
        first_name=item.first_name,
        last_name=item.last_name,
        email=item.email,
        gender=item.gender,  # type: ignore[arg-type]
        birth_date=item.birth_date,
        sms_consent=item.sms_consent,  # type: ignore[arg-type]
        whatsapp_consent=item.whatsapp_consent or SmsConsent.UNKNOWN,  # type: ignore[arg-type]
        email_consent=item.email_consent or SmsConsent.UNKNOWN,  # type: ignore[arg-type]
        tags=[str(t) for t in item.tags or []],
        language=item.language,
        preferred_channel=item.preferred_channel,  # type: ignore[arg-type]
        created_at=item.created_at,
        updated_at=item.updated_at,
    )


def new_contact_item(tenant_id: str, phone_e164: str, fields: dict[str, Any]) -> ContactItem:
    """An unsaved contact with a fresh id in its shard (`fields` by seed 004 names)."""
    contact_id = ids.new_id()
    now = clock.now_iso()
    item = ContactItem(
        *store.contact_key(tenant_id, contact_id),
        phone_e164=phone_e164,
        first_name=fields.get("firstName") or None,
        last_name=fields.get("lastName") or None,
        email=fields.get("email") or None,
        gender=str(fields["gender"]) if fields.get("gender") else None,
        birth_date=str(fields["birthDate"]) if fields.get("birthDate") else None,
        sms_consent=str(fields.get("smsConsent") or "unknown"),
        whatsapp_consent=str(fields.get("whatsappConsent") or "unknown"),
        email_consent=str(fields.get("emailConsent") or "unknown"),
        tags=list(fields.get("tags") or []),
        language=fields.get("language") or None,
        preferred_channel=str(fields["preferredChannel"])
        if fields.get("preferredChannel")
        else None,
        created_at=now,
        updated_at=now,
    )
    item.search_text = search_text(item)
    return item


def phone_item(tenant_id: str, phone_e164: str, contact_id: str) -> PhoneItem:
    """The uniqueness guard for `phone_e164` (kept here for existing importers)."""
    return store.phone_item(tenant_id, phone_e164, contact_id)


def log_unsendable(tenant_id: str, contact_id: str, reason: str, channel: str = "all") -> None:
    """Record that a contact may no longer be messaged on `channel` (`sms`, `whatsapp`,
    `email`, or `all`: deleted, address changed) (see `keys.consent_log_partition`)."""
    store.log_unsendable(
        tenant_id,
        contact_id,
        reason,
        clock.now_iso(),
        int(clock.now().timestamp()) + CONSENT_LOG_TTL_SECONDS,
        channel=None if channel == "all" else channel,
    )


def count_new_contact(tenant_id: str) -> None:
    """Add one to the tenant's contact count (a contact created outside `create_contact`)."""
    tenants.add_counters(tenant_id, contact_count=1)


def claim_phone(tenant_id: str, phone_e164: str, contact_id: str) -> None:
    """Make `contact_id` the owner of the number (conditional put); Conflict if taken."""
    if not store.claim_phone(tenant_id, phone_e164, contact_id):
        raise Conflict("A contact with this phone number already exists", {"phone": phone_e164})


def release_phone(tenant_id: str, phone_e164: str, contact_id: str) -> None:
    """Delete the number's guard if (and only if) `contact_id` still owns it."""
    store.release_phone(tenant_id, phone_e164, contact_id)


def list_contacts(tenant_id: str, page: int, limit: int, search: str | None) -> ContactListPublic:
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
    return ContactListPublic(
        contacts=[to_public(c) for c in window], total=total, page=page, page_size=limit
    )


def _phone_of(tenant_id: str, body: ContactCreate | ContactUpdate) -> str | None:
    """The E.164 number the body gives (`phone` or `phoneE164`; both must agree), or None."""
    if body.phone is None and body.phone_e164 is None:
        return None
    country = tenants.get_settings_of(tenant_id).defaultCountry
    given = {
        field: require_phone(raw, country, field)
        for field, raw in (("phone", body.phone), ("phoneE164", body.phone_e164))
        if raw is not None
    }
    if len(set(given.values())) > 1:
        raise ValidationFailed(
            "phone and phoneE164 name different numbers",
            {"phoneE164": "give phone or phoneE164, or both with the same number"},
        )
    return next(iter(given.values()))


def _fields(body: ContactCreate | ContactUpdate) -> dict[str, Any]:
    """The writable fields the body sets, by seed 004 name (read-only fields left out)."""
    return body.model_dump(
        by_alias=True,
        exclude_unset=True,
        exclude={"phone", "phone_e164", "id", "created_at", "updated_at"},
    )


def create_contact(tenant_id: str, body: ContactCreate) -> ContactPublic:
    """Create; 409 when the number already belongs to a contact of this tenant. Read-only
    fields of a contact sent back (`id`, `createdAt`, `updatedAt`) are ignored."""
    phone = _phone_of(tenant_id, body)
    item = new_contact_item(tenant_id, phone or "", _fields(body))
    if item.sms_consent == SmsConsent.OPTED_OUT:
        item.opt_out_source = "manual"
    claim_phone(tenant_id, item.phone_e164, item.sk)
    try:
        store.put_contact(item)
    except Exception:
        release_phone(tenant_id, item.phone_e164, item.sk)
        raise
    tenants.add_counters(tenant_id, contact_count=1)
    return to_public(item)


def ensure_contact(tenant_id: str, phone_e164: str, fields: dict[str, Any]) -> tuple[str, bool]:
    """The id of the contact that owns `phone_e164`, creating it (with `fields`, seed 004
    names) when no contact has the number: `(contact_id, created)`. Concurrent callers with one
    number end with one contact. The caller adds created contacts to the tenant's counter."""
    item = new_contact_item(tenant_id, phone_e164, fields)
    if not store.claim_phone(tenant_id, phone_e164, item.sk):
        guard = store.get_phone(tenant_id, phone_e164)  # the number has (or just got) a contact
        if guard is None:
            raise Conflict("A contact with this phone number already exists", {"phone": phone_e164})
        return guard.contact_id, False
    try:
        store.put_contact(item)
    except Exception:
        release_phone(tenant_id, phone_e164, item.sk)
        raise
    return item.sk, True


def get_contact(tenant_id: str, contact_id: str) -> ContactItem:
    """The contact; NotFound for unknown ids, malformed ids and other tenants' ids."""
    item = store.get(tenant_id, contact_id) if _ID.match(contact_id) else None
    if item is None:
        raise NotFound("Contact not found")
    return item


_ATTRS = {
    "firstName": "first_name",
    "lastName": "last_name",
    "email": "email",
    "gender": "gender",
    "birthDate": "birth_date",
    "smsConsent": "sms_consent",
    "whatsappConsent": "whatsapp_consent",
    "emailConsent": "email_consent",
    "tags": "tags",
    "language": "language",
    "preferredChannel": "preferred_channel",
}


def update_contact(tenant_id: str, contact_id: str, body: ContactUpdate) -> ContactPublic:
    """Change the fields the body sets; a new phone claims its guard first and releases the old
    one after. A body equal to the resource changes nothing (not even `updatedAt`). A contact
    that stops being sendable is written to the consent log for the sender.

    Raises NotFound, ValidationFailed (an `id` that is not this contact's, two different
    numbers), Conflict (the new number belongs to another contact)."""
    return to_public(update_contact_item(tenant_id, contact_id, body))


def update_contact_item(tenant_id: str, contact_id: str, body: ContactUpdate) -> ContactItem:
    """`update_contact`, answering the contact item as written (the customer profile of seed
    003 section 4 shapes it its own way). Same rules and errors."""
    item = get_contact(tenant_id, contact_id)
    if body.id is not None and body.id != contact_id:
        raise ValidationFailed(
            "The body is another contact", {"id": "read-only: must be the contact's own id"}
        )
    old_phone = item.phone_e164
    new_phone = _phone_of(tenant_id, body) or old_phone
    was_sendable = item.sms_consent == SmsConsent.OPTED_IN
    old_consent = item.sms_consent
    was_reachable = {  # the other channels a change of consent or address stops
        "whatsapp": (item.whatsapp_consent == SmsConsent.OPTED_IN, item.phone_e164),
        "email": (item.email_consent == SmsConsent.OPTED_IN, item.email),
    }
    changed = new_phone != old_phone
    for wire, value in _fields(body).items():
        attr = _ATTRS[wire]
        if wire == "birthDate":
            value = str(value) if value else None
        elif wire == "tags":
            value = list(value or [])
        elif wire in ("smsConsent", "whatsappConsent", "emailConsent"):
            value = str(value or SmsConsent.UNKNOWN)
        elif wire in ("gender", "preferredChannel"):
            value = str(value) if value else None
        else:
            value = value or None
        if getattr(item, attr) != value:
            setattr(item, attr, value)
            changed = True
    if not changed:
        return item
    if not new_phone and item.sms_consent == SmsConsent.OPTED_IN:  # an end user without phone
        raise ValidationFailed(
            "A contact without a phone number cannot opt in to SMS",
            {"smsConsent": "give the contact a phone number first"},
        )
    if item.sms_consent != old_consent:
        item.opt_out_source = "manual" if item.sms_consent == SmsConsent.OPTED_OUT else None
    item.phone_e164 = new_phone
    item.updated_at = clock.now_iso()
    item.search_text = search_text(item)
    if new_phone != old_phone:
        claim_phone(tenant_id, new_phone, contact_id)
    try:
        written = store.put_contact(item, must_exist=True)
    except Exception:
        if new_phone != old_phone:
            release_phone(tenant_id, new_phone, contact_id)
        raise
    if not written:  # deleted meanwhile
        if new_phone != old_phone:
            release_phone(tenant_id, new_phone, contact_id)
        raise NotFound("Contact not found")
    if new_phone != old_phone and old_phone:
        release_phone(tenant_id, old_phone, contact_id)
    if was_sendable and (item.sms_consent != SmsConsent.OPTED_IN or new_phone != old_phone):
        log_unsendable(tenant_id, contact_id, "consent or phone changed", channel="sms")
    now_reachable = {
        "whatsapp": (item.whatsapp_consent == SmsConsent.OPTED_IN, item.phone_e164),
        "email": (item.email_consent == SmsConsent.OPTED_IN, item.email),
    }
    for channel, (was_in, address) in was_reachable.items():
        if was_in and now_reachable[channel] != (True, address):
            log_unsendable(tenant_id, contact_id, "consent or address changed", channel=channel)
    return item


def delete_contact(tenant_id: str, contact_id: str) -> None:
    """Delete the contact and its phone guard together."""
    item = get_contact(tenant_id, contact_id)
    if item.sms_consent == SmsConsent.OPTED_IN:
        log_unsendable(tenant_id, contact_id, "deleted")
    store.delete_contact(item)
    if item.phone_e164:
        release_phone(tenant_id, item.phone_e164, contact_id)
    tenants.add_counters(tenant_id, contact_count=-1)


def set_consent(tenant_id: str, contact_id: str, consent: str, source: str) -> bool:
    """Set `smsConsent` from an inbound reply; returns True when it changed."""
    item = store.get(tenant_id, contact_id)
    if item is None or item.sms_consent == consent:
        return False
    if item.sms_consent == SmsConsent.OPTED_IN:
        log_unsendable(tenant_id, contact_id, source)
    store.set_consent(
        item, consent, source if consent == SmsConsent.OPTED_OUT else None, clock.now_iso()
    )
    return True

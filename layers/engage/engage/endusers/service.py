"""End users (issue 9 "Who is who"; DESIGN.md section 2: no second copy of a person).

An end user is a contact (the same contacts the SMS groups see) that carries the tenant's
`external_id` for them, found through a per-tenant look-up item (`endusers/store.py`, claimed
with a conditional put, so one external id is one contact). `identify` creates or updates it:
name, e-mail, phone (E.164; a phone that belongs to another contact is a 409, except that a
verified end user (`trusted`: identity verification passed) takes over a contact that has the
number and no external id yet, so an SMS contact who starts chatting stays one person), device
metadata and custom attributes. Consent stays as the contact has it (a new one: `unknown`).
"""

from __future__ import annotations

from typing import Any

from engage.contacts import service as contacts
from engage.contacts import store as contact_store
from engage.contacts.models import ContactItem
from engage.conversations.access import is_external_id
from engage.core import clock
from engage.core.errors import Conflict, NotFound, ValidationFailed
from engage.core.phones import require_phone
from engage.endusers import store
from engage.endusers.schemas import (
    DevicePublic,
    EndUserListPublic,
    EndUserMetadataPublic,
    EndUserPublic,
    Identify,
)
from engage.tenants import service as tenants

PAGE_MAX = 100


def _check(external_id: str) -> None:
    if not is_external_id(external_id):
        raise ValidationFailed(
            "Invalid end-user id", {"X-User-Id": "1 to 256 printable characters"}
        )


def display_name(item: ContactItem) -> str | None:
    """The contact's name as one string (first and last name joined), or None."""
    name = " ".join(p for p in (item.first_name, item.last_name) if p)
    return name or None


def contact_text(item: ContactItem) -> str:
    """Lower-cased text a conversation of this contact is searched by (name, e-mail, phone,
    external id)."""
    parts = [display_name(item), item.email, item.phone_e164, item.external_id]
    return " ".join(p.lower() for p in parts if p)


def to_public(item: ContactItem) -> EndUserPublic:
    """The wire shape of an end user."""
    device = item.device if isinstance(item.device, dict) else None
    attributes = item.attributes if isinstance(item.attributes, dict) else {}
    return EndUserPublic(
        id=item.sk,
        external_id=item.external_id or "",
        name=display_name(item),
        email=item.email,
        phone=item.phone_e164 or None,
        metadata=EndUserMetadataPublic(device=DevicePublic(**device) if device else None),
        attributes=attributes,
        created_at=item.created_at,
        updated_at=item.updated_at,
    )


def _contact_of(tenant_id: str, external_id: str) -> tuple[ContactItem | None, str | None]:
    """`(contact, contact id the look-up names)`; the contact is None when it is gone."""
    found = store.get(tenant_id, external_id)
    if found is None:
        return None, None
    return contact_store.get(tenant_id, found.contact_id), found.contact_id


def _phone(tenant_id: str, raw: str | None) -> str | None:
    if raw is None:
        return None
    return require_phone(raw, tenants.get_settings_of(tenant_id).defaultCountry, "phone")


def _apply(item: ContactItem, body: Identify, phone: str | None) -> bool:
    """Set the fields `body` gives on `item`; whether anything changed."""
    values: dict[str, Any] = {}
    if body.name is not None:
        first, _, last = body.name.strip().partition(" ")
        values["first_name"], values["last_name"] = first or None, last.strip() or None
    if body.email is not None:
        values["email"] = body.email or None
    if phone is not None:
        values["phone_e164"] = phone
    if body.metadata is not None and body.metadata.device is not None:
        values["device"] = body.metadata.device.model_dump(exclude_none=True)
    if body.attributes is not None:
        values["attributes"] = {**(item.attributes or {}), **body.attributes}
    changed = False
    for attr, value in values.items():
        if getattr(item, attr) != value:
            setattr(item, attr, value)
            changed = True
    return changed


def _adoptable(tenant_id: str, phone: str, trusted: bool) -> ContactItem | None:
    """The contact that has `phone` and no external id, when a verified end user may take it
    over; else None."""
    if not trusted:
        return None
    guard = contact_store.get_phone(tenant_id, phone)
    owner = contact_store.get(tenant_id, guard.contact_id) if guard else None
    return owner if owner is not None and not owner.external_id else None


def _create(tenant_id: str, external_id: str, body: Identify, trusted: bool) -> ContactItem:
    """A new end-user contact (or a taken-over one with the same phone; see the module)."""
    phone = _phone(tenant_id, body.phone)
    adopt = _adoptable(tenant_id, phone, trusted) if phone else None
    item = adopt or contacts.new_contact_item(tenant_id, "", {})
    item.external_id = external_id
    _apply(item, body, phone)
    prior = store.get(tenant_id, external_id)
    if prior is None:
        if not store.claim(tenant_id, external_id, item.sk, clock.now_iso()):
            raise Conflict("This end user is being identified by another request; retry")
    elif not store.repoint(tenant_id, external_id, prior.contact_id, item.sk):
        raise Conflict("This end user is being identified by another request; retry")
    if adopt is None and phone:
        contacts.claim_phone(tenant_id, phone, item.sk)  # Conflict: another contact has it
    item.updated_at = clock.now_iso()
    item.search_text = contacts.search_text(item)
    try:
        contact_store.put_contact(item, must_exist=adopt is not None)
    except Exception:
        if adopt is None and phone:
            contacts.release_phone(tenant_id, phone, item.sk)
        raise
    if adopt is None:
        tenants.add_counters(tenant_id, contact_count=1)
    return item


def _update(tenant_id: str, item: ContactItem, body: Identify) -> ContactItem:
    """Apply `body` to an existing end user's contact (a new phone claims its guard first)."""
    old_phone = item.phone_e164
    phone = _phone(tenant_id, body.phone)
    if not _apply(item, body, phone):
        return item
    item.updated_at = clock.now_iso()
    item.search_text = contacts.search_text(item)
    moved = item.phone_e164 != old_phone
    if moved:
        contacts.claim_phone(tenant_id, item.phone_e164, item.sk)
    if not contact_store.put_contact(item, must_exist=True):
        if moved:
            contacts.release_phone(tenant_id, item.phone_e164, item.sk)
        raise NotFound("End user not found")
    if moved and old_phone:
        contacts.release_phone(tenant_id, old_phone, item.sk)
        if item.sms_consent == "opted_in":
            contacts.log_unsendable(tenant_id, item.sk, "consent or phone changed")
    return item


def identify(
    tenant_id: str, external_id: str, body: Identify, *, trusted: bool = False
) -> EndUserPublic:
    """Create or update the calling end user (see the module docstring). Raises
    ValidationFailed (a bad phone, e-mail or id: 400) and Conflict (the phone belongs to
    another contact: 409)."""
    _check(external_id)
    item, _ = _contact_of(tenant_id, external_id)
    if item is None:
        return to_public(_create(tenant_id, external_id, body, trusted))
    return to_public(_update(tenant_id, item, body))


def ensure_end_user(tenant_id: str, external_id: str) -> ContactItem:
    """The end user's contact, made bare (no fields) when they never identified."""
    _check(external_id)
    item, _ = _contact_of(tenant_id, external_id)
    if item is not None:
        return item
    try:
        return _create(tenant_id, external_id, Identify(), False)
    except Conflict:  # a concurrent first request made it
        item, _ = _contact_of(tenant_id, external_id)
        if item is None:
            raise
        return item


def get_end_user(tenant_id: str, contact_id: str) -> EndUserPublic:
    """One end user by contact id; NotFound for a contact that is not an end user."""
    item = contacts.get_contact(tenant_id, contact_id)  # NotFound for bad or foreign ids
    if not item.external_id:
        raise NotFound("End user not found")
    return to_public(item)


def list_end_users(tenant_id: str, cursor: str | None, limit: int) -> EndUserListPublic:
    """A page of end users in external-id order after `cursor` (an external id)."""
    if cursor is not None:
        _check(cursor)
    found, more = store.page(tenant_id, cursor, min(limit, PAGE_MAX))
    contacts_by_id = contact_store.batch_get(tenant_id, [f.contact_id for f in found])
    data = [
        to_public(contacts_by_id[f.contact_id]) for f in found if f.contact_id in contacts_by_id
    ]
    return EndUserListPublic(data=data, next_cursor=found[-1].sk if more and found else None)

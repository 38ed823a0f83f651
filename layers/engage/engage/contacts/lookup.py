"""Finding the contact behind an address (issue 10: inbound e-mail, WhatsApp and Shopify
orders name a person by e-mail address or phone number, not by contact id)."""

from __future__ import annotations

from engage.contacts import service, store
from engage.core import clock

MAX_NAME = 100


def contact_ids_by_email(tenant_id: str, email: str) -> list[str]:
    """Ids of the tenant's contacts with this address (case-insensitive), newest first; []
    when none (the contacts' sparse GSI1 entry, one Query)."""
    email = email.strip()
    if not email or "@" not in email:
        return []
    return store.contact_ids_by_email(tenant_id, email)


def contact_id_for_phone(tenant_id: str, phone_e164: str) -> str | None:
    """The id of the contact that owns this E.164 number (its uniqueness guard), or None."""
    guard = store.get_phone(tenant_id, phone_e164) if phone_e164 else None
    return guard.contact_id if guard is not None else None


def ensure_contact_for_email(tenant_id: str, email: str, name: str | None = None) -> str:
    """The newest contact with this address, else a new contact with it and no phone (every
    consent `unknown`; `name` split into first and last name). Returns the contact id. Raises
    ValueError for an empty address."""
    email = email.strip().lower()
    if not email or "@" not in email:
        raise ValueError("not an e-mail address")
    found = store.contact_ids_by_email(tenant_id, email, limit=1)
    if found:
        return found[0]
    first, _, last = (name or "").strip().partition(" ")
    item = service.new_contact_item(
        tenant_id,
        "",
        {
            "email": email,
            "firstName": first[:MAX_NAME] or None,
            "lastName": last[:MAX_NAME] or None,
        },
    )
    item.updated_at = clock.now_iso()
    store.put_contact(item)
    service.count_new_contact(tenant_id)
    return item.sk

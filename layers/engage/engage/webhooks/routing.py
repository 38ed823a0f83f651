"""Which tenant and contact an inbound SMS or WhatsApp message belongs to (issue 10).

A provider's inbound webhook carries only the customer's number (`From`) and the business's
(`To`). When a tenant configured `To` for the channel (`POST /channels/{type}/configure`,
`engage.integrations.service.tenant_for_number`), the message is that tenant's alone: its
contact at `From`, created (every consent `unknown`) for a message from a new number when
`create` is set. Otherwise every tenant that has a contact at `From` gets it
(`tenants_knowing`, the contacts' phone index), as inbound STOP / START have done since
issue 2 (the shared sandbox or account-wide numbers). A tenant that neither configured `To`
nor knows the number never sees the message.
"""

from __future__ import annotations

from engage.contacts import lookup
from engage.contacts import service as contacts
from engage.contacts import store as contact_store
from engage.integrations.service import tenant_for_number
from engage.webhooks import store


def tenants_knowing(phone: str) -> list[tuple[str, str]]:
    """(tenant id, contact id) for every tenant with a contact at `phone` (GSI1)."""
    out = []
    for tenant_id in store.tenants_with_phone(phone):
        guard = contact_store.get_phone(tenant_id, phone)
        if guard is not None:
            out.append((tenant_id, guard.contact_id))
    return out


def targets(
    phone: str, to: str | None, channel: str, *, create: bool = False
) -> list[tuple[str, str]]:
    """(tenant id, contact id) pairs an inbound message from `phone` to the business number
    `to` on `channel` (`sms` | `whatsapp`) is for (see the module docstring)."""
    tenant_id = tenant_for_number(to, channel) if to else None
    if tenant_id is None:
        return tenants_knowing(phone)
    contact_id = lookup.contact_id_for_phone(tenant_id, phone)
    if contact_id is None and create:
        contact_id, created = contacts.ensure_contact(tenant_id, phone, {})
        if created:
            contacts.count_new_contact(tenant_id)
    return [(tenant_id, contact_id)] if contact_id else []

"""Which tenant and contact an inbound SMS or WhatsApp message belongs to (issue 10).

A provider's inbound webhook carries only the customer's number (`From`) and the business's
(`To`). Every tenant that has a contact at `From` gets the message (`tenants_knowing`, the
contacts' phone index), as inbound STOP / START have done since issue 2; a tenant that
does not know the number never sees it.
"""

from __future__ import annotations

from engage.contacts import store as contact_store
from engage.webhooks import store


def tenants_knowing(phone: str) -> list[tuple[str, str]]:
    """(tenant id, contact id) for every tenant with a contact at `phone` (GSI1)."""
    out = []
    for tenant_id in store.tenants_with_phone(phone):
        guard = contact_store.get_phone(tenant_id, phone)
        if guard is not None:
            out.append((tenant_id, guard.contact_id))
    return out


def targets(phone: str, to: str | None, channel: str) -> list[tuple[str, str]]:
    """(tenant id, contact id) pairs an inbound message from `phone` to the business number
    `to` on `channel` (`sms` | `whatsapp`) is for (see the module docstring)."""
    return tenants_knowing(phone)

"""DynamoDB access of the webhooks group (STYLE.md rule 1): which tenants know a phone number
(the contacts' phone index, GSI1), for replies that arrive with only the sender's number."""

from __future__ import annotations

from engage.contacts.models import PhoneItem
from engage.core import keys


def tenants_with_phone(phone_e164: str) -> list[str]:
    """Ids of the tenants holding a phone guard item for `phone_e164` (GSI1 query)."""
    return [
        keys.parse_tenant_pk(str(hit.gsi1sk))
        for hit in PhoneItem.by_phone.query(keys.phone_index_pk(phone_e164))
    ]

"""The end-user look-up item (issue 9 "Who is who"): external id -> contact."""

from __future__ import annotations

from pynamodb.attributes import UnicodeAttribute

from engage.core.db import BaseItem


class EndUserItem(BaseItem):
    """`PK=T#<tenantId>#ENDUSER`, `SK=<externalId>`: the contact the tenant's external id
    names. Claimed with a conditional put, so one external id is one contact per tenant; the
    partition is also the console's list of end users (ordered by external id)."""

    contact_id = UnicodeAttribute(attr_name="contactId")
    created_at = UnicodeAttribute(attr_name="createdAt")

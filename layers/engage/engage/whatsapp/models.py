"""The WhatsApp customer-service window item (issue 10 "whatsapp"; keys in
`engage/core/keys_whatsapp.py`)."""

from __future__ import annotations

from pynamodb.attributes import BooleanAttribute, UnicodeAttribute

from engage.core.db import BaseItem


class WindowItem(BaseItem):
    """`PK=T#<t>#WAWIN#<contactId>`, `SK=WINDOW`: one per contact. `last_inbound_at`: ISO
    time of the contact's latest inbound WhatsApp message (only ever moves forward);
    `business_number`: the number (E.164) they last wrote to, which replies go from;
    `stop_opted_out`: their WhatsApp opt-out came from a STOP message (so START may undo
    it; an opt-out of any other origin stays)."""

    last_inbound_at = UnicodeAttribute(null=True, attr_name="lastInboundAt")
    business_number = UnicodeAttribute(null=True, attr_name="businessNumber")
    stop_opted_out = BooleanAttribute(null=True, attr_name="stopOptedOut")

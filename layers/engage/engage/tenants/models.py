"""Tenant item: one per account, `PK=T#<tenantId>`, `SK=TENANT`."""

from __future__ import annotations

from pynamodb.attributes import JSONAttribute, NumberAttribute, UnicodeAttribute

from engage.core.db import BaseItem


class TenantItem(BaseItem):
    """Name, credit balance, settings document and tenant-wide counters (atomic ADD only)."""

    name = UnicodeAttribute()
    credits = NumberAttribute(default=0)
    settings = JSONAttribute(default=dict)
    contact_count = NumberAttribute(default=0, attr_name="contactCount")
    campaign_count = NumberAttribute(default=0, attr_name="campaignCount")
    messages_sent = NumberAttribute(default=0, attr_name="messagesSent")
    concurrent_calls_limit = NumberAttribute(null=True, attr_name="concurrentCallsLimit")
    created_at = UnicodeAttribute(attr_name="createdAt")

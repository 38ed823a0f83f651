"""Automation items."""

from __future__ import annotations

from pynamodb.attributes import BooleanAttribute, UnicodeAttribute

from engage.core.db import BaseItem


class AutomationItem(BaseItem):
    """`PK=T#<tenantId>#AUTO`, `SK=<automationId>`."""

    name = UnicodeAttribute()
    trigger_type = UnicodeAttribute(attr_name="triggerType")
    message = UnicodeAttribute()
    active = BooleanAttribute(default=False)
    created_at = UnicodeAttribute(attr_name="createdAt")
    updated_at = UnicodeAttribute(attr_name="updatedAt")

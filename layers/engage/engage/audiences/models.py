"""Segment items and static segment membership."""

from __future__ import annotations

from pynamodb.attributes import BooleanAttribute, JSONAttribute, NumberAttribute, UnicodeAttribute

from engage.core.db import BaseItem


class SegmentItem(BaseItem):
    """`PK=T#<tenantId>#SEG`, `SK=<segmentId>`; system segments have id `sys_<key>`."""

    key = UnicodeAttribute()
    name = UnicodeAttribute()
    type = UnicodeAttribute()  # system | custom
    criteria = JSONAttribute(default=dict)
    is_active = BooleanAttribute(default=True, attr_name="isActive")
    static_count = NumberAttribute(default=0, attr_name="staticCount")
    created_at = UnicodeAttribute(attr_name="createdAt")


class MembershipItem(BaseItem):
    """`PK=T#<tenantId>#SEGM#<segmentId>`, `SK=<contactId>`: a static member."""

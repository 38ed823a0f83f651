"""The routing rule set item (issue 11 "Routing and agent capacity"; keys:
core/keys_routing_rules.py). One item per tenant holds its ordered rules and business hours,
so a reorder is one conditional write and matching is one GetItem."""

from __future__ import annotations

from typing import Any

from pynamodb.attributes import JSONAttribute, ListAttribute, NumberAttribute

from engage.core.db import BaseItem


class RoutingRuleSetItem(BaseItem):
    """`PK=T#<t>#RRULES`, `SK=SET`: `rules`, in order, each `{id, condition, action,
    createdAt, updatedAt}` (at most 100; the condition as written, the action canonical);
    `hours` the business hours (`{timezone, days: {mon: [[start, end], ...], ...}}`, HH:MM in
    the time zone; null: never set, Mon-Fri 09:00-17:00 in the tenant's settings time zone);
    `version`, raised by every write, which is conditional on it."""

    rules = ListAttribute[Any](default=list)
    hours = JSONAttribute(null=True)
    version = NumberAttribute(default=0)

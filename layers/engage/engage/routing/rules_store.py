"""Routing rule set storage: the item (one per tenant, keys: core/keys_routing_rules.py), read
with one consistent GetItem and written with one PutItem conditional on the version read
(optimistic concurrency: a writer that lost the race reads again). The rules and business
hours share the item, so a reorder is one conditional write and matching one GetItem. The
PynamoDB model lives here (not in a models.py) so the rules do not collide with the agent
groups' models of the assignment engine."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from pynamodb.attributes import JSONAttribute, ListAttribute, NumberAttribute
from pynamodb.exceptions import PutError

from engage.core import keys
from engage.core.db import BaseItem
from engage.core.errors import Conflict

_CONDITION_FAILED = "ConditionalCheckFailedException"
MAX_ATTEMPTS = 5
"""Read-change-write rounds before a write that keeps losing the race is a 409."""
T = TypeVar("T")


class RoutingRuleSetItem(BaseItem):
    """`PK=T#<t>#RRULES`, `SK=SET`: `rules`, in order, each `{id, condition, action,
    createdAt, updatedAt}` (at most 100; the condition as written, the action canonical);
    `hours` the business hours (`{timezone, days: {mon: [[start, end], ...], ...}}`, HH:MM in
    the time zone; null: never set, Mon-Fri 09:00-17:00 in the tenant's settings time zone);
    `version`, raised by every write, which is conditional on it."""

    rules = ListAttribute[Any](default=list)
    hours = JSONAttribute(null=True)
    version = NumberAttribute(default=0)


@dataclass
class StoredRule:
    """One rule as stored: ids and ISO 8601 UTC times."""

    id: str
    condition: str
    action: str
    created_at: str
    updated_at: str


@dataclass
class RuleSet:
    """A tenant's rules in order, its business hours (None: never set) and the version read
    (0: no item yet)."""

    rules: list[StoredRule] = field(default_factory=list)
    hours: dict[str, Any] | None = None
    version: int = 0


def load(tenant_id: str) -> RuleSet:
    """The tenant's rule set (empty at version 0 when it has none): one consistent GetItem."""
    try:
        item = RoutingRuleSetItem.get(*keys.routing_rules_key(tenant_id), consistent_read=True)
    except RoutingRuleSetItem.DoesNotExist:
        return RuleSet()
    rules = [
        StoredRule(
            id=str(r["id"]),
            condition=str(r["condition"]),
            action=str(r["action"]),
            created_at=str(r["createdAt"]),
            updated_at=str(r["updatedAt"]),
        )
        for r in item.rules or []
    ]
    return RuleSet(rules, item.hours, int(item.version or 0))


def save(tenant_id: str, rule_set: RuleSet) -> bool:
    """Write `rule_set` as version `rule_set.version + 1` if the stored one is still at
    `rule_set.version` (0: none stored); False when another writer came first."""
    item = RoutingRuleSetItem(
        *keys.routing_rules_key(tenant_id),
        rules=[
            {
                "id": r.id,
                "condition": r.condition,
                "action": r.action,
                "createdAt": r.created_at,
                "updatedAt": r.updated_at,
            }
            for r in rule_set.rules
        ],
        hours=rule_set.hours,
        version=rule_set.version + 1,
    )
    condition = (
        RoutingRuleSetItem.pk.does_not_exist()
        if rule_set.version == 0
        else RoutingRuleSetItem.version == rule_set.version
    )
    try:
        item.save(condition=condition)
    except PutError as exc:
        if exc.cause_response_code == _CONDITION_FAILED:
            return False
        raise
    return True


def modify(tenant_id: str, change: Callable[[RuleSet], T]) -> T:
    """Read the rule set, let `change` edit it in place (and answer what it returns), write
    it conditionally; on a lost race read and change again, up to `MAX_ATTEMPTS` times, then
    raise `Conflict` (409). An error `change` raises ends it with nothing written."""
    for _ in range(MAX_ATTEMPTS):
        rule_set = load(tenant_id)
        result = change(rule_set)
        if save(tenant_id, rule_set):
            return result
    raise Conflict(
        "The routing rules kept changing meanwhile; try again",
        {"rules": "changed by another request"},
    )

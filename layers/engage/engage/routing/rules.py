"""Routing rules: the tenant's ordered rule set and the first rule that matches a session
(issue 11 "Routing and agent capacity"; seed 003 section 9 `GET /routing/rules`; README
"Routing rules"). The language is engage/routing/grammar.py's, actions actions.py's; the rules
and business hours are one item (rules_store.py), so every edit is one conditional write,
retried when another edit came first, and matching is one GetItem."""

from __future__ import annotations

from dataclasses import replace

from engage.auth import store as members
from engage.core import clock, ids
from engage.core.errors import NotFound, ValidationFailed
from engage.core.observability import logger
from engage.core.roles import Role
from engage.core.schemas import Deleted
from engage.routing import group_store, hours, rules_store
from engage.routing.actions import parse_action, render_action
from engage.routing.evaluate import evaluate, uses_business_hours
from engage.routing.facts import ActionKind, RuleAction, SessionFacts
from engage.routing.grammar import fail_at, parse_condition
from engage.routing.rules_schemas import (
    MAX_RULES,
    RoutingRuleCreate,
    RoutingRuleListPublic,
    RoutingRulePublic,
    RoutingRuleUpdate,
)
from engage.routing.rules_store import RuleSet, StoredRule


def _argument_at(text: str) -> int:
    """Where an action's argument starts (after the `:` and any spaces)."""
    after = text.index(":") + 1
    return after + len(text[after:]) - len(text[after:].lstrip())


def validate_action(tenant_id: str, text: str) -> RuleAction:
    """`parse_action(text)`, and for `assign_to_agent_group` one of the tenant's groups (by id
    or name), for `assign_to_agent` a member of the tenant who is active and at least an agent
    (engage/auth store; core/roles.py). Raises `ValidationFailed` with the argument's position
    otherwise."""
    action = parse_action(text)
    group = action.kind is ActionKind.ASSIGN_TO_AGENT_GROUP
    if group and group_store.resolve(tenant_id, action.argument) is None:
        raise fail_at(
            text,
            _argument_at(text),
            "no agent group with this id or name",
            "expected the id or the name of one of the tenant's agent groups",
            "action",
        )
    if action.kind is ActionKind.ASSIGN_TO_AGENT:
        user = members.get_user(tenant_id, action.argument)
        if user is None or not user.active or not Role.parse(user.role).at_least(Role.AGENT):
            raise fail_at(
                text,
                _argument_at(text),
                "no active agent with this id",
                "expected the id of an active member who is an agent, admin or owner",
                "action",
            )
    return action


def _public(rule: StoredRule, position: int) -> RoutingRulePublic:
    return RoutingRulePublic(
        id=rule.id,
        condition=rule.condition,
        action=rule.action,
        position=position,
        created_at=rule.created_at,
        updated_at=rule.updated_at,
    )


def _index(rule_set: RuleSet, rule_id: str) -> int:
    for i, rule in enumerate(rule_set.rules):
        if rule.id == rule_id:
            return i
    raise NotFound("Routing rule not found")


def _check_position(position: int, last: int) -> None:
    if position > last:
        raise ValidationFailed(
            f"position {position} is past the end", {"position": f"must be 1 to {last}"}
        )


def list_rules(tenant_id: str) -> RoutingRuleListPublic:
    """`GET /routing/rules`: `{rules: [{id, condition, action, position, created_at,
    updated_at}]}` in order (position 1 is tried first)."""
    rules = rules_store.load(tenant_id).rules
    return RoutingRuleListPublic(rules=[_public(r, i) for i, r in enumerate(rules, 1)])


def create_rule(tenant_id: str, body: RoutingRuleCreate) -> RoutingRulePublic:
    """`POST /routing/rules`: a rule inserted at `position` (1-based; default last; the
    rules from there shift down). 400 for an invalid condition or action (with its position)
    or a position past the end; 409 when the tenant has `MAX_RULES` rules already."""
    parse_condition(body.condition)
    action = render_action(validate_action(tenant_id, body.action))
    now = clock.now_iso()
    rule = StoredRule(ids.new_id(), body.condition, action, now, now)

    def change(rule_set: RuleSet) -> int:
        if len(rule_set.rules) >= MAX_RULES:
            raise ValidationFailed(
                f"At most {MAX_RULES} routing rules", {"rules": f"at most {MAX_RULES}"}
            )
        position = body.position or len(rule_set.rules) + 1
        _check_position(position, len(rule_set.rules) + 1)
        rule_set.rules.insert(position - 1, rule)
        return position

    return _public(rule, rules_store.modify(tenant_id, change))


def update_rule(tenant_id: str, rule_id: str, body: RoutingRuleUpdate) -> RoutingRulePublic:
    """`PUT /routing/rules/{id}`: change its condition and/or action, and/or move it to
    `position` (1-based; the rules between shift). 400 as for a new rule, or with nothing to
    change; 404 for a rule the tenant does not have."""
    if body.condition is None and body.action is None and body.position is None:
        raise ValidationFailed(
            "Give condition, action or position", {"body": "needs condition, action or position"}
        )
    if body.condition is not None:
        parse_condition(body.condition)
    action = None if body.action is None else render_action(validate_action(tenant_id, body.action))

    def change(rule_set: RuleSet) -> tuple[StoredRule, int]:
        index = _index(rule_set, rule_id)
        rule = rule_set.rules.pop(index)
        rule = replace(
            rule,
            condition=rule.condition if body.condition is None else body.condition,
            action=action or rule.action,
            updated_at=clock.now_iso(),
        )
        position = body.position or index + 1
        _check_position(position, len(rule_set.rules) + 1)
        rule_set.rules.insert(position - 1, rule)
        return rule, position

    return _public(*rules_store.modify(tenant_id, change))


def delete_rule(tenant_id: str, rule_id: str) -> Deleted:
    """`DELETE /routing/rules/{id}`: `{id, deleted: true}` (the house's delete answer); the
    rules after it move up. 404 for a rule the tenant does not have."""

    def change(rule_set: RuleSet) -> None:
        del rule_set.rules[_index(rule_set, rule_id)]

    rules_store.modify(tenant_id, change)
    return Deleted(id=rule_id)


def first_match(tenant_id: str, facts: SessionFacts) -> RuleAction | None:
    """The action of the tenant's first rule (in order) whose condition holds for `facts`,
    with `rule_id` set; None when none does. One GetItem (plus the tenant's settings, once,
    when a rule looks at business hours that were never set). Conditions are parsed once per
    process (cached by text). A stored rule that no longer parses is skipped and logged;
    an `assign_to_agent` member is not re-checked here (the assignment engine sees who is
    there)."""
    rule_set = rules_store.load(tenant_id)
    open_now: bool | None = None
    for rule in rule_set.rules:
        try:
            condition = parse_condition(rule.condition)
            action = parse_action(rule.action)
        except ValidationFailed as exc:
            logger.warning("skipped an invalid routing rule", rule_id=rule.id, why=exc.message)
            continue
        if open_now is None and uses_business_hours(condition):
            open_now = hours.open_at(tenant_id, rule_set.hours, facts.at)
        if evaluate(condition, facts, bool(open_now)):
            return replace(action, rule_id=rule.id)
    return None

"""Evaluating a routing condition (engage/routing/grammar.py's AST) against a session's facts
(issue 11 "Routing and agent capacity"; README "Routing rules"). Pure: no I/O."""

from __future__ import annotations

from engage.routing.facts import SessionFacts
from engage.routing.grammar import AllOf, Comparison, Condition, Field, Not, parse_condition


def uses_business_hours(condition: Condition) -> bool:
    """Whether evaluating `condition` may need to know if it is business hours."""
    if isinstance(condition, Comparison):
        return condition.field is Field.BUSINESS_HOURS
    if isinstance(condition, Not):
        return uses_business_hours(condition.operand)
    return any(uses_business_hours(op) for op in condition.operands)


def _holds(cmp: Comparison, facts: SessionFacts, in_business_hours: bool) -> bool:
    if cmp.field is Field.CHANNEL:
        found = str(facts.channel).lower() == cmp.value
    elif cmp.field is Field.PRIORITY:
        found = str(facts.priority).lower() == cmp.value
    elif cmp.field is Field.TAG:
        found = any(tag.lower() == cmp.value for tag in facts.tags)
    elif cmp.field is Field.LANGUAGE:
        language = (facts.language or "").lower()
        found = language == cmp.value or language.startswith(cmp.value + "-")
    else:
        found = in_business_hours == (cmp.value == "true")
    return found != cmp.negated


def evaluate(condition: Condition | str, facts: SessionFacts, in_business_hours: bool) -> bool:
    """Whether `condition` (an AST, or text parsed with `parse_condition`, which raises
    `ValidationFailed` if invalid) holds for the session `facts` (pure).

    `channel` / `priority`: equal (case-insensitive); `tag`: the customer has the tag;
    `language`: the customer's language is the value or starts with it and a `-` (`es` matches
    `es-MX`, not `est`; an unknown language matches no `language=`); `business_hours`:
    `in_business_hours` is the value. `!=` is the negation of `=`. AND / OR short-circuit."""
    if isinstance(condition, str):
        condition = parse_condition(condition)
    if isinstance(condition, Comparison):
        return _holds(condition, facts, in_business_hours)
    if isinstance(condition, Not):
        return not evaluate(condition.operand, facts, in_business_hours)
    if isinstance(condition, AllOf):
        return all(evaluate(op, facts, in_business_hours) for op in condition.operands)
    return any(evaluate(op, facts, in_business_hours) for op in condition.operands)

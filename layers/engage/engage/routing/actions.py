"""Routing rule actions, `<kind>:<argument>` (issue 11 "Routing and agent capacity"; seed 003
section 9: `assign_to_agent_group:vip`): `engage.routing.facts.ActionKind` and its argument.
Errors are `ValidationFailed` with the position, as for conditions (engage/routing/grammar.py).
"""

from __future__ import annotations

import re

from engage.core.errors import ValidationFailed
from engage.routing.facts import ActionKind, RuleAction
from engage.routing.grammar import MAX_VALUE_LENGTH, PRIORITIES, fail_at, one_of, quoted

_MEMBER_ID = re.compile(r"[0-9A-Za-z]{1,64}")


def _bad(text: str, pos: int, what: str, hint: str = "") -> ValidationFailed:
    return fail_at(text, pos, what, hint, "action")


def parse_action(text: str) -> RuleAction:
    """`<kind>:<argument>` as a `RuleAction` (`rule_id` None), canonical: the kind
    lower-cased, the argument stripped; `set_priority`'s lower-cased and `auto_reply`'s the
    template's id (a template of the library, engage/templates, by id or name).

    Checks the syntax only for `assign_to_agent` (a member id) and `assign_to_agent_group`
    (non-empty): whether the member is an active agent of the tenant is
    `engage.routing.rules.validate_action`'s job, the group the assignment engine's.
    Raises `ValidationFailed` with details `{action: "<what> at position <n>", position, line,
    column}` (1-based)."""
    if not isinstance(text, str):
        raise ValidationFailed("Invalid action: not text", {"action": "must be text"})
    kinds = one_of(tuple(k.value for k in ActionKind))
    kind_text, colon, rest = text.partition(":")
    start = len(kind_text) - len(kind_text.lstrip())
    try:
        kind = ActionKind(kind_text.strip().lower())
    except ValueError:
        what = (
            "empty action"
            if not kind_text.strip()
            else f"unknown action {quoted(kind_text.strip())}"
        )
        raise _bad(text, start, what, f"expected {kinds}") from None
    if not colon:
        raise _bad(text, len(text), "missing ':'", f"expected {kind.value}:<argument>")
    pos = len(kind_text) + 1 + len(rest) - len(rest.lstrip())
    argument = rest.strip()
    if not argument:
        raise _bad(text, pos, f"empty argument for {kind.value}")
    if len(argument) > MAX_VALUE_LENGTH:
        what = f"argument longer than {MAX_VALUE_LENGTH} characters"
        raise _bad(text, pos, what)
    if not argument.isprintable():
        raise _bad(text, pos, "control character in the argument")
    if kind is ActionKind.SET_PRIORITY:
        if argument.lower() not in PRIORITIES:
            what = f"invalid priority {quoted(argument)}"
            raise _bad(text, pos, what, f"expected {one_of(PRIORITIES)}")
        argument = argument.lower()
    elif kind is ActionKind.ASSIGN_TO_AGENT and not _MEMBER_ID.fullmatch(argument):
        what = f"invalid member id {quoted(argument)}"
        raise _bad(text, pos, what, "expected a member id (letters and digits)")
    elif kind is ActionKind.AUTO_REPLY:
        from engage.templates.library import find_template

        template = find_template(argument)
        if template is None:
            what = f"unknown template {quoted(argument)}"
            raise _bad(text, pos, what, "expected a template id or name from GET /templates")
        argument = template.id
    return RuleAction(kind, argument)


def render_action(action: RuleAction) -> str:
    """`<kind>:<argument>`: the text `parse_action` reads back as `action` (without rule_id)."""
    return f"{action.kind.value}:{action.argument}"

"""The routing rules' language (issue 11 "Routing and agent capacity"; seed 003 section 9
`GET /routing/rules`; README "Routing rules"), parsed with lark's LALR(1) parser.

A condition is comparisons `field=value` / `field!=value` joined by `AND`, `OR`, `NOT`
(keywords in any case; precedence NOT > AND > OR) and parentheses:
`channel=whatsapp AND (priority=high OR tag=vip) AND NOT business_hours=true`.

Fields (any case): `channel` (a `conversations.schemas.Channel` value), `priority` (low |
normal | high | urgent), `tag` / `tags` (the customer has that tag), `language` (a BCP 47
prefix on subtag boundaries: `es` matches `es-MX`), `business_hours` (true | false). Values are
bare words (letters, digits, `_ . - + @ /`) or double-quoted strings (`\\"` and `\\\\` escape).

Parsing builds a canonical AST (values lower-cased, `tags` read as `tag`, nested AND / OR
flattened), so `parse_condition(render(ast)) == ast`. Any text that is not a valid condition
raises `ValidationFailed` whose message and details (`condition`, `position`, `line`, `column`:
1-based, as strings like every other detail) say what is wrong and where; nothing else escapes.
Actions (`<kind>:<argument>`) are parsed by `engage.routing.actions`, with the same errors.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from functools import cache, lru_cache
from typing import TYPE_CHECKING, Any

from engage.conversations.schemas import Channel, Priority
from engage.core.errors import ValidationFailed

if TYPE_CHECKING:
    from lark import Lark, Token

MAX_CONDITION_LENGTH = 1000
"""Longest condition accepted (characters)."""
MAX_DEPTH = 20
"""Deepest nesting of NOT, AND, OR and parentheses accepted."""
MAX_VALUE_LENGTH = 100
"""Longest value of a comparison, and longest action argument (characters)."""


class Field(StrEnum):
    """What a comparison looks at (`tags` is read as `tag`)."""

    CHANNEL = "channel"
    PRIORITY = "priority"
    TAG = "tag"
    LANGUAGE = "language"
    BUSINESS_HOURS = "business_hours"


@dataclass(frozen=True)
class Comparison:
    """`field=value` (`negated`: `field!=value`); `value` canonical (lower-cased)."""

    field: Field
    value: str
    negated: bool = False


@dataclass(frozen=True)
class Not:
    """`NOT operand`."""

    operand: Condition


@dataclass(frozen=True)
class AllOf:
    """`a AND b AND ...`: two or more operands, none itself an AllOf."""

    operands: tuple[Condition, ...]


@dataclass(frozen=True)
class AnyOf:
    """`a OR b OR ...`: two or more operands, none itself an AnyOf."""

    operands: tuple[Condition, ...]


Condition = Comparison | Not | AllOf | AnyOf


def all_of(*operands: Condition) -> Condition:
    """`AND` of `operands`, flattened (an AllOf inside is spliced in); one operand is itself."""
    flat: list[Condition] = []
    for op in operands:
        flat.extend(op.operands if isinstance(op, AllOf) else (op,))
    return flat[0] if len(flat) == 1 else AllOf(tuple(flat))


def any_of(*operands: Condition) -> Condition:
    """`OR` of `operands`, flattened (an AnyOf inside is spliced in); one operand is itself."""
    flat: list[Condition] = []
    for op in operands:
        flat.extend(op.operands if isinstance(op, AnyOf) else (op,))
    return flat[0] if len(flat) == 1 else AnyOf(tuple(flat))


# -- the grammar -------------------------------------------------------------------------------
_GRAMMAR = r"""
?start: or_expr
?or_expr: and_expr (_OR and_expr)*
?and_expr: not_expr (_AND not_expr)*
?not_expr: NOT not_expr -> negation
         | atom
?atom: comparison
     | LPAR or_expr _RPAR -> group
comparison: NAME OP value
?value: WORD | STRING
OP: "!=" | "="
LPAR: "("
_RPAR: ")"
_AND.2: /and\b/i
_OR.2: /or\b/i
NOT.2: /not\b/i
NAME: /(?!(?:and|or|not)\b)[^\W\d]\w*/i
WORD: /[\w.+@\/-]+/
STRING: /"(?:[^"\\]|\\["\\])*"/
%ignore /\s+/
"""

_EXPECTED = {
    "NAME": "a field",
    "OP": "= or !=",
    "WORD": "a value",
    "STRING": "a value",
    "_AND": "AND",
    "_OR": "OR",
    "NOT": "NOT",
    "LPAR": "'('",
    "_RPAR": "')'",
    "$END": "the end",
}
_BARE = re.compile(r"[\w.+@/-]+")
_LANGUAGE = re.compile(r"[a-z]{2,3}(-[a-z0-9]{1,8})*")
_CHANNELS = tuple(c.value for c in Channel)
PRIORITIES = tuple(p.value for p in Priority)
_BOOLEANS = ("true", "false")


@dataclass(frozen=True)
class _Node:
    """A parsed sub-condition with where it starts (0-based) and how deep it nests."""

    condition: Condition
    start: int
    depth: int


def fail_at(
    text: str, pos: int, what: str, hint: str = "", field: str = "condition"
) -> ValidationFailed:
    """`ValidationFailed` for `what` at 0-based offset `pos` of `text` (`hint`: what would
    have been right), about the request field `field`."""
    line = text.count("\n", 0, pos) + 1
    column = pos - (text.rfind("\n", 0, pos) + 1) + 1
    where = f"{what} at position {pos + 1}" + (f": {hint}" if hint else "")
    return ValidationFailed(
        f"Invalid {field}: {where}",
        {
            field: where,
            "position": str(pos + 1),
            "line": str(line),
            "column": str(column),
        },
    )


def quoted(value: str) -> str:
    """`value` as an error message quotes it (cut to 30 characters)."""
    return repr(value if len(value) <= 30 else value[:30] + "…")


def one_of(values: tuple[str, ...]) -> str:
    """`a, b or c`."""
    if len(values) == 1:
        return values[0]
    return ", ".join(values[:-1]) + " or " + values[-1]


def _field(text: str, token: Token) -> Field:
    name = str(token).lower()
    if name == "tags":
        return Field.TAG
    try:
        return Field(name)
    except ValueError:
        fields = one_of(tuple(f.value for f in Field))
        what = f"unknown field {quoted(str(token))}"
        raise fail_at(text, token.start_pos or 0, what, f"expected {fields}") from None


def _unquote(raw: str) -> str:
    if not raw.startswith('"'):
        return raw
    return re.sub(r'\\(["\\])', r"\1", raw[1:-1])


def _value(text: str, field: Field, token: Token) -> str:
    """The canonical value of `token` for `field`; ValidationFailed when it is not one."""
    pos = token.start_pos or 0
    value = _unquote(str(token))
    low = value.lower()
    if not value.strip():
        raise fail_at(text, pos, f"empty value for {field.value}")
    if len(value) > MAX_VALUE_LENGTH:
        raise fail_at(text, pos, f"{field.value} value longer than {MAX_VALUE_LENGTH} characters")
    allowed = {
        Field.CHANNEL: _CHANNELS,
        Field.PRIORITY: PRIORITIES,
        Field.BUSINESS_HOURS: _BOOLEANS,
    }.get(field)
    if allowed is not None and low not in allowed:
        what = f"invalid {field.value} {quoted(value)}"
        raise fail_at(text, pos, what, f"expected {one_of(allowed)}")
    if field is Field.LANGUAGE and not _LANGUAGE.fullmatch(low):
        what = f"invalid language {quoted(value)}"
        raise fail_at(text, pos, what, "expected a BCP 47 tag like es or es-MX")
    return low


class _Builder:
    """lark callbacks run by the LALR parser as it reduces (no tree, no recursion), building
    the canonical AST of `text`."""

    def __init__(self, text: str) -> None:
        self.text = text

    def _deeper(self, condition: Condition, start: int, *parts: _Node) -> _Node:
        depth = 1 + max(p.depth for p in parts)
        if depth > MAX_DEPTH:
            raise fail_at(self.text, start, f"nested deeper than {MAX_DEPTH} levels")
        return _Node(condition, start, depth)

    def comparison(self, children: list[Any]) -> _Node:
        name, op, raw = children
        field = _field(self.text, name)
        value = _value(self.text, field, raw)
        return _Node(Comparison(field, value, str(op) == "!="), name.start_pos or 0, 0)

    def negation(self, children: list[Any]) -> _Node:
        keyword, operand = children
        return self._deeper(Not(operand.condition), keyword.start_pos or 0, operand)

    def group(self, children: list[Any]) -> _Node:
        paren, inner = children
        return self._deeper(inner.condition, paren.start_pos or 0, inner)

    def and_expr(self, children: list[_Node]) -> _Node:
        condition = all_of(*(c.condition for c in children))
        return self._deeper(condition, children[0].start, *children)

    def or_expr(self, children: list[_Node]) -> _Node:
        condition = any_of(*(c.condition for c in children))
        return self._deeper(condition, children[0].start, *children)


@cache
def _parser() -> Lark:
    """The LALR(1) parser (built on first use: cold starts that never parse skip it)."""
    from lark import Lark

    return Lark(_GRAMMAR, parser="lalr", lexer="contextual", maybe_placeholders=False)


def _unexpected(text: str, exc: Exception) -> ValidationFailed:
    from lark.exceptions import UnexpectedCharacters, UnexpectedToken

    if isinstance(exc, UnexpectedToken):
        names = {_EXPECTED.get(name, name) for name in exc.expected}
        expected = [n for n in dict.fromkeys(_EXPECTED.values()) if n in names]
        want = f"expected {one_of(tuple(expected))}" if expected else ""
        if exc.token.type == "$END":
            if not text.strip():
                return fail_at(text, 0, "empty condition", "expected a comparison like channel=sms")
            return fail_at(text, len(text), "unexpected end of condition", want)
        return fail_at(text, exc.token.start_pos or 0, f"unexpected {quoted(str(exc.token))}", want)
    if isinstance(exc, UnexpectedCharacters):
        pos = exc.pos_in_stream or 0
        return fail_at(text, pos, f"unexpected character {quoted(text[pos : pos + 1])}")
    return fail_at(text, 0, "invalid condition")


def parse_condition(text: str) -> Condition:
    """The canonical AST of the condition `text`.

    Raises `ValidationFailed` (400) for anything else: a syntax error, an unknown field, an
    invalid value, an empty or over-long condition (`MAX_CONDITION_LENGTH`) or one nested deeper
    than `MAX_DEPTH`; `details` = `{condition: "<what> at position <n>", position, line,
    column}` (1-based). Results are cached by text (conditions are immutable values)."""
    if not isinstance(text, str):
        raise ValidationFailed("Invalid condition: not text", {"condition": "must be text"})
    return _parse_cached(text)


@lru_cache(maxsize=2048)
def _parse_cached(text: str) -> Condition:
    from lark.exceptions import UnexpectedInput

    if len(text) > MAX_CONDITION_LENGTH:
        raise fail_at(text, MAX_CONDITION_LENGTH, f"longer than {MAX_CONDITION_LENGTH} characters")
    builder = _Builder(text)
    try:
        tree = _parser().parse(text)
    except UnexpectedInput as exc:
        raise _unexpected(text, exc) from None
    return _build(builder, tree).condition


def _build(builder: _Builder, tree: Any) -> _Node:
    """Run `builder`'s callbacks over lark's tree bottom-up, without recursion."""
    from lark import Token, Tree

    stack: list[tuple[Any, bool]] = [(tree, False)]
    done: list[Any] = []
    while stack:
        item, expanded = stack.pop()
        if isinstance(item, Token):
            done.append(item)
        elif not expanded:
            stack.append((item, True))
            stack.extend((child, False) for child in reversed(item.children))
        else:
            assert isinstance(item, Tree)
            count = len(item.children)
            children = done[len(done) - count :]
            del done[len(done) - count :]
            done.append(getattr(builder, str(item.data))(children))
    result: _Node = done[0]
    return result


# -- rendering ---------------------------------------------------------------------------------
_KEYWORDS = frozenset({"and", "or", "not"})


def _render_value(value: str) -> str:
    if _BARE.fullmatch(value) and value not in _KEYWORDS:
        return value
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def render(condition: Condition) -> str:
    """The canonical text of `condition` (`parse_condition(render(c)) == c` for canonical
    ASTs: those `parse_condition`, `all_of` and `any_of` build). Parentheses only where the
    precedence needs them."""
    if isinstance(condition, Comparison):
        op = "!=" if condition.negated else "="
        return f"{condition.field.value}{op}{_render_value(condition.value)}"
    if isinstance(condition, Not):
        inner = condition.operand
        text = render(inner)
        return f"NOT ({text})" if isinstance(inner, AllOf | AnyOf) else f"NOT {text}"
    if isinstance(condition, AllOf):
        parts = (
            f"({render(op)})" if isinstance(op, AnyOf) else render(op) for op in condition.operands
        )
        return " AND ".join(parts)
    return " OR ".join(render(op) for op in condition.operands)

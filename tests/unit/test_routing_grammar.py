"""The routing rules' language (issue 11 "Routing and agent capacity"; README "Routing
rules"): what a condition means, the errors that point at their position, and that no text
makes the parser fail any other way."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engage.core.errors import ValidationFailed
from engage.routing.actions import parse_action
from engage.routing.evaluate import evaluate
from engage.routing.facts import ActionKind, RuleAction, SessionFacts
from engage.routing.grammar import (
    AllOf,
    AnyOf,
    Comparison,
    Condition,
    Field,
    Not,
    all_of,
    any_of,
    parse_condition,
    render,
)

AT = dt.datetime(2026, 12, 2, 10, 0, tzinfo=dt.UTC)


def facts(**kw: object) -> SessionFacts:
    base: dict[str, object] = {"channel": "sms", "priority": "normal", "at": AT}
    base.update(kw)
    return SessionFacts(**base)  # type: ignore[arg-type]


def holds(condition: str, in_hours: bool = False, **kw: object) -> bool:
    return evaluate(parse_condition(condition), facts(**kw), in_hours)


def error(text: str) -> ValidationFailed:
    with pytest.raises(ValidationFailed) as info:
        parse_condition(text)
    return info.value


# -- meaning -----------------------------------------------------------------------------------
def test_the_seed_example_holds_for_a_high_priority_whatsapp_session_only():
    rule = "channel=whatsapp AND priority=high"
    assert holds(rule, channel="whatsapp", priority="high")
    assert not holds(rule, channel="whatsapp", priority="normal")
    assert not holds(rule, channel="sms", priority="high")
    assert evaluate(rule, facts(channel="whatsapp", priority="high"), False)  # text parsed too


def test_not_binds_tighter_than_and_and_and_tighter_than_or():
    assert parse_condition("channel=sms OR channel=email AND priority=high") == AnyOf(
        (
            Comparison(Field.CHANNEL, "sms"),
            AllOf((Comparison(Field.CHANNEL, "email"), Comparison(Field.PRIORITY, "high"))),
        )
    )
    assert parse_condition("NOT channel=sms AND tag=vip") == AllOf(
        (Not(Comparison(Field.CHANNEL, "sms")), Comparison(Field.TAG, "vip"))
    )
    # an SMS session of normal priority: OR's right side is false, its left side true
    assert holds("channel=sms OR channel=email AND priority=high")
    assert not holds("(channel=sms OR channel=email) AND priority=high")


def test_keywords_and_fields_are_case_insensitive_and_tags_is_tag():
    assert parse_condition("Channel=SMS and not TAGS=VIP") == parse_condition(
        "channel=sms AND NOT tag=vip"
    )


def test_a_tag_holds_when_the_customer_has_it_and_not_equal_when_not():
    assert holds("tag=vip", tags=frozenset({"vip", "b2b"}))
    assert not holds("tag=vip", tags=frozenset({"b2b"}))
    assert holds("tag!=vip", tags=frozenset({"b2b"}))
    assert holds('tag="big spender"', tags=frozenset({"big spender"}))


def test_a_language_matches_its_more_specific_tags_but_not_other_languages():
    assert holds("language=es", language="es-mx")
    assert holds("language=es", language="es")
    assert holds("language=es-MX", language="es-mx")
    assert not holds("language=es-MX", language="es")
    assert not holds("language=es", language="est")
    assert not holds("language=es")  # language unknown
    assert holds("language!=es")


def test_business_hours_is_what_the_caller_says_it_is_now():
    assert holds("business_hours=true", in_hours=True)
    assert not holds("business_hours=true", in_hours=False)
    assert holds("NOT business_hours=true AND channel=sms", in_hours=False)
    assert holds("business_hours=FALSE", in_hours=False)


def test_quoted_values_may_hold_spaces_quotes_and_keywords():
    assert parse_condition(r'tag="say \"hi\" AND bye"') == Comparison(Field.TAG, 'say "hi" and bye')
    assert parse_condition("tag=and") == Comparison(Field.TAG, "and")


# -- errors say what and where -------------------------------------------------------------------
def test_an_unexpected_keyword_is_reported_at_its_position():
    exc = error("channel=sms AND AND priority=high")
    assert exc.details["position"] == "17"
    assert exc.details["column"] == "17"
    assert exc.details["condition"].startswith("unexpected 'AND' at position 17")
    assert "position 17" in exc.message


@pytest.mark.parametrize(
    ("text", "position", "says"),
    [
        ("colour=red", "1", "unknown field 'colour'"),
        ("channel=fax", "9", "invalid channel 'fax'"),
        ("priority = hgh", "12", "invalid priority 'hgh'"),
        ("language=e", "10", "invalid language 'e'"),
        ("business_hours=maybe", "16", "invalid business_hours"),
        ("(channel=sms", "13", "unexpected end of condition"),
        ("channel=sms)", "12", "unexpected ')'"),
        ("channel==sms", "9", "unexpected '='"),
        ("channel=sms priority=high", "13", "unexpected 'priority'"),
        ("channel=sms & tag=x", "13", "unexpected character '&'"),
        ('tag=""', "5", "empty value"),
        ("", "1", "empty condition"),
        ("   ", "1", "empty condition"),
        ("(" * 25 + "tag=a" + ")" * 25, "5", "nested deeper than 20"),
    ],
)
def test_invalid_conditions_say_what_is_wrong_and_where(text, position, says):
    exc = error(text)
    assert exc.details["position"] == position, exc.details
    assert exc.details["condition"].startswith(says), exc.details


def test_the_column_and_line_count_from_the_last_line_break():
    exc = error("channel=sms\nAND priority=hgh")
    assert (exc.details["line"], exc.details["column"], exc.details["position"]) == (
        "2",
        "14",
        "26",
    )


def test_a_condition_over_1000_characters_is_refused():
    exc = error("tag=a OR " * 120 + "tag=b")
    assert exc.details["position"] == "1001"


# -- properties ----------------------------------------------------------------------------------
_PIECES = st.sampled_from(
    ["channel", "priority", "tag", "tags", "language", "business_hours", "=", "!=", "AND",
     "or", "NOT", "(", ")", " ", '"', "\\", "sms", "high", "es-MX", "true", "vip", "\n", "é",
     "\x00", "\ud800", "&", "x"]
)  # fmt: skip


@settings(max_examples=400, deadline=None)
@given(st.one_of(st.text(max_size=60), st.lists(_PIECES, max_size=30).map("".join)))
def test_any_text_is_a_condition_or_a_validation_error_with_a_position_inside_it(text):
    try:
        condition = parse_condition(text)
    except ValidationFailed as exc:
        assert 1 <= int(exc.details["position"]) <= len(text) + 1
    else:
        assert parse_condition(render(condition)) == condition


_VALUES = {
    Field.CHANNEL: st.sampled_from(["chat", "sms", "whatsapp", "email", "voice", "video"]),
    Field.PRIORITY: st.sampled_from(["low", "normal", "high", "urgent"]),
    Field.TAG: st.text(min_size=1, max_size=12)
    .map(str.lower)
    .filter(lambda s: s.strip() and s.isprintable() and s.lower() == s),
    Field.LANGUAGE: st.from_regex(r"[a-z]{2,3}(-[a-z0-9]{1,8}){0,2}", fullmatch=True),
    Field.BUSINESS_HOURS: st.sampled_from(["true", "false"]),
}
_COMPARISONS = st.sampled_from(list(Field)).flatmap(
    lambda f: st.builds(Comparison, st.just(f), _VALUES[f], st.booleans())
)
_CONDITIONS: st.SearchStrategy[Condition] = st.recursive(
    _COMPARISONS,
    lambda inner: st.one_of(
        st.builds(Not, inner),
        st.lists(inner, min_size=2, max_size=3).map(lambda ops: all_of(*ops)),
        st.lists(inner, min_size=2, max_size=3).map(lambda ops: any_of(*ops)),
    ),
    max_leaves=8,
)


@settings(max_examples=300, deadline=None)
@given(_CONDITIONS)
def test_rendering_a_condition_and_parsing_it_gives_it_back(condition):
    assert parse_condition(render(condition)) == condition


_FACTS = st.builds(
    SessionFacts,
    channel=st.sampled_from(["sms", "whatsapp", "chat"]),
    priority=st.sampled_from(["low", "high"]),
    at=st.just(AT),
    tags=st.frozensets(st.sampled_from(["vip", "b2b"])),
    language=st.sampled_from([None, "es", "es-mx", "en"]),
)


@settings(max_examples=200, deadline=None)
@given(_CONDITIONS, _CONDITIONS, _FACTS, st.booleans())
def test_not_negates_and_de_morgan_holds(a, b, session, in_hours):
    def ev(text: str) -> bool:
        return evaluate(parse_condition(text), session, in_hours)

    ra, rb = render(a), render(b)
    assert ev(f"NOT ({ra})") is not ev(ra)
    assert ev(f"NOT (({ra}) OR ({rb}))") is ev(f"NOT ({ra}) AND NOT ({rb})")
    assert ev(f"({ra}) AND ({rb})") is (ev(ra) and ev(rb))


# -- actions -------------------------------------------------------------------------------------
def test_actions_parse_into_their_kind_and_a_canonical_argument():
    assert parse_action("assign_to_agent_group:vip") == RuleAction(
        ActionKind.ASSIGN_TO_AGENT_GROUP, "vip"
    )
    assert parse_action("SET_PRIORITY: High") == RuleAction(ActionKind.SET_PRIORITY, "high")
    assert parse_action("auto_reply:Welcome Message") == RuleAction(
        ActionKind.AUTO_REPLY, "welcome"
    )
    assert parse_action("auto_reply:shipping").argument == "shipping"


@pytest.mark.parametrize(
    ("text", "position", "says"),
    [
        ("escalate:vip", "1", "unknown action 'escalate'"),
        ("set_priority", "13", "missing ':'"),
        ("set_priority:", "14", "empty argument"),
        ("set_priority:soon", "14", "invalid priority 'soon'"),
        ("auto_reply:  nope", "14", "unknown template 'nope'"),
        ("assign_to_agent:not an id", "17", "invalid member id"),
    ],
)
def test_invalid_actions_say_what_is_wrong_and_where(text, position, says):
    with pytest.raises(ValidationFailed) as info:
        parse_action(text)
    assert info.value.details["position"] == position, info.value.details
    assert info.value.details["action"].startswith(says), info.value.details


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=40))
def test_any_text_is_an_action_or_a_validation_error(text):
    try:
        parse_action(text)
    except ValidationFailed as exc:
        assert 1 <= int(exc.details["position"]) <= len(text) + 1

"""Routing rules over HTTP and the first match (issue 11 "Routing and agent capacity"; seed
003 section 9 `GET /routing/rules`; README "Routing rules"): ordered rules, invalid ones a 400
that points at the error, reordering, another tenant's rules, roles, business hours, and edits
that race."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from argon2 import PasswordHasher
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engage.core import clock, ids
from engage.routing import hours, rules, rules_store
from engage.routing.facts import ActionKind, RuleAction, SessionFacts

PASSWORD = "correct horse battery"
_HASH = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1).hash(PASSWORD)
# Wednesday 2 December 2026, 10:00 UTC (11:00 in Madrid, 05:00 in New York)
WEDNESDAY_10_UTC = dt.datetime(2026, 12, 2, 10, 0, tzinfo=dt.UTC)


@pytest.fixture
def owner(h):
    return h.register()


def tenant_of(h, headers) -> str:
    return str(h.client.get("/auth/me", headers=headers).json()["data"]["tenant"]["id"])


def member(h, owner_headers, role: str, active: bool = True) -> tuple[dict[str, str], str]:
    """A signed-in member of the owner's tenant with `role`: (headers, user id)."""
    from engage.auth import store

    tenant_id = tenant_of(h, owner_headers)
    email = f"{role}-{ids.token(6).lower()}@shop.test"
    user_id = ids.new_id()
    assert store.claim_email(email, tenant_id, user_id)
    store.put_user(tenant_id, user_id, email, _HASH, role, clock.now_iso())
    resp = h.client.post("/auth/login", json={"email": email, "password": PASSWORD})
    assert resp.status_code == 200, resp.text
    if not active:
        store.update_member(tenant_id, user_id, active=False)
    return {"Authorization": f"Bearer {resp.json()['access_token']}"}, user_id


def add(h, headers, condition: str, action: str, **body) -> dict:
    if action.startswith("assign_to_agent_group:"):  # the group must exist: make it once
        name = action.split(":", 1)[1]
        made = h.client.post("/routing/groups", headers=headers, json={"name": name})
        assert made.status_code in (201, 409), made.text
    resp = h.client.post(
        "/routing/rules", headers=headers, json={"condition": condition, "action": action, **body}
    )
    assert resp.status_code == 201, resp.text
    return resp.json()


def listed(h, headers) -> list[tuple[int, str]]:
    resp = h.client.get("/routing/rules", headers=headers)
    assert resp.status_code == 200, resp.text
    return [(r["position"], r["condition"]) for r in resp.json()["rules"]]


def session(**kw) -> SessionFacts:
    base: dict = {"channel": "whatsapp", "priority": "high", "at": WEDNESDAY_10_UTC}
    base.update(kw)
    return SessionFacts(**base)


# -- the rule set ------------------------------------------------------------------------------
def test_a_new_tenant_has_no_rules(h, owner):
    assert h.client.get("/routing/rules", headers=owner).json() == {"rules": []}


def test_a_rule_is_answered_and_listed_in_the_seed_shape(h, owner):
    created = add(h, owner, "channel=whatsapp AND priority=high", "assign_to_agent_group:vip")
    assert created["condition"] == "channel=whatsapp AND priority=high"
    assert created["action"] == "assign_to_agent_group:vip"
    assert created["position"] == 1
    assert set(created) == {"id", "condition", "action", "position", "created_at", "updated_at"}
    assert h.client.get("/routing/rules", headers=owner).json() == {"rules": [created]}


def test_rules_go_last_unless_a_position_is_given(h, owner):
    add(h, owner, "channel=sms", "set_priority:low")
    add(h, owner, "channel=email", "set_priority:low")
    add(h, owner, "channel=chat", "set_priority:low", position=1)
    add(h, owner, "channel=voice", "set_priority:low", position=3)
    assert listed(h, owner) == [
        (1, "channel=chat"),
        (2, "channel=sms"),
        (3, "channel=voice"),
        (4, "channel=email"),
    ]


def test_a_position_past_the_end_is_a_400(h, owner):
    add(h, owner, "channel=sms", "set_priority:low")
    resp = h.client.post(
        "/routing/rules",
        headers=owner,
        json={"condition": "channel=chat", "action": "set_priority:low", "position": 3},
    )
    assert resp.status_code == 400
    assert resp.json()["details"] == {"position": "must be 1 to 2"}


def test_an_invalid_condition_is_a_400_that_points_at_the_error(h, owner):
    resp = h.client.post(
        "/routing/rules",
        headers=owner,
        json={"condition": "channel=sms AND AND priority=high", "action": "set_priority:low"},
    )
    assert resp.status_code == 400
    body = resp.json()
    assert body["error"] == "validation_error"
    assert body["details"]["position"] == "17"
    assert body["details"]["condition"].startswith("unexpected 'AND' at position 17")
    assert listed(h, owner) == []


def test_an_unknown_template_or_a_bad_priority_is_a_400_on_the_action(h, owner):
    for action, says in (("auto_reply:nope", "unknown template"), ("set_priority:soon", "invalid")):
        resp = h.client.post(
            "/routing/rules", headers=owner, json={"condition": "channel=sms", "action": action}
        )
        assert resp.status_code == 400
        assert resp.json()["details"]["action"].startswith(says)
        assert resp.json()["details"]["position"] == str(action.index(":") + 2)


def test_an_auto_reply_may_name_a_template_and_is_kept_by_its_id(h, owner):
    created = add(h, owner, "business_hours=false", "auto_reply:Welcome Message")
    assert created["action"] == "auto_reply:welcome"


def test_assigning_to_a_group_needs_one_of_the_tenants_groups(h, owner):
    # Given another tenant's group
    other = h.register(email="other-groups@shop.test", tenant="Other")
    theirs = h.client.post("/routing/groups", headers=other, json={"name": "theirs"}).json()
    # When a rule names a group that does not exist, by name or by the other tenant's id
    for ref in ("nowhere", theirs["id"]):
        resp = h.client.post(
            "/routing/rules",
            headers=owner,
            json={"condition": "channel=sms", "action": f"assign_to_agent_group:{ref}"},
        )
        # Then it is a 400 pointing at the group, and nothing is saved
        assert resp.status_code == 400, resp.text
        assert resp.json()["details"]["position"] == str(len("assign_to_agent_group:") + 1)
    assert h.client.get("/routing/rules", headers=owner).json()["rules"] == []


def test_assigning_to_an_agent_needs_an_active_agent_of_the_tenant(h, owner):
    _, agent_id = member(h, owner, "agent")
    _, viewer_id = member(h, owner, "viewer")
    _, gone_id = member(h, owner, "admin", active=False)
    other_owner = h.register("other@shop.test", "Other")
    _, foreign_id = member(h, other_owner, "agent")
    assert add(h, owner, "tag=vip", f"assign_to_agent:{agent_id}")["action"].endswith(agent_id)
    for refused in (viewer_id, gone_id, foreign_id):
        resp = h.client.post(
            "/routing/rules",
            headers=owner,
            json={"condition": "tag=vip", "action": f"assign_to_agent:{refused}"},
        )
        assert resp.status_code == 400, refused
        assert resp.json()["details"]["action"].startswith("no active agent")


def test_put_moves_a_rule_and_the_others_shift(h, owner):
    ids_ = [add(h, owner, f"tag=t{i}", "set_priority:low")["id"] for i in range(1, 5)]
    resp = h.client.put(f"/routing/rules/{ids_[3]}", headers=owner, json={"position": 1})
    assert resp.status_code == 200, resp.text
    assert resp.json()["position"] == 1
    assert listed(h, owner) == [(1, "tag=t4"), (2, "tag=t1"), (3, "tag=t2"), (4, "tag=t3")]
    h.client.put(f"/routing/rules/{ids_[3]}", headers=owner, json={"position": 4})
    assert listed(h, owner) == [(1, "tag=t1"), (2, "tag=t2"), (3, "tag=t3"), (4, "tag=t4")]


def test_put_changes_the_condition_and_action_in_place(h, owner):
    add(h, owner, "tag=a", "set_priority:low")
    rule = add(h, owner, "tag=b", "set_priority:low")
    resp = h.client.put(
        f"/routing/rules/{rule['id']}",
        headers=owner,
        json={"condition": "tag=c", "action": "SET_PRIORITY:Urgent"},
    )
    assert resp.status_code == 200
    assert (resp.json()["condition"], resp.json()["action"]) == ("tag=c", "set_priority:urgent")
    assert resp.json()["position"] == 2
    bad = h.client.put(f"/routing/rules/{rule['id']}", headers=owner, json={"condition": "tag="})
    assert bad.status_code == 400 and bad.json()["details"]["position"] == "5"
    empty = h.client.put(f"/routing/rules/{rule['id']}", headers=owner, json={})
    assert empty.status_code == 400


def test_delete_answers_the_id_and_the_rules_after_move_up(h, owner):
    first = add(h, owner, "tag=a", "set_priority:low")
    add(h, owner, "tag=b", "set_priority:low")
    resp = h.client.delete(f"/routing/rules/{first['id']}", headers=owner)
    assert resp.status_code == 200
    assert resp.json() == {"id": first["id"], "deleted": True}
    assert listed(h, owner) == [(1, "tag=b")]
    assert h.client.delete(f"/routing/rules/{first['id']}", headers=owner).status_code == 404


def test_another_tenants_rule_is_a_404_and_never_listed(h, owner):
    rule = add(h, owner, "tag=a", "set_priority:low")
    other = h.register("other@shop.test", "Other")
    assert listed(h, other) == []
    put = h.client.put(f"/routing/rules/{rule['id']}", headers=other, json={"position": 1})
    assert put.status_code == 404 and put.json()["error"] == "not_found"
    assert h.client.delete(f"/routing/rules/{rule['id']}", headers=other).status_code == 404
    assert listed(h, owner) == [(1, "tag=a")]


def test_members_read_the_rules_but_only_admins_change_them(h, owner):
    add(h, owner, "tag=a", "set_priority:low")
    admin, _ = member(h, owner, "admin")
    for role in ("viewer", "agent"):
        headers, _ = member(h, owner, role)
        assert h.client.get("/routing/rules", headers=headers).status_code == 200
        body = {"condition": "tag=b", "action": "set_priority:low"}
        resp = h.client.post("/routing/rules", headers=headers, json=body)
        assert resp.status_code == 403 and resp.json()["error"] == "forbidden"
        assert h.client.get("/routing/business-hours", headers=headers).status_code == 200
        put = h.client.put("/routing/business-hours", headers=headers, json={})
        assert put.status_code == 403
    assert add(h, admin, "tag=b", "set_priority:low")["position"] == 2


def test_a_tenant_has_at_most_100_rules(h, owner):
    tenant_id = tenant_of(h, owner)
    rule_set = rules_store.load(tenant_id)
    now = clock.now_iso()
    rule_set.rules = [
        rules_store.StoredRule(ids.new_id(), f"tag=t{i}", "set_priority:low", now, now)
        for i in range(100)
    ]
    assert rules_store.save(tenant_id, rule_set)
    resp = h.client.post(
        "/routing/rules", headers=owner, json={"condition": "tag=x", "action": "set_priority:low"}
    )
    assert resp.status_code == 400
    assert resp.json()["details"] == {"rules": "at most 100"}


# -- edits that race ---------------------------------------------------------------------------
def test_an_edit_that_loses_a_race_reads_again_and_keeps_both(h, owner, monkeypatch):
    tenant_id = tenant_of(h, owner)
    add(h, owner, "tag=a", "set_priority:low")
    real_load = rules_store.load
    raced = []

    def load_then_someone_else_writes(tid: str) -> rules_store.RuleSet:
        rule_set = real_load(tid)
        if not raced:  # another request moves the set on between our read and our write
            raced.append(True)
            other = real_load(tid)
            now = clock.now_iso()
            other.rules.insert(
                0, rules_store.StoredRule("R1", "tag=z", "set_priority:low", now, now)
            )
            assert rules_store.save(tid, other)
        return rule_set

    monkeypatch.setattr(rules_store, "load", load_then_someone_else_writes)
    add(h, owner, "tag=b", "set_priority:low", position=2)
    monkeypatch.setattr(rules_store, "load", real_load)
    assert [c for _, c in listed(h, owner)] == ["tag=z", "tag=b", "tag=a"]
    assert rules_store.load(tenant_id).version == 3


def test_an_edit_that_keeps_losing_is_a_409_and_writes_nothing_of_its_own(h, owner, monkeypatch):
    add(h, owner, "tag=a", "set_priority:low")
    real_load = rules_store.load

    def always_behind(tid: str) -> rules_store.RuleSet:
        rule_set = real_load(tid)
        assert rules_store.save(tid, real_load(tid))  # someone else writes every time
        return rule_set

    monkeypatch.setattr(rules_store, "load", always_behind)
    resp = h.client.post(
        "/routing/rules", headers=owner, json={"condition": "tag=b", "action": "set_priority:low"}
    )
    monkeypatch.setattr(rules_store, "load", real_load)
    assert resp.status_code == 409 and resp.json()["error"] == "conflict"
    assert listed(h, owner) == [(1, "tag=a")]


# -- first match -------------------------------------------------------------------------------
def test_the_first_rule_that_holds_wins_and_says_which_rule_it_was(h, owner):
    tenant_id = tenant_of(h, owner)
    add(h, owner, "channel=sms", "set_priority:low")
    vip = add(h, owner, "channel=whatsapp AND priority=high", "assign_to_agent_group:vip")
    add(h, owner, "priority=high", "assign_to_agent_group:general")
    assert rules.first_match(tenant_id, session()) == RuleAction(
        ActionKind.ASSIGN_TO_AGENT_GROUP, "vip", vip["id"]
    )
    # moving the broader rule first makes it win
    h.client.put(f"/routing/rules/{vip['id']}", headers=owner, json={"position": 3})
    found = rules.first_match(tenant_id, session())
    assert found is not None and found.argument == "general"


def test_no_rule_holding_is_no_match(h, owner):
    tenant_id = tenant_of(h, owner)
    assert rules.first_match(tenant_id, session()) is None
    add(h, owner, "channel=sms", "set_priority:low")
    assert rules.first_match(tenant_id, session()) is None


def test_rules_see_the_customers_tags_and_language(h, owner):
    tenant_id = tenant_of(h, owner)
    add(h, owner, "tag=vip AND language=es", "assign_to_agent_group:spanish-vip")
    spanish_vip = session(tags=frozenset({"vip"}), language="es-mx")
    assert rules.first_match(tenant_id, spanish_vip) is not None
    assert rules.first_match(tenant_id, session(tags=frozenset({"vip"}), language="en")) is None


# -- business hours ----------------------------------------------------------------------------
def test_by_default_business_hours_are_weekdays_nine_to_five_in_the_settings_time_zone(h, owner):
    clock.set_clock(lambda: WEDNESDAY_10_UTC)
    tenant_id = tenant_of(h, owner)
    assert hours.in_business_hours(tenant_id, WEDNESDAY_10_UTC)  # 10:00 UTC
    h.client.put("/settings", headers=owner, json={"timezone": "America/New_York"})
    assert not hours.in_business_hours(tenant_id, WEDNESDAY_10_UTC)  # 05:00 in New York
    body = h.client.get("/routing/business-hours", headers=owner).json()
    assert body["timezone"] == "America/New_York" and body["is_default"] is True
    assert body["days"]["mon"] == [{"start": "09:00", "end": "17:00"}]
    assert body["days"]["sat"] == [] and body["open_now"] is False


def test_put_business_hours_replaces_them_and_rules_follow(h, owner):
    clock.set_clock(lambda: WEDNESDAY_10_UTC)
    tenant_id = tenant_of(h, owner)
    add(h, owner, "business_hours=false", "auto_reply:welcome")
    add(h, owner, "channel=whatsapp", "assign_to_agent_group:day")
    found = rules.first_match(tenant_id, session())
    assert found is not None and found.argument == "day"  # open by default at 10:00 UTC
    resp = h.client.put(
        "/routing/business-hours",
        headers=owner,
        json={
            "timezone": "Europe/Madrid",
            "days": {
                "wed": [{"start": "14:00", "end": "18:00"}, {"start": "08:00", "end": "10:30"}]
            },
        },
    )
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body["days"]["wed"] == [
        {"start": "08:00", "end": "10:30"},
        {"start": "14:00", "end": "18:00"},
    ]
    assert body["days"]["mon"] == [] and body["is_default"] is False
    # 11:00 in Madrid on a Wednesday: between the two intervals, so closed
    assert body["open_now"] is False
    found = rules.first_match(tenant_id, session())
    assert found is not None and found.kind is ActionKind.AUTO_REPLY
    assert hours.in_business_hours(tenant_id, WEDNESDAY_10_UTC + dt.timedelta(hours=3))
    # the rules themselves are untouched
    assert len(listed(h, owner)) == 2


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"timezone": "Mars/Olympus", "days": {}}, "timezone"),
        ({"timezone": "UTC", "days": {"mon": [{"start": "17:00", "end": "09:00"}]}}, "days.mon.0"),
        (
            {"timezone": "UTC", "days": {"mon": [{"start": "9am", "end": "17:00"}]}},
            "days.mon.0.start",
        ),
        ({"timezone": "UTC", "days": {"someday": []}}, "days.someday.[key]"),
    ],
)
def test_invalid_business_hours_are_a_400_naming_the_field(h, owner, body, field):
    resp = h.client.put("/routing/business-hours", headers=owner, json=body)
    assert resp.status_code == 400, resp.text
    assert field in resp.json()["details"], resp.json()["details"]


# -- hostile input -------------------------------------------------------------------------------
_PIECES = st.sampled_from(
    ["channel=sms", "tag=", " AND ", " OR ", "NOT ", "(", ")", '"', "\\", "\ud800", "\x00",
     "set_priority:", "high", "auto_reply:", "welcome", ":", "é", "24:00", "09:00"]
)  # fmt: skip
_TEXT = st.one_of(st.text(max_size=30), st.lists(_PIECES, max_size=8).map("".join))
_ANY = st.one_of(st.none(), st.booleans(), st.integers(), _TEXT, st.lists(_TEXT, max_size=2))


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    path=st.sampled_from(["/routing/rules", "/routing/business-hours"]),
    body=st.fixed_dictionaries(
        {},
        optional={
            "condition": _TEXT,
            "action": _TEXT,
            "position": _ANY,
            "timezone": _TEXT,
            "days": st.dictionaries(_TEXT, st.lists(st.dictionaries(_TEXT, _TEXT, max_size=2))),
        },
    ),
)
def test_no_body_makes_a_routing_route_fail_with_a_500(h, path, body):
    if not hasattr(h, "fuzz_owner"):
        h.fuzz_owner = h.register()
    method = "POST" if path == "/routing/rules" else "PUT"
    resp = h.client.request(
        method,
        path,
        headers={**h.fuzz_owner, "Content-Type": "application/json"},
        content=json.dumps(body).encode(),
    )
    assert resp.status_code < 500, (body, resp.text)
    if resp.status_code >= 400:
        assert resp.json()["success"] is False, resp.text

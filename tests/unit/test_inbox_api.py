"""The console's conversations over HTTP (issue 9 "Admin console API"; seed 001): filters,
search, cursor pages, assignment to active agents only, replies and notes, and dashboard
numbers computed from real data."""

from __future__ import annotations

import datetime as dt

import pytest

from engage.core import clock
from tests.unit.test_chat_api import open_conversation
from tests.unit.test_enduser_auth import new_key
from tests.unit.test_roles import _member

T0 = dt.datetime.now(dt.UTC).replace(microsecond=0)  # tokens are checked against real time


def at(seconds: float) -> None:
    clock.set_clock(lambda: T0 + dt.timedelta(seconds=seconds))


@pytest.fixture
def team(h):
    at(0)
    owner = h.register()
    key = new_key(h, owner)
    agent = _member(h, owner, "agent")
    viewer = _member(h, owner, "viewer")

    def user(user_id: str) -> dict:
        return {"X-API-Key": key, "X-User-Id": user_id}

    return {"owner": owner, "agent": agent, "viewer": viewer, "user": user}


def put(h, headers: dict, conversation_id: str, **body) -> dict:
    resp = h.client.put(f"/admin/api/conversations/{conversation_id}", headers=headers, json=body)
    assert resp.status_code == 200, resp.text
    return resp.json()


def listed(h, headers: dict, **params) -> list[str]:
    resp = h.client.get("/admin/api/conversations", headers=headers, params=params)
    assert resp.status_code == 200, resp.text
    return [c["id"] for c in resp.json()["data"]]


def auth(member: dict) -> dict:
    return {"Authorization": member["Authorization"]}


def test_filters_by_status_assignee_and_search(h, team):
    owner, agent = team["owner"], team["agent"]
    h.client.post("/v1/users/identify", headers=team["user"]("ada"), json={"name": "Ada King"})
    at(1)
    a = open_conversation(h, team["user"]("ada"), "My parcel is late")["id"]
    at(2)
    b = open_conversation(h, team["user"]("bob"), "Refund please")["id"]
    at(3)
    c = open_conversation(h, team["user"]("cy"), "Hello")["id"]
    put(h, owner, b, status="pending")
    put(h, owner, c, assignee_id=agent["x-user-id"])

    assert listed(h, owner) == [c, b, a]  # newest activity first
    assert listed(h, owner, status="pending") == [b]
    assert listed(h, owner, assignee="unassigned") == [b, a]
    assert listed(h, auth(agent), assignee="me") == [c]
    assert listed(h, owner, assignee=agent["x-user-id"]) == [c]
    assert listed(h, owner, search="ada k") == [a]  # the contact's name
    assert listed(h, owner, search="REFUND") == [b]  # the latest message
    assert listed(h, owner, channel="sms") == []


def test_pages_follow_the_cursor_without_repeats(h, team):
    ids = []
    for n in range(5):
        at(n + 1)
        ids.append(open_conversation(h, team["user"](f"u{n}"))["id"])

    seen, cursor = [], None
    for _ in range(5):
        params = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = h.client.get("/admin/api/conversations", headers=team["owner"], params=params)
        seen += [c["id"] for c in page.json()["data"]]
        cursor = page.json()["next_cursor"]
        if cursor is None:
            break

    assert seen == list(reversed(ids))


def test_only_an_active_agent_or_above_can_be_assigned(h, team):
    conv = open_conversation(h, team["user"]("u1"))["id"]
    url = f"/admin/api/conversations/{conv}"
    owner = team["owner"]

    viewer = h.client.put(url, headers=owner, json={"assignee_id": team["viewer"]["x-user-id"]})
    stranger = h.client.put(url, headers=owner, json={"assignee_id": "01ARZ3NDEKTSV4RRFFQ69G5FAV"})
    ok = h.client.put(url, headers=owner, json={"assignee_id": team["agent"]["x-user-id"]})
    unassigned = h.client.put(url, headers=owner, json={"assignee_id": None})

    assert viewer.status_code == 400 and "assignee_id" in viewer.json()["details"]
    assert stranger.status_code == 400
    assert ok.json()["assignee_id"] == team["agent"]["x-user-id"]
    assert unassigned.json()["assignee_id"] is None


def test_an_other_tenants_member_cannot_be_assigned(h, team):
    other = h.register("owner@other.test", "Other")
    other_id = h.client.get("/auth/me", headers=other).json()["data"]["user"]["id"]
    conv = open_conversation(h, team["user"]("u1"))["id"]

    resp = h.client.put(
        f"/admin/api/conversations/{conv}", headers=team["owner"], json={"assignee_id": other_id}
    )

    assert resp.status_code == 400
    assert h.client.get(f"/admin/api/conversations/{conv}", headers=other).status_code == 404


def test_snooze_needs_status_snoozed_and_a_future_time(h, team):
    conv = open_conversation(h, team["user"]("u1"))["id"]
    url = f"/admin/api/conversations/{conv}"
    later = (T0 + dt.timedelta(hours=2)).isoformat()
    past = (T0 - dt.timedelta(hours=2)).isoformat()

    alone = h.client.put(url, headers=team["owner"], json={"snoozed_until": later})
    before = h.client.put(
        url, headers=team["owner"], json={"status": "snoozed", "snoozed_until": past}
    )
    good = put(h, team["owner"], conv, status="snoozed", snoozed_until=later)

    assert alone.status_code == 400 and before.status_code == 400
    assert good["status"] == "snoozed"
    assert good["snoozed_until"] == clock.iso(T0 + dt.timedelta(hours=2))


@pytest.mark.parametrize(
    "body",
    [
        {"labels": ["x" * 51]},
        {"labels": [f"l{i}" for i in range(21)]},
        {"status": "closed"},
        {"priority": "asap"},
        {"contact_id": "01ARZ3NDEKTSV4RRFFQ69G5FAV"},
        {"snoozed_until": "2030-01-01T00:00:00"},
        {"labels": ["\ud800"]},
    ],
)
def test_bad_updates_are_400(h, team, body):
    import json

    conv = open_conversation(h, team["user"]("u1"))["id"]
    resp = h.client.put(
        f"/admin/api/conversations/{conv}",
        headers={**team["owner"], "Content-Type": "application/json"},
        content=json.dumps(body).encode(),
    )
    assert resp.status_code == 400, resp.text


def test_labels_and_priority_are_kept(h, team):
    conv = open_conversation(h, team["user"]("u1"))["id"]
    got = put(h, team["owner"], conv, labels=["billing", "vip", "billing"], priority="urgent")
    assert got["labels"] == ["billing", "vip"] and got["priority"] == "urgent"


def test_a_viewer_reads_but_cannot_reply(h, team):
    conv = open_conversation(h, team["user"]("u1"))["id"]
    url = f"/admin/api/conversations/{conv}/messages"

    assert h.client.get(url, headers=auth(team["viewer"])).status_code == 200
    denied = h.client.post(url, headers=auth(team["viewer"]), json={"content": "hi"})
    replied = h.client.post(url, headers=auth(team["agent"]), json={"content": "hi"})

    assert denied.status_code == 403
    assert replied.status_code == 201 and replied.json()["sender"] == "agent"
    assert replied.json()["sender_id"] == team["agent"]["x-user-id"]


def test_dashboard_stats_come_from_real_data(h, team):
    owner, agent = team["owner"], team["agent"]
    empty = h.client.get("/admin/dashboard/stats", headers=owner).json()
    a = open_conversation(h, team["user"]("a"))["id"]
    b = open_conversation(h, team["user"]("b"))["id"]
    c = open_conversation(h, team["user"]("c"))["id"]
    d = open_conversation(h, team["user"]("d"))["id"]
    put(h, owner, b, assignee_id=agent["x-user-id"])
    put(h, owner, c, status="pending")
    put(h, owner, d, status="resolved")
    at(40)
    h.client.post(f"/admin/api/conversations/{a}/messages", headers=owner, json={"content": "x"})
    at(100)
    h.client.post(f"/admin/api/conversations/{b}/messages", headers=owner, json={"content": "y"})

    stats = h.client.get("/admin/dashboard/stats", headers=auth(agent)).json()

    assert empty["open"] == 0 and empty["median_first_response_seconds"] is None
    assert stats == {
        "open": 2,
        "pending": 1,
        "unassigned": 1,
        "mine": 1,
        "resolved_today": 1,
        "median_first_response_seconds": 70.0,
    }

"""The hub's sessions and messages over HTTP (issue 11; seed 003 sections 2 and 9): a session
is a conversation, listed across channels with its customer, created for a reachable
contact, changed through the inbox's update, its messages paged oldest first."""

from __future__ import annotations

import datetime as dt

import pytest

from engage.core import clock
from tests.unit.test_roles import _member

T0 = dt.datetime.now(dt.UTC).replace(microsecond=0)  # tokens are checked against real time


def at(seconds: float) -> None:
    clock.set_clock(lambda: T0 + dt.timedelta(seconds=seconds))


def auth(member: dict) -> dict:
    return {"Authorization": member["Authorization"]}


@pytest.fixture
def team(h):
    at(0)
    owner = h.register()
    return {
        "owner": owner,
        "agent": _member(h, owner, "agent"),
        "viewer": _member(h, owner, "viewer"),
    }


def create(h, headers: dict, customer_id: str, channel: str = "sms", **body) -> dict:
    payload = {"customer_id": customer_id, "channel_type": channel, **body}
    resp = h.client.post("/sessions/create", headers=headers, json=payload)
    assert resp.status_code == 201, resp.text
    return resp.json()


def active(h, headers: dict, **params) -> dict:
    resp = h.client.get("/sessions/active", headers=headers, params=params)
    assert resp.status_code == 200, resp.text
    return resp.json()


def test_a_brand_new_tenant_has_no_active_sessions(h, team):
    assert active(h, auth(team["viewer"])) == {"sessions": [], "next_cursor": None}


def test_sessions_on_several_channels_are_listed_newest_first_with_their_customer(h, team):
    owner, agent = team["owner"], auth(team["agent"])
    # Given two customers, one with an e-mail address
    ada = h.contact(owner, "+12015550101", firstName="Ada", lastName="King")
    bob = h.contact(owner, "+12015550102", email="bob@example.com")
    # When an agent opens an SMS session with Ada, then an e-mail one with Bob (high priority)
    at(10)
    first = create(h, agent, ada["id"], "sms")
    at(20)
    second = create(h, agent, bob["id"], "email", priority="high")
    assert first["status"] == "created" and first["created_at"] == clock.iso(
        T0 + dt.timedelta(seconds=10)
    )
    # Then both are active sessions, newest first, with the contact's details
    sessions = active(h, auth(team["viewer"]))["sessions"]
    assert [s["session_id"] for s in sessions] == [second["session_id"], first["session_id"]]
    assert sessions[0] == {
        "session_id": second["session_id"],
        "customer_id": bob["id"],
        "channel_type": "email",
        "status": "waiting",
        "created_at": second["created_at"],
        "last_activity": second["created_at"],
        "agent_id": None,
        "priority": "high",
        "customer_info": {"name": None, "phone": "+12015550102", "email": "bob@example.com"},
    }
    assert sessions[1]["customer_info"]["name"] == "Ada King"
    # and they are the inbox's conversations, not copies
    conv = h.client.get(f"/admin/api/conversations/{first['session_id']}", headers=owner)
    assert conv.status_code == 200 and conv.json()["channel"] == "sms"
    assert active(h, owner, channel="email")["sessions"][0]["session_id"] == second["session_id"]


def test_a_session_needs_a_customer_of_the_tenant_reachable_on_the_channel(h, team):
    owner, agent = team["owner"], auth(team["agent"])
    ada = h.contact(owner, "+12015550101")
    other = h.register(email="other@shop.test", tenant="Other")
    theirs = h.contact(other, "+12015550109")
    body = {"customer_id": theirs["id"], "channel_type": "sms"}
    resp = h.client.post("/sessions/create", headers=agent, json=body)
    assert resp.status_code == 404 and resp.json()["error"] == "not_found"
    # Ada has no e-mail address: no e-mail session
    body = {"customer_id": ada["id"], "channel_type": "email"}
    resp = h.client.post("/sessions/create", headers=agent, json=body)
    assert resp.status_code == 409 and "e-mail" in resp.json()["message"]
    body = {"customer_id": ada["id"], "channel_type": "fax"}
    resp = h.client.post("/sessions/create", headers=agent, json=body)
    assert resp.status_code == 400 and resp.json()["error"] == "validation_error"
    resp = h.client.post("/sessions/create", headers=auth(team["viewer"]), json=body)
    assert resp.status_code == 403


def test_the_initial_message_is_an_internal_note_by_the_creating_agent(h, team):
    owner, agent = team["owner"], team["agent"]
    ada = h.contact(owner, "+12015550101")
    at(5)
    session = create(h, auth(agent), ada["id"], "sms", initial_message="Customer needs help")
    resp = h.client.get(f"/messages/{session['session_id']}", headers=auth(team["viewer"]))
    assert resp.status_code == 200, resp.text
    assert resp.json() == {
        "messages": [
            {
                "message_id": resp.json()["messages"][0]["message_id"],
                "session_id": session["session_id"],
                "sender": "agent",
                "sender_id": agent["x-user-id"],
                "content": "Customer needs help",
                "timestamp": clock.iso(T0 + dt.timedelta(seconds=5)),
                "type": "text",
                "private": True,
                "channel": "sms",
                "channel_status": None,
            }
        ],
        "next_cursor": None,
    }


def test_an_idempotent_create_opens_one_session(h, team):
    ada = h.contact(team["owner"], "+12015550101")
    headers = {**auth(team["agent"]), "Idempotency-Key": "create-1"}
    body = {"customer_id": ada["id"], "channel_type": "sms"}
    first = h.client.post("/sessions/create", headers=headers, json=body)
    again = h.client.post("/sessions/create", headers=headers, json=body)
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert len(active(h, team["owner"])["sessions"]) == 1


def test_create_refuses_what_the_customer_could_never_see_or_answer(h, team):
    agent = auth(team["agent"])
    ada = h.contact(team["owner"], "+12015550101")

    def made(channel: str):
        body = {"customer_id": ada["id"], "channel_type": channel}
        return h.client.post("/sessions/create", headers=agent, json=body)

    # a chat session for a customer who never identified in a chat client: they cannot see it
    chat = made("chat")
    assert chat.status_code == 409 and chat.json()["details"] == {
        "channel_type": "the contact has no external id"
    }
    # video sessions have their own route
    assert made("video").status_code == 400
    # one open SMS session per customer: a second would take the customer's replies from the
    # first; the answer names the open one
    first = made("sms").json()["session_id"]
    second = made("sms")
    assert second.status_code == 409 and second.json()["details"] == {"session_id": first}
    # once it is resolved, a new one may start
    h.client.put(f"/sessions/{first}", headers=agent, json={"status": "resolved"})
    assert made("sms").status_code == 201


def test_put_assigns_an_agent_changes_priority_and_resolves(h, team):
    owner, agent = team["owner"], team["agent"]
    ada = h.contact(owner, "+12015550101")
    sid = create(h, auth(agent), ada["id"])["session_id"]
    url = f"/sessions/{sid}"
    body = {"status": "active", "agent_id": agent["x-user-id"], "priority": "low"}
    resp = h.client.put(url, headers=auth(agent), json=body)
    assert resp.status_code == 200, resp.text
    got = resp.json()
    assert (got["status"], got["agent_id"], got["priority"]) == (
        "active",
        agent["x-user-id"],
        "low",
    )
    assert active(h, owner, agent_id=agent["x-user-id"])["sessions"][0]["session_id"] == sid
    assert active(h, owner, agent_id="unassigned")["sessions"] == []
    # back to waiting unassigns; active without an agent, or a viewer as agent, is a 400
    assert h.client.put(url, headers=owner, json={"status": "waiting"}).json()["agent_id"] is None
    assert h.client.put(url, headers=owner, json={"status": "active"}).status_code == 400
    viewer = {"agent_id": team["viewer"]["x-user-id"]}
    assert h.client.put(url, headers=owner, json=viewer).status_code == 400
    # pending stays active-listed; resolved leaves the list
    assert h.client.put(url, headers=owner, json={"status": "pending"}).json()["status"] == (
        "pending"
    )
    assert len(active(h, owner)["sessions"]) == 1
    assert h.client.put(url, headers=owner, json={"status": "resolved"}).status_code == 200
    assert active(h, owner)["sessions"] == []


def test_another_tenants_session_is_a_404_everywhere(h, team):
    ada = h.contact(team["owner"], "+12015550101")
    sid = create(h, auth(team["agent"]), ada["id"])["session_id"]
    other = h.register(email="other@shop.test", tenant="Other")
    resp = h.client.put(f"/sessions/{sid}", headers=other, json={"priority": "low"})
    assert resp.status_code == 404
    assert h.client.get(f"/messages/{sid}", headers=other).status_code == 404
    body = {"session_id": sid, "content": "hi"}
    assert h.client.post("/messages/send", headers=other, json=body).status_code == 404
    body = {"from_channel": "sms", "to_channel": "chat"}
    resp = h.client.post(f"/sessions/{sid}/transfer", headers=other, json=body)
    assert resp.status_code == 404
    assert active(h, other)["sessions"] == []


def test_pages_of_active_sessions_follow_the_cursor_across_open_and_pending(h, team):
    owner, agent = team["owner"], auth(team["agent"])
    ids = []
    for n in range(5):
        at(n + 1)
        contact = h.contact(owner, f"+1201555011{n}")
        ids.append(create(h, agent, contact["id"], "sms")["session_id"])
    h.client.put(f"/sessions/{ids[1]}", headers=owner, json={"status": "pending"})
    h.client.put(f"/sessions/{ids[3]}", headers=owner, json={"status": "pending"})
    seen, cursor = [], None
    for _ in range(5):
        params = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = active(h, owner, **params)
        seen += [s["session_id"] for s in page["sessions"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == ids[::-1]
    bad = h.client.get("/sessions/active", headers=owner, params={"cursor": "nope"})
    assert bad.status_code == 400


def test_messages_are_sent_on_the_session_channel_and_paged_oldest_first(h, team):
    owner, agent = team["owner"], team["agent"]
    ada = h.contact(owner, "+12015550101")
    sid = create(h, auth(agent), ada["id"], "sms")["session_id"]
    sent = []
    for n in range(3):
        at(10 + n)
        body = {"session_id": sid, "content": f"reply {n}"}
        resp = h.client.post("/messages/send", headers=auth(agent), json=body)
        assert resp.status_code == 201, resp.text
        sent.append(resp.json())
    # Then each went out over SMS (the sandbox provider answered)
    assert sent[0]["sender"] == "agent" and sent[0]["channel"] == "sms"
    assert sent[0]["channel_status"] in ("sent", "delivered")
    first = h.client.get(f"/messages/{sid}", headers=owner, params={"limit": 2}).json()
    assert [m["content"] for m in first["messages"]] == ["reply 0", "reply 1"]
    rest = h.client.get(
        f"/messages/{sid}", headers=owner, params={"limit": 2, "cursor": first["next_cursor"]}
    ).json()
    assert [m["content"] for m in rest["messages"]] == ["reply 2"]
    assert rest["next_cursor"] is None
    # An SMS reply to a customer who opted out is refused, nothing written
    h.client.put(f"/contacts/{ada['id']}", headers=owner, json={"smsConsent": "opted_out"})
    body = {"session_id": sid, "content": "still there?"}
    resp = h.client.post("/messages/send", headers=auth(agent), json=body)
    assert resp.status_code == 409
    assert len(h.client.get(f"/messages/{sid}", headers=owner).json()["messages"]) == 3
    # bad input is a 400
    resp = h.client.post("/messages/send", headers=auth(agent), json={"session_id": sid})
    assert resp.status_code == 400

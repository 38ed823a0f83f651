"""Transfers between channels over HTTP (issue 11; seed 003 `POST /sessions/{id}/transfer`):
one conversation, one history; chat -> voice places a call through the voice gating (the
semaphore and the call state machine, run by moto); chat -> whatsapp continues under the
24-hour rule; the target channel's needs and consent are checked before anything changes."""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from twilio.http.http_client import TwilioHttpClient
from twilio.http.response import Response
from twilio.request_validator import RequestValidator

from engage.channels.voice_sandbox import CALL_OUTBOX
from engage.voice import semaphore_store as semaphore
from tests.conftest import FUNCTIONS, _bus_rule_queue
from tests.unit.test_enduser_auth import new_key
from tests.unit.test_events import _heard, _listen
from tests.unit.test_hub_sessions import at, auth
from tests.unit.test_roles import _member
from tests.unit.test_whatsapp import SANDBOX, inbound, signed

TOKEN = "0123456789abcdef0123456789abcdef"
BASE = "https://api.example.test"  # PUBLIC_BASE_URL in tests
PHONE = "+12015550120"  # the sandbox answers numbers ending in 0 (a person picks up)
TEMPLATE = "/template HX" + "b" * 32 + ' {"1": "Ada"}'


@pytest.fixture
def team(h):
    at(0)
    owner = h.register()
    return {
        "owner": owner,
        "agent": _member(h, owner, "agent"),
        "viewer": _member(h, owner, "viewer"),
    }


@pytest.fixture
def twilio_calls(monkeypatch):
    """VOICE_PROVIDER=twilio with Twilio's HTTP replaced below the SDK: yields the form of
    every `calls.create` request."""
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", TOKEN)
    monkeypatch.setenv("TWILIO_ACCOUNT_SID", "AC00000000000000000000000000000000")
    monkeypatch.setenv("TWILIO_VOICE_FROM_NUMBER", "+15017122661")
    monkeypatch.setenv("TWILIO_VOICE_AGENT_URL", "https://agents.example.test/twiml/{agent_id}")
    monkeypatch.setenv("VOICE_PROVIDER", "twilio")
    from tests.conftest import reset_caches

    reset_caches()
    placed: list[dict[str, str]] = []

    def request(self, method, url, params=None, data=None, headers=None, **kwargs):
        assert method == "POST" and url.endswith("/Calls.json"), url
        placed.append(dict(data))
        return Response(201, json.dumps({"sid": f"CA{len(placed):032d}", "status": "queued"}))

    monkeypatch.setattr(TwilioHttpClient, "request", request)
    return placed


def customer(h, owner: dict, user_id: str = "ada", phone: str | None = PHONE) -> dict:
    """An identified chat end user (with a phone) who opened a chat conversation."""
    user = {"X-API-Key": new_key(h, owner), "X-User-Id": user_id}
    body = {"name": "Ada King", **({"phone": phone} if phone else {})}
    assert h.client.post("/v1/users/identify", headers=user, json=body).status_code == 200
    resp = h.client.post(
        "/v1/conversations", headers=user, json={"message": {"content": "Can you call me?"}}
    )
    assert resp.status_code == 201, resp.text
    conv = resp.json()
    return {"headers": user, "session_id": conv["id"], "contact_id": conv["contact_id"]}


def send(h, agent: dict, session_id: str, content: str):
    body = {"session_id": session_id, "content": content}
    return h.client.post("/messages/send", headers=auth(agent), json=body)


def transfer(h, headers: dict, session_id: str, **body):
    return h.client.post(f"/sessions/{session_id}/transfer", headers=headers, json=body)


def history(h, headers: dict, session_id: str) -> list[dict]:
    resp = h.client.get(f"/messages/{session_id}", headers=headers)
    assert resp.status_code == 200, resp.text
    return resp.json()["messages"]


@pytest.mark.voice_calls
def test_chat_to_voice_places_a_gated_call_and_keeps_one_history(h, team):
    owner, agent = team["owner"], team["agent"]
    heard = _listen(
        {"source": ["engage"], "detail-type": ["call.completed", "conversation.updated"]}
    )
    session_calls = _bus_rule_queue("SessionCallsRule")
    ada = customer(h, owner)
    sid = ada["session_id"]
    at(10)
    assert send(h, agent, sid, "Sure, calling you now").status_code == 201
    at(20)
    # When the agent transfers the chat to voice
    resp = transfer(
        h,
        auth(agent),
        sid,
        from_channel="chat",
        to_channel="voice",
        reason="Customer requested voice call",
        agent_id=agent["x-user-id"],
    )
    assert resp.status_code == 200, resp.text
    moved = resp.json()
    # Then a call is placed through the gating: it holds a slot of the call semaphore
    assert moved["call_id"] and moved["call_status"] == "in_progress"
    assert (moved["from_channel"], moved["to_channel"]) == ("chat", "voice")
    assert (moved["status"], moved["agent_id"]) == ("active", agent["x-user-id"])
    holders = list(semaphore.usage().holders.values())
    campaign_id = moved["call_id"].rpartition("-")[0]
    assert campaign_id.startswith("SESSIONCALLS")
    assert [x["campaign"] for x in holders] == [campaign_id]
    h.run_calls()  # moto runs the call's execution; the sandbox answers and hangs up
    assert [c["to"] for c in CALL_OUTBOX.list()] == [PHONE]
    assert semaphore.usage().active == 0  # the slot was released
    call = h.client.get(f"/api/queue/{moved['call_id']}", headers=owner).json()["queue_item"]
    assert call["status"] == "completed"
    # and the bus heard the channel change and the call, tied to the session
    h.deliver_stream()
    events = _heard(heard)
    (ended,) = [e["detail"]["data"] for e in events if e["detail-type"] == "call.completed"]
    assert (ended["conversation_id"], ended["outcome"]) == (sid, "answered")
    changed = [e["detail"]["data"] for e in events if e["detail-type"] == "conversation.updated"]
    assert any("channel" in c["changes"] and c["channel"] == "voice" for c in changed)
    # and the call's end is recorded in the session, once even when the event comes twice
    at(25)
    (delivery,) = list(h._queue_events(session_calls))
    for _ in range(2):
        result = FUNCTIONS["SessionCallsFunction"].invoke(delivery)
        assert not result.get("batchItemFailures"), result
    # and later messages land in the same conversation, now on voice
    at(30)
    assert send(h, agent, sid, "Thanks for the call").status_code == 201
    got = history(h, owner, sid)
    assert [(m["sender"], m["type"], m["channel"]) for m in got] == [
        ("customer", "text", "chat"),
        ("agent", "text", "chat"),
        ("system", "event", "voice"),
        ("system", "event", "voice"),
        ("agent", "text", "voice"),
    ]
    assert got[3]["content"].startswith("Call ended: answered, ")
    assert got[2]["content"] == (
        f"Transferred from chat to voice: Customer requested voice call (call {moved['call_id']})"
    )
    assert got[2]["message_id"] == moved["event_message_id"]
    # one session: the customer sees the same conversation, on voice, with the event
    mine = h.client.get(f"/v1/conversations/{sid}", headers=ada["headers"]).json()
    assert mine["channel"] == "voice"
    listed = h.client.get("/sessions/active", headers=owner).json()["sessions"]
    assert [(s["session_id"], s["channel_type"]) for s in listed] == [(sid, "voice")]
    # the customer's history shows the session and the call
    interactions = h.client.get(f"/customers/{ada['contact_id']}/history", headers=owner).json()
    assert {(i["id"], i["channel_type"]) for i in interactions["interactions"]} >= {
        (sid, "voice"),
        (moved["call_id"], "voice"),
    }
    # the session calls are not a seed 002 campaign
    assert h.client.get("/api/campaigns", headers=owner).json()["campaigns"] == []
    assert h.client.get(f"/api/campaigns/{campaign_id}", headers=owner).status_code == 404


@pytest.mark.voice_calls
def test_chat_to_voice_on_twilio_rings_the_sessions_agent_and_ends_by_its_callback(
    h, team, twilio_calls
):
    owner, agent = team["owner"], team["agent"]
    sid = customer(h, owner)["session_id"]
    body = {"from_channel": "chat", "to_channel": "voice", "agent_id": agent["x-user-id"]}
    moved = transfer(h, auth(agent), sid, **body).json()
    h.run_calls(callbacks=False)  # placed; the execution waits for Twilio's final callback
    (placed,) = twilio_calls
    assert placed["To"] == PHONE and placed["From"] == "+15017122661"
    assert placed["Url"] == f"https://agents.example.test/twiml/{agent['x-user-id']}"
    assert semaphore.usage().active == 1
    # When Twilio posts the final status to the callback URL it was given
    callback = urlsplit(placed["StatusCallback"])
    params = {
        "CallSid": f"CA{1:032d}",
        "CallStatus": "completed",
        "SequenceNumber": "3",
        "CallDuration": "75",
        "AnsweredBy": "human",
        "AccountSid": "AC00000000000000000000000000000000",
    }
    url = f"{callback.path}?{callback.query}"
    sig = RequestValidator(TOKEN).compute_signature(BASE + url, params)
    resp = h.client.post(
        url,
        content=urlencode(params),
        headers={"Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": sig},
    )
    assert resp.status_code == 200, resp.text
    h.run_calls(callbacks=False)
    # Then the call completed and its slot was released
    call = h.client.get(f"/api/queue/{moved['call_id']}", headers=owner).json()["queue_item"]
    assert call["status"] == "completed"
    assert semaphore.usage().active == 0
    assert parse_qs(callback.query)["ref"][0].endswith(f"{moved['call_id']}.1")


@pytest.mark.voice_calls
def test_a_transfer_to_voice_waits_for_a_free_slot_of_the_account(h, team):
    owner, agent = team["owner"], team["agent"]
    limit = {"concurrent_calls_limit": 1}
    assert h.client.put("/api/settings/concurrency", headers=owner, json=limit).status_code == 200
    first = customer(h, owner, "ada", "+12015550120")
    second = customer(h, owner, "bob", "+12015550130")
    body = {"from_channel": "chat", "to_channel": "voice"}
    one = transfer(h, auth(agent), first["session_id"], **body).json()
    two = transfer(h, auth(agent), second["session_id"], **body).json()
    # Then the second call waits: the account never has more than its limit in flight
    assert (one["call_status"], two["call_status"]) == ("in_progress", "queued")
    assert semaphore.usage().active == 1
    h.run_calls()  # the first ends, its slot goes to the second
    assert sorted(c["to"] for c in CALL_OUTBOX.list()) == ["+12015550120", "+12015550130"]
    assert semaphore.usage().active == 0


def test_chat_to_whatsapp_continues_under_the_24_hour_rule(h, team):
    owner, agent = team["owner"], team["agent"]
    ada = customer(h, owner, phone="+12015550123")
    sid = ada["session_id"]
    at(10)
    # When the chat moves to WhatsApp, where the customer never wrote
    resp = transfer(h, auth(agent), sid, from_channel="chat", to_channel="whatsapp")
    assert resp.status_code == 200, resp.text
    assert resp.json()["whatsapp_window_open"] is False and resp.json()["call_id"] is None
    # Then a free-form reply is refused (nothing written), a template needs the opt-in
    assert send(h, agent, sid, "Hello on WhatsApp").status_code == 409
    assert send(h, agent, sid, TEMPLATE).status_code == 409
    consent = {"whatsappConsent": "opted_in"}
    assert h.client.put(f"/contacts/{ada['contact_id']}", headers=owner, json=consent).is_success
    at(20)
    sent = send(h, agent, sid, TEMPLATE)
    assert sent.status_code == 201, sent.text
    assert sent.json()["channel"] == "whatsapp" and sent.json()["channel_status"] is not None
    # When the customer answers on WhatsApp, it lands in the same session and opens the window
    path, secret = SANDBOX
    at(30)
    assert signed(h, path, inbound("+12015550123", "Got it"), secret).status_code == 200
    at(40)
    assert send(h, agent, sid, "Great, free text now").status_code == 201
    got = history(h, owner, sid)
    assert [(m["type"], m["channel"]) for m in got] == [
        ("text", "chat"),
        ("event", "whatsapp"),
        ("text", "whatsapp"),
        ("text", "whatsapp"),
        ("text", "whatsapp"),
    ]
    assert got[1]["content"] == (
        "Transferred from chat to whatsapp (WhatsApp window closed: templates only)"
    )
    assert got[3]["sender"] == "customer" and got[3]["content"] == "Got it"


def test_a_transfer_to_whatsapp_inside_the_window_says_so(h, team):
    owner, agent = team["owner"], team["agent"]
    ada = customer(h, owner, phone="+12015550123")
    other = h.client.post(
        "/sessions/create",
        headers=auth(agent),
        json={"customer_id": ada["contact_id"], "channel_type": "sms"},
    ).json()["session_id"]
    path, secret = SANDBOX
    assert signed(h, path, inbound("+12015550123", "Hi"), secret).status_code == 200
    resp = transfer(h, auth(agent), other, from_channel="sms", to_channel="whatsapp")
    assert resp.status_code == 200, resp.text
    assert resp.json()["whatsapp_window_open"] is True
    assert send(h, agent, other, "Free text inside the window").status_code == 201


def test_the_target_channel_needs_what_it_carries_and_the_customers_consent(h, team):
    owner, agent = team["owner"], auth(team["agent"])
    ada = customer(h, owner, phone=None)
    sid = ada["session_id"]
    # no phone: no voice, no WhatsApp, no SMS; no e-mail address: no e-mail
    for channel in ("voice", "whatsapp", "sms"):
        resp = transfer(h, agent, sid, from_channel="chat", to_channel=channel)
        assert resp.status_code == 409 and "phone" in resp.json()["message"], resp.text
    resp = transfer(h, agent, sid, from_channel="chat", to_channel="email")
    assert resp.status_code == 409 and "e-mail" in resp.json()["message"]
    # a phone but no SMS opt-in
    body = {"phone": "+12015550123", "email": "ada@example.com"}
    assert h.client.put(f"/contacts/{ada['contact_id']}", headers=owner, json=body).is_success
    resp = transfer(h, agent, sid, from_channel="chat", to_channel="sms")
    assert resp.status_code == 409 and "smsConsent is unknown" in resp.json()["message"]
    resp = transfer(h, agent, sid, from_channel="chat", to_channel="email")
    assert resp.status_code == 409 and "emailConsent" in resp.json()["message"]
    consent = {"emailConsent": "opted_in"}
    assert h.client.put(f"/contacts/{ada['contact_id']}", headers=owner, json=consent).is_success
    at(10)
    resp = transfer(h, agent, sid, from_channel="chat", to_channel="email", reason="by mail")
    assert resp.status_code == 200, resp.text
    # nothing changed by the refusals: one event, for the e-mail transfer
    events = [m for m in history(h, owner, sid) if m["type"] == "event"]
    assert [e["content"] for e in events] == ["Transferred from chat to email: by mail"]


def test_a_transfer_from_the_wrong_channel_or_of_a_resolved_session_is_refused(h, team):
    owner, agent = team["owner"], auth(team["agent"])
    ada = customer(h, owner)
    sid = ada["session_id"]
    resp = transfer(h, agent, sid, from_channel="sms", to_channel="voice")
    assert resp.status_code == 409 and resp.json()["details"]["from_channel"]
    resp = transfer(h, agent, sid, from_channel="chat", to_channel="chat")
    assert resp.status_code == 400
    resp = transfer(h, agent, sid, from_channel="chat", to_channel="video")
    assert resp.status_code == 400
    resp = transfer(h, agent, sid, from_channel="chat", to_channel="voice", agent_id="nobody")
    assert resp.status_code == 400
    resp = transfer(h, agent, sid, from_channel="chat", to_channel="voice", extra=1)
    assert resp.status_code == 400
    assert h.client.put(f"/sessions/{sid}", headers=owner, json={"status": "resolved"}).is_success
    resp = transfer(h, agent, sid, from_channel="chat", to_channel="voice")
    assert resp.status_code == 409
    resp = transfer(h, auth(team["viewer"]), sid, from_channel="chat", to_channel="voice")
    assert resp.status_code == 403
    assert semaphore.usage().active == 0 and CALL_OUTBOX.list() == []


def test_a_retried_transfer_with_its_idempotency_key_happens_once(h, team):
    owner, agent = team["owner"], auth(team["agent"])
    ada = customer(h, owner, phone="+12015550123")
    sid = ada["session_id"]
    keyed = {**agent, "Idempotency-Key": "move-1"}
    body = {"from_channel": "chat", "to_channel": "whatsapp", "reason": "on the go"}
    first = transfer(h, keyed, sid, **body)
    again = transfer(h, keyed, sid, **body)
    assert first.status_code == again.status_code == 200
    assert first.json() == again.json()
    assert [m["type"] for m in history(h, owner, sid)].count("event") == 1
    # the same key with another body is a conflict
    other = transfer(h, keyed, sid, **{**body, "reason": "changed"})
    assert other.status_code == 409

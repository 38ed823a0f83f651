"""Issue 11's omnichannel hub (seed 003) walked as its users would, over HTTP and a real
WebSocket against the local runtime ("How it will be judged"): a brand-new tenant's critical
routes, customers on chat, SMS and WhatsApp worked in one list, a chat moved to a gated voice
call keeping one history, customer history and profile, routing rules, a notification for a
high-priority session left waiting, ratings asked and answered on chat and SMS, the analytics
that count it all, and another tenant's ids. Every response is checked to be no 500
(hub_walk_support.client).

The runtime is this module's own: `SESSION_ALERT_WAIT_SECONDS` is set to its minimum (60) so a
waiting session alerts within the run; the session that does is opened before the first test
(`alerting`) and checked by the last, so the wait overlaps the other tests."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
from collections.abc import Iterator
from typing import Any

import pytest

from tests.e2e.conftest import Runtime
from tests.e2e.hub_walk_support import (
    EndUser,
    Owner,
    SocketWatch,
    phone,
    until,
    ws_url,
)

pytestmark = pytest.mark.e2e

ALERT_WAIT_SECONDS = 60  # the setting's minimum (engage/core/settings.py)
CHANNELS = {"whatsapp", "sms", "chat", "email", "video", "voice"}


@pytest.fixture(scope="module")
def hub_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A runtime of this module's own, alerting after ALERT_WAIT_SECONDS (the runtime's
    environment is the test process's, see tests/e2e/conftest.py)."""
    home = tmp_path_factory.mktemp("hub")
    runtime = Runtime(home / "state", home / "runtime.log")
    before = os.environ.get("SESSION_ALERT_WAIT_SECONDS")
    os.environ["SESSION_ALERT_WAIT_SECONDS"] = str(ALERT_WAIT_SECONDS)
    try:
        runtime.start()
    finally:
        if before is None:
            del os.environ["SESSION_ALERT_WAIT_SECONDS"]
        else:
            os.environ["SESSION_ALERT_WAIT_SECONDS"] = before
    try:
        yield runtime.url
    finally:
        with contextlib.suppress(subprocess.TimeoutExpired):
            runtime.stop(signal.SIGTERM, timeout=15)
        runtime.kill()


class Alerting:
    """A tenant whose high-priority SMS session waits unassigned from the module's start, its
    owner's socket open meanwhile, and a viewer (who is not alerted)."""

    def __init__(self, base_url: str) -> None:
        self.owner = Owner(base_url)
        self.viewer = self.owner.invite("viewer")
        sam = self.owner.contact("Sam", "Waiting", smsConsent="opted_in")
        self.socket = SocketWatch(
            ws_url(base_url, {"access_token": self.owner.token}),
            lambda f: f["event"] == "notification:new" and f["data"]["type"] == "session_alert",
        )
        created = self.owner.http.post(
            "/sessions/create",
            json={"customer_id": sam["id"], "channel_type": "sms", "priority": "high"},
        )
        assert created.status_code == 201, created.text
        self.session_id = str(created.json()["session_id"])


@pytest.fixture(scope="module", autouse=True)
def alerting(hub_url: str) -> Alerting:
    return Alerting(hub_url)


def _session(sessions: list[dict[str, Any]], session_id: str) -> dict[str, Any]:
    return next(s for s in sessions if s["session_id"] == session_id)


def _session_of(sessions: list[dict[str, Any]], customer_id: str, channel: str) -> str:
    return str(
        next(
            s["session_id"]
            for s in sessions
            if s["customer_id"] == customer_id and s["channel_type"] == channel
        )
    )


def test_a_brand_new_tenant_gets_the_critical_routes_in_their_seed_shapes(hub_url):
    # Given a tenant that has just registered
    owner = Owner(hub_url)
    # Then the frontend's three critical routes answer (seed 003 "Critical"), without data
    channels = owner.http.get("/channels/integrations")
    assert channels.status_code == 200, channels.text
    chat = next(c for c in channels.json()["channels"] if c["type"] == "chat")
    assert {"id", "type", "name", "status", "config", "metrics"} <= set(chat)
    assert chat["metrics"]["active_sessions"] == 0
    active = owner.http.get("/sessions/active")
    assert active.status_code == 200, active.text
    assert active.json()["sessions"] == []
    dashboard = owner.http.get("/analytics/dashboard")
    assert dashboard.status_code == 200, dashboard.text
    body = dashboard.json()
    assert {"totalSessions", "activeChannels", "responseTime", "satisfactionScore"} <= set(body)
    assert {"channelMetrics", "trends"} <= set(body)
    assert (body["totalSessions"], body["activeChannels"]) == (0, 1)
    # a figure nothing measured yet is null, never invented
    assert (body["responseTime"], body["satisfactionScore"]) == (None, None)
    assert set(body["channelMetrics"]) == CHANNELS
    assert body["channelMetrics"]["voice"]["quality_score"] is None
    assert all(p["sessions"] == 0 == p["messages"] for p in body["trends"])
    # and the rest of the hub's reads answer their shapes too
    for range_ in ("1h", "24h", "7d", "30d"):
        assert owner.http.get("/analytics/dashboard", params={"range": range_}).status_code == 200
    perf = owner.http.get("/analytics/channel-performance", params={"channel": "whatsapp"})
    assert perf.status_code == 200, perf.text
    assert {"channel", "timeRange", "metrics", "hourlyData"} <= set(perf.json())
    csat = owner.http.get("/analytics/customer-satisfaction").json()
    assert (csat["overallScore"], csat["totalResponses"]) == (None, 0)
    assert set(csat["byChannel"]) == CHANNELS
    assert owner.http.get("/notifications").json()["notifications"] == []
    assert owner.http.get("/routing/rules").json() == {"rules": []}
    capabilities = owner.http.get("/capabilities").json()
    assert set(capabilities["channels"]) == CHANNELS
    assert {"session_transfer", "analytics", "routing"} <= set(capabilities["features"])


def test_customers_on_chat_sms_and_whatsapp_are_worked_in_one_hub(hub_url):
    # Given a tenant, its agent, and customers writing on chat, SMS and WhatsApp
    owner = Owner(hub_url)
    agent = owner.invite("agent")
    alice_phone = phone()
    alice = owner.end_user("alice")
    alice_id = alice.identify(name="Alice Walker", email="alice@hub.test", phone=alice_phone)["id"]
    chat_id = alice.open_conversation("Where is my order?")
    sam = owner.contact("Sam", "Reed", smsConsent="opted_in")
    owner.sms_from(sam["phoneE164"], "Hello by SMS")
    wanda = owner.contact("Wanda", "Lima", whatsappConsent="opted_in")
    owner.whatsapp_from(wanda["phoneE164"], "Hola on WhatsApp")
    # Then the hub lists the three sessions, each with its customer
    sessions = until(owner.active, lambda s: len(s) >= 3, timeout=30)
    assert {s["channel_type"] for s in sessions} == {"chat", "sms", "whatsapp"}
    chat = _session(sessions, chat_id)
    assert chat["customer_id"] == alice_id
    assert chat["customer_info"]["name"] == "Alice Walker"
    assert chat["customer_info"]["phone"] == alice_phone
    sms_id = _session_of(sessions, sam["id"], "sms")
    sms = _session(sessions, sms_id)
    assert sms["customer_info"] == {"name": "Sam Reed", "phone": sam["phoneE164"], "email": None}
    wa = _session(sessions, _session_of(sessions, wanda["id"], "whatsapp"))
    assert wa["customer_info"]["name"] == "Wanda Lima"
    for s in sessions:
        assert (s["status"], s["agent_id"], s["priority"]) == ("waiting", None, "normal")

    # When the agent opens a session for a customer, with a note for the team
    created = agent.http.post(
        "/sessions/create",
        json={
            "customer_id": wanda["id"],
            "channel_type": "sms",
            "priority": "low",
            "initial_message": "Customer needs help",
        },
    )
    # Then it is created, listed, and its initial message is a private note
    assert created.status_code == 201, created.text
    new_id = created.json()["session_id"]
    assert created.json()["status"] == "created"
    listed = _session(owner.active(), new_id)
    assert (listed["channel_type"], listed["priority"]) == ("sms", "low")
    [note] = owner.messages(new_id)
    assert (note["content"], note["private"], note["sender"]) == (
        "Customer needs help",
        True,
        "agent",
    )
    assert not any(m["body"] == "Customer needs help" for m in owner.outbox())

    # and a busy list pages with its cursor, each session once
    pages, cursor = [], None
    while True:
        params: dict[str, Any] = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = owner.http.get("/sessions/active", params=params).json()
        pages += [s["session_id"] for s in page["sessions"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert sorted(pages) == sorted(s["session_id"] for s in owner.active())
    assert len(pages) == 4
    only_sms = owner.http.get("/sessions/active", params={"channel": "sms"}).json()["sessions"]
    assert {s["session_id"] for s in only_sms} == {sms_id, new_id}

    # When the agent takes the chat, raises its priority and answers, and answers by SMS
    put = agent.http.put(
        f"/sessions/{chat_id}", json={"priority": "high", "agent_id": agent.id, "status": "active"}
    )
    assert put.status_code == 200, put.text
    assert (put.json()["status"], put.json()["agent_id"], put.json()["priority"]) == (
        "active",
        agent.id,
        "high",
    )
    sent = agent.http.post(
        "/messages/send",
        json={"session_id": chat_id, "content": "Hi Alice, checking", "type": "text"},
    )
    assert sent.status_code == 201, sent.text
    assert (sent.json()["sender"], sent.json()["channel"]) == ("agent", "chat")
    by_sms = agent.http.post("/messages/send", json={"session_id": sms_id, "content": "Hi Sam!"})
    assert by_sms.status_code == 201, by_sms.text
    assert by_sms.json()["channel"] == "sms"
    # Then the end user reads the reply, and the SMS reply reached Sam's phone
    assert [m["content"] for m in alice.messages(chat_id)] == [
        "Where is my order?",
        "Hi Alice, checking",
    ]
    outbox = until(owner.outbox, lambda box: any(m["body"] == "Hi Sam!" for m in box))
    reply = next(m for m in outbox if m["body"] == "Hi Sam!")
    assert (reply["to"], reply["channel"]) == (sam["phoneE164"], "sms")
    assert [(m["sender"], m["content"]) for m in owner.messages(sms_id)] == [
        ("customer", "Hello by SMS"),
        ("agent", "Hi Sam!"),
    ]

    # When the agent moves the chat to a voice call
    moved = agent.http.post(
        f"/sessions/{chat_id}/transfer",
        json={
            "from_channel": "chat",
            "to_channel": "voice",
            "reason": "Customer requested voice call",
            "agent_id": agent.id,
        },
    )
    # Then a call is placed through the voice gating and ends (the sandbox answers it)
    assert moved.status_code == 200, moved.text
    transfer = moved.json()
    assert (transfer["from_channel"], transfer["to_channel"]) == ("chat", "voice")
    assert transfer["call_status"] in ("in_progress", "queued")
    call_path = f"/api/queue/{transfer['call_id']}"
    call = until(
        lambda: owner.http.get(call_path).json()["queue_item"],
        lambda item: item["status"] == "completed",
    )
    assert (call["status"], call["phone_number"]) == ("completed", alice_phone)
    # and the session is the same one, now on voice, with one history
    assert _session(owner.active(), chat_id)["channel_type"] == "voice"
    history = until(
        lambda: owner.messages(chat_id),
        lambda ms: any(m["content"].startswith("Call ended") for m in ms),
    )
    later = agent.http.post("/messages/send", json={"session_id": chat_id, "content": "Thanks!"})
    assert later.status_code == 201, later.text
    history = owner.messages(chat_id)
    assert [(m["sender"], m["type"]) for m in history] == [
        ("customer", "text"),
        ("agent", "text"),
        ("system", "event"),
        ("system", "event"),
        ("agent", "text"),
    ]
    assert [m["channel"] for m in history] == ["chat", "chat", "voice", "voice", "voice"]
    assert history[2]["message_id"] == transfer["event_message_id"]
    assert history[2]["content"].startswith("Transferred from chat to voice")
    assert "Customer requested voice call" in history[2]["content"]
    assert history[3]["content"].startswith("Call ended: answered")
    assert history[-1]["content"] == "Thanks!"

    # When Alice also writes by SMS and WhatsApp from her phone
    owner.sms_from(alice_phone, "Texting too")
    owner.whatsapp_from(alice_phone, "And WhatsApp")
    # Then her history shows every channel she used, newest first
    path = f"/customers/{alice_id}/history"
    interactions = until(
        lambda: owner.http.get(path).json()["interactions"],
        lambda items: len(items) >= 4,
        timeout=30,
    )
    kinds = {(i["kind"], i["channel_type"]) for i in interactions}
    assert kinds == {
        ("session", "voice"),
        ("call", "voice"),
        ("session", "sms"),
        ("session", "whatsapp"),
    }
    assert [i["created_at"] for i in interactions] == sorted(
        (i["created_at"] for i in interactions), reverse=True
    )
    moved_session = next(i for i in interactions if i["kind"] == "session" and i["id"] == chat_id)
    assert moved_session["summary"] == "Thanks!"
    placed = next(i for i in interactions if i["kind"] == "call")
    assert (placed["session_id"], placed["id"]) == (chat_id, transfer["call_id"])
    assert owner.http.get(path, params={"limit": 1}).json()["interactions"] == interactions[:1]

    # When the agent reads and changes her profile
    profile = agent.http.get(f"/customers/{alice_id}/profile").json()
    assert (profile["name"], profile["email"], profile["phone"]) == (
        "Alice Walker",
        "alice@hub.test",
        alice_phone,
    )
    assert profile["preferences"] == {"language": None, "preferred_channel": None}
    changed = agent.http.put(
        f"/customers/{alice_id}/profile",
        json={
            "name": "Alice Smith",
            "preferences": {"language": "es", "preferred_channel": "whatsapp"},
            "tags": ["vip", "returning"],
        },
    )
    assert changed.status_code == 200, changed.text
    # Then the profile and the hub's list show it
    profile = owner.http.get(f"/customers/{alice_id}/profile").json()
    assert profile["name"] == "Alice Smith"
    assert profile["preferences"] == {"language": "es", "preferred_channel": "whatsapp"}
    assert profile["tags"] == ["vip", "returning"]
    assert _session(owner.active(), chat_id)["customer_info"]["name"] == "Alice Smith"


def test_an_invalid_routing_rule_is_a_400_that_points_at_the_error(hub_url):
    owner = Owner(hub_url)
    # When an admin writes a rule with a misplaced AND, and one with an unknown field
    bad = owner.http.post(
        "/routing/rules",
        json={"condition": "channel=whatsapp AND AND priority=high", "action": "set_priority:high"},
    )
    # Then each is a 400 naming where the error is
    assert bad.status_code == 400, bad.text
    assert bad.json()["error"] == "validation_error"
    assert bad.json()["details"]["position"] == "22"
    assert "position 22" in bad.json()["details"]["condition"]
    unknown = owner.http.post(
        "/routing/rules", json={"condition": "colour=red", "action": "set_priority:high"}
    )
    assert unknown.status_code == 400, unknown.text
    assert unknown.json()["details"]["position"] == "1"
    wrong_action = owner.http.post(
        "/routing/rules", json={"condition": "channel=sms", "action": "bogus:1"}
    )
    assert wrong_action.status_code == 400, wrong_action.text
    assert "action" in wrong_action.json()["details"]
    # and nothing was saved; a valid rule in the seed's language is kept as written
    assert owner.http.get("/routing/rules").json() == {"rules": []}
    # (a rule may only send sessions to a group that exists)
    nowhere = owner.http.post(
        "/routing/rules",
        json={"condition": "channel=sms", "action": "assign_to_agent_group:vip"},
    )
    assert nowhere.status_code == 400, nowhere.text
    assert owner.http.post("/routing/groups", json={"name": "vip"}).status_code == 201
    good = owner.http.post(
        "/routing/rules",
        json={
            "condition": "channel=whatsapp AND priority=high",
            "action": "assign_to_agent_group:vip",
        },
    )
    assert good.status_code == 201, good.text
    [rule] = owner.http.get("/routing/rules").json()["rules"]
    assert (rule["condition"], rule["action"], rule["position"]) == (
        "channel=whatsapp AND priority=high",
        "assign_to_agent_group:vip",
        1,
    )


def test_ratings_given_on_chat_and_sms_reach_satisfaction_and_the_dashboard_agrees(hub_url):
    # Given a tenant with one chat and one SMS session, each answered once by its agent
    owner = Owner(hub_url)
    agent = owner.invite("agent")
    alice = owner.end_user("alice")
    alice.identify(name="Alice Rater")
    chat_id = alice.open_conversation("Can you help?")
    sam = owner.contact("Sam", "Rater", smsConsent="opted_in")
    owner.sms_from(sam["phoneE164"], "Need help by text")
    sessions = until(owner.active, lambda s: len(s) == 2, timeout=30)
    sms_id = _session_of(sessions, sam["id"], "sms")
    for sid, content in ((chat_id, "Sure, done."), (sms_id, "Fixed it.")):
        put = agent.http.put(f"/sessions/{sid}", json={"agent_id": agent.id, "status": "active"})
        assert put.status_code == 200, put.text
        sent = agent.http.post("/messages/send", json={"session_id": sid, "content": content})
        assert sent.status_code == 201, sent.text

    # When the agent resolves the chat while the end user's app is connected
    app = SocketWatch(
        ws_url(hub_url, alice.query),
        lambda f: f["event"] == "message:new" and f["data"].get("type") == "rating_request",
        timeout=60,
    )
    resolved = agent.http.put(f"/sessions/{chat_id}", json={"status": "resolved"})
    assert resolved.status_code == 200, resolved.text
    assert resolved.json()["status"] == "resolved"
    # Then the end user is asked for a rating, live and in the conversation
    live = [f for f in app.result(timeout=60) if f["event"] == "message:new"]
    assert any(f["data"].get("type") == "rating_request" for f in live), live
    seen = until(
        lambda: alice.messages(chat_id), lambda ms: any(m["type"] == "rating_request" for m in ms)
    )
    ask = next(m for m in seen if m["type"] == "rating_request")
    assert "1-5" in ask["content"]
    # and rates it once
    rated = alice.http.post(
        f"/v1/conversations/{chat_id}/rating", json={"score": 4, "comment": "Quick and kind"}
    )
    assert rated.status_code == 201, rated.text
    assert (rated.json()["score"], rated.json()["channel"]) == (4, "chat")
    assert (rated.json()["session_id"], rated.json()["agent_id"]) == (chat_id, agent.id)
    again = alice.http.post(f"/v1/conversations/{chat_id}/rating", json={"score": 1})
    assert again.status_code == 409, again.text

    # When the SMS session resolves, Sam is asked by SMS and replies "5"
    assert agent.http.put(f"/sessions/{sms_id}", json={"status": "resolved"}).status_code == 200
    box = until(owner.outbox, lambda b: any(m["body"].startswith("How did we do?") for m in b))
    question = next(m for m in box if m["body"].startswith("How did we do?"))
    assert question["to"] == sam["phoneE164"]
    owner.sms_from(sam["phoneE164"], "5")
    # Then customer satisfaction shows both answers, by channel
    csat = until(
        lambda: owner.http.get("/analytics/customer-satisfaction").json(),
        lambda body: body["totalResponses"] == 2,
    )
    assert (csat["overallScore"], csat["totalResponses"]) == (4.5, 2)
    assert (csat["byChannel"]["chat"], csat["byChannel"]["sms"]) == (4.0, 5.0)
    assert csat["byChannel"]["whatsapp"] is None
    assert sum(p["responses"] for p in csat["trends"]) == 2
    # and the digit did not reopen the session
    assert owner.active() == []

    # Then the dashboard's figures agree with what was made: 2 sessions; messages on chat:
    # the question and the answer (the rating request is not a text); on SMS: the question,
    # the answer and the digit
    def dashboard() -> dict[str, Any]:
        return dict(owner.http.get("/analytics/dashboard").json())

    dash = until(
        dashboard,
        lambda d: d["satisfactionScore"] == 4.5 and d["channelMetrics"]["sms"]["messages"] == 3,
    )
    assert dash["totalSessions"] == 2
    assert dash["satisfactionScore"] == 4.5
    metrics = dash["channelMetrics"]
    assert (metrics["chat"]["sessions"], metrics["chat"]["messages"]) == (1, 2)
    assert (metrics["sms"]["sessions"], metrics["sms"]["messages"]) == (1, 3)
    assert metrics["chat"]["avg_response_time"] is not None
    assert metrics["whatsapp"] == {"sessions": 0, "messages": 0, "avg_response_time": None}
    assert dash["responseTime"] is not None and dash["responseTime"] >= 0
    assert sum(p["sessions"] for p in dash["trends"]) == 2
    assert sum(p["messages"] for p in dash["trends"]) == 5
    perf = owner.http.get("/analytics/channel-performance", params={"channel": "sms"}).json()
    assert perf["metrics"]["totalSessions"] == 1
    assert perf["metrics"]["resolutionRate"] == 100.0
    assert perf["metrics"]["customerSatisfaction"] == 5.0
    chat_channel = next(
        c
        for c in owner.http.get("/channels/integrations").json()["channels"]
        if c["type"] == "chat"
    )
    assert chat_channel["metrics"]["active_sessions"] == 0
    assert chat_channel["metrics"]["total_sessions"] == 1
    # the channel list and the dashboard count the same messages: texts, not notes or system
    # records (the rating request)
    assert chat_channel["metrics"]["total_messages"] == 2


def test_another_tenants_session_customer_notification_and_routing_ids_are_404(hub_url):
    # Given tenant A's chat session, assigned to its owner (who is notified), a group, a rule
    a, b = Owner(hub_url), Owner(hub_url)
    alice = a.end_user("alice")
    customer_id = alice.identify(name="Alice A")["id"]
    session_id = alice.open_conversation("A's secret")
    assert a.http.put(f"/sessions/{session_id}", json={"agent_id": a.id}).status_code == 200
    notes = until(
        lambda: a.http.get("/notifications").json()["notifications"], lambda n: len(n) >= 1
    )
    notification_id = next(n["id"] for n in notes if n["type"] == "session_assigned")
    members = [{"user_id": a.id, "capacity": 5}]
    group = a.http.post("/routing/groups", json={"name": "A team", "members": members})
    assert group.status_code == 201, group.text
    group_id = group.json()["id"]
    rule = a.http.post(
        "/routing/rules", json={"condition": "channel=sms", "action": "set_priority:high"}
    )
    assert rule.status_code == 201, rule.text
    rule_id = rule.json()["id"]
    # When tenant B's owner uses A's ids on every hub route
    for method, path, body in (
        ("PUT", f"/sessions/{session_id}", {"priority": "low"}),
        ("POST", f"/sessions/{session_id}/transfer", {"from_channel": "chat", "to_channel": "sms"}),
        ("GET", f"/messages/{session_id}", None),
        ("POST", "/messages/send", {"session_id": session_id, "content": "B was here"}),
        ("POST", f"/sessions/{session_id}/rating", {"score": 1}),
        ("POST", "/sessions/create", {"customer_id": customer_id, "channel_type": "chat"}),
        ("GET", f"/customers/{customer_id}/profile", None),
        ("PUT", f"/customers/{customer_id}/profile", {"name": "Mallory"}),
        ("GET", f"/customers/{customer_id}/history", None),
        ("PUT", f"/notifications/{notification_id}/read", None),
        ("PUT", f"/routing/groups/{group_id}", {"name": "B's now"}),
        ("DELETE", f"/routing/groups/{group_id}", None),
        ("PUT", f"/routing/rules/{rule_id}", {"condition": "channel=chat"}),
        ("DELETE", f"/routing/rules/{rule_id}", None),
    ):
        resp = b.http.request(method, path, json=body)
        # Then each is a 404 and nothing of A's shows in B's lists
        assert resp.status_code == 404, (method, path, resp.text)
    # and B's end user with the same user id cannot rate A's conversation
    b_alice = b.end_user("alice")
    assert (
        b_alice.http.post(f"/v1/conversations/{session_id}/rating", json={"score": 1}).status_code
        == 404
    )
    assert b.http.get("/sessions/active").json()["sessions"] == []
    assert b.http.get("/notifications").json()["notifications"] == []
    assert b.http.get("/routing/groups").json()["groups"] == []
    assert b.http.get("/routing/rules").json()["rules"] == []
    # nor can B put A's owner in its own group
    stolen = b.http.post("/routing/groups", json={"name": "steal", "members": members})
    assert stolen.status_code == 400, stolen.text
    # and A's data is unchanged
    assert a.http.get(f"/customers/{customer_id}/profile").json()["name"] == "Alice A"
    assert [m["content"] for m in a.messages(session_id)] == ["A's secret"]
    assert [g["name"] for g in a.http.get("/routing/groups").json()["groups"]] == ["A team"]
    assert [r["id"] for r in a.http.get("/routing/rules").json()["rules"]] == [rule_id]
    assert a.http.get("/notifications", params={"unread_only": True}).json()["notifications"]


def test_a_chat_moved_to_whatsapp_continues_there_under_the_24_hour_rule(hub_url):
    # Given an end user who gave their phone and wrote on chat
    owner = Owner(hub_url)
    carla_phone = phone()
    carla = owner.end_user("carla")
    carla.identify(name="Carla Moves", phone=carla_phone)
    session_id = carla.open_conversation("Can we move to WhatsApp?")
    # When an agent moves it to WhatsApp before she ever wrote there
    moved = owner.http.post(
        f"/sessions/{session_id}/transfer",
        json={"from_channel": "chat", "to_channel": "whatsapp", "reason": "prefers WhatsApp"},
    )
    assert moved.status_code == 200, moved.text
    assert moved.json()["whatsapp_window_open"] is False
    # Then a free-text reply is refused (templates only) and nothing is sent
    closed = owner.http.post(
        "/messages/send", json={"session_id": session_id, "content": "Hello there"}
    )
    assert closed.status_code == 409, closed.text
    assert owner.outbox() == []
    # When she writes on WhatsApp, it lands in the same session and opens the window
    owner.whatsapp_from(carla_phone, "Here on WhatsApp")
    until(
        lambda: owner.messages(session_id),
        lambda ms: any(m["content"] == "Here on WhatsApp" for m in ms),
        timeout=20,
    )
    sent = owner.http.post("/messages/send", json={"session_id": session_id, "content": "Hi!"})
    assert sent.status_code == 201, sent.text
    assert sent.json()["channel"] == "whatsapp"
    box = until(owner.outbox, bool, timeout=20)
    assert [(m["channel"], m["to"], m["body"]) for m in box] == [("whatsapp", carla_phone, "Hi!")]
    history = owner.messages(session_id)
    assert [(m["channel"], m["type"]) for m in history] == [
        ("chat", "text"),
        ("whatsapp", "event"),
        ("whatsapp", "text"),
        ("whatsapp", "text"),
    ]
    assert [s["channel_type"] for s in owner.active()] == ["whatsapp"]


def test_sessions_on_several_channels_are_routed_to_groups_within_capacity_in_order(hub_url):
    # Given two online agents, each alone in a group of capacity 1, and rules in the seed's
    # language sending WhatsApp and VIPs to one group, SMS and chat to the other
    owner = Owner(hub_url)
    vip_agent, general_agent = owner.invite("agent"), owner.invite("agent")
    for agent in (vip_agent, general_agent):
        online = agent.http.put("/agents/me/presence", json={"status": "online"})
        assert online.status_code == 200, online.text
        assert online.json()["status"] == "online"
    groups = {}
    for name, agent in (("vip", vip_agent), ("general", general_agent)):
        made = owner.http.post(
            "/routing/groups",
            json={"name": name, "members": [{"user_id": agent.id, "capacity": 1}]},
        )
        assert made.status_code == 201, made.text
        groups[name] = made.json()["id"]
    for condition, group in (
        ("channel=whatsapp OR tag=vip", "vip"),
        ("channel=sms OR channel=chat", "general"),
    ):
        rule = owner.http.post(
            "/routing/rules",
            json={"condition": condition, "action": f"assign_to_agent_group:{group}"},
        )
        assert rule.status_code == 201, rule.text
    wa_1 = owner.contact("Wa", "First", whatsappConsent="opted_in")
    wa_2 = owner.contact("Wa", "Second", whatsappConsent="opted_in")
    sms_1 = owner.contact("Sms", "First", smsConsent="opted_in")
    sms_2 = owner.contact("Sms", "Second", smsConsent="opted_in")
    vip = owner.contact("Sms", "Vip", smsConsent="opted_in", tags=["vip"])

    def settled(count: int) -> list[dict[str, Any]]:
        # every session seen and each one routed (assigned, or counted in a queue)
        def done(sessions: list[dict[str, Any]]) -> bool:
            listed = owner.http.get("/routing/groups").json()["groups"]
            waiting = sum(g["waiting"] for g in listed)
            assigned = sum(1 for s in sessions if s["agent_id"] is not None)
            return len(sessions) == count and waiting + assigned == count

        return until(owner.active, done, timeout=60)

    def by_name(sessions: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
        return {s["customer_info"]["name"]: s for s in sessions}

    def never_over_capacity() -> None:
        for group in owner.http.get("/routing/groups").json()["groups"]:
            for member in group["members"]:
                assert member["open_sessions"] <= member["capacity"], group

    # When sessions arrive on WhatsApp, chat and SMS, one after the other
    owner.whatsapp_from(wa_1["phoneE164"], "first on WhatsApp")
    settled(1)
    owner.whatsapp_from(wa_2["phoneE164"], "second on WhatsApp")
    settled(2)
    cathy = owner.end_user("cathy")
    cathy.identify(name="Cathy Chat")
    cathy.open_conversation("first on chat")
    settled(3)
    owner.sms_from(sms_1["phoneE164"], "first on SMS")
    settled(4)
    owner.sms_from(sms_2["phoneE164"], "second on SMS")
    settled(5)
    owner.sms_from(vip["phoneE164"], "a VIP on SMS")
    s = by_name(settled(6))
    # Then the first of each group is assigned, the others wait in their group's queue
    assert (s["Wa First"]["agent_id"], s["Wa First"]["status"]) == (vip_agent.id, "active")
    assert s["Cathy Chat"]["agent_id"] == general_agent.id
    for waiting in ("Wa Second", "Sms First", "Sms Second", "Sms Vip"):
        assert (s[waiting]["agent_id"], s[waiting]["status"]) == (None, "waiting"), waiting
    # (the VIP customer's SMS went to the VIP queue: the first rule matching wins; a drain in
    # progress, such as the minute's sweep, holds a queue's head out of the count for a moment)
    queued = until(
        lambda: {
            g["name"]: g["waiting"] for g in owner.http.get("/routing/groups").json()["groups"]
        },
        lambda waiting: (waiting["vip"], waiting["general"]) == (2, 2),
        timeout=20,
    )
    assert (queued["vip"], queued["general"]) == (2, 2)
    never_over_capacity()
    # and the agent who got a session was told
    notes = until(
        lambda: vip_agent.http.get("/notifications").json()["notifications"],
        lambda ns: any(n["type"] == "session_assigned" for n in ns),
        timeout=30,
    )
    assigned = next(n for n in notes if n["type"] == "session_assigned")
    assert assigned["data"]["session_id"] == s["Wa First"]["session_id"]
    # and nobody can hand a full agent one more
    full = owner.http.put(
        f"/sessions/{s['Wa Second']['session_id']}", json={"agent_id": vip_agent.id}
    )
    assert full.status_code == 409, full.text

    # When the VIP agent resolves their session
    done = vip_agent.http.put(
        f"/sessions/{s['Wa First']['session_id']}", json={"status": "resolved"}
    )
    assert done.status_code == 200, done.text
    # Then the oldest waiting session of their queue is theirs at once
    s = by_name(
        until(
            owner.active,
            lambda ss: by_name(ss)["Wa Second"]["agent_id"] == vip_agent.id,
            timeout=30,
        )
    )
    assert s["Sms Vip"]["agent_id"] is None
    never_over_capacity()

    # When the newer SMS session becomes high priority and the chat resolves
    raised = owner.http.put(f"/sessions/{s['Sms Second']['session_id']}", json={"priority": "high"})
    assert raised.status_code == 200, raised.text
    done = general_agent.http.put(
        f"/sessions/{s['Cathy Chat']['session_id']}", json={"status": "resolved"}
    )
    assert done.status_code == 200, done.text
    # Then the high-priority session goes first, the older normal one still waits
    s = by_name(
        until(
            owner.active,
            lambda ss: by_name(ss)["Sms Second"]["agent_id"] == general_agent.id,
            timeout=30,
        )
    )
    assert s["Sms First"]["agent_id"] is None
    never_over_capacity()

    # When the general group's capacity rises
    raised = owner.http.put(
        f"/routing/groups/{groups['general']}",
        json={"members": [{"user_id": general_agent.id, "capacity": 2}]},
    )
    assert raised.status_code == 200, raised.text
    # Then its waiting session is assigned, and nothing waits there any more
    s = by_name(
        until(
            owner.active,
            lambda ss: by_name(ss)["Sms First"]["agent_id"] == general_agent.id,
            timeout=30,
        )
    )

    def groups_now() -> dict[str, dict[str, Any]]:
        return {g["name"]: g for g in owner.http.get("/routing/groups").json()["groups"]}

    listed = until(
        groups_now, lambda gs: (gs["vip"]["waiting"], gs["general"]["waiting"]) == (1, 0)
    )
    assert (listed["vip"]["waiting"], listed["general"]["waiting"]) == (1, 0)
    assert listed["general"]["members"][0]["open_sessions"] == 2
    never_over_capacity()

    # When an offline agent joins the VIP group, nothing changes until they come online
    late = owner.invite("agent")
    away = late.http.put("/agents/me/presence", json={"status": "offline"})
    assert away.status_code == 200, away.text
    joined = owner.http.put(
        f"/routing/groups/{groups['vip']}",
        json={
            "members": [
                {"user_id": vip_agent.id, "capacity": 1},
                {"user_id": late.id, "capacity": 1},
            ]
        },
    )
    assert joined.status_code == 200, joined.text
    assert by_name(owner.active())["Sms Vip"]["agent_id"] is None
    online = late.http.put("/agents/me/presence", json={"status": "online"})
    assert online.status_code == 200, online.text
    # Then the VIP customer who waited is theirs at once
    s = by_name(
        until(
            owner.active,
            lambda ss: by_name(ss)["Sms Vip"]["agent_id"] == late.id,
            timeout=30,
        )
    )
    assert s["Sms Vip"]["agent_id"] == late.id
    listed = until(groups_now, lambda gs: gs["vip"]["waiting"] == 0)
    assert listed["vip"]["waiting"] == 0
    never_over_capacity()


def test_an_sms_rating_is_recorded_when_the_customer_has_another_open_sms_session(hub_url):
    # Given Sam's SMS session (a second open one is refused: it would take his replies)
    owner = Owner(hub_url)
    sam = owner.contact("Sam", "Twice", smsConsent="opted_in")
    owner.sms_from(sam["phoneE164"], "First problem")
    first = _session_of(until(owner.active, bool, timeout=30), sam["id"], "sms")
    body = {"customer_id": sam["id"], "channel_type": "sms"}
    refused = owner.http.post("/sessions/create", json=body)
    assert refused.status_code == 409 and refused.json()["details"] == {"session_id": first}
    # When the first resolves, Sam is asked, an agent opens a new SMS session for him, and
    # he answers "5"
    assert owner.http.put(f"/sessions/{first}", json={"status": "resolved"}).status_code == 200
    until(owner.outbox, lambda b: any(m["body"].startswith("How did we do?") for m in b))
    created = owner.http.post("/sessions/create", json=body)
    assert created.status_code == 201, created.text
    owner.sms_from(sam["phoneE164"], "5")
    # Then the answer is recorded
    csat = until(
        lambda: owner.http.get("/analytics/customer-satisfaction").json(),
        lambda body: body["totalResponses"] == 1,
        timeout=20,
    )
    assert csat["byChannel"]["sms"] == 5.0


def test_a_chat_end_user_vouched_for_by_the_server_is_the_known_sms_customer(hub_url):
    # Given an SMS customer Bob
    owner = Owner(hub_url)
    bob = owner.contact("Bob", "Omni", smsConsent="opted_in")
    # When someone on chat claims Bob's phone with the publishable key
    stranger = EndUser(hub_url, owner.key, "mallory")
    claimed = stranger.http.post("/v1/users/identify", json={"phone": bob["phoneE164"]})
    # Then it is refused: a browser cannot take over a customer (and their SMS history) by
    # naming a phone number
    assert claimed.status_code == 409, claimed.text
    # When the tenant's server identifies Bob with its secret key (server to server: it
    # vouches for the user id and the phone it sends)
    made = owner.http.post("/admin/api-keys", json={"name": "server", "kind": "secret"})
    assert made.status_code == 201, made.text
    server = EndUser(hub_url, str(made.json()["key"]), "bob")
    resp = server.http.post("/v1/users/identify", json={"phone": bob["phoneE164"]})
    # Then the chat user IS Bob: one customer behind SMS and chat
    assert resp.status_code == 200, resp.text
    assert resp.json()["id"] == bob["id"]
    profile = owner.http.get(f"/customers/{bob['id']}/profile").json()
    assert profile["phone"] == bob["phoneE164"]


def test_a_high_priority_session_left_waiting_raises_a_notification_listed_and_pushed(
    alerting: Alerting,
):
    # Given the high-priority SMS session opened, unassigned, at the module's start
    owner = alerting.owner
    # When it has waited longer than SESSION_ALERT_WAIT_SECONDS (the tick runs every 3 s)
    frames = alerting.socket.result(timeout=ALERT_WAIT_SECONDS * 2 + 30)
    # Then the owner's socket got it live
    pushed = [
        f
        for f in frames
        if f["event"] == "notification:new" and f["data"]["type"] == "session_alert"
    ]
    assert pushed, [f["event"] for f in frames]
    assert pushed[0]["data"]["data"]["session_id"] == alerting.session_id
    # and it is in the owner's notifications, unread, pointing at the session
    notes = owner.http.get("/notifications").json()["notifications"]
    alert = next(n for n in notes if n["type"] == "session_alert")
    assert alert["id"] == pushed[0]["data"]["id"]
    assert (alert["title"], alert["read"]) == ("High Priority Session", False)
    assert alert["data"]["session_id"] == alerting.session_id
    assert {"id", "type", "title", "message", "read", "created_at"} <= set(alert)
    # and a viewer (who cannot take sessions) was not alerted
    viewer_notes = alerting.viewer.http.get("/notifications").json()["notifications"]
    assert not any(n["type"] == "session_alert" for n in viewer_notes)
    # When the owner marks it read, it leaves the unread list
    read = owner.http.put(f"/notifications/{alert['id']}/read")
    assert read.status_code == 200, read.text
    assert read.json() == {"success": True, "notification_id": alert["id"]}
    unread = owner.http.get("/notifications", params={"unread_only": True}).json()
    assert alert["id"] not in [n["id"] for n in unread["notifications"]]
    listed = owner.http.get("/notifications").json()["notifications"]
    assert next(n for n in listed if n["id"] == alert["id"])["read"] is True

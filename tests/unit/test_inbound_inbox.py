"""Every inbound message into the one inbox (issue 10): an SMS reply that is no keyword becomes
the contact's message in their SMS conversation, shows in the console and on the team's
socket, joins or reopens the conversation, is written once however often the provider
redelivers it, and is seen by no other tenant; the agent's reply goes back out over SMS once;
`conversations.inbound.receive` joins a given conversation (the e-mail thread's)."""

from __future__ import annotations

import json
from urllib.parse import urlencode

import pytest
from twilio.request_validator import RequestValidator

from engage.channels.sandbox import OUTBOX
from engage.core import keys
from tests.unit.test_realtime import _connect

SECRET = "sandbox-secret-for-tests"  # SANDBOX_WEBHOOK_SECRET
BASE = "https://api.example.test"
INBOUND = "/webhooks/sms/sandbox/inbound"
PHONE = "+12015550123"


@pytest.fixture
def sockets(monkeypatch):
    """Frames pushed per connection id (`@connections` faked at its port)."""
    from engage.realtime import push

    sent: dict[str, list[dict]] = {}

    def send(connection_id, frame):
        sent.setdefault(connection_id, []).append(json.loads(json.dumps(frame)))
        return True

    monkeypatch.setattr(push, "send", send)
    return sent


def sms(h, body: str, sid: str = "SMx1", phone: str = PHONE, path: str = INBOUND):
    params = {"MessageSid": sid, "From": phone, "To": "+15017122661", "Body": body}
    sig = RequestValidator(SECRET).compute_signature(BASE + path, params)
    return h.client.post(
        path,
        content=urlencode(params),
        headers={"Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": sig},
    )


def conversations(h, headers, **params) -> list[dict]:
    resp = h.client.get("/admin/api/conversations", headers=headers, params=params)
    assert resp.status_code == 200, resp.text
    return resp.json()["data"]


def messages_of(h, headers, conversation_id: str) -> list[dict]:
    resp = h.client.get(f"/admin/api/conversations/{conversation_id}/messages", headers=headers)
    assert resp.status_code == 200, resp.text
    return resp.json()["data"]


def tenant_of(h, headers) -> str:
    return h.client.get("/auth/me", headers=headers).json()["data"]["tenant"]["id"]


def test_an_sms_reply_that_is_no_keyword_lands_in_the_contacts_sms_conversation(h):
    # Given a contact who came from a CSV (no external id: they never used the chat SDK)
    headers = h.register()
    c = h.contact(headers, PHONE, firstName="Ada")
    # When they reply to a campaign text
    resp = sms(h, "Do you have it in blue?")
    # Then the console lists an open SMS conversation of theirs with the message unread
    assert resp.status_code == 200
    (conv,) = conversations(h, headers)
    assert (conv["channel"], conv["status"], conv["contact_id"]) == ("sms", "open", c["id"])
    assert conv["unread_count"] == 1
    (message,) = messages_of(h, headers, conv["id"])
    assert (message["sender"], message["sender_id"]) == ("user", None)
    assert message["content"] == "Do you have it in blue?"
    assert [x["id"] for x in conversations(h, headers, search="ada")] == [conv["id"]]
    assert conversations(h, headers, channel="whatsapp") == []


def test_a_redelivered_webhook_makes_one_message(h):
    headers = h.register()
    h.contact(headers, PHONE)
    assert sms(h, "Hello?", sid="SMsame").status_code == 200
    assert sms(h, "Hello?", sid="SMsame").status_code == 200
    (conv,) = conversations(h, headers)
    assert len(messages_of(h, headers, conv["id"])) == 1


def test_keywords_stay_out_of_the_inbox(h):
    headers = h.register()
    h.contact(headers, PHONE)
    for n, word in enumerate(("HELP", "STOP", "START")):
        sms(h, word, sid=f"SMk{n}")
    assert conversations(h, headers) == []


def test_another_tenant_sees_nothing(h):
    mine = h.register()
    theirs = h.register("other@shop.test", "Other")
    h.contact(mine, PHONE)
    h.contact(theirs, "+12015550199")
    sms(h, "Is my order shipped?")
    assert len(conversations(h, mine)) == 1
    assert conversations(h, theirs) == []


def test_an_unsigned_reply_is_403_and_writes_nothing(h):
    headers = h.register()
    h.contact(headers, PHONE)
    params = {"MessageSid": "SMu", "From": PHONE, "Body": "hi"}
    resp = h.client.post(
        INBOUND,
        content=urlencode(params),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert resp.status_code == 403
    assert conversations(h, headers) == []


def test_later_replies_join_the_conversation_and_reopen_it_when_resolved(h):
    headers = h.register()
    h.contact(headers, PHONE)
    sms(h, "First", sid="SM1")
    (conv,) = conversations(h, headers)
    resp = h.client.put(
        f"/admin/api/conversations/{conv['id']}", headers=headers, json={"status": "resolved"}
    )
    assert resp.status_code == 200
    sms(h, "Actually, one more thing", sid="SM2")
    (again,) = conversations(h, headers)
    assert again["id"] == conv["id"] and again["status"] == "open"
    assert [m["content"] for m in messages_of(h, headers, conv["id"])] == [
        "First",
        "Actually, one more thing",
    ]


def test_an_inbound_reply_shows_on_the_agents_socket(h, sockets):
    headers = h.register()
    h.contact(headers, PHONE)
    assert _connect("agent-socket", headers) == 200
    sms(h, "Are you open on Sunday?")
    h.drain()
    frames = [f for f in sockets.get("agent-socket", []) if f["event"] == "message:new"]
    assert [f["data"]["content"] for f in frames] == ["Are you open on Sunday?"]
    updated = [f for f in sockets["agent-socket"] if f["event"] == "conversation:updated"]
    assert updated and updated[0]["data"]["channel"] == "sms"


def test_the_agents_reply_goes_back_out_over_sms_once(h):
    headers = h.register()
    h.contact(headers, PHONE)
    sms(h, "Do you ship to Canada?")
    (conv,) = conversations(h, headers)
    path = f"/admin/api/conversations/{conv['id']}/messages"
    body = {"content": "We do!", "client_message_id": "reply-1"}
    first = h.client.post(path, headers=headers, json=body)
    again = h.client.post(path, headers=headers, json=body)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["channel_status"] == "delivered"  # the sandbox's simulated receipt
    (row,) = OUTBOX.list()
    assert (row["channel"], row["to"], row["body"]) == ("sms", PHONE, "We do!")
    assert messages_of(h, headers, conv["id"])[-1]["delivered_at"]


def test_a_reply_to_a_contact_who_sent_stop_is_refused_and_not_sent(h):
    headers = h.register()
    h.contact(headers, PHONE)
    sms(h, "Hi", sid="SM1")
    sms(h, "STOP", sid="SM2")
    (conv,) = conversations(h, headers)
    resp = h.client.post(
        f"/admin/api/conversations/{conv['id']}/messages", headers=headers, json={"content": "?"}
    )
    assert resp.status_code == 409
    assert OUTBOX.list() == []


def test_a_status_callback_for_an_sms_reply_moves_it(h):
    headers = h.register()
    h.contact(headers, PHONE)
    sms(h, "Hi")
    (conv,) = conversations(h, headers)
    from engage.conversations import outbound

    # Given a reply the provider accepted, with no receipt yet
    tenant = tenant_of(h, headers)
    path = f"/admin/api/conversations/{conv['id']}/messages"
    OUTBOX.clear()
    reply = h.client.post(path, headers=headers, json={"content": "Thanks"}).json()
    ref = OUTBOX.list()[0]["ref"]
    pid = OUTBOX.list()[0]["providerMessageId"]
    # Then a repeated delivered receipt changes nothing more
    assert not outbound.apply_status(tenant, conv["id"], reply["id"], "delivered", pid)
    # And the SMS status webhook routes a conversation reply's receipt to it, not the queue
    status = "/webhooks/sms/sandbox/status?" + urlencode({"ref": ref})
    params = {"MessageSid": pid, "MessageStatus": "delivered"}
    sig = RequestValidator(SECRET).compute_signature(BASE + status, params)
    resp = h.client.post(
        status,
        content=urlencode(params),
        headers={"Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": sig},
    )
    assert resp.status_code == 200 and resp.json()["data"]["queued"] == 0


def test_receive_joins_the_conversation_it_is_given(h):
    from engage.contacts import store as contact_store
    from engage.conversations import service
    from engage.conversations.inbound import receive
    from engage.conversations.schemas import Channel

    headers = h.register()
    tenant = tenant_of(h, headers)
    c = h.contact(headers, PHONE)
    # Given an e-mail thread, and a newer e-mail conversation of the same contact
    first, _ = receive(tenant, c["id"], Channel.EMAIL, "Order #12", provider_message_id="<a@x>")
    first_id = keys.parse_conversation_partition(first.pk)[1]
    newer = service.open_conversation(tenant, contact_store.get(tenant, c["id"]), Channel.EMAIL)
    # When a reply in the thread arrives, and the first message is delivered again
    joined, _ = receive(tenant, c["id"], Channel.EMAIL, "Re: Order #12", conversation_id=first_id)
    _, same = receive(
        tenant,
        c["id"],
        Channel.EMAIL,
        "Order #12",
        conversation_id=first_id,
        provider_message_id="<a@x>",
    )
    # Then both are in the thread (the redelivery is not a new message), none in the newer one
    assert joined.pk == first.pk
    assert [m["content"] for m in messages_of(h, headers, first_id)] == [
        "Order #12",
        "Re: Order #12",
    ]
    assert same.client_message_id.startswith("email:h:")
    assert messages_of(h, headers, keys.parse_conversation_partition(newer.pk)[1]) == []
    # And without a conversation id a message joins the newest one on the channel
    latest, _ = receive(tenant, c["id"], Channel.EMAIL, "New question")
    assert latest.pk == newer.pk


def test_receive_opens_a_new_conversation_per_channel(h):
    from engage.conversations.inbound import receive
    from engage.conversations.schemas import Channel

    headers = h.register()
    tenant = tenant_of(h, headers)
    c = h.contact(headers, PHONE)
    sms_conv, _ = receive(tenant, c["id"], Channel.SMS, "by text")
    wa_conv, _ = receive(tenant, c["id"], Channel.WHATSAPP, "by whatsapp")
    assert sms_conv.pk != wa_conv.pk
    assert {x["channel"] for x in conversations(h, headers)} == {"sms", "whatsapp"}


def test_an_sms_reply_to_a_number_a_tenant_configured_is_that_tenants_alone(h):
    from engage.core import clock
    from engage.integrations import store

    mine = h.register()
    theirs = h.register("other@shop.test", "Other")
    h.contact(mine, PHONE)
    h.contact(theirs, PHONE)
    # Given my tenant configured the number the customer texts (POST /channels/sms/configure)
    key = keys.inbound_number_key("sms", "+15017122661")
    assert store.claim_owner(key, tenant_of(h, mine), clock.now_iso())
    sms(h, "Is this the shop?")
    assert len(conversations(h, mine)) == 1
    assert conversations(h, theirs) == []

"""Customers (issue 11, seed 003 section 4): the contact behind every channel as a profile
(bare JSON, snake_case) that agents keep up to date through the contacts' own rules, and a
history that shows sessions on every channel, campaign messages and calls, newest first."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

import pytest
from twilio.request_validator import RequestValidator

from engage.core import clock, keys
from tests.unit.test_events import _heard, _listen

SECRET = "sandbox-secret-for-tests"  # SANDBOX_WEBHOOK_SECRET
BASE = "https://api.example.test"
INBOUND = "/webhooks/sms/sandbox/inbound"
PROFILE_FIELDS = {
    "customer_id",
    "name",
    "email",
    "phone",
    "preferences",
    "tags",
    "consent",
    "created_at",
    "updated_at",
}


def profile(h, headers, customer_id: str):
    return h.client.get(f"/customers/{customer_id}/profile", headers=headers)


def put(h, headers, customer_id: str, body: dict):
    return h.client.put(f"/customers/{customer_id}/profile", headers=headers, json=body)


def tenant_of(h, headers) -> str:
    return h.client.get("/auth/me", headers=headers).json()["data"]["tenant"]["id"]


def test_a_profile_is_the_contact_under_seed_003_names(h):
    # Given a contact made on the contacts page
    headers = h.register()
    c = h.contact(headers, "+12015550100", firstName="John", lastName="Doe", tags=["vip"])
    # When the console reads them as a customer
    resp = profile(h, headers, c["id"])
    # Then it is the seed's shape with nothing invented
    assert resp.status_code == 200, resp.text
    got = resp.json()
    assert set(got) == PROFILE_FIELDS
    assert got["customer_id"] == c["id"] and got["name"] == "John Doe"
    assert (got["email"], got["phone"], got["tags"]) == (None, "+12015550100", ["vip"])
    assert got["preferences"] == {"language": None, "preferred_channel": None}
    assert got["consent"] == {"sms": "opted_in", "whatsapp": "unknown", "email": "unknown"}
    assert got["created_at"] == c["createdAt"]


def test_a_profile_change_round_trips_and_is_the_contacts_change(h):
    headers = h.register()
    c = h.contact(headers, "+12015550101", firstName="John", lastName="Doe")
    # When an agent sends the seed's body
    body = {
        "name": "John  Smith",
        "email": "John.Smith@Example.com",
        "preferences": {"language": "es"},
    }
    resp = put(h, headers, c["id"], body)
    # Then the profile answers the change, and reading it again gives the same
    assert resp.status_code == 200, resp.text
    got = resp.json()
    assert (got["name"], got["email"]) == ("John Smith", "john.smith@example.com")
    assert got["preferences"] == {"language": "es", "preferred_channel": None}
    assert got["updated_at"] >= got["created_at"]
    assert profile(h, headers, c["id"]).json() == got
    # And the contact itself changed (first/last name split, e-mail searchable and indexed)
    contact = h.client.get(f"/contacts/{c['id']}", headers=headers).json()["data"]
    assert (contact["firstName"], contact["lastName"]) == ("John", "Smith")
    assert (contact["email"], contact["language"]) == ("john.smith@example.com", "es")
    found = h.client.get("/contacts?search=smith", headers=headers).json()["data"]["contacts"]
    assert [x["id"] for x in found] == [c["id"]]
    from engage.contacts import lookup

    tenant = tenant_of(h, headers)
    assert lookup.contact_ids_by_email(tenant, "john.smith@example.com") == [c["id"]]


def test_the_change_is_a_contact_updated_event_naming_the_preferences(h):
    # Given a rule for contact events on the bus, and a contact
    url = _listen({"source": ["engage"], "detail-type": ["contact.updated"]})
    headers = h.register()
    c = h.contact(headers, "+12015550102")
    # When an agent sets the customer's preferences
    prefs = {"language": "pt-br", "preferred_channel": "whatsapp"}
    assert put(h, headers, c["id"], {"preferences": prefs}).status_code == 200
    h.drain()
    # Then the bus carried one contact.updated naming the two preferences
    (event,) = _heard(url)
    assert event["detail"]["data"]["changed"] == ["language", "preferredChannel"]


def test_preferences_are_validated_normalised_and_cleared(h):
    headers = h.register()
    c = h.contact(headers, "+12015550103")
    # A BCP 47 tag comes back in its conventional case, a channel from seed 003
    prefs = {"language": "zh-hant-tw", "preferred_channel": "sms"}
    got = put(h, headers, c["id"], {"preferences": prefs}).json()
    assert got["preferences"] == {"language": "zh-Hant-TW", "preferred_channel": "sms"}
    # Changing one preference keeps the other
    got = put(h, headers, c["id"], {"preferences": {"preferred_channel": "whatsapp"}}).json()
    assert got["preferences"] == {"language": "zh-Hant-TW", "preferred_channel": "whatsapp"}
    # Bad values are 400s that name the field, and change nothing
    for bad in (
        {"language": "english"},
        {"language": "e"},
        {"language": "en--US"},
        {"preferred_channel": "pigeon"},
        {"colour": "blue"},
    ):
        resp = put(h, headers, c["id"], {"preferences": bad})
        assert resp.status_code == 400, (bad, resp.text)
        assert resp.json()["error"] == "validation_error"
    assert profile(h, headers, c["id"]).json()["preferences"]["preferred_channel"] == "whatsapp"
    # null clears both
    got = put(h, headers, c["id"], {"preferences": None}).json()
    assert got["preferences"] == {"language": None, "preferred_channel": None}


def test_preferences_are_readable_and_settable_on_the_contacts_api_too(h):
    headers = h.register()
    c = h.contact(headers, "+12015550104", language="en-gb", preferredChannel="email")
    assert (c["language"], c["preferredChannel"]) == ("en-GB", "email")
    resp = h.client.put(f"/contacts/{c['id']}", headers=headers, json={"language": "fr"})
    assert resp.status_code == 200 and resp.json()["data"]["language"] == "fr"
    assert profile(h, headers, c["id"]).json()["preferences"] == {
        "language": "fr",
        "preferred_channel": "email",
    }
    bad = h.client.put(f"/contacts/{c['id']}", headers=headers, json={"language": "xx-"})
    assert bad.status_code == 400


def test_tags_replace_the_list_without_blanks_or_duplicates(h):
    headers = h.register()
    c = h.contact(headers, "+12015550105", tags=["old"])
    got = put(h, headers, c["id"], {"tags": ["vip", " returning ", "vip", ""]}).json()
    assert got["tags"] == ["vip", "returning"]
    assert put(h, headers, c["id"], {"tags": ["x" * 51]}).status_code == 400
    assert put(h, headers, c["id"], {"tags": None}).json()["tags"] == []


def test_phone_and_email_follow_the_contacts_rules(h):
    headers = h.register()
    a = h.contact(headers, "+12015550106")
    b = h.contact(headers, "+12015550107")
    # A number in the tenant's national format becomes E.164, and the old number is free again
    got = put(h, headers, a["id"], {"phone": "(201) 555-0199"})
    assert got.status_code == 200 and got.json()["phone"] == "+12015550199"
    assert h.contact(headers, "+12015550106")["phoneE164"] == "+12015550106"
    # Another customer's number is a 409, and nothing changes
    taken = put(h, headers, a["id"], {"phone": "+12015550107"})
    assert taken.status_code == 409 and taken.json()["error"] == "conflict"
    assert profile(h, headers, a["id"]).json()["phone"] == "+12015550199"
    assert profile(h, headers, b["id"]).json()["phone"] == "+12015550107"
    # Not a number, a removed number, a bad address, consent, an unknown field: 400s
    for body in (
        {"phone": "12"},
        {"phone": "not a phone"},
        {"phone": None},
        {"email": "nobody"},
        {"name": "x" * 101},
        {"consent": {"sms": "opted_out"}},
        {"sms_consent": "opted_out"},
        {"customer_id": a["id"]},
    ):
        resp = put(h, headers, a["id"], body)
        assert resp.status_code == 400, (body, resp.text)
        assert resp.json()["success"] is False
    assert profile(h, headers, a["id"]).json()["consent"]["sms"] == "opted_in"
    # An e-mail can be cleared
    put(h, headers, a["id"], {"email": "a@shop.test"})
    assert put(h, headers, a["id"], {"email": None}).json()["email"] is None


def test_another_tenants_or_an_unknown_customer_is_a_404(h):
    mine = h.register()
    theirs = h.register(email="other@shop.test", tenant="Other")
    c = h.contact(mine, "+12015550108", firstName="Ada")
    for cid in (c["id"], "01ARZ3NDEKTSV4RRFFQ69G5FAV", "nope", "x" * 300):
        for resp in (
            profile(h, theirs, cid),
            put(h, theirs, cid, {"name": "Eve"}),
            h.client.get(f"/customers/{cid}/history", headers=theirs),
        ):
            assert resp.status_code == 404, resp.text
            assert resp.json()["error"] == "not_found"
    assert profile(h, mine, c["id"]).json()["name"] == "Ada"


def test_history_limit_is_bounded(h):
    headers = h.register()
    c = h.contact(headers, "+12015550109")
    url = f"/customers/{c['id']}/history"
    assert h.client.get(url, headers=headers).json() == {"interactions": []}
    for bad in ("0", "101", "many"):
        resp = h.client.get(url, headers=headers, params={"limit": bad})
        assert resp.status_code == 400 and resp.json()["error"] == "validation_error"


def _sms(h, phone: str, body: str, sid: str):
    params = {"MessageSid": sid, "From": phone, "To": "+15017122661", "Body": body}
    sig = RequestValidator(SECRET).compute_signature(BASE + INBOUND, params)
    return h.client.post(
        INBOUND,
        content=urlencode(params),
        headers={"Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": sig},
    )


def _ask_rating(tenant_id: str, conversation_id: str) -> None:
    """Write the rating question into the session as engage/ratings/ask.py does."""
    from engage.conversations import messages
    from engage.conversations import store as conversations
    from engage.conversations.schemas import MessageCreate, MessageType
    from engage.ratings.ask import CHAT_QUESTION, SYSTEM

    conv = conversations.get_conversation(tenant_id, conversation_id)
    body = MessageCreate.model_construct(
        content=CHAT_QUESTION, type=MessageType.RATING_REQUEST, client_message_id=None
    )
    messages.send(tenant_id, conv, SYSTEM, body, private=False)


@pytest.mark.voice_calls
def test_history_shows_every_channel_newest_first(h):
    from engage.conversations import inbound
    from engage.conversations.schemas import Channel

    moment = [dt.datetime.now(dt.UTC).replace(microsecond=0)]
    clock.set_clock(lambda: moment[0])

    def later(minutes: int = 1) -> None:
        moment[0] += dt.timedelta(minutes=minutes)

    headers = h.register()
    tenant = tenant_of(h, headers)
    phone = "+15125550010"  # the sandbox answers numbers ending in 0-5
    c = h.contact(headers, phone, firstName="Ada")
    h.contact(headers, "+15125550020")  # someone else, whose campaign message is not Ada's
    # Given a campaign text that reached her
    later()
    campaign = h.campaign(headers, name="Spring sale", message="Sale today")
    assert h.client.post(f"/campaigns/{campaign['id']}/enqueue", headers=headers).status_code == 200
    h.send_all()
    # And her SMS reply (an SMS session), then a chat session from the chat widget
    later()
    assert _sms(h, phone, "Do you have it in blue?\nSize M", "SMh1").status_code == 200
    later()
    chat, _ = inbound.receive(tenant, c["id"], Channel.CHAT, "Where is my order?")
    chat_id = keys.parse_conversation_partition(chat.pk)[1]
    # ... which an agent resolves, and the customer is asked for a rating (a system record)
    url = f"/admin/api/conversations/{chat_id}"
    assert h.client.put(url, headers=headers, json={"status": "resolved"}).status_code == 200
    _ask_rating(tenant, chat_id)
    # And a call of a voice campaign over her
    later()
    body = {
        "campaign_name": "Follow-up",
        "contact_ids": [c["id"]],
        "first_call_time": "00:00",
        "last_call_time": "23:59",
        "max_attempts": 1,
    }
    resp = h.client.post("/api/campaigns", headers=headers, json=body)
    assert resp.status_code == 201, resp.text
    voice_id = resp.json()["campaign"]["id"]
    later()
    assert h.client.post(f"/api/campaigns/{voice_id}/start", headers=headers).status_code == 200
    h.run_calls()
    # When the console reads her history
    resp = h.client.get(f"/customers/{c['id']}/history", headers=headers)
    # Then it shows the call, the chat, the SMS session and the campaign message, newest first
    assert resp.status_code == 200, resp.text
    got = resp.json()["interactions"]
    assert [(i["kind"], i["channel_type"]) for i in got] == [
        ("call", "voice"),
        ("session", "chat"),
        ("session", "sms"),
        ("campaign_message", "sms"),
    ]
    call, chat_session, sms_session, message = got
    assert call["session_id"] is None and call["id"] == f"{voice_id}-000001"
    assert call["status"] == "completed" and call["summary"] == "Follow-up: answered"
    assert chat_session["session_id"] == chat_session["id"] == chat_id
    assert (chat_session["status"], chat_session["summary"]) == (
        "resolved",
        "Where is my order?",
    )
    assert sms_session["summary"] == "Do you have it in blue?"
    assert message["session_id"] is None and message["id"] == campaign["id"]
    assert (message["status"], message["summary"]) == ("delivered", "Spring sale")
    assert [i["created_at"] for i in got] == sorted((i["created_at"] for i in got), reverse=True)
    assert set(got[0]) == {"session_id", "kind", "id", "channel_type", "created_at"} | {
        "status",
        "summary",
    }
    # And `limit` applies after the merge
    resp = h.client.get(f"/customers/{c['id']}/history?limit=2", headers=headers)
    assert [i["id"] for i in resp.json()["interactions"]] == [call["id"], chat_session["id"]]

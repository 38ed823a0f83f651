"""Customer satisfaction ratings over SMS and WhatsApp (issue 11 "Analytics": "a reply with a
digit on SMS and WhatsApp"): a resolved session is asked on its channel under that channel's
rules, a lone digit 1-5 replied through the signed webhook records the rating once without
reopening the session, and any later digit is an ordinary message; e-mail is not asked."""

from __future__ import annotations

import datetime as dt

import pytest

from engage.channels.sandbox import OUTBOX
from engage.core import clock, keys
from engage.ratings.ask import TEXT_QUESTION
from tests.unit.ratings_helpers import Bus, console_messages, conversation, resolve
from tests.unit.test_inbound_inbox import PHONE, sms
from tests.unit.test_whatsapp import (
    INBOUND,
    TEMPLATE_SID,
    TOKEN,
    customer_wrote,
    inbound,
    signed,
    twilio,  # noqa: F401 (the fixture)
)


@pytest.fixture
def bus(h):
    return Bus(h)


def sms_session(h, headers: dict) -> str:
    """A contact who texted the business; returns their SMS session's id."""
    h.contact(headers, PHONE, firstName="Ada")
    assert sms(h, "My parcel is late", sid="SMfirst").status_code == 200
    (conv,) = h.client.get("/admin/api/conversations", headers=headers).json()["data"]
    return str(conv["id"])


def test_a_resolved_sms_session_is_asked_by_sms_and_a_4_reply_is_recorded_once(h, bus):
    # Given an SMS session that the owner resolves, and the question it sends
    owner = h.register()
    cid = sms_session(h, owner)
    resolve(h, owner, cid)
    bus.run()
    (question,) = [m for m in OUTBOX.list() if m["body"] == TEXT_QUESTION]
    assert (question["channel"], question["to"]) == ("sms", PHONE)
    # When the customer replies "4"
    assert sms(h, " 4 ", sid="SMrate").status_code == 200
    bus.run()
    # Then one rating of 4 is recorded on SMS, the digit is in the history and the session
    # stays resolved
    assert [(e["data"]["score"], e["data"]["channel"]) for e in bus.recorded] == [(4, "sms")]
    assert bus.recorded[0]["data"]["session_id"] == cid
    assert console_messages(h, owner, cid)[-1]["content"] == " 4 "
    assert conversation(h, owner, cid)["status"] == "resolved"
    # and a redelivery of the same reply changes nothing
    assert sms(h, " 4 ", sid="SMrate").status_code == 200
    # When they send "4" again
    assert sms(h, "4", sid="SMagain").status_code == 200
    bus.run()
    # Then it is an ordinary message: no second rating, and it reopens the session
    assert len(bus.recorded) == 1
    contents = [m["content"] for m in console_messages(h, owner, cid)]
    assert contents[-2:] == [" 4 ", "4"]
    assert conversation(h, owner, cid)["status"] == "open"


def test_a_digit_answers_the_asked_session_even_when_a_newer_one_is_open(h, bus):
    # Given an SMS session resolved and asked for a rating
    owner = h.register()
    asked = sms_session(h, owner)
    resolve(h, owner, asked)
    bus.run()
    # And a newer SMS session the team opened for the same customer meanwhile
    customer_id = conversation(h, owner, asked)["contact_id"]
    made = h.client.post(
        "/sessions/create",
        headers=owner,
        json={"customer_id": customer_id, "channel_type": "sms", "priority": "normal"},
    )
    assert made.status_code == 201, made.text
    newer = made.json()["session_id"]
    # When the customer replies "5"
    assert sms(h, "5", sid="SMfive").status_code == 200
    bus.run()
    # Then the rating is the asked session's, and the digit is written there, not in the newer
    assert [(e["data"]["session_id"], e["data"]["score"]) for e in bus.recorded] == [(asked, 5)]
    assert console_messages(h, owner, asked)[-1]["content"] == "5"
    assert "5" not in [m["content"] for m in console_messages(h, owner, newer)]
    assert conversation(h, owner, asked)["status"] == "resolved"


def test_a_reply_that_is_not_a_lone_digit_1_to_5_is_an_ordinary_message(h, bus):
    owner = h.register()
    cid = sms_session(h, owner)
    resolve(h, owner, cid)
    bus.run()
    assert sms(h, "6", sid="SMsix").status_code == 200
    bus.run()
    assert bus.recorded == []
    assert conversation(h, owner, cid)["status"] == "open"


def test_a_digit_after_the_reply_window_is_an_ordinary_message(h, bus):
    # Given an SMS session asked for a rating
    owner = h.register()
    cid = sms_session(h, owner)
    resolve(h, owner, cid)
    bus.run()
    # When the customer answers after RATING_REPLY_WINDOW_HOURS (72)
    later = dt.datetime.now(dt.UTC) + dt.timedelta(hours=73)
    clock.set_clock(lambda: later)
    assert sms(h, "5", sid="SMlate").status_code == 200
    bus.run()
    # Then nothing is recorded
    assert bus.recorded == []


def test_an_sms_session_of_a_contact_who_opted_out_is_not_asked(h, bus):
    owner = h.register()
    cid = sms_session(h, owner)
    assert sms(h, "STOP", sid="SMstop").status_code == 200
    OUTBOX.clear()
    resolve(h, owner, cid)
    bus.run()
    assert OUTBOX.list() == []
    assert "rating_request" not in [m["type"] for m in console_messages(h, owner, cid)]


def test_a_whatsapp_session_inside_the_window_is_asked_and_a_digit_answers(h, bus, twilio):  # noqa: F811
    # Given a WhatsApp customer who wrote an hour ago, and their session resolved
    owner = h.register()
    cid = customer_wrote(h, owner, hours_ago=1)
    resolve(h, owner, cid)
    bus.run()
    # Then the question went out free-form on WhatsApp
    (sent,) = twilio
    assert sent["Body"] == TEXT_QUESTION and sent["To"] == f"whatsapp:{PHONE}"
    # When they answer "2"
    assert signed(h, INBOUND, inbound(PHONE, "2", sid="SMwa2"), TOKEN).status_code == 200
    bus.run()
    assert [(e["data"]["score"], e["data"]["channel"]) for e in bus.recorded] == [(2, "whatsapp")]


def test_outside_the_whatsapp_window_without_a_template_nobody_is_asked(h, bus, twilio):  # noqa: F811
    owner = h.register()
    cid = customer_wrote(h, owner, hours_ago=30, whatsappConsent="opted_in")
    resolve(h, owner, cid)
    bus.run()
    assert twilio == []
    assert "rating_request" not in [m["type"] for m in console_messages(h, owner, cid)]
    # and a digit later is an ordinary message
    assert signed(h, INBOUND, inbound(PHONE, "5", sid="SMwa5"), TOKEN).status_code == 200
    bus.run()
    assert bus.recorded == []


def test_outside_the_whatsapp_window_the_configured_template_asks(
    h,
    bus,
    twilio,  # noqa: F811
    monkeypatch,
):
    from tests.conftest import reset_caches

    monkeypatch.setenv("RATING_WHATSAPP_TEMPLATE_SID", TEMPLATE_SID)
    reset_caches()
    owner = h.register()
    cid = customer_wrote(h, owner, hours_ago=30, whatsappConsent="opted_in")
    resolve(h, owner, cid)
    bus.run()
    (sent,) = twilio
    assert sent["ContentSid"] == TEMPLATE_SID and "Body" not in sent


def test_an_email_session_is_not_asked(h, bus):
    from engage.contacts import store as contacts
    from engage.conversations.schemas import Channel
    from engage.conversations.service import open_conversation

    owner = h.register()
    tenant_id = h.client.get("/auth/me", headers=owner).json()["data"]["tenant"]["id"]
    made = h.contact(owner, PHONE, email="ada@example.com")
    contact = contacts.get(tenant_id, made["id"])
    conv = open_conversation(tenant_id, contact, Channel.EMAIL)
    cid = keys.parse_conversation_partition(conv.pk)[1]
    resolve(h, owner, cid)
    bus.run()
    assert console_messages(h, owner, cid) == []

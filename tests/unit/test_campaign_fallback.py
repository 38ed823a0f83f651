"""Delivery `first_available` falls back to the next channel (issue 10 "Campaigns on any
channel"): a recipient whose first channel is excluded by the frequency cap or held by quiet
hours gets the campaign's message on the next channel they can be reached on and consented to,
once; the credits held for them are the costliest channel's, and what is not spent is refunded.
The campaign is sent for real (dispatch, the sender, sandbox SMS/WhatsApp and e-mail)."""

from __future__ import annotations

import datetime as dt

import pytest

from engage.campaigns.models import MessageItem
from engage.channels.email_sandbox import EMAIL_OUTBOX
from engage.channels.sandbox import OUTBOX
from engage.core import clock, keys
from engage.core.settings import get_settings
from tests.unit.test_campaign_channels import ALL, _campaign, _me, _person, _sent, _stats


def _send(h, headers, campaign_id):
    resp = h.client.post(f"/campaigns/{campaign_id}/enqueue", headers=headers)
    assert resp.status_code == 200, resp.text
    h.send_all()
    return resp.json()["data"]


def _items(h, headers, campaign_id):
    tenant_id = _me(h, headers)["tenant"]["id"]
    return [
        m
        for s in range(get_settings().message_shards)
        for m in MessageItem.query(keys.message_key(tenant_id, campaign_id, s, 1, "x")[0])
    ]


def test_a_capped_first_channel_falls_back_to_the_next_one_the_contact_can_get(h, cap_of_one):
    # Given a contact reachable on SMS and e-mail who already had this week's SMS,
    # and one reachable by SMS only who had it too
    headers = h.register()
    _person(h, headers, 0, whatsapp="unknown")
    _person(h, headers, 1, email=False, whatsapp="unknown")
    _send(h, headers, _campaign(h, headers, ["sms"])["id"])
    assert _sent("sms") == ["+12015550100", "+12015550101"]
    # When a first_available campaign on SMS, WhatsApp and e-mail is sent
    c = _campaign(h, headers, ALL, delivery="first_available")
    queued = _send(h, headers, c["id"])
    # Then the first contact gets it by e-mail, once, and the second (nowhere else) is skipped
    assert queued == {"status": "queued", "queuedRecipients": 2, "creditsDebited": 2}
    assert _sent("email") == ["p0@people.test"]
    assert _sent("sms") == ["+12015550100", "+12015550101"]  # no second SMS
    assert _sent("whatsapp") == []
    # And one message item per recipient says what happened
    got = sorted((m.channel or "sms", m.status, m.error) for m in _items(h, headers, c["id"]))
    assert got == [("email", "sent", None), ("sms", "skipped", "frequency cap reached on sms")]
    # And the stats count the e-mail as e-mail, the skipped SMS as SMS, and refund the skip
    stats = _stats(h, headers, c["id"])
    assert stats["status"] == "sent"
    per_channel = {
        ch: (n["queued"], n["sent"] + n["delivered"], n["skipped"])
        for ch, n in stats["channels"].items()
    }
    assert per_channel == {"sms": (0, 0, 1), "whatsapp": (0, 0, 0), "email": (0, 1, 0)}
    assert stats["credits"] == {"debited": 2, "refunded": 1, "used": 1}


def test_a_contact_capped_on_every_channel_gets_nothing_and_is_refunded(h, cap_of_one):
    # Given a contact who had this week's SMS and e-mail
    headers = h.register()
    _person(h, headers, 0, whatsapp="unknown")
    _send(h, headers, _campaign(h, headers, ["sms", "email"])["id"])
    # When a first_available campaign on SMS and e-mail is sent
    c = _campaign(h, headers, ["sms", "email"], delivery="first_available")
    _send(h, headers, c["id"])
    # Then nothing more went, and the one item names both capped channels
    assert (_sent("sms"), _sent("email")) == (["+12015550100"], ["p0@people.test"])
    (item,) = _items(h, headers, c["id"])
    assert (item.status, item.error) == ("skipped", "frequency cap reached on sms, email")
    stats = _stats(h, headers, c["id"])
    assert stats["status"] == "sent" and stats["credits"]["used"] == 0


def test_an_uncapped_first_channel_is_used_and_the_costliest_channel_is_refunded(h):
    # Given a contact reachable on e-mail and SMS, and a two-segment text
    headers = h.register()
    _person(h, headers, 0, whatsapp="unknown")
    c = _campaign(h, headers, ["email", "sms"], delivery="first_available")
    long = "x" * 200 + " {{firstName|there}}"
    h.client.put(f"/campaigns/{c['id']}", headers=headers, json={"message": long})
    # When the campaign is sent
    queued = _send(h, headers, c["id"])
    # Then the e-mail went, the SMS's two segments were held and one credit refunded
    assert queued["creditsDebited"] == 2
    assert (_sent("email"), _sent("sms")) == (["p0@people.test"], [])
    assert _stats(h, headers, c["id"])["credits"] == {"debited": 2, "refunded": 1, "used": 1}


def test_quiet_hours_send_the_email_of_a_first_available_recipient_instead_of_waiting(h):
    from tests.conftest import FUNCTIONS

    # Given a tenant in quiet hours (00:30 in Athens), a contact reachable on SMS and e-mail
    # and one reachable by SMS only
    headers = h.register()
    clock.set_clock(lambda: dt.datetime(2026, 11, 21, 22, 30, tzinfo=dt.UTC))
    _person(h, headers, 0, whatsapp="unknown")
    _person(h, headers, 1, email=False, whatsapp="unknown")
    quiet = {"enabled": True, "start": "21:00", "end": "08:00"}
    h.client.put(
        "/settings", headers=headers, json={"timezone": "Europe/Athens", "quietHours": quiet}
    )
    c = _campaign(h, headers, ["sms", "email"], delivery="first_available")
    h.client.post(f"/campaigns/{c['id']}/enqueue", headers=headers)
    # When dispatch runs during quiet hours
    [state] = h.run_dispatch()
    h.drain()
    # Then the first contact gets the e-mail now; the second's SMS waits for 08:00
    assert state["waitUntil"] == "2026-11-22T06:00:00.000Z"
    assert (_sent("email"), _sent("sms")) == (["p0@people.test"], [])
    # When quiet hours are over
    clock.set_clock(lambda: dt.datetime(2026, 11, 22, 6, 1, tzinfo=dt.UTC))
    fn = FUNCTIONS["DispatchFunction"]
    state = fn.invoke({"action": "page", **state})
    while not state["done"]:
        state = fn.invoke({"action": "page", **state})
    fn.invoke({"action": "finalize", **state})
    h.drain()
    # Then only the second contact gets an SMS, and each got one message
    assert (_sent("email"), _sent("sms")) == (["p0@people.test"], ["+12015550101"])
    stats = _stats(h, headers, c["id"])
    assert stats["status"] == "sent" and stats["credits"]["used"] == 2
    assert all(n["queued"] == 0 for n in stats["channels"].values())


def test_a_redelivered_batch_with_fallbacks_sends_nothing_twice(h, cap_of_one):
    from engage.campaigns.sender import process_record_body

    # Given capped SMS and a dispatched first_available campaign on SMS and e-mail
    headers = h.register()
    for n in range(3):
        _person(h, headers, n, whatsapp="unknown")
    _send(h, headers, _campaign(h, headers, ["sms"])["id"])
    c = _campaign(h, headers, ["sms", "email"], delivery="first_available")
    h.client.post(f"/campaigns/{c['id']}/enqueue", headers=headers)
    h.run_dispatch()
    bodies = [r["body"] for event in h.sqs_event("SEND_QUEUE_URL") for r in event["Records"]]
    # When SQS delivers the same message twice
    first = [process_record_body(b) for b in bodies]
    again = [process_record_body(b) for b in bodies]
    # Then each recipient got one e-mail, once
    assert sum(r["sent"] for r in first) == 3 and sum(r["sent"] for r in again) == 0
    assert len(_sent("email")) == 3 and len(OUTBOX.list()) == 3


def test_a_sender_that_dies_while_falling_back_is_taken_over_without_sending_twice(
    h, cap_of_one, monkeypatch
):
    from engage.campaigns import sender
    from engage.channels.email_sandbox import SandboxEmail
    from tests.conftest import reset_caches

    monkeypatch.setenv("CONTACT_SHARDS", "1")  # one page, one SQS message of 30 recipients
    reset_caches()
    # Given 30 contacts whose SMS is capped, and a first_available campaign on SMS and e-mail
    headers = h.register()
    for n in range(30):
        _person(h, headers, n, whatsapp="unknown")
    _send(h, headers, _campaign(h, headers, ["sms"])["id"])
    c = _campaign(h, headers, ["sms", "email"], delivery="first_available")
    h.client.post(f"/campaigns/{c['id']}/enqueue", headers=headers)
    h.run_dispatch()
    [body] = [r["body"] for e in h.sqs_event("SEND_QUEUE_URL") for r in e["Records"]]
    real_send = SandboxEmail.send
    calls = {"n": 0}

    def dying_send(self, email):
        calls["n"] += 1
        if calls["n"] == 28:  # the 3rd recipient of the second chunk of 25
            raise TimeoutError("Lambda timed out")
        return real_send(self, email)

    # When the sender dies falling back to e-mail, and another takes the batch over later
    monkeypatch.setattr(SandboxEmail, "send", dying_send)
    with pytest.raises(TimeoutError):
        sender.process_record_body(body)
    assert len(EMAIL_OUTBOX.list()) == 27
    later = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=3)
    clock.set_clock(lambda: later)
    result = sender.process_record_body(body)
    # Then the first chunk stands as sent on e-mail, the one in flight is failed as unknown,
    # and nobody got a second message on any channel
    assert result == {"sent": 25, "failed": 5, "skipped": 0}
    assert len(EMAIL_OUTBOX.list()) == 27 and len(OUTBOX.list()) == 30
    assert len({m["to"] for m in EMAIL_OUTBOX.list()}) == 27
    h.drain()
    stats = _stats(h, headers, c["id"])
    assert stats["status"] == "sent"
    assert stats["channels"]["sms"]["failed"] == 5  # unknown: recorded on their first channel
    assert stats["channels"]["email"]["sent"] + stats["channels"]["email"]["delivered"] == 25
    assert all(n["queued"] == 0 for n in stats["channels"].values())
    assert stats["credits"] == {"debited": 30, "refunded": 5, "used": 25}

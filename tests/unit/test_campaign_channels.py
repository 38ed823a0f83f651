"""Campaigns on several channels (issue 10 "Campaigns on any channel"; seed 003 section 5):
`PUT /campaigns/{id}/channels`, `GET /campaigns/{id}/omnichannel` and the SMS dispatch
pipeline sending SMS, WhatsApp and e-mail, exactly once per recipient per channel."""

from __future__ import annotations

import datetime as dt

import pytest

from engage.channels.email_sandbox import EMAIL_OUTBOX
from engage.channels.sandbox import OUTBOX
from engage.core import clock

TEMPLATE = "HX" + "0123456789abcdef" * 2
SETTINGS = {
    "whatsapp": {"template": TEMPLATE, "variables": {"1": "{{firstName|there}}"}},
    "email": {
        "subject": "Hello {{firstName|there}}",
        "html": '<p>Hi {{firstName|there}}, <a href="https://shop.test/sale">the sale</a></p>',
    },
}
ALL = ["sms", "whatsapp", "email"]


def _me(h, headers):
    return h.client.get("/auth/me", headers=headers).json()["data"]


def _person(h, headers, n, email=True, sms="opted_in", whatsapp="opted_in", mail="opted_in"):
    fields = {"firstName": f"P{n}", "smsConsent": sms}
    fields |= {"whatsappConsent": whatsapp, "emailConsent": mail}
    if email:
        fields["email"] = f"p{n}@people.test"
    return h.contact(headers, f"+1201555{100 + n:04d}", **fields)


def _email_only(h, headers, address):
    """A contact with an e-mail address, opted in to e-mail, and no phone."""
    from engage.contacts.consent import ConsentChannel, set_channel_consent
    from engage.contacts.lookup import ensure_contact_for_email

    tenant_id = _me(h, headers)["tenant"]["id"]
    contact_id = ensure_contact_for_email(tenant_id, address, "Dee Mail")
    set_channel_consent(tenant_id, contact_id, ConsentChannel.EMAIL, "opted_in", "api")
    return contact_id


def _campaign(h, headers, channels, delivery="all", **body):
    c = h.campaign(headers, message="Hi {{firstName|there}}! https://shop.test/sale", **body)
    payload = {"channels": channels, "settings": SETTINGS, "delivery": delivery}
    resp = h.client.put(f"/campaigns/{c['id']}/channels", headers=headers, json=payload)
    assert resp.status_code == 200, resp.text
    return c


def _sent(channel):
    if channel == "email":
        return sorted(m["to"] for m in EMAIL_OUTBOX.list())
    return sorted(m["to"] for m in OUTBOX.list() if m["channel"] == channel)


def _stats(h, headers, campaign_id):
    return h.client.get(f"/campaigns/{campaign_id}/stats", headers=headers).json()["data"]


def test_a_three_channel_campaign_reaches_each_consented_contact_once_per_channel(h):
    # Given contacts reachable on different channels
    headers = h.register()
    everyone = _person(h, headers, 0)
    _person(h, headers, 1, email=False, whatsapp="opted_out")  # SMS; e-mail has no address
    _person(h, headers, 2, sms="unknown", mail="unknown")  # WhatsApp only
    _email_only(h, headers, "dee@people.test")  # no phone: e-mail only
    _person(h, headers, 4, sms="opted_out", whatsapp="opted_out", mail="opted_out")
    c = _campaign(h, headers, ALL)
    # When the campaign is sent on SMS, WhatsApp and e-mail
    resp = h.client.post(f"/campaigns/{c['id']}/enqueue", headers=headers)
    assert resp.json()["data"] == {"status": "queued", "queuedRecipients": 4, "creditsDebited": 6}
    h.send_all()
    # Then each consented, reachable contact got one message per channel, the rest nothing
    assert _sent("sms") == ["+12015550100", "+12015550101"]
    assert _sent("whatsapp") == ["+12015550100", "+12015550102"]
    assert _sent("email") == ["dee@people.test", "p0@people.test"]
    # And a WhatsApp message outside the 24-hour window went as the template
    wa = next(m for m in OUTBOX.list() if m["channel"] == "whatsapp" and m["to"] == "+12015550100")
    assert wa["contentSid"] == TEMPLATE and '"P0"' in wa["body"]
    # And the e-mail carries the recipient's name and short link, and one-click unsubscribe
    mail = next(m for m in EMAIL_OUTBOX.list() if m["to"] == everyone["email"])
    assert mail["subject"] == "Hello P0" and "https://sho.rt/r/" in mail["html"]
    assert "shop.test" not in mail["html"] and "Hi P0" in mail["text"]
    # And the stats count each channel, seed 004's fields the SMS messages
    stats = _stats(h, headers, c["id"])
    assert stats["status"] == "sent" and stats["sentCount"] == 2
    assert {
        ch: (n["delivered"] + n["sent"], n["skipped"]) for ch, n in stats["channels"].items()
    } == {
        "sms": (2, 0),
        "whatsapp": (2, 0),
        "email": (2, 0),
    }
    assert stats["credits"] == {"debited": 6, "refunded": 0, "used": 6}
    omni = h.client.get(f"/campaigns/{c['id']}/omnichannel", headers=headers).json()
    assert omni["campaign_id"] == c["id"] and omni["channels"] == ALL
    assert omni["metrics"]["total_sent"] == 6


def test_first_available_sends_on_the_first_reachable_channel_only(h):
    # Given one contact reachable everywhere and one only by SMS
    headers = h.register()
    _person(h, headers, 0)
    _person(h, headers, 1, whatsapp="unknown", mail="unknown")
    c = _campaign(h, headers, ["whatsapp", "email", "sms"], delivery="first_available")
    # When the campaign is sent with delivery first_available
    resp = h.client.post(f"/campaigns/{c['id']}/enqueue", headers=headers)
    h.send_all()
    # Then each got one message, on the first of the campaign's channels they can be reached on
    assert resp.json()["data"]["creditsDebited"] == 2
    assert (_sent("whatsapp"), _sent("sms"), _sent("email")) == (
        ["+12015550100"],
        ["+12015550101"],
        [],
    )


def test_the_frequency_cap_holds_across_campaigns_per_channel(h, monkeypatch):
    # Given a cap of one marketing message per channel per 7 days
    monkeypatch.setenv("CAMPAIGN_FREQUENCY_CAP", "1")
    from tests.conftest import reset_caches

    reset_caches()
    headers = h.register()
    start = dt.datetime.now(dt.UTC)
    _person(h, headers, 0)
    first = _campaign(h, headers, ["sms"])
    second = _campaign(h, headers, ["sms", "email"])
    # When one campaign sent an SMS and a second one sends SMS and e-mail
    h.client.post(f"/campaigns/{first['id']}/enqueue", headers=headers)
    h.send_all()
    h.client.post(f"/campaigns/{second['id']}/enqueue", headers=headers)
    h.send_all()
    # Then the second SMS is skipped (and refunded) and the e-mail still goes
    assert (_sent("sms"), _sent("email")) == (["+12015550100"], ["p0@people.test"])
    stats = _stats(h, headers, second["id"])
    assert stats["channels"]["sms"]["skipped"] == 1 and stats["credits"]["refunded"] == 1
    assert _skip_reasons(h, headers, second["id"]) == ["frequency cap reached on sms"]
    # And eight days later the contact can get an SMS again
    clock.set_clock(lambda: start + dt.timedelta(days=8))
    third = _campaign(h, headers, ["sms"])
    h.client.post(f"/campaigns/{third['id']}/enqueue", headers=headers)
    h.send_all()
    assert len(_sent("sms")) == 2


def _skip_reasons(h, headers, campaign_id):
    from engage.campaigns.models import MessageItem
    from engage.core import keys
    from engage.core.settings import get_settings

    tenant_id = _me(h, headers)["tenant"]["id"]
    shards = get_settings().message_shards
    items = [
        m
        for s in range(shards)
        for m in MessageItem.query(keys.message_key(tenant_id, campaign_id, s, 1, "x")[0])
    ]
    return [m.error for m in items if m.status == "skipped"]


def test_quiet_hours_hold_sms_and_whatsapp_but_not_email(h):
    from tests.conftest import FUNCTIONS

    # Given a tenant in quiet hours (00:30 in Athens) and a three-channel campaign
    headers = h.register()
    clock.set_clock(lambda: dt.datetime(2026, 11, 21, 22, 30, tzinfo=dt.UTC))
    _person(h, headers, 0)
    h.client.put(
        "/settings",
        headers=headers,
        json={
            "timezone": "Europe/Athens",
            "quietHours": {"enabled": True, "start": "21:00", "end": "08:00"},
        },
    )
    c = _campaign(h, headers, ALL)
    h.client.post(f"/campaigns/{c['id']}/enqueue", headers=headers)
    # When dispatch runs during quiet hours
    [state] = h.run_dispatch()
    h.drain()
    # Then the e-mail went at once and SMS and WhatsApp wait for 08:00
    assert state["waitUntil"] == "2026-11-22T06:00:00.000Z"
    assert (_sent("email"), _sent("sms"), _sent("whatsapp")) == (["p0@people.test"], [], [])
    # When quiet hours are over and dispatch resumes
    clock.set_clock(lambda: dt.datetime(2026, 11, 22, 6, 1, tzinfo=dt.UTC))
    fn = FUNCTIONS["DispatchFunction"]
    state = fn.invoke({"action": "page", **state})
    while not state["done"]:
        state = fn.invoke({"action": "page", **state})
    fn.invoke({"action": "finalize", **state})
    h.drain()
    # Then the held SMS and WhatsApp messages go, once each, and the campaign completes
    assert (_sent("email"), _sent("sms"), _sent("whatsapp")) == (
        ["p0@people.test"],
        ["+12015550100"],
        ["+12015550100"],
    )
    stats = _stats(h, headers, c["id"])
    assert stats["status"] == "sent"
    assert all(n["queued"] == 0 and n["skipped"] == 0 for n in stats["channels"].values())


def test_a_redelivered_send_batch_sends_nothing_twice_on_any_channel(h):
    from engage.campaigns.sender import process_record_body

    # Given a dispatched three-channel campaign
    headers = h.register()
    for n in range(3):
        _person(h, headers, n)
    c = _campaign(h, headers, ALL)
    h.client.post(f"/campaigns/{c['id']}/enqueue", headers=headers)
    h.run_dispatch()
    bodies = [r["body"] for event in h.sqs_event("SEND_QUEUE_URL") for r in event["Records"]]
    assert len(bodies) == 1  # three recipients on three channels: one SQS message
    # When SQS delivers the same message twice
    first = [process_record_body(b) for b in bodies]
    again = [process_record_body(b) for b in bodies]
    # Then every message went once
    assert sum(r["sent"] for r in first) == 9 and sum(r["sent"] for r in again) == 0
    assert (len(_sent("sms")), len(_sent("whatsapp")), len(_sent("email"))) == (3, 3, 3)


def test_a_retried_dispatch_page_sends_nothing_twice(h):
    from tests.conftest import FUNCTIONS

    # Given a three-channel campaign whose first dispatch page ran
    headers = h.register()
    for n in range(2):
        _person(h, headers, n)
    c = _campaign(h, headers, ALL)
    h.client.post(f"/campaigns/{c['id']}/enqueue", headers=headers)
    fn = FUNCTIONS["DispatchFunction"]
    state = fn.invoke(
        {
            "action": "prepare",
            "tenantId": _me(h, headers)["tenant"]["id"],
            "campaignId": c["id"],
            "run": 1,
        }
    )
    # When Step Functions retries the page (the first attempt's result was lost)
    fn.invoke({"action": "page", **state})
    state = fn.invoke({"action": "page", **state})
    fn.invoke({"action": "finalize", **state})
    h.drain()
    # Then each recipient got one message per channel and the counts agree
    assert (len(_sent("sms")), len(_sent("whatsapp")), len(_sent("email"))) == (2, 2, 2)
    stats = _stats(h, headers, c["id"])
    assert stats["status"] == "sent" and stats["credits"]["used"] == 6


def test_credits_follow_the_price_table_and_consent_is_rechecked_per_channel(h):
    # Given a two-segment message on three channels (SMS 2 credits, WhatsApp 1, e-mail 1)
    headers = h.register()
    people = [_person(h, headers, n) for n in range(2)]
    c = _campaign(h, headers, ALL)
    h.client.put(f"/campaigns/{c['id']}", headers=headers, json={"message": "x" * 200})
    resp = h.client.post(f"/campaigns/{c['id']}/enqueue", headers=headers)
    assert resp.json()["data"]["creditsDebited"] == 8
    assert _me(h, headers)["tenant"]["credits"] == 992
    # When one contact leaves WhatsApp after dispatch
    h.run_dispatch()
    h.client.put(
        f"/contacts/{people[0]['id']}", headers=headers, json={"whatsappConsent": "opted_out"}
    )
    h.drain()
    # Then only their WhatsApp message is skipped, and its credit comes back
    assert _sent("whatsapp") == ["+12015550101"]
    assert len(_sent("sms")) == len(_sent("email")) == 2
    stats = _stats(h, headers, c["id"])
    assert stats["channels"]["whatsapp"]["skipped"] == 1
    assert stats["credits"] == {"debited": 8, "refunded": 1, "used": 7}
    assert _me(h, headers)["tenant"]["credits"] == 993


def test_another_tenants_campaign_is_404_on_the_channel_routes(h):
    mine = h.register("me@shop.test")
    theirs = h.register("them@shop.test", "Them")
    c = h.campaign(theirs)
    put = h.client.put(f"/campaigns/{c['id']}/channels", headers=mine, json={"channels": ["sms"]})
    get = h.client.get(f"/campaigns/{c['id']}/omnichannel", headers=mine)
    assert (put.status_code, get.status_code) == (404, 404)
    assert h.client.get(f"/campaigns/{c['id']}/omnichannel", headers=theirs).status_code == 200


def test_an_sms_campaign_answers_the_seed_shapes_before_it_sends(h):
    headers = h.register()
    c = h.campaign(headers, name="Summer Sale")
    omni = h.client.get(f"/campaigns/{c['id']}/omnichannel", headers=headers).json()
    assert omni == {
        "campaign_id": c["id"],
        "name": "Summer Sale",
        "channels": ["sms"],
        "metrics": {"total_sent": 0, "responses": 0, "conversions": 0},
    }
    body = {"channels": ["whatsapp", "email"], "settings": SETTINGS}
    got = h.client.put(f"/campaigns/{c['id']}/channels", headers=headers, json=body).json()
    assert got == {
        "campaign_id": c["id"],
        "channels": ["whatsapp", "email"],
        "settings": {"whatsapp": SETTINGS["whatsapp"], "email": SETTINGS["email"]},
        "delivery": "all",
    }


@pytest.mark.parametrize(
    ("body", "named"),
    [
        ({"channels": ["sms", "voice"]}, "voice"),
        ({"channels": ["fax"]}, "fax"),
        ({"channels": []}, "channels"),
        ({"channels": ["sms", "sms"]}, "channels"),
        ({"channels": ["email"]}, "settings.email"),
        ({"channels": ["whatsapp"]}, "settings.whatsapp"),
        ({"channels": ["whatsapp"], "settings": {"whatsapp": {"template": "summer"}}}, "template"),
        (
            {"channels": ["email"], "settings": {"email": {"subject": "Hi {{nick}}", "html": "x"}}},
            "settings.email.subject",
        ),
        ({"channels": ["sms"], "delivery": "some"}, "delivery"),
        ({"channels": ["sms"], "tenantId": "x"}, "tenantId"),
        ({"channels": "sms"}, "channels"),
    ],
)
def test_bad_channel_bodies_are_400_naming_the_problem(h, body, named):
    headers = h.register()
    c = h.campaign(headers)
    resp = h.client.put(f"/campaigns/{c['id']}/channels", headers=headers, json=body)
    assert resp.status_code == 400, resp.text
    assert resp.json()["error"] == "validation_error"
    assert named in str(resp.json()), resp.json()


def test_channels_of_a_sending_campaign_cannot_change(h):
    headers = h.register()
    _person(h, headers, 0)
    c = h.campaign(headers)
    h.client.post(f"/campaigns/{c['id']}/enqueue", headers=headers)
    resp = h.client.put(
        f"/campaigns/{c['id']}/channels", headers=headers, json={"channels": ["sms"]}
    )
    assert resp.status_code == 409

"""WhatsApp (issue 10 "whatsapp"): signed inbound messages and status callbacks, STOP / START on
WhatsApp only, the 24-hour customer-service window enforced before the provider (free-form
inside it, only an approved template to an opted-in contact outside it), replies sent through
the Twilio adapter with its HTTP stubbed below the official SDK, the sandbox adapter and the
local runtime's simulated reply."""

from __future__ import annotations

import datetime as dt
import json
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from fastapi.testclient import TestClient
from twilio.http.http_client import TwilioHttpClient
from twilio.http.response import Response
from twilio.request_validator import RequestValidator

from engage.channels.sandbox import OUTBOX
from engage.core import clock

TOKEN = "0123456789abcdef0123456789abcdef"
BASE = "https://api.example.test"
INBOUND = "/webhooks/twilio/whatsapp"
STATUS = "/webhooks/twilio/whatsapp/status"
BUSINESS = "+15017122661"
PHONE = "+12015550123"
T0 = dt.datetime.now(dt.UTC).replace(microsecond=0)  # tokens are checked against real time
TEMPLATE_SID = "HX" + "b" * 32


def at(hours: float) -> None:
    clock.set_clock(lambda: T0 + dt.timedelta(hours=hours))


@pytest.fixture
def twilio(monkeypatch):
    """Twilio credentials, WHATSAPP_PROVIDER=twilio, and Twilio's HTTP replaced below the SDK:
    yields the form of every `messages.create` request (a `To` of +15005550001 is refused)."""
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", TOKEN)
    monkeypatch.setenv("TWILIO_ACCOUNT_SID", "AC00000000000000000000000000000000")
    monkeypatch.setenv("TWILIO_WHATSAPP_FROM_NUMBER", "+14155238886")
    monkeypatch.setenv("WHATSAPP_PROVIDER", "twilio")
    from tests.conftest import reset_caches

    reset_caches()
    created: list[dict[str, str]] = []

    def request(self, method, url, params=None, data=None, headers=None, **kwargs):
        assert method == "POST" and url.endswith("/Messages.json"), url
        if data["To"] == "whatsapp:+15005550001":
            return Response(400, '{"code": 21211, "message": "Invalid To", "status": 400}')
        created.append(dict(data))
        sid = f"SM{len(created):032d}"
        return Response(201, json.dumps({"sid": sid, "status": "queued"}))

    monkeypatch.setattr(TwilioHttpClient, "request", request)
    return created


def signed(h, path: str, params: dict[str, str], token: str = TOKEN, signature: str | None = None):
    sig = signature or RequestValidator(token).compute_signature(BASE + path, params)
    return h.client.post(
        path,
        content=urlencode(params),
        headers={"Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": sig},
    )


def inbound(phone: str, body: str, sid: str = "SMin1", to: str = BUSINESS) -> dict[str, str]:
    """An inbound WhatsApp message as Twilio posts it."""
    return {
        "MessageSid": sid,
        "AccountSid": "AC00000000000000000000000000000000",
        "From": f"whatsapp:{phone}",
        "To": f"whatsapp:{to}",
        "Body": body,
        "NumMedia": "0",
        "ProfileName": "Ada",
        "WaId": phone.lstrip("+"),
    }


def contact(h, headers, phone: str = PHONE, **fields) -> dict:
    resp = h.client.post("/contacts", headers=headers, json={"phone": phone, **fields})
    assert resp.status_code == 201, resp.text
    return resp.json()["data"]


def get_contact(h, headers, contact_id: str) -> dict:
    return h.client.get(f"/contacts/{contact_id}", headers=headers).json()["data"]


def conversations(h, headers, channel: str = "whatsapp") -> list[dict]:
    resp = h.client.get("/admin/api/conversations", headers=headers, params={"channel": channel})
    assert resp.status_code == 200, resp.text
    return resp.json()["data"]


def messages_of(h, headers, conversation_id: str) -> list[dict]:
    resp = h.client.get(f"/admin/api/conversations/{conversation_id}/messages", headers=headers)
    assert resp.status_code == 200, resp.text
    return resp.json()["data"]


def reply(h, headers, conversation_id: str, content: str, **extra):
    return h.client.post(
        f"/admin/api/conversations/{conversation_id}/messages",
        headers=headers,
        json={"content": content, **extra},
    )


SANDBOX = ("/webhooks/sandbox/whatsapp", "sandbox-secret-for-tests")  # SANDBOX_WEBHOOK_SECRET


def customer_wrote(h, headers, hours_ago: float, sandbox: bool = False, **fields) -> str:
    """A contact who wrote on WhatsApp `hours_ago` hours before T0 (through Twilio's webhook,
    or the sandbox's); the clock is back at T0. Returns the WhatsApp conversation's id."""
    contact(h, headers, **fields)
    at(-hours_ago)
    path, token = SANDBOX if sandbox else (INBOUND, TOKEN)
    assert signed(h, path, inbound(PHONE, "Where is my order?"), token).status_code == 200
    at(0)
    (conv,) = conversations(h, headers)
    return conv["id"]


# -- signatures ------------------------------------------------------------------------------
def test_an_unsigned_or_forged_inbound_message_is_403_and_changes_nothing(h, twilio):
    headers = h.register()
    c = contact(h, headers, whatsappConsent="opted_in")
    for params in (inbound(PHONE, "STOP"), inbound(PHONE, "Hello")):
        forged = signed(h, INBOUND, params, token="f" * 32)
        unsigned = h.client.post(
            INBOUND,
            content=urlencode(params),
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        assert forged.status_code == unsigned.status_code == 403
        assert forged.json()["error"] == "forbidden"
    assert get_contact(h, headers, c["id"])["whatsappConsent"] == "opted_in"
    assert conversations(h, headers) == []


def test_an_unsigned_status_callback_is_403_and_changes_nothing(h, twilio):
    headers = h.register()
    conv = customer_wrote(h, headers, hours_ago=1)
    sent = reply(h, headers, conv, "It ships today").json()
    params = {"MessageSid": f"SM{1:032d}", "MessageStatus": "read"}
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    resp = h.client.post(STATUS, content=urlencode(params), headers=form)
    assert resp.status_code == 403
    assert messages_of(h, headers, conv)[-1]["channel_status"] == "sent" == sent["channel_status"]


# -- STOP / START ----------------------------------------------------------------------------
def test_stop_opts_out_of_whatsapp_only_and_start_opts_back_in(h, twilio):
    headers = h.register()
    c = contact(h, headers, smsConsent="opted_in", whatsappConsent="opted_in")
    assert signed(h, INBOUND, inbound(PHONE, "Stop", "SM1")).status_code == 200
    got = get_contact(h, headers, c["id"])
    assert (got["whatsappConsent"], got["smsConsent"]) == ("opted_out", "opted_in")
    assert conversations(h, headers) == []  # a keyword is not a conversation message
    assert signed(h, INBOUND, inbound(PHONE, "START", "SM2")).status_code == 200
    assert get_contact(h, headers, c["id"])["whatsappConsent"] == "opted_in"


def test_start_does_not_undo_an_opt_out_the_tenant_recorded(h, twilio):
    headers = h.register()
    c = contact(h, headers, whatsappConsent="opted_out")
    assert signed(h, INBOUND, inbound(PHONE, "START")).status_code == 200
    assert get_contact(h, headers, c["id"])["whatsappConsent"] == "opted_out"


# -- inbound into the inbox ------------------------------------------------------------------
def test_an_inbound_message_lands_in_the_contacts_whatsapp_conversation_once(h, twilio):
    headers = h.register()
    other = h.register("other@shop.test", "Other")
    contact(h, headers)
    params = inbound(PHONE, "Where is my order?")
    assert signed(h, INBOUND, params).status_code == 200
    assert signed(h, INBOUND, params).status_code == 200  # Twilio redelivers it
    (conv,) = conversations(h, headers)
    assert conv["channel"] == "whatsapp" and conv["status"] == "open"
    assert conv["unread_count"] == 1
    (message,) = messages_of(h, headers, conv["id"])
    assert (message["sender"], message["content"]) == ("user", "Where is my order?")
    assert conversations(h, other) == []  # a tenant that does not know the number


def test_a_media_message_without_text_is_written_as_its_attachments(h, twilio):
    headers = h.register()
    contact(h, headers)
    params = {**inbound(PHONE, ""), "NumMedia": "2"}
    assert signed(h, INBOUND, params).status_code == 200
    (conv,) = conversations(h, headers)
    assert messages_of(h, headers, conv["id"])[0]["content"] == "[2 attachments]"


# -- the 24-hour window ----------------------------------------------------------------------
def test_inside_the_window_a_reply_goes_out_free_form_from_the_number_they_wrote_to(h, twilio):
    headers = h.register()
    conv = customer_wrote(h, headers, hours_ago=23)
    resp = reply(h, headers, conv, "It ships today")
    assert resp.status_code == 201, resp.text
    assert resp.json()["channel_status"] == "sent"
    (sent,) = twilio
    assert sent["To"] == f"whatsapp:{PHONE}" and sent["From"] == f"whatsapp:{BUSINESS}"
    assert sent["Body"] == "It ships today" and "ContentSid" not in sent
    callback = urlsplit(sent["StatusCallback"])
    assert f"{callback.scheme}://{callback.netloc}{callback.path}" == BASE + STATUS
    assert parse_qs(callback.query)["ref"]


def test_outside_the_window_a_free_form_reply_is_refused_and_nothing_is_sent(h, twilio):
    headers = h.register()
    conv = customer_wrote(h, headers, hours_ago=25, whatsappConsent="opted_in")
    resp = reply(h, headers, conv, "Still there?")
    assert resp.status_code == 409
    assert "24-hour" in resp.json()["message"]
    assert twilio == []
    assert [m["content"] for m in messages_of(h, headers, conv)] == ["Where is my order?"]


def test_outside_the_window_a_template_goes_to_an_opted_in_contact(h, twilio):
    headers = h.register()
    conv = customer_wrote(h, headers, hours_ago=25, whatsappConsent="opted_in")
    resp = reply(h, headers, conv, f'/template {TEMPLATE_SID} {{"1": "Ada", "2": "5"}}')
    assert resp.status_code == 201, resp.text
    (sent,) = twilio
    assert sent["ContentSid"] == TEMPLATE_SID and "Body" not in sent
    assert json.loads(sent["ContentVariables"]) == {"1": "Ada", "2": "5"}


@pytest.mark.parametrize("consent", ["unknown", "opted_out"])
def test_outside_the_window_a_template_to_a_contact_not_opted_in_is_refused(h, twilio, consent):
    headers = h.register()
    conv = customer_wrote(h, headers, hours_ago=25, whatsappConsent=consent)
    resp = reply(h, headers, conv, f"/template {TEMPLATE_SID}")
    assert resp.status_code == 409
    assert twilio == []


def test_a_contact_who_sent_stop_gets_no_reply_even_inside_the_window(h, twilio):
    headers = h.register()
    conv = customer_wrote(h, headers, hours_ago=1, whatsappConsent="opted_in")
    signed(h, INBOUND, inbound(PHONE, "STOP", "SM9"))
    resp = reply(h, headers, conv, "Sorry to see you go")
    assert resp.status_code == 409 and "opted out" in resp.json()["message"]
    assert twilio == []


def test_a_private_note_never_goes_out(h, twilio):
    headers = h.register()
    conv = customer_wrote(h, headers, hours_ago=30)
    assert reply(h, headers, conv, "VIP customer", private=True).status_code == 201
    assert twilio == []


def test_a_retried_reply_is_sent_once(h, twilio):
    headers = h.register()
    conv = customer_wrote(h, headers, hours_ago=1)
    first = reply(h, headers, conv, "On its way", client_message_id="r-1")
    again = reply(h, headers, conv, "On its way", client_message_id="r-1")
    assert (first.status_code, again.status_code) == (201, 200)
    assert len(twilio) == 1


def test_a_reply_the_provider_refuses_is_marked_failed_with_its_reason(h, twilio):
    headers = h.register()
    conv = customer_wrote(h, headers, hours_ago=1)
    from engage.contacts import store as contact_store

    # the contact's number is one Twilio refuses (its test credentials' magic number)
    tenant = h.client.get("/auth/me", headers=headers).json()["data"]["tenant"]["id"]
    conv_item = h.client.get(f"/admin/api/conversations/{conv}", headers=headers).json()
    item = contact_store.get(tenant, conv_item["contact_id"])
    item.phone_e164 = "+15005550001"
    item.save()
    resp = reply(h, headers, conv, "Hello?")
    assert resp.status_code == 201
    assert resp.json()["channel_status"] == "failed"
    assert resp.json()["channel_error"].startswith("21211")


# -- status callbacks ------------------------------------------------------------------------
def test_status_callbacks_move_a_reply_forward_only_and_mark_it_read(h, twilio):
    headers = h.register()
    conv = customer_wrote(h, headers, hours_ago=1)
    reply(h, headers, conv, "It ships today")
    callback = urlsplit(twilio[0]["StatusCallback"])
    path = f"{callback.path}?{callback.query}"
    sid = f"SM{1:032d}"
    for status in ("delivered", "read", "sent", "delivered"):  # the last two are late
        params = {"MessageSid": sid, "MessageStatus": status, "AccountSid": "AC0"}
        resp = signed(h, path, params)
        assert resp.status_code == 200, resp.text
        assert resp.json()["data"]["queued"] == 0
    last = messages_of(h, headers, conv)[-1]
    assert last["channel_status"] == "read"
    assert last["delivered_at"] and last["read_at"]


def test_a_failed_status_callback_marks_the_reply_failed(h, twilio):
    headers = h.register()
    conv = customer_wrote(h, headers, hours_ago=1)
    reply(h, headers, conv, "It ships today")
    callback = urlsplit(twilio[0]["StatusCallback"])
    params = {"MessageSid": f"SM{1:032d}", "MessageStatus": "failed", "ErrorCode": "63016"}
    assert signed(h, f"{callback.path}?{callback.query}", params).status_code == 200
    last = messages_of(h, headers, conv)[-1]
    assert (last["channel_status"], last["channel_error"]) == ("failed", "63016")


def test_a_campaign_messages_read_receipt_settles_it_read_through_the_receipts_worker(h, twilio):
    from engage.campaigns import message_store
    from engage.campaigns.receipts import apply_receipts
    from engage.channels.base import Receipt

    headers = h.register()
    h.contact(headers, PHONE)
    c = h.campaign(headers)
    h.client.post(f"/campaigns/{c['id']}/enqueue", headers=headers)
    h.send_all()  # SMS sandbox: sent, then delivered
    (record,) = OUTBOX.list()
    _, pk, sk = record["ref"].split("|")
    assert message_store.message_status((pk, sk)) == "delivered"
    params = {"MessageSid": record["providerMessageId"], "MessageStatus": "read"}
    path = f"{STATUS}?{urlencode({'ref': record['ref']})}"
    assert signed(h, path, params).json()["data"]["queued"] == 1
    h.drain()
    assert message_store.message_status((pk, sk)) == "read"
    # a late delivered receipt changes nothing
    outcome = apply_receipts([Receipt("twilio", record["providerMessageId"], "delivered")])
    assert outcome["applied"] == 0 and message_store.message_status((pk, sk)) == "read"


# -- sandbox and local runtime ---------------------------------------------------------------
def test_the_sandbox_records_a_reply_in_the_outbox_and_simulates_its_receipts(h):
    headers = h.register()
    conv = customer_wrote(h, headers, hours_ago=1, sandbox=True)
    resp = reply(h, headers, conv, "Hi from the sandbox")
    assert resp.status_code == 201, resp.text
    assert resp.json()["channel_status"] == "read"  # sent, delivered, read simulated
    (row,) = OUTBOX.list()
    assert (row["channel"], row["to"], row["body"]) == ("whatsapp", PHONE, "Hi from the sandbox")


def test_the_local_runtime_simulates_an_inbound_whatsapp_message(h):
    from engage.core.http import create_app
    from local.pages_whatsapp import whatsapp_local_router

    headers = h.register()
    contact(h, headers)
    local = TestClient(create_app("local", [whatsapp_local_router]))
    resp = local.post("/_local/whatsapp/reply", json={"from": PHONE, "body": "Hi there"})
    assert resp.status_code == 200, resp.text
    assert resp.json()["messages"] == 1
    (conv,) = conversations(h, headers)
    assert messages_of(h, headers, conv["id"])[0]["content"] == "Hi there"


# -- the policy itself -----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("consent", "hours_ago", "template", "outcome"),
    [
        ("unknown", 1, False, "session"),
        ("unknown", 23.9, True, "template"),
        ("opted_in", 24, False, "refused"),
        ("opted_in", 24, True, "template"),
        ("unknown", 48, True, "refused"),
        ("opted_in", None, True, "template"),
        ("opted_in", None, False, "refused"),
        ("opted_out", 1, False, "refused"),
    ],
)
def test_the_send_policy(consent, hours_ago, template, outcome):
    from engage.core.errors import Conflict
    from engage.whatsapp.service import policy

    now = T0
    last = None if hours_ago is None else clock.iso(now - dt.timedelta(hours=hours_ago))
    sid = TEMPLATE_SID if template else None
    if outcome == "refused":
        with pytest.raises(Conflict):
            policy(consent, last, body="Hi", content_sid=sid, at=now)
    else:
        assert policy(consent, last, body="Hi", content_sid=sid, at=now) == outcome


def test_the_window_only_moves_forward(h):
    from engage.whatsapp import service

    headers = h.register()
    tenant = h.client.get("/auth/me", headers=headers).json()["data"]["tenant"]["id"]
    later, earlier = clock.iso(T0), clock.iso(T0 - dt.timedelta(hours=30))
    assert service.record_inbound(tenant, "c1", later)
    assert not service.record_inbound(tenant, "c1", earlier)  # a late webhook
    assert service.window_open(tenant, "c1", at=T0 + dt.timedelta(hours=23))
    assert not service.window_open(tenant, "c1", at=T0 + dt.timedelta(hours=24))
    assert not service.window_open("another-tenant", "c1", at=T0)

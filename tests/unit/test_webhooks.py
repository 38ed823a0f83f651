"""Inbound SMS webhooks (issue 2): signatures, delivery receipts, STOP / START / HELP, and the
Twilio adapter on the official SDK with HTTP stubbed below it."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from twilio.http.http_client import TwilioHttpClient as HttpClient
from twilio.http.response import Response
from twilio.request_validator import RequestValidator

from engage.channels.base import OutboundSms
from engage.channels.sandbox import OUTBOX

TOKEN = "0123456789abcdef0123456789abcdef"
BASE = "https://api.example.test"


@pytest.fixture
def twilio_env(monkeypatch):
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", TOKEN)
    monkeypatch.setenv("TWILIO_ACCOUNT_SID", "AC00000000000000000000000000000000")
    monkeypatch.setenv("TWILIO_FROM_NUMBER", "+15017122661")
    from tests.conftest import reset_caches

    reset_caches()


def _post(h, path, params, token=TOKEN, signature=None):
    sig = signature or RequestValidator(token).compute_signature(BASE + path, params)
    return h.client.post(
        path,
        content=urlencode(params),
        headers={"Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": sig},
    )


def _stop(phone, word="Stop", opt_out_type="STOP"):
    params = {
        "MessageSid": "SMa1",
        "AccountSid": "AC1",
        "From": phone,
        "To": "+15017122661",
        "Body": word,
        "NumMedia": "0",
        "ToCity": "",
        "FromZip": "",
    }
    if opt_out_type:
        params["OptOutType"] = opt_out_type
    return params


def test_a_request_with_a_bad_signature_is_403_and_changes_nothing(h, twilio_env):
    headers = h.register()
    c = h.contact(headers, "+12015550123")
    params = _stop("+12015550123")
    forged = _post(h, "/webhooks/sms/twilio/inbound", params, token="f" * 32)
    missing = h.client.post(
        "/webhooks/sms/twilio/inbound",
        content=urlencode(params),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    tampered = _post(
        h,
        "/webhooks/sms/twilio/inbound",
        params,
        signature=RequestValidator(TOKEN).compute_signature(
            BASE + "/webhooks/sms/twilio/inbound", {**params, "Body": "Hello"}
        ),
    )
    for resp in (forged, missing, tampered):
        assert resp.status_code == 403
        assert resp.json()["error"] == "forbidden"
    got = h.client.get(f"/contacts/{c['id']}", headers=headers).json()["data"]
    assert got["smsConsent"] == "opted_in"


@pytest.mark.parametrize(
    "word", ["STOP", "stopall", "Unsubscribe", "CANCEL", "end", "QUIT", "revoke", "OPTOUT"]
)
def test_every_stop_keyword_opts_out_in_every_tenant_that_knows_the_number(h, twilio_env, word):
    a, b = h.register("a@shop.test", "A"), h.register("b@shop.test", "B")
    ca, cb = h.contact(a, "+12015550123"), h.contact(b, "+12015550123")
    resp = _post(h, "/webhooks/sms/twilio/inbound", _stop("+12015550123", word, None))
    assert resp.status_code == 200
    assert resp.headers["content-type"].startswith("application/xml")
    for headers, c in ((a, ca), (b, cb)):
        got = h.client.get(f"/contacts/{c['id']}", headers=headers).json()["data"]
        assert got["smsConsent"] == "opted_out"
    dash = h.client.get("/dashboard", headers=a).json()["data"]
    assert dash["reports"]["last7Days"]["unsubscribes"] == 1


def test_start_opts_back_in_only_where_an_sms_stop_opted_out(h, twilio_env):
    a, b = h.register("a@shop.test", "A"), h.register("b@shop.test", "B")
    ca = h.contact(a, "+12015550123")
    cb = h.contact(b, "+12015550123", smsConsent="opted_out")  # the tenant's own record
    _post(h, "/webhooks/sms/twilio/inbound", _stop("+12015550123"))
    start = _stop("+12015550123", "Start", "START")
    assert _post(h, "/webhooks/sms/twilio/inbound", start).status_code == 200
    assert h.client.get(f"/contacts/{ca['id']}", headers=a).json()["data"]["smsConsent"] == (
        "opted_in"
    )
    assert h.client.get(f"/contacts/{cb['id']}", headers=b).json()["data"]["smsConsent"] == (
        "opted_out"
    )


def test_help_gets_an_auto_reply_naming_the_sender(h, twilio_env):
    headers = h.register(tenant="Corner Bakery")
    h.contact(headers, "+12015550123")
    resp = _post(h, "/webhooks/sms/twilio/inbound", _stop("+12015550123", "HELP", None))
    assert "<Message>" in resp.text and "Corner Bakery" in resp.text and "STOP" in resp.text


def test_a_stop_reply_stops_further_sends(h, twilio_env):
    headers = h.register()
    h.contact(headers, "+12015550123")
    h.contact(headers, "+12015550124")
    _post(h, "/webhooks/sms/twilio/inbound", _stop("+12015550123"))
    c = h.campaign(headers)
    resp = h.client.post(f"/campaigns/{c['id']}/enqueue", headers=headers)
    assert resp.json()["data"]["queuedRecipients"] == 1
    h.send_all()
    assert [m["to"] for m in OUTBOX.list()] == ["+12015550124"]


def test_delivery_receipts_update_the_message_and_the_counters_once(h, twilio_env, monkeypatch):
    monkeypatch.setenv("SMS_PROVIDER", "twilio")
    from tests.conftest import reset_caches

    reset_caches()
    sent = []

    class Stub(HttpClient):
        def request(
            self,
            method,
            url,
            params=None,
            data=None,
            headers=None,
            auth=None,
            timeout=None,
            allow_redirects=False,
        ):
            sid = f"SM{len(sent):032d}"
            sent.append(data)
            return Response(201, f'{{"sid": "{sid}", "status": "queued"}}')

    import engage.channels.registry as registry
    from engage.channels.twilio_sms import TwilioSms
    from engage.core.settings import get_settings

    monkeypatch.setattr(registry, "sms_adapter", lambda: TwilioSms(get_settings(), Stub()))
    monkeypatch.setattr("engage.campaigns.channel_send.sms_adapter", registry.sms_adapter)
    headers = h.register()
    h.contact(headers, "+12015550123")
    h.contact(headers, "+12015550124")
    c = h.campaign(headers, message="Hello {{firstName|friend}}")
    h.client.post(f"/campaigns/{c['id']}/enqueue", headers=headers)
    h.send_all()
    assert sorted(d["To"] for d in sent) == ["+12015550123", "+12015550124"]
    assert all(d["Body"] == "Hello friend" and "ref=" in d["StatusCallback"] for d in sent)
    receipt = {"MessageSid": f"SM{0:032d}", "MessageStatus": "delivered", "To": "+1"}
    undelivered = {
        "MessageSid": f"SM{1:032d}",
        "MessageStatus": "undelivered",
        "ErrorCode": "30003",
    }
    for params in (receipt, receipt, undelivered, {**receipt, "MessageStatus": "sent"}):
        assert _post(h, "/webhooks/sms/twilio/status", params).status_code == 200
    h.drain()
    stats = h.client.get(f"/campaigns/{c['id']}/stats", headers=headers).json()["data"]
    assert stats["byStatus"]["delivered"] == 1
    assert stats["byStatus"]["undelivered"] == 1
    assert stats["failedCount"] == 1
    bad = _post(h, "/webhooks/sms/twilio/status", {"MessageStatus": "delivered"})
    assert bad.status_code == 400


def test_the_twilio_adapter_reports_refusals_as_failed(monkeypatch, twilio_env):
    from engage.channels.twilio_sms import TwilioSms
    from engage.core.settings import get_settings

    class Refuse(HttpClient):
        def request(self, *args, **kwargs):
            return Response(400, '{"code": 21211, "message": "Invalid To", "status": 400}')

    result = TwilioSms(get_settings(), Refuse()).send(OutboundSms("+15005550001", "x", None, "r"))
    assert result.status == "failed" and result.error.startswith("21211")


def test_unknown_provider_is_404(h):
    assert h.client.post("/webhooks/sms/acme/status", data={"a": "1"}).status_code == 404


def test_sandbox_webhooks_use_the_sandbox_secret(h):
    headers = h.register()
    c = h.contact(headers, "+12015550123")
    params = _stop("+12015550123")
    ok = _post(h, "/webhooks/sms/sandbox/inbound", params, token="sandbox-secret-for-tests")
    assert ok.status_code == 200
    assert (
        h.client.get(f"/contacts/{c['id']}", headers=headers).json()["data"]["smsConsent"]
        == "opted_out"
    )


def test_the_twilio_auth_token_can_come_from_secrets_manager(h, monkeypatch):
    import json

    import boto3

    arn = boto3.client("secretsmanager").create_secret(
        Name="twilio", SecretString=json.dumps({"account_sid": "AC1", "auth_token": TOKEN})
    )["ARN"]
    monkeypatch.setenv("TWILIO_SECRET_ARN", arn)
    from tests.conftest import reset_caches

    reset_caches()
    headers = h.register()
    h.contact(headers, "+12015550123")
    assert _post(h, "/webhooks/sms/twilio/inbound", _stop("+12015550123")).status_code == 200
    assert (
        _post(h, "/webhooks/sms/twilio/inbound", _stop("+12015550123"), token="e" * 32).status_code
        == 403
    )

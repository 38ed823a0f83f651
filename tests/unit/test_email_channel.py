"""E-mail as a channel (issue 10 "email"; README "E-mail channel"): marketing e-mail with RFC
8058 one-click unsubscribe, SES bounces and complaints through signed SNS messages, inbound
e-mail into the contact's conversations by thread headers, and agent replies threaded back.

SES runs as moto's sesv2 with the request captured as botocore serialised it (the wire); SNS
messages are signed with a test key whose certificate the SNS port "fetches"."""

from __future__ import annotations

import base64
import datetime as dt
import json
from typing import Any
from urllib.parse import unquote_plus

import boto3
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import NameOID

from engage.channels.email_sandbox import EMAIL_OUTBOX
from engage.email import sns, sns_port
from engage.email.tokens import make_token, read_token

TOPIC = "arn:aws:sns:us-east-1:123456789012:engage-ses-events"
CERT_URL = "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-test.pem"


def _key_and_cert() -> tuple[rsa.RSAPrivateKey, bytes]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "sns.amazonaws.com")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    return key, cert.public_bytes(serialization.Encoding.PEM)


SNS_KEY, SNS_CERT = _key_and_cert()
OTHER_KEY, _ = _key_and_cert()


@pytest.fixture(autouse=True)
def _clean(monkeypatch):
    EMAIL_OUTBOX.clear()
    sns.forget_certificates()
    yield
    EMAIL_OUTBOX.clear()
    sns.forget_certificates()


@pytest.fixture
def fetched(h, monkeypatch) -> list[str]:
    """SES_EVENTS_TOPIC_ARN set; the SNS port's GETs answered (the test certificate for the
    certificate URL, an empty body otherwise) and recorded."""
    from engage.core.settings import get_settings

    monkeypatch.setenv("SES_EVENTS_TOPIC_ARN", TOPIC)
    get_settings.cache_clear()
    urls: list[str] = []

    def http_get(url: str) -> bytes:
        urls.append(url)
        return SNS_CERT if url == CERT_URL else b"<ConfirmSubscriptionResponse/>"

    monkeypatch.setattr(sns_port, "http_get", http_get)
    return urls


@pytest.fixture
def ses_wire(h, monkeypatch) -> list[dict[str, Any]]:
    """EMAIL_PROVIDER=ses on moto's sesv2 (a verified domain); yields the JSON bodies of the
    SendEmail requests as botocore put them on the wire."""
    from engage.core import aws
    from engage.core.settings import get_settings

    monkeypatch.setenv("EMAIL_PROVIDER", "ses")
    monkeypatch.setenv("EMAIL_FROM_ADDRESS", "Shop <news@shop.test>")
    get_settings.cache_clear()
    aws.reset_clients()
    boto3.client("sesv2").create_email_identity(EmailIdentity="shop.test")
    bodies: list[dict[str, Any]] = []

    def capture(request: Any, **_: Any) -> None:
        bodies.append(json.loads(request.body))

    aws.client("sesv2").meta.events.register("request-created.sesv2.SendEmail", capture)
    return bodies


def _tenant(h, email: str = "owner@shop.test", name: str = "Shop") -> tuple[dict, str]:
    headers = h.register(email, name)
    tenant_id = h.client.get("/auth/me", headers=headers).json()["data"]["tenant"]["id"]
    return headers, tenant_id


def _contact(h, headers: dict, phone: str = "+306900000001", email: str = "ann@example.com"):
    return h.contact(headers, phone, email=email, emailConsent="opted_in")


def _send(tenant_id: str, contact_id: str, to: str = "ann@example.com", campaign: str = "C1"):
    from engage.email.marketing import send_marketing

    return send_marketing(
        tenant_id, contact_id, to, "Spring sale", "<p>20% off</p>", "20% off", campaign, ""
    )


def _token_of(record: dict[str, Any]) -> str:
    header = next(h["value"] for h in record["headers"] if h["name"] == "List-Unsubscribe")
    url = header.split(",")[0].strip().strip("<>")
    return url.rsplit("/u/", 1)[1]


# -- marketing e-mail and one-click unsubscribe -------------------------------------------------
def test_a_marketing_email_carries_one_click_unsubscribe_headers_on_the_wire(h, ses_wire):
    # Given a contact who accepts e-mail, and SES as the provider
    headers, tenant_id = _tenant(h)
    contact = _contact(h, headers)
    # When a campaign e-mails them
    result = _send(tenant_id, contact["id"])
    # Then SES took it, and the request on the wire carried RFC 8058's two header fields
    assert result.status == "sent" and result.provider_message_id
    (request,) = ses_wire
    fields = {f["Name"]: f["Value"] for f in request["Content"]["Simple"]["Headers"]}
    assert fields["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    url = fields["List-Unsubscribe"].strip("<>")
    assert url.startswith("https://api.example.test/u/")
    claim = read_token(url.rsplit("/u/", 1)[1])
    assert claim is not None
    assert (claim.tenant_id, claim.contact_id, claim.campaign_id, claim.channel) == (
        tenant_id,
        contact["id"],
        "C1",
        "email",
    )
    # and the tenant's tag, which bounces and complaints carry back
    tags = {t["Name"]: t["Value"] for t in request["EmailTags"]}
    assert tags["tenant_id"] == tenant_id and tags["campaign_id"] == "C1"
    assert request["FromEmailAddress"] == "Shop <news@shop.test>"


def test_the_one_click_post_unsubscribes_without_a_login_and_stops_the_next_email_only(h):
    # Given a contact who received a campaign e-mail
    headers, tenant_id = _tenant(h)
    contact = _contact(h, headers)
    assert _send(tenant_id, contact["id"]).status == "sent"
    (record,) = EMAIL_OUTBOX.list()
    token = _token_of(record)
    # When their mail provider posts the one-click form, with no login
    resp = h.client.post(f"/u/{token}", data={"List-Unsubscribe": "One-Click"})
    # Then they are opted out of e-mail, and of nothing else
    assert resp.status_code == 200, resp.text
    assert resp.json()["data"] == {"unsubscribed": True, "channel": "email", "changed": True}
    stored = h.client.get(f"/contacts/{contact['id']}", headers=headers).json()["data"]
    assert stored["emailConsent"] == "opted_out" and stored["smsConsent"] == "opted_in"
    # and the next e-mail is refused before any provider call
    again = _send(tenant_id, contact["id"], campaign="C2")
    assert (again.status, again.error) == ("failed", "opted_out")
    assert len(EMAIL_OUTBOX.list()) == 1
    # and posting again changes nothing more
    repeat = h.client.post(f"/u/{token}", data={"List-Unsubscribe": "One-Click"})
    assert repeat.status_code == 200 and repeat.json()["data"]["changed"] is False


def test_get_shows_a_confirmation_page_and_does_not_unsubscribe(h):
    # Given a contact's unsubscribe link
    headers, tenant_id = _tenant(h)
    contact = _contact(h, headers)
    token = make_token(tenant_id, contact["id"], "C1")
    # When a link scanner (or the person) opens it
    page = h.client.get(f"/u/{token}")
    # Then it is a page whose button posts, and nothing changed
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert '<form method="post">' in page.text and "List-Unsubscribe" in page.text
    stored = h.client.get(f"/contacts/{contact['id']}", headers=headers).json()["data"]
    assert stored["emailConsent"] == "opted_in"
    # and pressing the button in a browser answers a page
    done = h.client.post(f"/u/{token}", headers={"Accept": "text/html"})
    assert done.status_code == 200 and "unsubscribed" in done.text


def _tampered(token: str) -> str:
    """The token with one full character of its MAC changed (the first one: base64's last
    character may carry only padding bits, so changing it may change no byte)."""
    head, _, mac = token.rpartition(".")
    return f"{head}.{'B' if mac[0] == 'A' else 'A'}{mac[1:]}"


@pytest.mark.parametrize("how", ["tampered mac", "other contact", "garbage", "sms channel"])
def test_a_forged_token_is_a_404_and_changes_nothing(h, how):
    # Given a contact and a token that we did not sign for them
    headers, tenant_id = _tenant(h)
    contact = _contact(h, headers)
    real = make_token(tenant_id, "01OTHERCONTACT0000000000000", "C1")
    forged = {
        "tampered mac": _tampered(make_token(tenant_id, contact["id"], "C1")),
        "other contact": real.split(".")[0]
        + "."
        + base64.urlsafe_b64encode(f"{tenant_id}|{contact['id']}|C1|email".encode())
        .rstrip(b"=")
        .decode()
        + "."
        + real.split(".")[2],
        "garbage": "v1.%%%.x",
        "sms channel": make_token(tenant_id, contact["id"], "C1", channel="sms"),
    }[how]
    # When it is posted and opened
    posted = h.client.post(f"/u/{forged}", data={"List-Unsubscribe": "One-Click"})
    opened = h.client.get(f"/u/{forged}")
    # Then both are a 404 in the envelope and the contact is untouched
    assert posted.status_code == 404 and posted.json()["success"] is False
    assert opened.status_code == 404
    stored = h.client.get(f"/contacts/{contact['id']}", headers=headers).json()["data"]
    assert stored["emailConsent"] == "opted_in"


# -- SES events through SNS -----------------------------------------------------------------
def _signed(fields: dict[str, str], version: str = "2", key: Any = None) -> dict[str, str]:
    message = {**fields, "SignatureVersion": version, "SigningCertURL": CERT_URL}
    algorithm = hashes.SHA1() if version == "1" else hashes.SHA256()
    signature = (key or SNS_KEY).sign(sns.string_to_sign(message), padding.PKCS1v15(), algorithm)
    message["Signature"] = base64.b64encode(signature).decode()
    return message


def _notification(event: dict[str, Any], topic: str = TOPIC, **extra: str) -> dict[str, str]:
    return _signed(
        {
            "Type": "Notification",
            "MessageId": "5c1f-test",
            "TopicArn": topic,
            "Message": json.dumps(event),
            "Timestamp": "2026-12-02T08:00:00.000Z",
            **extra,
        }
    )


def _bounce(tenant_id: str, address: str, kind: str = "Permanent", **tags: str) -> dict:
    return {
        "eventType": "Bounce",
        "bounce": {
            "bounceType": kind,
            "bounceSubType": "General",
            "bouncedRecipients": [{"emailAddress": address}],
        },
        "mail": {
            "messageId": "0100018c-ses-id",
            "destination": [address],
            "tags": {"tenant_id": [tenant_id], **{k: [v] for k, v in tags.items()}},
        },
    }


def _post_sns(h, message: dict[str, str]):
    return h.client.post(
        "/webhooks/ses/events",
        content=json.dumps(message),
        headers={"Content-Type": "text/plain; charset=UTF-8", "x-amz-sns-message-type": "x"},
    )


@pytest.mark.parametrize("version", ["1", "2"])
def test_a_signed_permanent_bounce_suppresses_the_address(h, fetched, version):
    # Given a contact of the tenant
    headers, tenant_id = _tenant(h)
    contact = _contact(h, headers)
    # When SNS posts SES's permanent bounce for their address, signed (either version)
    message = _signed(
        {
            k: v
            for k, v in _notification(_bounce(tenant_id, "Ann@Example.com")).items()
            if k not in ("Signature", "SignatureVersion", "SigningCertURL")
        },
        version,
    )
    resp = _post_sns(h, message)
    # Then the address is on the tenant's suppression list: the next e-mail makes no call
    assert resp.status_code == 200, resp.text
    assert resp.json()["data"]["suppressed"] == 1 and fetched == [CERT_URL]
    refused = _send(tenant_id, contact["id"])
    assert (refused.status, refused.error) == ("failed", "suppressed")
    assert not EMAIL_OUTBOX.list()


def test_a_transient_bounce_changes_nothing(h, fetched):
    headers, tenant_id = _tenant(h)
    contact = _contact(h, headers)
    resp = _post_sns(h, _notification(_bounce(tenant_id, "ann@example.com", "Transient")))
    assert resp.status_code == 200 and resp.json()["data"]["suppressed"] == 0
    assert _send(tenant_id, contact["id"]).status == "sent"


@pytest.mark.parametrize(
    "forgery", ["tampered", "other key", "unsigned", "foreign cert host", "other topic"]
)
def test_a_forged_sns_message_is_a_403_and_changes_nothing(h, fetched, forgery):
    # Given a contact, and a bounce for their address that SNS did not sign for our topic
    headers, tenant_id = _tenant(h)
    contact = _contact(h, headers)
    event = _bounce(tenant_id, "ann@example.com")
    message = _notification(event)
    if forgery == "tampered":
        message["Message"] = json.dumps(_bounce(tenant_id, "ann@example.com", "Permanent", x="y"))
    elif forgery == "other key":
        message = _signed(
            {k: message[k] for k in ("Type", "MessageId", "TopicArn", "Message", "Timestamp")},
            key=OTHER_KEY,
        )
    elif forgery == "unsigned":
        del message["Signature"]
    elif forgery == "foreign cert host":
        message["SigningCertURL"] = "https://sns.us-east-1.amazonaws.com.evil.test/cert.pem"
    else:
        message = _notification(event, topic="arn:aws:sns:us-east-1:999999999999:theirs")
    # When it is posted
    resp = _post_sns(h, message)
    # Then it is refused, nothing was fetched from a foreign host, and e-mail still goes out
    assert resp.status_code == 403 and resp.json()["error"] == "forbidden"
    assert all(url == CERT_URL for url in fetched)
    assert _send(tenant_id, contact["id"]).status == "sent"


def test_a_complaint_suppresses_and_opts_the_contact_out_of_email_only(h, fetched):
    headers, tenant_id = _tenant(h)
    contact = _contact(h, headers)
    event = {
        "eventType": "Complaint",
        "complaint": {
            "complainedRecipients": [{"emailAddress": "ann@example.com"}],
            "complaintFeedbackType": "abuse",
        },
        "mail": {"messageId": "x", "tags": {"tenant_id": [tenant_id]}},
    }
    resp = _post_sns(h, _notification(event))
    assert resp.status_code == 200 and resp.json()["data"]["event"] == "Complaint"
    stored = h.client.get(f"/contacts/{contact['id']}", headers=headers).json()["data"]
    assert stored["emailConsent"] == "opted_out" and stored["smsConsent"] == "opted_in"
    assert _send(tenant_id, contact["id"]).error == "suppressed"


def test_a_bounce_of_another_tenant_leaves_this_tenant_alone(h, fetched):
    headers, tenant_id = _tenant(h)
    contact = _contact(h, headers)
    _, other = _tenant(h, "owner@other.test", "Other")
    assert _post_sns(h, _notification(_bounce(other, "ann@example.com"))).status_code == 200
    assert _send(tenant_id, contact["id"]).status == "sent"


def test_a_subscription_confirmation_visits_only_an_amazonaws_subscribe_url(h, fetched):
    confirm = {
        "Type": "SubscriptionConfirmation",
        "MessageId": "m1",
        "Token": "tok",
        "TopicArn": TOPIC,
        "Message": "You have chosen to subscribe",
        "SubscribeURL": "https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription&T=1",
        "Timestamp": "2026-12-02T08:00:00.000Z",
    }
    resp = _post_sns(h, _signed(confirm))
    assert resp.status_code == 200 and fetched[-1] == confirm["SubscribeURL"]
    evil = _signed({**confirm, "SubscribeURL": "https://169.254.169.254/latest/meta-data"})
    assert _post_sns(h, evil).status_code == 403
    assert fetched[-1] == confirm["SubscribeURL"]


def test_a_bounce_marks_the_campaign_message_undelivered(h, fetched):
    # Given a campaign message the sender recorded as sent through SES
    from engage.campaigns import message_store
    from engage.core import keys
    from engage.email.marketing import ref_tag

    headers, tenant_id = _tenant(h)
    contact = _contact(h, headers)
    pk, sk = keys.message_key(tenant_id, "C1", 0, 1, contact["id"])
    message_store.put_messages(
        [
            message_store.Message(
                pk,
                sk,
                contact["id"],
                "",
                "20% off",
                1,
                None,
                "2026-12-02T08:00:00.000Z",
                status="sent",
                provider="ses",
                provider_message_id="0100018c-ses-id",
            )
        ]
    )
    ref = f"{tenant_id}|{pk}|{sk}"
    # When its permanent bounce arrives and the receipts worker runs
    event = _bounce(tenant_id, "ann@example.com", ref=ref_tag(ref) or "")
    resp = _post_sns(h, _notification(event))
    assert resp.json()["data"]["receipts"] == 1
    h.drain()
    # Then the message is undelivered
    assert message_store.message_status((pk, sk)) == "undelivered"


def test_a_body_that_is_not_an_sns_message_is_a_400(h, fetched):
    resp = h.client.post(
        "/webhooks/ses/events", content=b"[1, 2", headers={"Content-Type": "text/plain"}
    )
    assert resp.status_code == 400 and resp.json()["error"] == "validation_error"


# -- reading inbound e-mail -----------------------------------------------------------------
def test_a_reply_loses_its_quoted_message_and_keeps_what_the_customer_wrote():
    from engage.email.mime import strip_quoted

    text = (
        "Yes, Tuesday works.\n\nOn Mon, 1 Dec 2026 at 10:00, Shop <news@shop.test> wrote:\n"
        "> Does Tuesday suit you?\n"
    )
    assert strip_quoted(text) == "Yes, Tuesday works."
    assert strip_quoted("Thanks!\n> old line\n> older line") == "Thanks!"
    outlook = "See below\n-----Original Message-----\nFrom: Shop\nSubject: x"
    assert strip_quoted(outlook) == "See below"
    # conservative: when nothing would be left, the text is kept
    assert strip_quoted("> only a quote") == "> only a quote"
    assert strip_quoted("a > b is true\nand so on") == "a > b is true\nand so on"


def test_an_email_is_read_with_its_thread_headers_and_html_only_bodies():
    from engage.email.mime import parse

    raw = (
        b"From: =?utf-8?q?Ann_M=C3=BCller?= <Ann@Example.com>\r\n"
        b"To: shop@inbound.localhost, other@else.test\r\n"
        b"Subject: Re: Order\r\n"
        b"Message-ID: <m2@mail.example.com>\r\n"
        b"In-Reply-To: <m1@shop.test>\r\n"
        b"References: <m0@shop.test> <m1@shop.test>\r\n"
        b"Content-Type: text/html; charset=utf-8\r\n\r\n"
        b"<html><head><style>p{}</style></head><body><p>Hello <b>there</b></p></body></html>"
    )
    mail = parse(raw)
    assert (mail.sender, mail.sender_name) == ("Ann@Example.com", "Ann Müller")
    assert mail.recipients == ("shop@inbound.localhost", "other@else.test")
    assert mail.message_id == "<m2@mail.example.com>"
    assert mail.thread_ids == ("<m1@shop.test>", "<m0@shop.test>")
    assert mail.text == "Hello there" and not mail.automatic


HOSTILE = [
    b"",
    b"\x00\xff\xfe garbage",
    b"From: nobody\r\n\r\nno address",
    b"From: a@b.test\r\nTo: =?utf-8?b?////?= <x@inbound.localhost>\r\n"
    b"Subject: =?bogus?q?x?=\r\n\r\nhi",
    b"From: a@b.test\r\nContent-Type: multipart/mixed; boundary=\r\n\r\n--\r\n--",
    b"From: a@b.test\r\nContent-Type: text/plain; charset=no-such-charset\r\n\r\n\xff\xfe",
    b"From: " + b"<" * 5000 + b"a@b.test\r\n\r\n",
    b"From: a@b.test\r\nMessage-ID: " + b"<x" * 3000 + b"\r\n\r\nbody",
    b"From: a@b.test\r\nContent-Type: multipart/alternative; boundary=b\r\n\r\n"
    + b"--b\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n" * 200,
    b"From: a@b.test\r\nContent-Transfer-Encoding: base64\r\n\r\n!!!notbase64",
]


@pytest.mark.parametrize("raw", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_mime_is_an_outcome_never_a_crash(h, raw):
    from engage.email.inbound import receive_raw

    _, tenant_id = _tenant(h)
    addressed = raw.replace(b"x@inbound.localhost", f"{tenant_id}@inbound.localhost".encode())
    outcome = receive_raw(addressed)
    assert outcome.status in ("unreadable", "no_tenant", "received", "automatic")


# -- inbound e-mail into conversations ------------------------------------------------------
def _mail(
    to: str, text: str, subject: str = "Question", sender: str = "ann@example.com", **extra: str
) -> bytes:
    from email.message import EmailMessage

    msg = EmailMessage()
    msg["From"] = f"Ann <{sender}>"
    msg["To"] = to
    msg["Subject"] = subject
    msg["Message-ID"] = extra.pop("message_id")
    for name, value in extra.items():
        msg[name.replace("_", "-")] = value
    msg.set_content(text)
    return msg.as_bytes()


def _conversations(h, headers: dict) -> list[dict]:
    resp = h.client.get("/admin/api/conversations", headers=headers)
    assert resp.status_code == 200, resp.text
    return list(resp.json()["data"])


def test_an_inbound_reply_joins_the_threads_conversation_and_a_new_email_opens_one(h):
    from engage.conversations import store as conversations_store
    from engage.conversations.models import MessageItem
    from engage.core import keys
    from engage.email.inbound import inbound_address, receive_raw
    from engage.email.replies import send_reply

    # Given a tenant whose customer writes to its inbound address
    headers, tenant_id = _tenant(h)
    to = inbound_address(tenant_id)
    first = receive_raw(_mail(to, "Where is my order?", message_id="<c1@mail.example.com>"))
    assert first.status == "received" and first.new_conversation
    conversation = conversations_store.get_conversation(tenant_id, first.conversation_id)
    assert conversation is not None and conversation.channel == "email"
    # When an agent answers by e-mail
    reply = MessageItem(
        *keys.conversation_message_key(tenant_id, first.conversation_id, "01REPLY"),
        contact_id=conversation.contact_id,
        sender="agent",
        content="It ships tomorrow.",
        type="text",
        created_at="2026-12-02T08:00:00.000Z",
    )
    send_reply(tenant_id, conversation, reply)
    (sent,) = EMAIL_OUTBOX.list()
    fields = {f["name"]: f["value"] for f in sent["headers"]}
    # Then the reply threads under the customer's e-mail and comes back to the inbound address
    assert fields["In-Reply-To"] == "<c1@mail.example.com>"
    assert sent["subject"] == "Re: Question" and sent["replyTo"] == to
    assert sent["to"] == "ann@example.com"
    # and the customer's answer to it joins the same conversation, without the quote
    answer = _mail(
        to,
        "Thanks!\n\nOn Tue, Shop wrote:\n> It ships tomorrow.",
        subject="Re: Question",
        message_id="<c2@mail.example.com>",
        In_Reply_To=fields["Message-ID"],
        References=f"<c1@mail.example.com> {fields['Message-ID']}",
    )
    second = receive_raw(answer)
    assert second.status == "received" and not second.new_conversation
    assert second.conversation_id == first.conversation_id
    listed = h.client.get(
        f"/admin/api/conversations/{first.conversation_id}/messages", headers=headers
    ).json()["data"]
    assert [m["content"] for m in listed] == ["Question\n\nWhere is my order?", "Thanks!"]
    # and a redelivery of the same e-mail writes nothing twice
    assert receive_raw(answer).status == "duplicate"
    # while a new e-mail with no thread headers opens a conversation of its own
    other = receive_raw(
        _mail(to, "Another thing", subject="Returns", message_id="<c3@mail.example.com>")
    )
    assert other.new_conversation and other.conversation_id != first.conversation_id


def test_another_tenant_sees_nothing_of_an_inbound_email(h):
    from engage.email.inbound import inbound_address, receive_raw

    _, tenant_id = _tenant(h)
    other_headers, other_id = _tenant(h, "owner@other.test", "Other")
    got = receive_raw(
        _mail(inbound_address(tenant_id), "Hello", message_id="<x1@mail.example.com>")
    )
    assert got.tenant_id == tenant_id
    # the other tenant's inbox is empty, and its thread look-up does not reach the first's
    assert _conversations(h, other_headers) == []
    elsewhere = receive_raw(
        _mail(
            inbound_address(other_id),
            "Hi",
            message_id="<x2@mail.example.com>",
            In_Reply_To="<x1@mail.example.com>",
        )
    )
    assert elsewhere.tenant_id == other_id and elsewhere.new_conversation
    assert (
        h.client.get(
            f"/admin/api/conversations/{got.conversation_id}", headers=other_headers
        ).status_code
        == 404
    )


def test_mail_for_no_tenant_and_automatic_replies_are_dropped(h):
    from engage.email.inbound import receive_raw

    _tenant(h)
    assert (
        receive_raw(_mail("nobody@inbound.localhost", "x", message_id="<a@b>")).status
        == "no_tenant"
    )
    assert receive_raw(_mail("x@elsewhere.test", "x", message_id="<a@c>")).status == "no_tenant"


def test_the_worker_delivers_what_ses_stored_in_s3(h, monkeypatch):
    # Given SES stored an e-mail for the tenant in the inbound bucket, and S3 notified the queue
    from engage.core.settings import get_settings
    from engage.email.inbound import inbound_address
    from tests.conftest import FUNCTIONS

    headers, tenant_id = _tenant(h)
    monkeypatch.setenv("INBOUND_EMAIL_BUCKET", "engage-test-inbound")
    get_settings.cache_clear()
    s3 = boto3.client("s3")
    s3.create_bucket(Bucket="engage-test-inbound")
    s3.put_object(
        Bucket="engage-test-inbound",
        Key="mail/abc 1",
        Body=_mail(inbound_address(tenant_id), "Hello from S3", message_id="<s3@mail.example.com>"),
    )
    notification = {
        "Records": [
            {
                "eventVersion": "2.1",
                "eventSource": "aws:s3",
                "awsRegion": "us-east-1",
                "eventTime": "2026-12-02T08:00:00.000Z",
                "eventName": "ObjectCreated:Put",
                "userIdentity": {"principalId": "AWS:SES"},
                "requestParameters": {"sourceIPAddress": "10.0.0.1"},
                "responseElements": {"x-amz-request-id": "r", "x-amz-id-2": "i"},
                "s3": {
                    "s3SchemaVersion": "1.0",
                    "configurationId": "c",
                    "bucket": {
                        "name": "engage-test-inbound",
                        "ownerIdentity": {"principalId": "p"},
                        "arn": "arn:aws:s3:::engage-test-inbound",
                    },
                    "object": {"key": "mail/abc+1", "size": 10, "eTag": "e", "sequencer": "1"},
                },
            }
        ]
    }
    test_event = {"Service": "Amazon S3", "Event": "s3:TestEvent", "Bucket": "engage-test-inbound"}
    sqs = boto3.client("sqs")
    queue = sqs.create_queue(QueueName="engage-test-inbound-email")["QueueUrl"]
    for body in (notification, test_event):
        sqs.send_message(QueueUrl=queue, MessageBody=json.dumps(body))
    # When the worker takes the queue's batch
    (event,) = list(h._queue_events(queue))
    result = FUNCTIONS["InboundEmailFunction"].invoke(event)
    # Then nothing failed and the e-mail is a conversation in the tenant's inbox
    assert not result.get("batchItemFailures"), result
    (conversation,) = _conversations(h, headers)
    assert conversation["channel"] == "email"


def test_the_local_runtime_simulates_inbound_email_and_shows_sent_email_headers(h):
    from fastapi.testclient import TestClient

    from local.functions import build_http_app
    from local.pages import local_router
    from local.pages_email import email_router
    from tests.conftest import FUNCTIONS

    headers, tenant_id = _tenant(h)
    contact = _contact(h, headers)
    local = TestClient(build_http_app(FUNCTIONS, [local_router, email_router]))
    resp = local.post(
        "/_local/email/inbound",
        json={
            "from": "bob@example.com",
            "to": f"{tenant_id.lower()}@inbound.localhost",
            "subject": "Hi",
            "text": "Hello",
        },
    )
    assert resp.status_code == 200 and resp.json()["status"] == "received", resp.text
    assert _send(tenant_id, contact["id"]).status == "sent"
    page = local.get("/_local/outbox").text
    assert "List-Unsubscribe-Post: List-Unsubscribe=One-Click" in page
    (record,) = local.get("/_local/outbox.json").json()["emails"]
    shown = local.get(f"/_local/email/{record['providerMessageId']}")
    assert shown.status_code == 200 and "srcdoc" in shown.text and "20% off" in shown.text


def test_marketing_email_goes_out_from_the_tenants_configured_identity(h, ses_wire):
    # Given a tenant that configured its e-mail channel
    headers, tenant_id = _tenant(h)
    contact = _contact(h, headers)
    resp = h.client.post(
        "/channels/email/configure",
        headers=headers,
        json={
            "from_address": "hello@shop.test",
            "from_name": "Shop Team",
            "reply_to": "care@shop.test",
        },
    )
    assert resp.status_code in (200, 201), resp.text
    # When a campaign e-mails a contact
    assert _send(tenant_id, contact["id"]).status == "sent"
    # Then it is from that identity, with its Reply-To
    (request,) = ses_wire
    assert request["FromEmailAddress"] == "Shop Team <hello@shop.test>"
    assert request["ReplyToAddresses"] == ["care@shop.test"]


def test_the_local_runtime_delivers_s3_notifications_to_the_queue(h):
    # Given the template's inbound bucket and queue on moto, as the runtime provisions them
    from local.cfn import Resolver, load_template
    from local.s3_notifications import install

    template = load_template()
    sqs = boto3.client("sqs")
    url = sqs.create_queue(QueueName="engage-test-InboundEmailQueue")["QueueUrl"]
    boto3.client("s3").create_bucket(Bucket="engage-test-inboundemailbucket")
    resolver = Resolver(template, "engage-test", {"PublicBaseUrl": "https://api.example.test"})
    resolver.refs["InboundEmailBucket"] = "engage-test-inboundemailbucket"
    resolver.attrs[("InboundEmailQueue", "Arn")] = (
        "arn:aws:sqs:us-east-1:123456789012:engage-test-InboundEmailQueue"
    )
    # When notifications are installed and SES stores a message
    assert (
        install(
            {"Resources": {"InboundEmailBucket": template["Resources"]["InboundEmailBucket"]}},
            resolver,
        )
        == 1
    )
    boto3.client("s3").put_object(Bucket="engage-test-inboundemailbucket", Key="m/1", Body=b"x")
    # Then the queue has the object's S3 event
    bodies = [json.loads(m["body"]) for e in h._queue_events(url) for m in e["Records"]]
    keys = [r["s3"]["object"]["key"] for b in bodies for r in b.get("Records", [])]
    assert [unquote_plus(k) for k in keys] == ["m/1"]  # event keys are URL-encoded


def test_an_agents_reply_in_an_email_conversation_is_emailed_once_in_the_thread(h):
    from engage.email.inbound import inbound_address, receive_raw

    # Given a customer's e-mail that opened a conversation
    headers, tenant_id = _tenant(h)
    to = inbound_address(tenant_id)
    first = receive_raw(_mail(to, "Where is my order?", message_id="<c9@mail.example.com>"))
    path = f"/admin/api/conversations/{first.conversation_id}/messages"
    body = {"content": "It ships tomorrow.", "client_message_id": "r-1"}
    # When an agent replies from the console, and the client retries the same reply
    assert h.client.post(path, headers=headers, json=body).status_code in (200, 201)
    h.client.post(path, headers=headers, json=body)
    # Then one e-mail went to the customer, threaded under their message
    (sent,) = EMAIL_OUTBOX.list()
    fields = {f["name"]: f["value"] for f in sent["headers"]}
    assert sent["to"] == "ann@example.com" and sent["text"].startswith("It ships tomorrow.")
    assert fields["In-Reply-To"] == "<c9@mail.example.com>"
    # and a private note is not e-mailed
    note = {"content": "VIP customer", "private": True}
    assert h.client.post(path, headers=headers, json=note).status_code in (200, 201)
    assert len(EMAIL_OUTBOX.list()) == 1

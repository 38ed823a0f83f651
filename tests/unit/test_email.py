"""The e-mail adapters (DESIGN.md section 5 "Providers"; issue 9: invitations are e-mailed):
the sandbox records what the local outbox shows; the SES v2 adapter runs against moto's sesv2,
so the real adapter code (request shape, errors) is what is tested."""

from __future__ import annotations

import boto3
import pytest
from fastapi.testclient import TestClient

from engage.channels.email_base import EmailRefused, OutboundEmail
from engage.channels.email_sandbox import EMAIL_OUTBOX

MAIL = OutboundEmail(
    to="ann@team.test",
    subject="Hello",
    text="Plain text https://console.test/accept-invite?token=abc",
    html="<p>Hello <a href='https://console.test/accept-invite?token=abc'>accept</a></p>",
    tenant_id="T1",
)


@pytest.fixture
def ses(h, monkeypatch):
    """EMAIL_PROVIDER=ses with a verified sending domain in moto's SES; yields SES's backend
    (its `sent_messages` are what SES accepted)."""
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.ses.models import ses_backends

    from engage.core import aws
    from engage.core.settings import get_settings

    monkeypatch.setenv("EMAIL_PROVIDER", "ses")
    monkeypatch.setenv("EMAIL_FROM_ADDRESS", "Shop Team <no-reply@shop.test>")
    get_settings.cache_clear()
    aws.reset_clients()
    boto3.client("sesv2").create_email_identity(EmailIdentity="shop.test")
    return ses_backends[DEFAULT_ACCOUNT_ID]["us-east-1"]


def _ses_adapter():
    from engage.channels.email_registry import email_adapter

    adapter = email_adapter()
    assert adapter.name == "ses"
    return adapter


def test_the_default_adapter_is_the_sandbox_and_records_each_email(h):
    from engage.channels.email_registry import email_adapter

    adapter = email_adapter()
    message_id = adapter.send(MAIL)
    assert adapter.name == "sandbox" and message_id
    (record,) = EMAIL_OUTBOX.list()
    assert record["providerMessageId"] == message_id
    assert (record["to"], record["subject"], record["channel"]) == (
        "ann@team.test",
        "Hello",
        "email",
    )
    assert record["text"] == MAIL.text and record["html"] == MAIL.html


def test_ses_sends_from_the_configured_address_with_text_and_html(h, ses):
    message_id = _ses_adapter().send(MAIL)
    (sent,) = ses.sent_messages
    assert message_id == sent.id
    assert sent.source == "Shop Team <no-reply@shop.test>"
    assert sent.destinations["ToAddresses"] == ["ann@team.test"]
    assert sent.subject == "Hello" and sent.body == MAIL.html  # moto keeps the HTML part


def test_ses_refusing_an_unverified_sender_is_an_email_refused(h, ses, monkeypatch):
    from engage.core.settings import get_settings

    monkeypatch.setenv("EMAIL_FROM_ADDRESS", "no-reply@unverified.test")
    get_settings.cache_clear()
    with pytest.raises(EmailRefused) as refused:
        _ses_adapter().send(MAIL)
    assert refused.value.reason == "MessageRejected"
    assert not ses.sent_messages


def test_an_invitation_goes_out_through_ses_when_configured(h, ses):
    owner = h.register()
    resp = h.client.post(
        "/admin/team/invitations", headers=owner, json={"email": "ann@team.test", "role": "agent"}
    )
    assert resp.status_code == 201 and resp.json()["email_status"] == "sent"
    (sent,) = ses.sent_messages
    assert sent.destinations["ToAddresses"] == ["ann@team.test"]
    assert "Shop" in sent.subject
    assert resp.json()["invite_url"] in sent.body
    assert not EMAIL_OUTBOX.list()


def test_a_refused_invitation_email_still_answers_the_link(h, ses, monkeypatch):
    from engage.core.settings import get_settings

    monkeypatch.setenv("EMAIL_FROM_ADDRESS", "no-reply@unverified.test")
    get_settings.cache_clear()
    owner = h.register()
    resp = h.client.post(
        "/admin/team/invitations", headers=owner, json={"email": "ann@team.test", "role": "agent"}
    )
    assert resp.status_code == 201
    assert resp.json()["email_status"] == "failed" and resp.json()["invite_url"]


def _local_client() -> TestClient:
    from local.functions import build_http_app
    from local.pages import console_router, local_router
    from tests.conftest import FUNCTIONS

    return TestClient(build_http_app(FUNCTIONS, [local_router, console_router]))


def test_the_local_outbox_lists_invitation_emails_by_tenant(h):
    owner = h.register()
    tenant_id = h.client.get("/auth/me", headers=owner).json()["data"]["tenant"]["id"]
    url = h.client.post(
        "/admin/team/invitations", headers=owner, json={"email": "ann@team.test", "role": "agent"}
    ).json()["invite_url"]
    local = _local_client()
    listed = local.get("/_local/outbox.json", params={"tenant": tenant_id}).json()
    (mail,) = listed["emails"]
    assert mail["to"] == "ann@team.test" and url in mail["text"]
    assert mail["tenantId"] == tenant_id and listed["counts"]["emails"]["matching"] == 1
    assert local.get("/_local/outbox.json", params={"tenant": "other"}).json()["emails"] == []
    page = local.get("/_local/outbox").text
    assert "E-mails" in page and "ann@team.test" in page


def test_the_local_accept_page_carries_the_token(h):
    page = _local_client().get("/accept-invite", params={"token": "T.I.<secret>"})
    assert page.status_code == 200
    assert "T.I.&lt;secret&gt;" in page.text and "/auth/invitations/" in page.text

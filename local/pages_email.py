"""Local-only e-mail routes (never deployed; issue 10): a simulated inbound e-mail, and one
sandbox e-mail shown as its recipient would see it.

- `POST /_local/email/inbound {from, to, subject, text, in_reply_to?, references?}` builds a
  MIME message (stdlib `email`), stores it in INBOUND_EMAIL_BUCKET as SES's receipt rule
  would, and delivers it through the worker's own path (`engage.email.inbound.
  receive_object`), answering the outcome (the conversation it joined or opened). A tenant's
  inbound address is `<tenantId>@INBOUND_EMAIL_DOMAIN` (`inbound.localhost` by default).
- `GET /_local/email/{providerMessageId}`: the sandbox e-mail's header fields (List-Unsubscribe
  of marketing e-mail, In-Reply-To of replies) and its HTML in a sandboxed frame.
"""

from __future__ import annotations

import html
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from fastapi import APIRouter
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, ConfigDict, Field

from engage.channels.email_sandbox import EMAIL_OUTBOX
from engage.core import ids
from engage.core.errors import NotFound
from engage.core.settings import get_settings
from engage.email import inbound, inbound_port

email_router = APIRouter(prefix="/_local/email", tags=["local runtime"])


class InboundEmailIn(BaseModel):
    """A simulated inbound e-mail: sender, recipient (`<tenantId>@INBOUND_EMAIL_DOMAIN`),
    subject and text; `in_reply_to` / `references` (Message-IDs) thread it."""

    model_config = ConfigDict(populate_by_name=True, extra="forbid")
    from_: str = Field(alias="from", min_length=3, max_length=254)
    to: str = Field(min_length=3, max_length=254)
    subject: str = Field(default="", max_length=998)
    text: str = Field(default="", max_length=20_000)
    in_reply_to: str | None = Field(default=None, max_length=998)
    references: str | None = Field(default=None, max_length=4000)


class InboundEmailOut(BaseModel):
    """What became of it (engage.email.inbound.InboundOutcome) and its Message-ID."""

    status: str
    message_id: str
    tenant_id: str | None = None
    conversation_id: str | None = None
    contact_id: str | None = None
    new_conversation: bool = False


def build_mime(body: InboundEmailIn) -> tuple[bytes, str]:
    """The RFC 5322 bytes of the simulated e-mail and its Message-ID."""
    msg = EmailMessage()
    msg["From"] = body.from_
    msg["To"] = body.to
    msg["Subject"] = body.subject
    msg["Date"] = formatdate(usegmt=True)
    message_id = make_msgid(domain="sender.localhost")
    msg["Message-ID"] = message_id
    if body.in_reply_to:
        msg["In-Reply-To"] = body.in_reply_to
    if body.references:
        msg["References"] = body.references
    msg.set_content(body.text or " ")
    return msg.as_bytes(), message_id


@email_router.post("/inbound", response_model=InboundEmailOut)
def simulate_inbound(body: InboundEmailIn) -> InboundEmailOut:
    """Deliver a simulated e-mail exactly as one SES stored in S3 would be."""
    raw, message_id = build_mime(body)
    if get_settings().inbound_email_bucket:
        key = f"local/{ids.new_id()}"
        bucket = inbound_port.put(key, raw)
        outcome = inbound.receive_object(bucket, key)
    else:  # tests without the bucket: the same parsing and delivery
        outcome = inbound.receive_raw(raw)
    return InboundEmailOut(message_id=message_id, **vars(outcome))


@email_router.get("/{provider_message_id}", response_class=HTMLResponse)
def show_email(provider_message_id: str) -> str:
    """One sandbox e-mail: its header fields and its HTML (scripts off)."""
    record = next(
        (
            r
            for r in EMAIL_OUTBOX.list(EMAIL_OUTBOX.count())
            if r.get("providerMessageId") == provider_message_id
        ),
        None,
    )
    if record is None:
        raise NotFound("No such sandbox e-mail")
    e = html.escape
    rows = [
        ("From", record.get("from")),
        ("To", record.get("to")),
        ("Reply-To", record.get("replyTo")),
        ("Subject", record.get("subject")),
    ]
    rows += [(h["name"], h["value"]) for h in record.get("headers") or []]
    table = "".join(f"<tr><th>{e(str(n))}</th><td>{e(str(v or ''))}</td></tr>" for n, v in rows)
    frame = e(str(record.get("html") or ""), quote=True)
    text = e(str(record.get("text") or ""))
    return (
        '<!doctype html><html><head><meta charset="utf-8"><title>Sandbox e-mail</title>'
        "<style>body{font-family:system-ui,sans-serif;margin:2rem}th{text-align:left;"
        "padding-right:1rem;vertical-align:top}td{font-family:monospace;word-break:break-all}"
        "iframe{width:100%;height:30rem;border:1px solid #ddd}</style></head><body>"
        f'<p><a href="/_local/outbox">outbox</a></p><table>{table}</table><h2>HTML</h2>'
        f'<iframe sandbox srcdoc="{frame}"></iframe><h2>Text</h2><pre>{text}</pre>'
        "</body></html>"
    )

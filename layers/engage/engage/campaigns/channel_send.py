"""Handing one campaign message to its channel's adapter (issue 10 "Campaigns on any
channel"): the sender calls `ChannelSend.send` for every message of a batch, whatever its
channel, and `flush` once at the end for the receipts the sandboxes simulate.

SENDERS is the dispatch table, one function per channel:
- `sms`: the SMS adapter (`engage.channels.registry.sms_adapter`), as before issue 10;
- `whatsapp`: the WhatsApp adapter; inside the contact's 24-hour customer-service window the
  campaign's text goes free-form, outside it the campaign's approved template with its
  variables (a template is always allowed to a contact who opted in to WhatsApp);
- `email`: `engage.email.marketing.send_marketing` (suppression list and consent, read for
  all the batch's e-mails at once; one-click unsubscribe headers) with the e-mail's HTML,
  the recipient's variables filled and the campaign's links turned into the recipient's
  short links, and a text part derived from it.
Every sender returns a `SendResult` (`sent` with the provider's id, `failed` or `skipped` with
a reason) and never raises for a message the provider refused.
"""

from __future__ import annotations

import html as htmllib
import re
from collections.abc import Callable
from typing import TYPE_CHECKING

from engage.campaigns.compose import short_url
from engage.campaigns.events import SendBatchBody
from engage.campaigns.message_store import Message
from engage.channels.base import OutboundSms, Receipt, SendResult, SmsAdapter
from engage.channels.registry import sms_adapter
from engage.core.render import render
from engage.core.settings import get_settings

if TYPE_CHECKING:  # the WhatsApp and e-mail modules load when a batch first needs them
    from engage.channels.whatsapp_base import WhatsAppAdapter
    from engage.email.marketing import Screening

_DROP = re.compile(r"(?is)<(style|script|head)\b.*?</\1\s*>")
_BREAK = re.compile(r"(?i)<\s*(br|/p|/div|/h[1-6]|/li|/tr|/table)\b[^>]*>")
_TAG = re.compile(r"<[^>]*>")


def html_to_text(html: str) -> str:
    """A plain-text rendering of `html` for the e-mail's text part: no styles or scripts,
    a line per block, entities decoded, blank runs collapsed."""
    text = _TAG.sub("", _BREAK.sub("\n", _DROP.sub("", html)))
    lines = [" ".join(line.split()) for line in htmllib.unescape(text).splitlines()]
    out = re.sub(r"\n{3,}", "\n\n", "\n".join(lines))
    return out.strip()


def email_html(
    template: str, values: dict[str, str | None], links: list[str], token: str | None
) -> str:
    """The e-mail's HTML for one recipient: variables filled, and each `href` equal to one of
    the campaign's `links` pointing at the recipient's short link for it."""
    out = render(template, values)
    if token:
        for i, link in enumerate(links):
            url = short_url(token, i)
            for quoted in (link, htmllib.escape(link)):
                out = out.replace(f'href="{quoted}"', f'href="{url}"')
                out = out.replace(f"href='{quoted}'", f"href='{url}'")
    return out


class ChannelSend:
    """The adapters of one send batch (made on first use) and its reference format."""

    def __init__(self, body: SendBatchBody) -> None:
        self.body = body
        self._sms: SmsAdapter | None = None
        self._whatsapp: WhatsAppAdapter | None = None
        self._windows: set[str] | None = None
        self._screening: Screening | None = None

    def ref(self, m: Message) -> str:
        """Our reference of a message, echoed on receipts: `<tenantId>|<PK>|<SK>`."""
        return f"{self.body.t}|{m.pk}|{m.sk}"

    @property
    def sms(self) -> SmsAdapter:
        """The batch's SMS adapter."""
        if self._sms is None:
            self._sms = sms_adapter()
        return self._sms

    @property
    def whatsapp(self) -> WhatsAppAdapter:
        """The batch's WhatsApp adapter."""
        if self._whatsapp is None:
            from engage.channels.whatsapp_registry import whatsapp_adapter

            self._whatsapp = whatsapp_adapter()
        return self._whatsapp

    def window_open(self, contact_id: str) -> bool:
        """Whether the contact's 24-hour WhatsApp window is open now (the windows of every
        WhatsApp recipient of the batch are read at once, on first use)."""
        if self._windows is None:
            from engage.whatsapp import service as whatsapp

            contacts = [row[1] for row in self.body.m if len(row) > 6 and row[6] == "whatsapp"]
            self._windows = whatsapp.open_windows(self.body.t, contacts)
        return contact_id in self._windows

    def screening(self) -> Screening:
        """The suppression entries, e-mail consents and sender identity of every e-mail
        recipient of the batch, read at once on first use (`marketing.screen`)."""
        if self._screening is None:
            from engage.email.marketing import screen

            wanted = [(row[1], row[2]) for row in self.body.m if len(row) > 6 and row[6] == "email"]
            self._screening = screen(self.body.t, wanted)
        return self._screening

    def send(self, m: Message) -> SendResult:
        """Hand `m` to its channel; sets `m.provider` to the adapter that took it."""
        return SENDERS[m.channel](self, m)

    def flush(self) -> list[Receipt]:
        """The receipts the batch's adapters produced synchronously (sandboxes)."""
        out = self._sms.flush() if self._sms is not None else []
        return out + (self._whatsapp.flush() if self._whatsapp is not None else [])


def _send_sms(out: ChannelSend, m: Message) -> SendResult:
    adapter = out.sms
    m.provider = adapter.name
    return adapter.send(OutboundSms(m.phone, m.body, out.body.sender, out.ref(m)))


def _send_whatsapp(out: ChannelSend, m: Message) -> SendResult:
    from engage.channels.whatsapp_base import OutboundWhatsApp

    batch = out.body.ch.whatsapp if out.body.ch else None
    adapter = out.whatsapp
    m.provider = adapter.name
    ref, tenant_id = out.ref(m), out.body.t
    if out.window_open(m.contact_id):  # free-form inside the customer-service window
        return adapter.send(OutboundWhatsApp(m.phone, body=m.body, ref=ref, tenant_id=tenant_id))
    if batch is None:
        return SendResult("skipped", None, "outside the 24-hour window and no template")
    variables = {k: v or "" for k, v in (m.values or {}).items()}
    message = OutboundWhatsApp(
        m.phone,
        content_sid=batch.template,
        content_variables=variables or None,
        ref=ref,
        tenant_id=tenant_id,
    )
    return adapter.send(message)


def _send_email(out: ChannelSend, m: Message) -> SendResult:
    from engage.email.marketing import send_marketing

    batch = out.body.ch.email if out.body.ch else None
    if batch is None:
        return SendResult("failed", None, "the batch carries no e-mail settings")
    html = email_html(batch.html, m.values or {}, batch.links, m.token)
    m.provider = get_settings().email_provider
    tenant_id, campaign_id = out.body.t, out.body.c
    text = html_to_text(html)
    ref = out.ref(m)
    return send_marketing(
        tenant_id, m.contact_id, m.phone, m.body, html, text, campaign_id, ref, out.screening()
    )


SENDERS: dict[str, Callable[[ChannelSend, Message], SendResult]] = {
    "sms": _send_sms,
    "whatsapp": _send_whatsapp,
    "email": _send_email,
}

"""The WhatsApp customer-service window and the send policy (issue 10 "whatsapp").

WhatsApp Business lets a business answer free-form only within 24 hours of the customer's
last message to it (the customer-service window); outside it only a template Meta approved
(https://developers.facebook.com/docs/whatsapp/pricing#customer-service-windows; Twilio
refuses a free-form message outside it with error 63016). Engage enforces that before any
provider is called, so a refused send never reaches it:

- a contact opted out of WhatsApp (`whatsappConsent == opted_out`, e.g. by STOP) gets
  nothing, inside the window or not (Conflict);
- inside the window: free-form text or a template;
- outside it: only a template (`content_sid`), and only to a contact with
  `whatsappConsent == opted_in` (Conflict otherwise);
- neither text nor template: ValidationFailed.

The window is one item per contact (`record_inbound`, conditional so its time only moves
forward); `policy` is the pure rule for senders that read many windows at once
(`store.batch_last_inbound`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from enum import StrEnum

from engage.channels.base import SendResult
from engage.channels.whatsapp_base import OutboundWhatsApp
from engage.channels.whatsapp_registry import whatsapp_adapter
from engage.contacts import store as contact_store
from engage.contacts.consent import ConsentChannel, consent_of
from engage.core import clock
from engage.core.errors import Conflict, NotFound, ValidationFailed
from engage.whatsapp import store

WINDOW = dt.timedelta(hours=24)
OPTED_IN, OPTED_OUT = "opted_in", "opted_out"


class SendKind(StrEnum):
    """How a permitted WhatsApp message goes out: free-form in the window, or a template."""

    SESSION = "session"
    TEMPLATE = "template"


def _parse(at_iso: str) -> dt.datetime:
    return dt.datetime.fromisoformat(at_iso.replace("Z", "+00:00"))


def record_inbound(
    tenant_id: str, contact_id: str, at_iso: str, *, business_number: str | None = None
) -> bool:
    """The contact wrote to the business on WhatsApp at `at_iso` (ISO 8601): the window runs
    24 hours from it. Returns False when a later message was already recorded (the window
    never moves back). `business_number`: the number they wrote to (replies go from it)."""
    return store.record_inbound(tenant_id, contact_id, at_iso, business_number)


def last_inbound(tenant_id: str, contact_id: str) -> str | None:
    """ISO time of the contact's latest inbound WhatsApp message, or None."""
    item = store.get(tenant_id, contact_id)
    return item.last_inbound_at if item is not None else None


def business_number(tenant_id: str, contact_id: str) -> str | None:
    """The business number (E.164) the contact last wrote to on WhatsApp, or None."""
    item = store.get(tenant_id, contact_id)
    return item.business_number if item is not None else None


def is_open(last_inbound_at: str | None, at: dt.datetime | None = None) -> bool:
    """Whether a window whose last inbound message was at `last_inbound_at` is open at `at`
    (default now): strictly less than 24 hours have passed."""
    if not last_inbound_at:
        return False
    return (at or clock.now()) - _parse(last_inbound_at) < WINDOW


def window_open(tenant_id: str, contact_id: str, at: dt.datetime | None = None) -> bool:
    """Whether the contact's customer-service window is open at `at` (default now)."""
    return is_open(last_inbound(tenant_id, contact_id), at)


def open_windows(
    tenant_id: str, contact_ids: Iterable[str], at: dt.datetime | None = None
) -> set[str]:
    """The contacts among `contact_ids` whose window is open at `at` (one BatchGetItem per
    100 contacts)."""
    when = at or clock.now()
    return {
        c for c, t in store.batch_last_inbound(tenant_id, contact_ids).items() if is_open(t, when)
    }


def policy(
    consent: str,
    last_inbound_at: str | None,
    *,
    body: str | None,
    content_sid: str | None,
    at: dt.datetime | None = None,
) -> SendKind:
    """The send rule of the module docstring for a contact with WhatsApp `consent` whose last
    inbound message was at `last_inbound_at`. Raises ValidationFailed (no text and no
    template) or Conflict (opted out; outside the window without a template; a template to a
    contact not opted in), each naming the reason in `details.whatsapp`."""
    if not content_sid and not (body and body.strip()):
        raise ValidationFailed(
            "A WhatsApp message needs text or a template", {"whatsapp": "give body or content_sid"}
        )
    if consent == OPTED_OUT:
        raise Conflict(
            "The contact opted out of WhatsApp", {"whatsapp": "whatsappConsent is opted_out"}
        )
    if is_open(last_inbound_at, at):
        return SendKind.TEMPLATE if content_sid else SendKind.SESSION
    if not content_sid:
        raise Conflict(
            "Outside the 24-hour WhatsApp window only an approved template may be sent",
            {"whatsapp": "the contact's last message is more than 24 hours old (or none)"},
        )
    if consent != OPTED_IN:
        raise Conflict(
            "A WhatsApp template outside the 24-hour window needs the contact's opt-in",
            {"whatsapp": f"whatsappConsent is {consent}, not opted_in"},
        )
    return SendKind.TEMPLATE


def check_send(
    tenant_id: str,
    contact_id: str,
    *,
    body: str | None,
    content_sid: str | None,
    at: dt.datetime | None = None,
) -> SendKind:
    """`policy` for one contact of the tenant (reads the contact and its window). Raises
    NotFound for an unknown contact, else as `policy`."""
    contact = contact_store.get(tenant_id, contact_id)
    if contact is None:
        raise NotFound("Contact not found")
    consent = consent_of(contact, ConsentChannel.WHATSAPP)
    return policy(
        consent, last_inbound(tenant_id, contact_id), body=body, content_sid=content_sid, at=at
    )


def send(tenant_id: str, contact_id: str, message: OutboundWhatsApp) -> SendResult:
    """Check the policy for the contact, then hand `message` to the configured adapter.
    Raises as `check_send` (nothing reaches the provider then)."""
    check_send(tenant_id, contact_id, body=message.body, content_sid=message.content_sid)
    return whatsapp_adapter().send(message)

"""Inbound WhatsApp webhooks (issue 10 "whatsapp"): the customer's messages and the status
callbacks of what Engage sent, on Twilio's WhatsApp parameters
(https://www.twilio.com/docs/messaging/guides/webhook-request). Signatures are verified first
by the route, with the SMS check (`service.verify`).

An inbound message's `From` / `To` carry the `whatsapp:` prefix, stripped here. For every
tenant and contact it is for (`routing.targets`):
- STOP, STOPALL, UNSUBSCRIBE, CANCEL, END, QUIT, REVOKE, OPTOUT opt the contact out of WhatsApp
  only (their SMS and e-mail consent stay as they are), remembering that STOP did it;
- START, UNSTOP, YES opt them back in, only where a WhatsApp STOP had opted them out;
- any other message (HELP included: on WhatsApp it is a customer's word to an agent) opens
  the 24-hour window (`whatsapp.service.record_inbound`) and becomes the contact's message in
  their WhatsApp conversation (`conversations.inbound.receive`, idempotent on `MessageSid`).
  A message with media and no text is written as `[N attachment(s)]`.
Keywords neither open the window nor reach the inbox.
"""

from __future__ import annotations

from typing import Any

from engage.campaigns import stats
from engage.channels.twilio_whatsapp import strip_address
from engage.contacts import store as contact_store
from engage.contacts.consent import ConsentChannel, consent_of, set_channel_consent
from engage.conversations.inbound import receive
from engage.conversations.schemas import Channel
from engage.core import clock
from engage.core.errors import ValidationFailed
from engage.core.observability import logger, mask_phone
from engage.core.phones import normalise_phone
from engage.tenants import service as tenants
from engage.webhooks.routing import targets
from engage.webhooks.service import keyword, route_status
from engage.whatsapp import service as whatsapp
from engage.whatsapp import store as whatsapp_store

WHATSAPP = ConsentChannel.WHATSAPP


def _number(params: dict[str, str], name: str) -> str | None:
    return normalise_phone(strip_address(params.get(name) or ""), None)


def _content(params: dict[str, str]) -> str | None:
    body = params.get("Body") or ""
    if body.strip():
        return body
    media = int(params["NumMedia"]) if params.get("NumMedia", "").isdigit() else 0
    return f"[{media} attachment{'s' if media != 1 else ''}]" if media else None


def _stop(tenant_id: str, contact_id: str) -> bool:
    if not set_channel_consent(tenant_id, contact_id, WHATSAPP, "opted_out", "whatsapp_stop"):
        return False
    whatsapp_store.set_stop_opted_out(tenant_id, contact_id, True)
    tz = tenants.get_settings_of(tenant_id).timezone
    stats.add_daily(tenant_id, stats.day_in(tz), unsubscribes=1)
    return True


def _start(tenant_id: str, contact_id: str) -> bool:
    contact = contact_store.get(tenant_id, contact_id)
    window = whatsapp_store.get(tenant_id, contact_id)
    if contact is None or consent_of(contact, WHATSAPP) != "opted_out":
        return False
    if window is None or not window.stop_opted_out:
        return False  # opted out another way (the tenant's own record): START cannot undo it
    if not set_channel_consent(tenant_id, contact_id, WHATSAPP, "opted_in", "whatsapp_start"):
        return False
    whatsapp_store.set_stop_opted_out(tenant_id, contact_id, False)
    return True


def inbound(params: dict[str, str]) -> dict[str, Any]:
    """Handle one inbound WhatsApp message (see the module docstring); returns `{action,
    changed, messages}` (`action`: `stop`, `start` or None; `changed`: contacts whose
    WhatsApp consent changed; `messages`: conversation messages written). Raises
    ValidationFailed without a valid `From`."""
    phone = _number(params, "From")
    if phone is None:
        raise ValidationFailed("Missing or invalid From", {"From": "whatsapp:<E.164 number>"})
    to = _number(params, "To")
    action = keyword(params.get("Body", ""), None)
    action = None if action == "help" else action
    changed = written = 0
    found = targets(phone, to, "whatsapp")
    if action == "stop":
        changed = sum(_stop(t, c) for t, c in found)
    elif action == "start":
        changed = sum(_start(t, c) for t, c in found)
    elif (content := _content(params)) is not None:
        at = clock.now_iso()
        for tenant_id, contact_id in found:
            whatsapp.record_inbound(tenant_id, contact_id, at, business_number=to)
            receive(
                tenant_id,
                contact_id,
                Channel.WHATSAPP,
                content,
                provider_message_id=params.get("MessageSid") or None,
            )
            written += 1
    logger.info(
        "inbound whatsapp",
        extra={"from": mask_phone(phone), "action": action, "changed": changed, "written": written},
    )
    return {"action": action, "changed": changed, "messages": written}


def status_callback(provider: str, params: dict[str, str], ref: str | None) -> dict[str, Any]:
    """A WhatsApp status callback (`MessageSid`, `MessageStatus`: queued, sent, delivered,
    read, failed, undelivered; `ErrorCode`): a conversation reply's status moves at once, a
    campaign message's receipt is queued for the receipts worker (which settles `delivered`,
    `read` and failures once each). Returns `WebhookReceiptQueued`'s fields."""
    sid = params.get("MessageSid") or params.get("SmsSid")
    status = (params.get("MessageStatus") or params.get("SmsStatus") or "").lower()
    if not sid or not status:
        raise ValidationFailed(
            "Missing MessageSid or MessageStatus",
            {"MessageSid": "required", "MessageStatus": "required"},
        )
    return route_status(provider, sid, status, params.get("ErrorCode") or None, ref)

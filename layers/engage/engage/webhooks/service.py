"""Inbound SMS provider callbacks: delivery receipts and replies (issue 2, "webhooks").

Signatures first: a request whose signature does not verify is a 403 and changes nothing.
Twilio requests are checked with Twilio's SDK against TWILIO_AUTH_TOKEN; sandbox requests use
the same algorithm with SANDBOX_WEBHOOK_SECRET, so the local demo can post signed replies.

Replies follow the CTIA / Twilio keyword sets (https://help.twilio.com/articles/223134027):
STOP, STOPALL, UNSUBSCRIBE, CANCEL, END, QUIT, REVOKE, OPTOUT opt the number out at once in
every tenant that knows it; START, UNSTOP, YES opt it back in only where it was opted out by an
SMS STOP (never where the tenant recorded an opt-out of another origin); HELP gets a reply.
"""

from __future__ import annotations

from typing import Any

from engage.campaigns import stats
from engage.campaigns.receipts import queue_receipts
from engage.channels.base import Receipt
from engage.channels.twilio_sms import twilio_auth_token, verify_signature
from engage.contacts import service as contacts
from engage.contacts import store as contact_store
from engage.core.errors import Forbidden, NotFound, ValidationFailed
from engage.core.observability import logger, mask_phone
from engage.core.phones import normalise_phone
from engage.core.settings import get_settings
from engage.tenants import service as tenants
from engage.webhooks import store

STOP_WORDS = {"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "REVOKE", "OPTOUT"}
START_WORDS = {"START", "UNSTOP", "YES"}
HELP_WORDS = {"HELP", "INFO"}
PROVIDERS = ("twilio", "sandbox")


def verify(provider: str, url: str, params: dict[str, str], signature: str) -> None:
    """Raise NotFound for an unknown provider and Forbidden for a bad signature."""
    if provider not in PROVIDERS:
        raise NotFound("Unknown provider")
    settings = get_settings()
    if provider == "twilio":
        try:
            secret = twilio_auth_token(settings)
        except RuntimeError:
            raise Forbidden("Twilio webhooks are not configured") from None
    else:
        if not settings.sandbox_webhook_secret:
            raise Forbidden("Sandbox webhooks are not configured")
        secret = settings.sandbox_webhook_secret
    if not verify_signature(secret, url, params, signature):
        raise Forbidden("Invalid webhook signature")


def status_callback(provider: str, params: dict[str, str], ref: str | None) -> dict[str, Any]:
    """Queue one delivery receipt (Twilio's MessageSid / MessageStatus / ErrorCode); the
    receipts worker applies it. Returns `WebhookReceiptQueued`'s fields."""
    sid = params.get("MessageSid") or params.get("SmsSid")
    status = (params.get("MessageStatus") or params.get("SmsStatus") or "").lower()
    if not sid or not status:
        raise ValidationFailed(
            "Missing MessageSid or MessageStatus",
            {"MessageSid": "required", "MessageStatus": "required"},
        )
    error = params.get("ErrorCode")
    queue_receipts([Receipt(provider, sid, status, error or None, ref)])
    return {"queued": 1, "messageSid": sid, "status": status}


def keyword(body: str, opt_out_type: str | None) -> str | None:
    """`stop`, `start`, `help` or None. Twilio's Advanced Opt-Out `OptOutType` wins."""
    if opt_out_type:
        return {"STOP": "stop", "START": "start", "HELP": "help"}.get(opt_out_type.upper())
    word = body.strip().upper().rstrip(".!")
    if word in STOP_WORDS:
        return "stop"
    if word in START_WORDS:
        return "start"
    if word in HELP_WORDS:
        return "help"
    return None


def tenants_knowing(phone: str) -> list[tuple[str, str]]:
    """(tenant id, contact id) for every tenant with a contact at `phone` (GSI1)."""
    out = []
    for tenant_id in store.tenants_with_phone(phone):
        guard = contact_store.get_phone(tenant_id, phone)
        if guard is not None:
            out.append((tenant_id, guard.contact_id))
    return out


def inbound(provider: str, params: dict[str, str]) -> dict[str, Any]:
    """Handle a reply; returns `{action, changed, reply}` (`action`: `stop`, `start`, `help` or
    None; `changed`: contacts whose consent changed; `reply`: the text to answer, or None)."""
    phone = normalise_phone(params.get("From"), None)
    if phone is None:
        raise ValidationFailed("Missing or invalid From", {"From": "required E.164 number"})
    action = keyword(params.get("Body", ""), params.get("OptOutType"))
    changed = 0
    reply: str | None = None
    if action == "stop":
        for tenant_id, contact_id in tenants_knowing(phone):
            if contacts.set_consent(tenant_id, contact_id, "opted_out", "sms_stop"):
                changed += 1
                tz = tenants.get_settings_of(tenant_id).timezone
                stats.add_daily(tenant_id, stats.day_in(tz), unsubscribes=1)
    elif action == "start":
        for tenant_id, contact_id in tenants_knowing(phone):
            contact = contact_store.get(tenant_id, contact_id)
            if (
                contact
                and contact.sms_consent == "opted_out"
                and (contact.opt_out_source == "sms_stop")
            ):
                changed += contacts.set_consent(tenant_id, contact_id, "opted_in", "sms_start")
    elif action == "help":
        names = []
        for tenant_id, _ in tenants_knowing(phone)[:3]:
            names.append(tenants.get_settings_of(tenant_id).companyName or "")
        who = ", ".join(n for n in names if n) or "this service"
        reply = (
            f"You receive messages from {who}. Reply STOP to unsubscribe, START to "
            "resubscribe. Msg & data rates may apply."
        )
    logger.info(
        "inbound sms", extra={"from": mask_phone(phone), "action": action, "changed": changed}
    )
    return {"action": action, "changed": changed, "reply": reply}

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
from engage.conversations import outbound
from engage.conversations.inbound import receive
from engage.conversations.schemas import Channel
from engage.core import keys
from engage.core.errors import Forbidden, NotFound, ValidationFailed
from engage.core.observability import logger, mask_phone
from engage.core.phones import normalise_phone
from engage.core.settings import get_settings
from engage.tenants import service as tenants
from engage.webhooks.routing import targets, tenants_knowing

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
    error = params.get("ErrorCode") or None
    return route_status(provider, sid, status, error, ref)


def route_status(
    provider: str, sid: str, status: str, error: str | None, ref: str | None
) -> dict[str, Any]:
    """A status callback for a conversation reply (its `ref` names a conversation message,
    `keys.conversation_message_ref`) is applied at once (`conversations.outbound`); any other
    (a campaign message's) is queued for the receipts worker. `queued`: 1 when queued."""
    conversation = keys.parse_conversation_message_ref(ref)
    if conversation is not None:
        tenant_id, conversation_id, message_id = conversation
        outbound.apply_status(tenant_id, conversation_id, message_id, status, sid, error)
        return {"queued": 0, "messageSid": sid, "status": status}
    queue_receipts([Receipt(provider, sid, status, error, ref)])
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


def inbound(provider: str, params: dict[str, str]) -> dict[str, Any]:
    """Handle a reply; returns `{action, changed, reply, messages}` (`action`: `stop`, `start`,
    `help` or None; `changed`: contacts whose consent changed; `reply`: the text to answer, or
    None; `messages`: conversation messages written). A reply that is no keyword becomes the
    contact's message in their SMS conversation in every tenant it is for (`routing.targets`,
    `conversations.inbound.receive`; idempotent on `MessageSid`)."""
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
    written = 0
    if action is None and params.get("Body", "").strip():
        to = normalise_phone(params.get("To"), None)
        for tenant_id, contact_id in targets(phone, to, "sms"):
            receive(
                tenant_id,
                contact_id,
                Channel.SMS,
                params["Body"],
                provider_message_id=params.get("MessageSid") or params.get("SmsSid"),
            )
            written += 1
    logger.info(
        "inbound sms",
        extra={"from": mask_phone(phone), "action": action, "changed": changed, "written": written},
    )
    return {"action": action, "changed": changed, "reply": reply, "messages": written}

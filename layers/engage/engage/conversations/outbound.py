"""An agent's reply in an SMS or WhatsApp conversation goes out through that channel's
adapter (issue 10 "one inbox"): called synchronously by the console's reply
(`inbox.reply`), so a refusal is the reply's own answer.

- `plan` runs before the reply is written: for a WhatsApp conversation it applies the
  WhatsApp policy (`engage.whatsapp.service.policy`): inside the 24-hour window the reply goes
  as free-form text; outside it a plain reply is refused with a 409 and nothing is written or
  sent. A reply whose text is `/template HX<32 hex> {"1": "value", ...}` (the JSON object of
  variables is optional) is sent as that approved Content API template instead, which the
  policy allows outside the window to a contact opted in to WhatsApp. An SMS reply is
  refused (409) to a contact opted out of SMS (STOP). Either needs the contact's phone.
- `deliver` runs after the message is written: a conditional claim on the message
  (`channelStatus: sending`) lets one caller hand it to the provider, so a retried request,
  a replay with the same `client_message_id` or two concurrent retries never send twice
  (at most once; if the claimer dies before the provider answers, the message stays
  `sending`). The provider's answer sets `sent` (with its message id) or `failed` (with its
  reason); its status callbacks (`apply_status`) move the message to `delivered` / `read`,
  which also marks the team's messages delivered / read for the end user, as a chat
  client's receipt does (so the console's socket shows it). The sandbox's simulated
  callbacks are applied at once.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from engage.channels.base import OutboundSms, Receipt, SendResult
from engage.channels.registry import sms_adapter
from engage.channels.whatsapp_base import OutboundWhatsApp
from engage.channels.whatsapp_registry import whatsapp_adapter
from engage.contacts import store as contact_store
from engage.contacts.consent import ConsentChannel, consent_of
from engage.conversations import messages, outbound_store, store
from engage.conversations.models import ConversationItem, MessageItem
from engage.conversations.schemas import (
    AgentMessageCreate,
    Channel,
    ChannelStatus,
    ReceiptStatus,
    Side,
)
from engage.conversations.wire import conversation_id_of
from engage.core import keys
from engage.core.errors import Conflict, ValidationFailed
from engage.core.observability import logger
from engage.whatsapp import service as whatsapp
from engage.whatsapp import store as whatsapp_store

TEMPLATE = re.compile(r"^/template\s+(HX[0-9a-fA-F]{32})\s*(\{.*\})?\s*$", re.DOTALL)
STATUSES = {
    "sent": ChannelStatus.SENT,
    "delivered": ChannelStatus.DELIVERED,
    "read": ChannelStatus.READ,
    "failed": ChannelStatus.FAILED,
    "undelivered": ChannelStatus.FAILED,
}
"""Provider statuses that move a reply (Twilio's queued / accepted / sending are not news)."""
RECEIPTS = {
    ChannelStatus.DELIVERED: ReceiptStatus.DELIVERED,
    ChannelStatus.READ: ReceiptStatus.READ,
}


@dataclass(frozen=True)
class Plan:
    """How one reply goes out: the channel, the contact's number, the business number to send
    from (None: the configured one) and, for a WhatsApp template, its SID and variables."""

    channel: Channel
    to: str
    sender: str | None = None
    content_sid: str | None = None
    variables: dict[str, str] | None = None


def parse_template(content: str) -> tuple[str, dict[str, str] | None] | None:
    """`(content SID, variables)` of a `/template HX... {...}` reply, None for plain text.
    Raises ValidationFailed when the variables are not a JSON object of strings."""
    found = TEMPLATE.match(content.strip())
    if found is None:
        return None
    if not found.group(2):
        return found.group(1), None
    try:
        raw = json.loads(found.group(2))
    except ValueError:
        raw = None
    if not isinstance(raw, dict) or not all(
        isinstance(k, str) and isinstance(v, str | int | float) for k, v in raw.items()
    ):
        raise ValidationFailed(
            "Template variables must be a JSON object of strings",
            {"content": '/template HX... {"1": "value"}'},
        )
    return found.group(1), {k: str(v) for k, v in raw.items()}


def plan(tenant_id: str, conv: ConversationItem, body: AgentMessageCreate) -> Plan | None:
    """How an agent's reply goes out, checked before it is written (see the module
    docstring); None when nothing goes out here (a private note, a chat or e-mail
    conversation). Raises Conflict (no phone, opted out, outside the WhatsApp window) or
    ValidationFailed (malformed template variables)."""
    if body.private or conv.channel not in (Channel.SMS, Channel.WHATSAPP):
        return None
    contact = contact_store.get(tenant_id, conv.contact_id)
    if contact is None or not contact.phone_e164:
        raise Conflict("The contact has no phone number to reply to", {"contact": "no phone"})
    if conv.channel == Channel.SMS:
        if consent_of(contact, ConsentChannel.SMS) == "opted_out":
            raise Conflict("The contact opted out of SMS", {"sms": "smsConsent is opted_out"})
        return Plan(Channel.SMS, contact.phone_e164)
    template = parse_template(body.content)
    content_sid, variables = template if template else (None, None)
    window = whatsapp_store.get(tenant_id, contact.sk)
    whatsapp.policy(
        consent_of(contact, ConsentChannel.WHATSAPP),
        window.last_inbound_at if window else None,
        body=body.content,
        content_sid=content_sid,
    )
    sender = window.business_number if window else None
    return Plan(Channel.WHATSAPP, contact.phone_e164, sender, content_sid, variables)


def _send(tenant_id: str, plan_: Plan, content: str, ref: str) -> tuple[SendResult, list[Receipt]]:
    if plan_.channel == Channel.SMS:
        sms = sms_adapter()
        return sms.send(OutboundSms(plan_.to, content, plan_.sender, ref)), sms.flush()
    wa = whatsapp_adapter()
    message = OutboundWhatsApp(
        to=plan_.to,
        body=None if plan_.content_sid else content,
        content_sid=plan_.content_sid,
        content_variables=plan_.variables,
        sender=plan_.sender,
        ref=ref,
        tenant_id=tenant_id,
    )
    return wa.send(message), wa.flush()


def deliver(tenant_id: str, conv: ConversationItem, item: MessageItem, plan_: Plan) -> MessageItem:
    """Hand the written reply to the provider once (see the module docstring); answers the
    message as it stands afterwards."""
    if not outbound_store.claim(item):
        return item
    conversation_id = conversation_id_of(conv)
    message_id = keys.parse_message_sk(item.sk)
    ref = keys.conversation_message_ref(tenant_id, conversation_id, message_id)
    receipts: list[Receipt] = []
    try:
        result, receipts = _send(tenant_id, plan_, item.content, ref)
    except (RuntimeError, OSError) as exc:  # not configured, or the provider unreachable
        result = SendResult("failed", None, f"provider unavailable ({type(exc).__name__})")
    status = ChannelStatus.SENT if result.status == "sent" else ChannelStatus.FAILED
    outbound_store.record_result(item, status, result.provider_message_id, result.error)
    logger.info("conversation reply sent", extra={"channel": plan_.channel, "status": status})
    for receipt in receipts:
        apply_status(
            tenant_id,
            conversation_id,
            message_id,
            receipt.status,
            receipt.provider_message_id,
            receipt.error,
        )
    return store.get_message(tenant_id, conversation_id, message_id) or item


def apply_status(
    tenant_id: str,
    conversation_id: str,
    message_id: str,
    provider_status: str,
    provider_message_id: str,
    error: str | None = None,
) -> bool:
    """A provider's status callback for a reply (Twilio's MessageStatus): moves it forward
    once (`outbound_store.advance`); `delivered` / `read` also mark the team's messages up to
    it delivered / read for the end user. False when it changed nothing (an intermediate,
    repeated, late or foreign status)."""
    status = STATUSES.get(provider_status.lower())
    if status is None:
        return False
    if not outbound_store.advance(
        tenant_id, conversation_id, message_id, status, provider_message_id, error
    ):
        return False
    receipt = RECEIPTS.get(status)
    conv = store.get_conversation(tenant_id, conversation_id) if receipt else None
    if receipt is not None and conv is not None:
        messages.mark(tenant_id, conv, Side.USER, receipt, message_id)
    return True

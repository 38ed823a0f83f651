"""Inbound e-mail into the one inbox (issue 10: "Inbound e-mail (SES receipt rule -> S3 -> a
worker) joins the sender's conversation by thread headers, else opens one").

Addressing: a tenant's inbound address is `<tenantId>@INBOUND_EMAIL_DOMAIN` (plus-tags
allowed: `<tenantId>+anything@...`; the id is case-insensitive); the SES receipt rule accepts
the whole domain. A message to no such address of a known tenant is dropped (logged). A
message to EMAIL_UNSUBSCRIBE_MAILTO whose subject holds an unsubscribe token unsubscribes, as
the one-click POST does.

For a tenant's message (`receive_raw`):
1. the sender becomes a contact (`ensure_contact_for_email`, the newest with the address);
2. the conversation is the one the thread names: the first of In-Reply-To, then References
   (newest first), that maps (`ThreadItem`) to a conversation of this contact; else a new
   conversation on channel `email`;
3. the text is the `text/plain` part (else the HTML's text) with the quoted message cut off
   (mime.strip_quoted), the subject above it for a new conversation;
4. it is written by `engage.conversations.inbound.receive` (the Message-ID is the provider
   message id, so a redelivery writes no second message), and its Message-ID is mapped to the
   conversation, so the next reply in the thread finds it.
Automatic mail (`Auto-Submitted` other than `no`: out-of-office, bounces) is dropped, so two
robots never answer each other through an inbox.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from engage.contacts import store as contacts_store
from engage.contacts.lookup import ensure_contact_for_email
from engage.conversations import inbound as conversations_inbound
from engage.conversations import service as conversations_service
from engage.conversations.schemas import Channel
from engage.core import keys
from engage.core.errors import NotFound, ValidationFailed
from engage.core.observability import logger
from engage.core.settings import get_settings
from engage.email import inbound_port, store, unsubscribe
from engage.email.mime import InboundMail, Unreadable, parse, strip_quoted
from engage.email.sending import is_address
from engage.tenants import store as tenants_store

_TENANT_PART = re.compile(r"^[A-Za-z0-9]{1,64}$")
_TOKEN = re.compile(r"\b(v1\.[A-Za-z0-9_-]{1,300}\.[A-Za-z0-9_-]{1,40})\b")


@dataclass(frozen=True)
class InboundOutcome:
    """What became of one inbound e-mail: `status` = `received` | `duplicate` |
    `unsubscribed` | `no_tenant` | `automatic` | `unreadable`; the conversation and contact
    when it was received."""

    status: str
    tenant_id: str | None = None
    conversation_id: str | None = None
    contact_id: str | None = None
    new_conversation: bool = False


def inbound_address(tenant_id: str) -> str:
    """The tenant's inbound address (see the module docstring)."""
    return f"{tenant_id.lower()}@{get_settings().inbound_email_domain}"


def tenant_of(recipients: tuple[str, ...]) -> str | None:
    """The tenant the first of `recipients` on INBOUND_EMAIL_DOMAIN names, or None."""
    domain = get_settings().inbound_email_domain.lower()
    for address in recipients:
        local, _, host = address.rpartition("@")
        local = local.partition("+")[0]
        if host.lower() != domain or not _TENANT_PART.match(local):
            continue
        for candidate in dict.fromkeys((local, local.upper())):
            if tenants_store.get(candidate) is not None:
                return candidate
    return None


def _unsubscribe_request(mail: InboundMail) -> bool:
    mailto = (get_settings().email_unsubscribe_mailto or "").lower()
    if not mailto or mailto not in (r.lower() for r in mail.recipients):
        return False
    found = _TOKEN.search(mail.subject)
    if found is None:
        return False
    try:
        unsubscribe.unsubscribe(found.group(1))
    except NotFound:
        return False
    return True


def _thread(tenant_id: str, contact_id: str, mail: InboundMail) -> str | None:
    for message_id in mail.thread_ids[:20]:
        item = store.thread_of(tenant_id, message_id)
        if item is not None and item.contact_id == contact_id:
            return item.conversation_id
    return None


def _content(mail: InboundMail, new: bool) -> str:
    text = strip_quoted(mail.text) if mail.text.strip() else ""
    if new and mail.subject:
        text = f"{mail.subject}\n\n{text}" if text else mail.subject
    return text or mail.subject or "(no text)"


def receive_raw(raw: bytes) -> InboundOutcome:
    """Deliver one raw inbound e-mail (see the module docstring). Never raises for what the
    message holds: an unreadable or unaddressed one is an outcome, not an error."""
    try:
        mail = parse(raw)
    except Unreadable as exc:
        logger.info("inbound e-mail unreadable", extra={"reason": exc.reason})
        return InboundOutcome("unreadable")
    if _unsubscribe_request(mail):
        return InboundOutcome("unsubscribed")
    if mail.automatic:
        return InboundOutcome("automatic")
    tenant_id = tenant_of(mail.recipients)
    if tenant_id is None or not is_address(mail.sender):
        logger.info("inbound e-mail for no tenant", extra={"recipients": len(mail.recipients)})
        return InboundOutcome("no_tenant")
    if mail.message_id:
        seen = store.thread_of(tenant_id, mail.message_id)
        if seen is not None and seen.direction == "in":
            return InboundOutcome("duplicate", tenant_id, seen.conversation_id, seen.contact_id)
    contact_id = ensure_contact_for_email(tenant_id, mail.sender, mail.sender_name)
    conversation_id = _thread(tenant_id, contact_id, mail)
    new = conversation_id is None
    if conversation_id is None:
        contact = contacts_store.get(tenant_id, contact_id)
        if contact is None:
            raise NotFound("Contact not found")  # deleted meanwhile: the queue retries
        opened = conversations_service.open_conversation(tenant_id, contact, Channel.EMAIL)
        conversation_id = keys.parse_conversation_partition(opened.pk)[1]
    try:
        conversation, _ = conversations_inbound.receive(
            tenant_id,
            contact_id,
            Channel.EMAIL,
            _content(mail, new),
            conversation_id=conversation_id,
            provider_message_id=mail.message_id,
        )
    except ValidationFailed:
        return InboundOutcome("unreadable", tenant_id)
    conversation_id = keys.parse_conversation_partition(conversation.pk)[1]
    if mail.message_id:
        store.remember_thread(tenant_id, [mail.message_id], conversation_id, contact_id, "in")
        store.add_to_conversation_thread(tenant_id, conversation_id, mail.message_id, mail.subject)
    return InboundOutcome("received", tenant_id, conversation_id, contact_id, new)


def receive_object(bucket: str, object_key: str) -> InboundOutcome:
    """Deliver the e-mail SES stored at `s3://bucket/object_key`."""
    return receive_raw(inbound_port.fetch(bucket, object_key))

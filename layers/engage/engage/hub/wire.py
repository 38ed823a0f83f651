"""Conversation and message items to the hub's seed 003 shapes (engage/hub/schemas.py; the
status mapping is documented there)."""

from __future__ import annotations

from engage.contacts.models import ContactItem
from engage.conversations.models import MessageItem
from engage.conversations.schemas import (
    Channel,
    ConversationPublic,
    ConversationStatus,
    DeliveryStatus,
    MessageType,
    Sender,
)
from engage.conversations.wire import conversation_id_of
from engage.core import keys
from engage.hub.schemas import (
    CustomerInfoPublic,
    HubMessagePublic,
    HubSender,
    SessionPublic,
    SessionStatus,
)

_SENDERS = {
    Sender.USER: HubSender.CUSTOMER,
    Sender.AGENT: HubSender.AGENT,
    Sender.BOT: HubSender.BOT,
    Sender.SYSTEM: HubSender.SYSTEM,
}
ACTIVE_CONVERSATION_STATUSES = (ConversationStatus.OPEN, ConversationStatus.PENDING)
"""The conversation statuses `GET /sessions/active` lists (open = active or waiting)."""


def session_status(status: str, assignee_id: str | None) -> SessionStatus:
    """A conversation's status and assignee as a session status."""
    if status == ConversationStatus.OPEN:
        return SessionStatus.ACTIVE if assignee_id else SessionStatus.WAITING
    return SessionStatus(status)


def conversation_status(status: SessionStatus) -> ConversationStatus:
    """The conversation status a session status stands for (`active`/`waiting` are open)."""
    if status in (SessionStatus.ACTIVE, SessionStatus.WAITING):
        return ConversationStatus.OPEN
    return ConversationStatus(status.value)


def customer_info(contact: ContactItem | None) -> CustomerInfoPublic:
    """The contact's name, phone and e-mail (null each when unknown or the contact is gone)."""
    if contact is None:
        return CustomerInfoPublic(name=None, phone=None, email=None)
    name = " ".join(p for p in (contact.first_name, contact.last_name) if p) or None
    return CustomerInfoPublic(name=name, phone=contact.phone_e164 or None, email=contact.email)


def session_public(conv: ConversationPublic, contact: ContactItem | None) -> SessionPublic:
    """A conversation (the console's shape) as a seed 003 session, with its contact's details."""
    return SessionPublic(
        session_id=conv.id,
        customer_id=conv.contact_id,
        channel_type=conv.channel,
        status=session_status(conv.status, conv.assignee_id),
        created_at=conv.created_at,
        last_activity=conv.last_activity_at,
        agent_id=conv.assignee_id,
        priority=conv.priority,
        customer_info=customer_info(contact),
    )


def hub_message_public(item: MessageItem) -> HubMessagePublic:
    """A message as seed 003 section 9 shows it."""
    return HubMessagePublic(
        message_id=keys.parse_message_sk(item.sk),
        session_id=conversation_id_of(item),
        sender=_SENDERS[Sender(item.sender)],
        sender_id=item.sender_id,
        content=item.content,
        timestamp=item.created_at,
        type=MessageType(item.type),
        private=bool(item.private),
        channel=Channel(item.channel) if item.channel else None,
        channel_status=DeliveryStatus(item.channel_status) if item.channel_status else None,
    )

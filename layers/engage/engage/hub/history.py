"""The system's records in a session's history (issue 11): a transfer, a session call's end.
A record is a message of the conversation with `sender: system` and `type: event`, visible to
both sides, written through engage/conversations/messages.py `send` (so it moves the
conversation's last activity and reaches the bus as `message.created`)."""

from __future__ import annotations

from engage.conversations import messages
from engage.conversations.models import ConversationItem, MessageItem
from engage.conversations.schemas import MessageCreate, MessageType, Sender

SYSTEM = messages.Author(sender=Sender.SYSTEM, sender_id=None, guard="system")


def record_event(
    tenant_id: str, conv: ConversationItem, content: str, client_message_id: str | None = None
) -> MessageItem:
    """Write a system message (`type: event`) in the conversation's history, visible to both
    sides, on the conversation's current channel (never sent out through it). With
    `client_message_id` (the system's own), a second call answers the first message."""
    # Clients may write only `text` (ClientMessageType): the system's event type is set here,
    # past the request model's validation, by the one server-side writer of events.
    body = MessageCreate.model_construct(
        content=content, type=MessageType.EVENT, client_message_id=client_message_id
    )
    item, _ = messages.send(tenant_id, conv, SYSTEM, body, private=False)
    return item

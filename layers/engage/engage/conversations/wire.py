"""Items to wire shapes (issue 9: a message and a conversation as the routes answer them)."""

from __future__ import annotations

from engage.conversations.models import ConversationItem, MessageItem
from engage.conversations.schemas import (
    Channel,
    ChannelStatus,
    ConversationPublic,
    ConversationStatus,
    EndUserConversationPublic,
    MessagePublic,
    MessageType,
    Priority,
    Sender,
    Side,
)
from engage.core import keys


def conversation_id_of(item: ConversationItem | MessageItem) -> str:
    """The conversation id of a conversation or message item (from its partition key)."""
    return keys.parse_conversation_partition(item.pk)[1]


def message_public(item: MessageItem) -> MessagePublic:
    """The wire shape of a message."""
    return MessagePublic(
        id=keys.parse_message_sk(item.sk),
        conversation_id=conversation_id_of(item),
        sender=Sender(item.sender),
        sender_id=item.sender_id,
        content=item.content,
        type=MessageType(item.type),
        private=bool(item.private),
        client_message_id=item.client_message_id,
        created_at=item.created_at,
        delivered_at=item.delivered_at,
        read_at=item.read_at,
        channel_status=ChannelStatus(item.channel_status) if item.channel_status else None,
        channel_error=item.channel_error,
    )


def unread_for(item: ConversationItem, side: Side) -> int:
    """The caller's side's unread count (never below zero)."""
    value = item.unread_user if side == Side.USER else item.unread_agent
    return max(0, int(value or 0))


def conversation_public(item: ConversationItem) -> ConversationPublic:
    """The console's wire shape of a conversation (the team's unread count)."""
    return ConversationPublic(
        id=conversation_id_of(item),
        contact_id=item.contact_id,
        channel=Channel(item.channel),
        status=ConversationStatus(item.status),
        priority=Priority(item.priority),
        assignee_id=item.assignee_id,
        labels=[str(label) for label in item.labels or []],
        created_at=item.created_at,
        last_activity_at=item.last_activity_at,
        unread_count=unread_for(item, Side.AGENT),
        snoozed_until=item.snoozed_until,
    )


def end_user_conversation_public(item: ConversationItem) -> EndUserConversationPublic:
    """The end user's wire shape of a conversation (`/v1`): no internal field, their own
    unread count."""
    return EndUserConversationPublic(
        id=conversation_id_of(item),
        contact_id=item.contact_id,
        channel=Channel(item.channel),
        status=ConversationStatus(item.status),
        assigned=item.assignee_id is not None,
        created_at=item.created_at,
        last_activity_at=item.last_activity_at,
        unread_count=unread_for(item, Side.USER),
    )

"""A contact's conversation on a channel, for conversations opened from a provider's side or
the team's (inbound SMS, WhatsApp and e-mail; video sessions; issue 10), not from an end
user's `/v1` call.

`latest_on_channel` looks through the contact's RECENT newest conversations (one Query of the
contact's links and one BatchGetItem) for the newest one on the channel; a new conversation is
written by `service.open_conversation`, the one place that makes them.
"""

from __future__ import annotations

from engage.conversations import store
from engage.conversations.models import ConversationItem
from engage.conversations.schemas import Channel, ConversationStatus

RECENT = 25
"""How many of the contact's newest conversations are looked through for one on the channel."""


def recent_on_channel(tenant_id: str, contact_id: str, channel: Channel) -> list[ConversationItem]:
    """The contact's conversations on `channel` among its RECENT newest, newest first."""
    found = store.contact_conversation_ids(tenant_id, contact_id, None, RECENT)
    items = store.batch_get_conversations(tenant_id, found)
    return [
        item
        for item in (items.get(c) for c in found)  # newest first
        if item is not None and item.contact_id == contact_id and item.channel == channel.value
    ]


def latest_on_channel(
    tenant_id: str, contact_id: str, channel: Channel, *, include_resolved: bool = True
) -> ConversationItem | None:
    """The contact's newest conversation on `channel` among its RECENT newest (with
    `include_resolved=False`, the newest that is not resolved), or None."""
    for item in recent_on_channel(tenant_id, contact_id, channel):
        if include_resolved or item.status != ConversationStatus.RESOLVED.value:
            return item
    return None


def latest_open(tenant_id: str, contact_id: str, channel: Channel) -> ConversationItem | None:
    """The contact's newest unresolved conversation on `channel`, or None."""
    return latest_on_channel(tenant_id, contact_id, channel, include_resolved=False)

"""A contact's conversation on a channel, for channels that open conversations from the team's
side or from a provider (video sessions, issue 10), not from an end user's `/v1` call.

`open_for_contact` reuses the contact's newest conversation on the channel that is not
resolved, among its `REUSE_WINDOW` newest conversations, else writes a new `open` one the same
way `service.start_conversation` does (the contact link first, then the conversation, with
every index key), without an external id unless the contact has one.
"""

from __future__ import annotations

from engage.contacts.models import ContactItem
from engage.conversations import store
from engage.conversations.indexing import assign_index_keys
from engage.conversations.models import ConversationItem
from engage.conversations.schemas import Channel, ConversationStatus, Priority
from engage.core import clock, ids, keys
from engage.endusers.service import contact_text

REUSE_WINDOW = 20


def latest_open(tenant_id: str, contact_id: str, channel: Channel) -> ConversationItem | None:
    """The contact's newest unresolved conversation on `channel`, or None (one Query and one
    BatchGetItem)."""
    found = store.contact_conversation_ids(tenant_id, contact_id, None, REUSE_WINDOW)
    items = store.batch_get_conversations(tenant_id, found)
    for conversation_id in found:
        item = items.get(conversation_id)
        if (
            item is not None
            and item.contact_id == contact_id
            and item.channel == channel.value
            and item.status != ConversationStatus.RESOLVED.value
        ):
            return item
    return None


def start_for_contact(tenant_id: str, contact: ContactItem, channel: Channel) -> ConversationItem:
    """A new `open` conversation of `contact` on `channel` (no message yet)."""
    conversation_id = ids.new_id()
    at = clock.now_iso()
    text = contact_text(contact)
    item = ConversationItem(
        *keys.conversation_key(tenant_id, conversation_id),
        contact_id=contact.sk,
        external_id=contact.external_id or None,
        channel=channel.value,
        status=ConversationStatus.OPEN.value,
        priority=Priority.NORMAL.value,
        labels=[],
        created_at=at,
        last_activity_at=at,
        updated_at=at,
        contact_text=text,
        search_text=text,
    )
    assign_index_keys(tenant_id, item)
    store.link_contact(tenant_id, contact.sk, conversation_id, at)
    store.put_new_conversation(item)
    return item


def open_for_contact(tenant_id: str, contact: ContactItem, channel: Channel) -> ConversationItem:
    """The contact's conversation on `channel`: its newest unresolved one, else a new one."""
    return latest_open(tenant_id, contact.sk, channel) or start_for_contact(
        tenant_id, contact, channel
    )

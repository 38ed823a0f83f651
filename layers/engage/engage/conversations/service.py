"""The end-user side of conversations (issue 9 "End-user client API"; seed 001 `/v1/*`).

Every function takes the tenant and the end user's external id (`X-User-Id`) as plain
arguments. An end user reaches only their own conversations: any other id (another end
user's, another tenant's, malformed) is a 404, never data (`access.conversation_for`), and
private notes are never returned.
"""

from __future__ import annotations

from engage.contacts.models import ContactItem
from engage.conversations import access, messages, store
from engage.conversations.indexing import assign_index_keys
from engage.conversations.models import ConversationItem
from engage.conversations.schemas import (
    Channel,
    ConversationCreate,
    ConversationStatus,
    EndUserConversationListPublic,
    EndUserConversationPublic,
    MessageCreate,
    MessageListPublic,
    MessagePublic,
    Priority,
    ReceiptPublic,
    ReceiptStatus,
    Sender,
    Side,
)
from engage.conversations.wire import end_user_conversation_public, message_public
from engage.core import clock, ids, keys
from engage.core.errors import NotFound, ValidationFailed
from engage.endusers import service as end_users

PAGE_MAX = 100


def _author(external_id: str) -> messages.Author:
    return messages.Author(sender=Sender.USER, sender_id=external_id, guard="user")


def own_conversation(tenant_id: str, external_id: str, conversation_id: str) -> ConversationItem:
    """The end user's conversation; NotFound for any other."""
    item = access.conversation_for(tenant_id, conversation_id, end_user_id=external_id)
    if item is None:
        raise NotFound("Conversation not found")
    return item


def check_cursor(value: str | None, field: str) -> str | None:
    """A message or conversation id given as a cursor; ValidationFailed when malformed."""
    if value is not None and not access.is_conversation_id(value):
        raise ValidationFailed("Invalid cursor", {field: "must be an id from an earlier page"})
    return value


def open_conversation(
    tenant_id: str, contact: ContactItem, channel: Channel, priority: Priority = Priority.NORMAL
) -> ConversationItem:
    """Write a new conversation of `contact` on `channel` (status open, `priority`, searchable
    by the contact's text), filed under the contact; answers the item."""
    conversation_id = ids.new_id()
    at = clock.now_iso()
    text = end_users.contact_text(contact)
    item = ConversationItem(
        *keys.conversation_key(tenant_id, conversation_id),
        contact_id=contact.sk,
        external_id=contact.external_id,
        channel=channel.value,
        status=ConversationStatus.OPEN.value,
        priority=priority.value,
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


def start_conversation(
    tenant_id: str, external_id: str, body: ConversationCreate
) -> EndUserConversationPublic:
    """Open a conversation for the end user (made a bare contact if they never identified),
    with its first message when `body.message` is given. Answers the conversation."""
    contact = end_users.ensure_end_user(tenant_id, external_id)
    item = open_conversation(tenant_id, contact, body.channel)
    if body.message is not None:
        messages.send(tenant_id, item, _author(external_id), body.message, private=False)
    return end_user_conversation_public(item)


def list_own(
    tenant_id: str, external_id: str, cursor: str | None, limit: int
) -> EndUserConversationListPublic:
    """The end user's conversations, newest first; `cursor` = the last id of a page."""
    check_cursor(cursor, "cursor")
    contact_id = access.contact_id_of_end_user(tenant_id, external_id)
    if contact_id is None:
        return EndUserConversationListPublic(data=[], next_cursor=None)
    limit = min(limit, PAGE_MAX)
    found = store.contact_conversation_ids(tenant_id, contact_id, cursor, limit + 1)
    page, more = found[:limit], len(found) > limit
    items = store.batch_get_conversations(tenant_id, page)
    data = [
        end_user_conversation_public(items[c])
        for c in page
        if c in items and items[c].contact_id == contact_id
    ]
    return EndUserConversationListPublic(data=data, next_cursor=page[-1] if more and page else None)


def get_own(tenant_id: str, external_id: str, conversation_id: str) -> EndUserConversationPublic:
    """One of the end user's conversations (NotFound for any other)."""
    return end_user_conversation_public(own_conversation(tenant_id, external_id, conversation_id))


def send_own(
    tenant_id: str, external_id: str, conversation_id: str, body: MessageCreate
) -> tuple[MessagePublic, bool]:
    """The end user writes (idempotent on `client_message_id`): `(message, created)`."""
    conv = own_conversation(tenant_id, external_id, conversation_id)
    item, created = messages.send(tenant_id, conv, _author(external_id), body, private=False)
    return message_public(item), created


def page_messages(
    tenant_id: str,
    conversation_id: str,
    *,
    before: str | None,
    after: str | None,
    limit: int,
    include_private: bool,
) -> MessageListPublic:
    """A page of a conversation's messages, oldest first (see `store.messages_page`)."""
    check_cursor(before, "before")
    check_cursor(after, "after")
    if before is not None and after is not None:
        raise ValidationFailed("Give before or after, not both", {"after": "not with before"})
    found, more = store.messages_page(
        tenant_id,
        conversation_id,
        before=before,
        after=after,
        limit=min(limit, PAGE_MAX),
        include_private=include_private,
    )
    data = [message_public(m) for m in found]
    cursor = None
    if more and data:
        cursor = data[-1].id if after is not None else data[0].id
    return MessageListPublic(data=data, next_cursor=cursor, has_more=more)


def list_own_messages(
    tenant_id: str,
    external_id: str,
    conversation_id: str,
    before: str | None,
    after: str | None,
    limit: int,
) -> MessageListPublic:
    """The end user's view of a conversation's messages (never a private note)."""
    own_conversation(tenant_id, external_id, conversation_id)
    return page_messages(
        tenant_id, conversation_id, before=before, after=after, limit=limit, include_private=False
    )


def receipt_own(
    tenant_id: str,
    external_id: str,
    conversation_id: str,
    status: ReceiptStatus,
    message_id: str,
) -> ReceiptPublic:
    """The end user marks the team's messages up to `message_id` delivered / read."""
    conv = own_conversation(tenant_id, external_id, conversation_id)
    return messages.mark(tenant_id, conv, Side.USER, status, message_id)

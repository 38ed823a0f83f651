"""The one inbox's entry point for messages that arrive from a channel's provider (issue 10:
"every inbound message of every channel into the one inbox"): SMS and WhatsApp replies from
the webhooks, e-mail from the inbound mail worker.

`receive` finds the conversation and writes the customer's message through
`messages.send`, exactly as an end user's chat message is written: the conversation's
counters, unread count, console indexes and end-user change index move in the same writes,
the table's stream makes `message.created` / `conversation.updated`, and the realtime fan-out
puts it on the team's sockets. The conversation is:

1. `conversation_id` when given and it is the contact's conversation (the e-mail thread's);
2. else the contact's latest conversation on that channel (a resolved or snoozed one is
   reopened by the message, as `messages.send` does for end-user writes);
3. else a new one (status open, priority normal), as `service.open_conversation` makes it.

A provider's redelivery of the same message (same `provider_message_id`, e.g. Twilio's
`MessageSid`) makes no second message: the id becomes the message's `client_message_id`
(`<channel>:<id>`, hashed when it does not fit the pattern), claimed by the send guard.
An SMS or WhatsApp reply that is a lone digit 1-5 while the session's rating request is
pending answers it (engage/ratings/replies.py): the rating is recorded and the digit is
written without reopening the resolved session.
A contact with no external id (an SMS or WhatsApp customer who never used the chat SDK) is
written with `sender_id` null; the console and the team's sockets show it as any other.
"""

from __future__ import annotations

import hashlib
import re

from engage.contacts import store as contact_store
from engage.contacts.models import ContactItem
from engage.conversations import messages, service, store
from engage.conversations.contact_channel import latest_on_channel
from engage.conversations.models import ConversationItem, MessageItem
from engage.conversations.schemas import (
    CLIENT_ID_PATTERN,
    MAX_CONTENT,
    Channel,
    MessageCreate,
    Sender,
)
from engage.core.errors import NotFound, ValidationFailed
from engage.ratings import replies as ratings

_CLIENT_ID = re.compile(CLIENT_ID_PATTERN)


def client_id_for(channel: Channel, provider_message_id: str | None) -> str | None:
    """The send-guard id of a provider's message: `<channel>:<id>`, or `<channel>:h:<sha256>`
    for an id that does not fit (an e-mail Message-ID's `<...@...>`)."""
    if not provider_message_id:
        return None
    candidate = f"{channel.value}:{provider_message_id}"
    if _CLIENT_ID.match(candidate):
        return candidate
    digest = hashlib.sha256(provider_message_id.encode("utf-8", "replace")).hexdigest()[:48]
    return f"{channel.value}:h:{digest}"


def _text(content: str) -> str:
    """The message text as stored: valid Unicode, at most MAX_CONTENT characters."""
    clean = content.encode("utf-8", "replace").decode("utf-8")
    if not clean.strip():
        raise ValidationFailed("An inbound message needs text", {"content": "blank"})
    return clean[:MAX_CONTENT]


def _conversation(
    tenant_id: str, contact: ContactItem, channel: Channel, conversation_id: str | None
) -> ConversationItem:
    if conversation_id:
        given = store.get_conversation(tenant_id, conversation_id)
        if given is not None and given.contact_id == contact.sk:
            return given
    latest = latest_on_channel(tenant_id, contact.sk, channel)
    if latest is not None:
        return latest
    return service.open_conversation(tenant_id, contact, channel)


def receive(
    tenant_id: str,
    contact_id: str,
    channel: Channel,
    content: str,
    *,
    conversation_id: str | None = None,
    provider_message_id: str | None = None,
) -> tuple[ConversationItem, MessageItem]:
    """Write the contact's inbound `content` into their conversation on `channel` (see the
    module docstring); answers `(conversation, message)`, the first message again for a
    redelivered `provider_message_id`. Raises NotFound for an unknown contact and
    ValidationFailed for blank content; content longer than MAX_CONTENT is cut there."""
    contact = contact_store.get(tenant_id, contact_id)
    if contact is None:
        raise NotFound("Contact not found")
    body = MessageCreate(
        content=_text(content), client_message_id=client_id_for(channel, provider_message_id)
    )
    conv = _conversation(tenant_id, contact, channel, conversation_id)
    rated = ratings.answered_session(tenant_id, contact.sk, conv, channel, body.content)
    answered = rated is not None
    if rated is not None:
        conv = rated  # the digit answers that session's rating request: it is written there
    author = messages.Author(sender=Sender.USER, sender_id=contact.external_id, guard="user")
    item, _ = messages.send(tenant_id, conv, author, body, private=False, reopen=not answered)
    return conv, item

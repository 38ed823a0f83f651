"""Conversation, message, send-guard, contact-link and first-response items (issue 9).

One partition per conversation (`core.keys.conversation_partition`): the conversation item,
its messages (ordered by their time-ordered ids) and the guards of idempotent sends. Indexes
(all KEYS_ONLY, so a query is followed by a BatchGetItem of the items):
- GSI1 `T#<t>#CVS#<status>`: the console's list by status, newest activity first;
- GSI2 `T#<t>#CVA#<assignee|->#<status>`: the same per assignee (`me`, `unassigned`);
- GSI3 `T#<t>#SYNC#<contactId>`: what an end user may see, by last change (`/v1/sync`).
Every index attribute is written in the same single-item write as the change it reflects.
"""

from __future__ import annotations

from typing import Any

from pynamodb.attributes import (
    BooleanAttribute,
    ListAttribute,
    NumberAttribute,
    UnicodeAttribute,
)
from pynamodb.indexes import GlobalSecondaryIndex, KeysOnlyProjection

from engage.core.db import GSI1, GSI2, BaseItem


class GSI3(GlobalSecondaryIndex[Any]):
    """Index 3: an end user's visible items by last change (`T#<t>#SYNC#<contactId>`)."""

    class Meta:
        index_name = "GSI3"
        projection = KeysOnlyProjection()

    gsi3pk = UnicodeAttribute(hash_key=True, attr_name="GSI3PK")
    gsi3sk = UnicodeAttribute(range_key=True, attr_name="GSI3SK")


class ConversationItem(BaseItem):
    """`PK=T#<t>#CV#<id>`, `SK=CONV`. `unread_user` counts agent-side messages the end user
        has not read, `unread_agent` the end user's messages no agent has read; the `*_upto`
        fields are the message ids up to which each side has marked receipts. `version` grows by
    one with every write that moves the conversation in GSI1/GSI2 (optimistic concurrency);
    `search_text` is the contact's name, e-mail, phone and external id and the latest message's
    first 200 characters, lower-cased (the console's `search`)."""

    contact_id = UnicodeAttribute(attr_name="contactId")
    external_id = UnicodeAttribute(null=True, attr_name="externalId")
    channel = UnicodeAttribute()
    status = UnicodeAttribute()
    priority = UnicodeAttribute()
    assignee_id = UnicodeAttribute(null=True, attr_name="assigneeId")
    labels = ListAttribute(of=UnicodeAttribute, default=list)
    created_at = UnicodeAttribute(attr_name="createdAt")
    last_activity_at = UnicodeAttribute(attr_name="lastActivityAt")
    updated_at = UnicodeAttribute(attr_name="updatedAt")
    snoozed_until = UnicodeAttribute(null=True, attr_name="snoozedUntil")
    resolved_at = UnicodeAttribute(null=True, attr_name="resolvedAt")
    first_response_at = UnicodeAttribute(null=True, attr_name="firstResponseAt")
    first_response_seconds = NumberAttribute(null=True, attr_name="firstResponseSeconds")
    message_count = NumberAttribute(default=0, attr_name="messageCount")
    unread_user = NumberAttribute(default=0, attr_name="unreadUser")
    unread_agent = NumberAttribute(default=0, attr_name="unreadAgent")
    user_delivered_upto = UnicodeAttribute(null=True, attr_name="userDeliveredUpto")
    user_read_upto = UnicodeAttribute(null=True, attr_name="userReadUpto")
    agent_delivered_upto = UnicodeAttribute(null=True, attr_name="agentDeliveredUpto")
    agent_read_upto = UnicodeAttribute(null=True, attr_name="agentReadUpto")
    contact_text = UnicodeAttribute(default="", attr_name="contactText")
    search_text = UnicodeAttribute(default="", attr_name="searchText")
    version = NumberAttribute(default=0)
    gsi1pk = UnicodeAttribute(attr_name="GSI1PK")
    gsi1sk = UnicodeAttribute(attr_name="GSI1SK")
    gsi2pk = UnicodeAttribute(attr_name="GSI2PK")
    gsi2sk = UnicodeAttribute(attr_name="GSI2SK")
    gsi3pk = UnicodeAttribute(attr_name="GSI3PK")
    gsi3sk = UnicodeAttribute(attr_name="GSI3SK")
    by_status = GSI1()
    by_assignee = GSI2()
    by_change = GSI3()


class MessageItem(BaseItem):
    """`PK=T#<t>#CV#<conversationId>`, `SK=M#<messageId>`. Private notes carry no GSI3 keys,
    so no end-user read path (sync included) can reach them."""

    contact_id = UnicodeAttribute(attr_name="contactId")
    channel = UnicodeAttribute(null=True)  # the conversation's channel when it was written
    sender = UnicodeAttribute()
    sender_id = UnicodeAttribute(null=True, attr_name="senderId")
    content = UnicodeAttribute()
    type = UnicodeAttribute()
    private = BooleanAttribute(default=False)
    client_message_id = UnicodeAttribute(null=True, attr_name="clientMessageId")
    created_at = UnicodeAttribute(attr_name="createdAt")
    delivered_at = UnicodeAttribute(null=True, attr_name="deliveredAt")
    read_at = UnicodeAttribute(null=True, attr_name="readAt")
    gsi3pk = UnicodeAttribute(null=True, attr_name="GSI3PK")
    gsi3sk = UnicodeAttribute(null=True, attr_name="GSI3SK")


class SendGuardItem(BaseItem):
    """`SK=CMID#<side>#<clientMessageId>` in the conversation's partition: the message a
    client message id became (claimed with a conditional put before the message is written)."""

    message_id = UnicodeAttribute(attr_name="messageId")


class ContactConversationItem(BaseItem):
    """`PK=T#<t>#CC#<contactId>`, `SK=<conversationId>`: a contact's conversations."""

    created_at = UnicodeAttribute(attr_name="createdAt")


class FirstResponseItem(BaseItem):
    """`PK=T#<t>#FRT#<day>`, `SK=<conversationId>`: seconds from a conversation's creation to
    its first agent reply, filed under the UTC day of the reply (dashboard median)."""

    seconds = NumberAttribute()

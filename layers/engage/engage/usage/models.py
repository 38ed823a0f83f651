"""Usage counter items (issue 9 `GET /admin/account/usage`, `GET /admin/onboarding`).

`PK=T#<tenantId>#USAGE`, `SK=<YYYY-MM>` (one calendar month, UTC) or `SK=ALL` (since counting
began): counters the usage consumer ADDs from the domain events (consumer.py). Attributes
absent from an item are 0.
"""

from __future__ import annotations

from pynamodb.attributes import NumberAttribute, UnicodeAttribute

from engage.core.db import BaseItem

COUNTERS = (
    "conversations",
    "messages",
    "messages_user",
    "messages_agent",
    "messages_bot",
    "messages_system",
    "private_notes",
    "agent_replies",
    "contacts",
)
"""The counter attributes, in the order they are documented."""


class UsageItem(BaseItem):
    """Counters of one period; `firstCountedAt` (ISO 8601) is the first event's time."""

    conversations = NumberAttribute(default=0)
    messages = NumberAttribute(default=0)
    messages_user = NumberAttribute(default=0, attr_name="messagesUser")
    messages_agent = NumberAttribute(default=0, attr_name="messagesAgent")
    messages_bot = NumberAttribute(default=0, attr_name="messagesBot")
    messages_system = NumberAttribute(default=0, attr_name="messagesSystem")
    private_notes = NumberAttribute(default=0, attr_name="privateNotes")
    agent_replies = NumberAttribute(default=0, attr_name="agentReplies")
    contacts = NumberAttribute(default=0)
    first_counted_at = UnicodeAttribute(null=True, attr_name="firstCountedAt")

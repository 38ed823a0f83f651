"""Conversation and message events derived from the table's stream (engage/events/derive.py;
issue 9 "The event backbone"). Images are deserialized by Powertools (numbers as Decimal).

- `conversation.created` on the INSERT of a conversation item; `conversation.updated` on a
  MODIFY that changes a public field. `data`: `{id, contact_id, channel, status, priority,
  assignee_id, labels, created_at, last_activity_at, unread_count, user_unread_count,
  snoozed_until, first_response_seconds}` (`unread_count`: the team's unread count, as the
  console shows it; `user_unread_count`: the end user's; `first_response_seconds`: null until
  the first agent reply), plus `changes` on updates: the changed field names.
- `message.created` on the INSERT of a message item: the message shape (`id,
  conversation_id, sender, sender_id, content, type, private, client_message_id, created_at,
  delivered_at, read_at`) plus `contact_id` and `channel` (the conversation's channel when the
  message was written; null for messages written before issue 10). Private notes are
  included with `private: true`: consumers that serve end users must drop them.
- `message.status_changed` on a MODIFY that sets `deliveredAt` or `readAt`:
  `{conversation_id, contact_id, message_id, status: delivered|read, by: user|agent, at}`
  (`by`: the side that marked it, the other side from the sender).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from pydantic import JsonValue

from engage.core import keys
from engage.events.derive import Derived, StreamChange
from engage.events.envelope import EventType

_CONVERSATION = {
    "contact_id": "contactId",
    "channel": "channel",
    "status": "status",
    "priority": "priority",
    "assignee_id": "assigneeId",
    "labels": "labels",
    "created_at": "createdAt",
    "last_activity_at": "lastActivityAt",
    "unread_count": "unreadAgent",
    "user_unread_count": "unreadUser",
    "snoozed_until": "snoozedUntil",
    "first_response_seconds": "firstResponseSeconds",
}
_COUNTS = {"unreadAgent", "unreadUser"}
_MESSAGE = {
    "sender": "sender",
    "sender_id": "senderId",
    "content": "content",
    "type": "type",
    "private": "private",
    "client_message_id": "clientMessageId",
    "created_at": "createdAt",
    "delivered_at": "deliveredAt",
    "read_at": "readAt",
    "contact_id": "contactId",
    "channel": "channel",
}
_RECEIPTS = {"deliveredAt": "delivered", "readAt": "read"}


def _json(value: Any) -> JsonValue:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, set | list | tuple):
        return [_json(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _json(v) for k, v in value.items()}
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return str(value)


def _conversation_data(conversation_id: str, image: dict[str, Any]) -> dict[str, JsonValue]:
    data: dict[str, JsonValue] = {"id": conversation_id}
    for name, attr in _CONVERSATION.items():
        value = _json(image.get(attr))
        if attr in _COUNTS:
            value = max(0, int(value)) if isinstance(value, int | float) else 0
        if attr == "labels" and value is None:
            value = []
        data[name] = value
    return data


def _conversation_events(
    tenant_id: str, conversation_id: str, change: StreamChange
) -> list[Derived]:
    new = change.new
    if new is None:
        return []
    data = _conversation_data(conversation_id, new)
    if change.name == "INSERT" or not change.old:
        return [Derived(EventType.CONVERSATION_CREATED, tenant_id, str(new["createdAt"]), data)]
    before = _conversation_data(conversation_id, change.old)
    changes: list[JsonValue] = [k for k in data if data[k] != before.get(k)]
    if not changes:
        return []
    at = str(new.get("updatedAt") or new.get("lastActivityAt"))
    return [Derived(EventType.CONVERSATION_UPDATED, tenant_id, at, {**data, "changes": changes})]


def _message_events(
    tenant_id: str, conversation_id: str, message_id: str, change: StreamChange
) -> list[Derived]:
    new = change.new
    if new is None:
        return []
    if change.name == "INSERT" or not change.old:
        data: dict[str, JsonValue] = {"id": message_id, "conversation_id": conversation_id}
        data.update({name: _json(new.get(attr)) for name, attr in _MESSAGE.items()})
        data["private"] = bool(new.get("private"))
        return [Derived(EventType.MESSAGE_CREATED, tenant_id, str(new["createdAt"]), data)]
    out = []
    by = "agent" if new.get("sender") == "user" else "user"
    for attr, status in _RECEIPTS.items():
        if change.old.get(attr) is None and new.get(attr) is not None:
            at = str(new[attr])
            status_data: dict[str, JsonValue] = {
                "conversation_id": conversation_id,
                "contact_id": _json(new.get("contactId")),
                "message_id": message_id,
                "status": status,
                "by": by,
                "at": at,
                "private": bool(new.get("private")),
            }
            out.append(Derived(EventType.MESSAGE_STATUS_CHANGED, tenant_id, at, status_data))
    return out


def derive_conversation_events(change: StreamChange) -> list[Derived]:
    """The conversation and message events of `change` (none for other items)."""
    try:
        tenant_id, conversation_id = keys.parse_conversation_partition(change.pk)
    except ValueError:
        return []
    sk = str(change.keys.get("SK", ""))
    if sk == keys.CONVERSATION_SK:
        return _conversation_events(tenant_id, conversation_id, change)
    try:
        message_id = keys.parse_message_sk(sk)
    except ValueError:
        return []  # a send guard
    return _message_events(tenant_id, conversation_id, message_id, change)

"""What each audience of a socket sees of a domain event (issue 9 "Realtime": an end user only
their own conversations, never an internal note).

`audiences(event)` -> the frame for the tenant's team members' sockets and, when the event is
about an end user's conversation, the contact and the frame for that end user's sockets:

- `message.created` -> `message:new`: the team gets the message and `contact_id`; the end
  user the message (END_USER_MESSAGE_FIELDS) unless it is `private` (an internal note).
- `message.status_changed` -> `message:status`: both get the data (the end user not for a
  note's receipt).
- `conversation.created` / `conversation.updated` -> `conversation:updated` (`created` true /
  false): the team gets the conversation (and `changes`); the end user the fields `/v1`
  shows them (engage/conversations/enduser_view.py: `EndUserConversationPublic`'s, with
  `assigned` for the assignee and their own unread count as `unread_count`), and nothing for
  an update that changed only internal ones (labels, priority, snooze time, the team's
  unread count).
- `campaign.progress` -> `campaign:progress`: the team only.
- `notification.created` -> `notification:new` (issue 11 "Notifications"): only the sockets
  of the member it is for (`member_id`), never other members nor end users.

Every frame's data also carries `event_id` and `occurred_at`. Event data shapes are those of
engage/conversations (issue 9 "Routes").
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import JsonValue

from engage.conversations import enduser_view
from engage.events.envelope import DomainEvent, EventType
from engage.realtime.frames import Push

FRAMES = {
    EventType.MESSAGE_CREATED: Push.MESSAGE_NEW,
    EventType.MESSAGE_STATUS_CHANGED: Push.MESSAGE_STATUS,
    EventType.CONVERSATION_CREATED: Push.CONVERSATION_UPDATED,
    EventType.CONVERSATION_UPDATED: Push.CONVERSATION_UPDATED,
    EventType.CAMPAIGN_PROGRESS: Push.CAMPAIGN_PROGRESS,
    EventType.NOTIFICATION_CREATED: Push.NOTIFICATION_NEW,
}

END_USER_MESSAGE_FIELDS = (
    "id",
    "conversation_id",
    "contact_id",
    "sender",
    "sender_id",
    "content",
    "type",
    "private",
    "created_at",
    "delivered_at",
    "read_at",
    "client_message_id",
    "attachments",
)
"""The message fields an end user's socket receives (anything else the event carries stays
with the team)."""


@dataclass(frozen=True)
class Audiences:
    """The frame name, the team's data, and the end user's contact and data (None: not for
    them); `member_id`: the one member whose sockets get the team's data (None: every
    member's)."""

    name: Push
    team: dict[str, Any]
    contact_id: str | None
    end_user: dict[str, Any] | None
    member_id: str | None = None


def audiences(event: DomainEvent) -> Audiences | None:
    """Who gets `event` and what (see the module docstring); None for events no socket gets."""
    name = FRAMES.get(event.type)
    if name is None:
        return None
    stamp: dict[str, JsonValue] = {"event_id": event.id, "occurred_at": event.occurred_at}
    data = dict(event.data)
    if event.type in (EventType.CONVERSATION_CREATED, EventType.CONVERSATION_UPDATED):
        data["created"] = event.type is EventType.CONVERSATION_CREATED
    team = {**data, **stamp}
    if event.type is EventType.NOTIFICATION_CREATED:
        member = data.get("member_id")
        if not isinstance(member, str) or not member:
            return None  # for nobody: never for everybody
        return Audiences(name, team, None, None, member_id=member)
    contact = data.get("contact_id")
    if event.type is EventType.CAMPAIGN_PROGRESS or not isinstance(contact, str) or not contact:
        return Audiences(name, team, None, None)
    mine = _end_user_view(event.type, data)
    return Audiences(name, team, contact, None if mine is None else {**mine, **stamp})


def _end_user_view(kind: EventType, data: dict[str, JsonValue]) -> dict[str, JsonValue] | None:
    if kind is EventType.MESSAGE_CREATED:
        if data.get("private") is not False:  # a note, or a message that does not say
            return None
        return {k: data[k] for k in END_USER_MESSAGE_FIELDS if k in data}
    if kind is EventType.MESSAGE_STATUS_CHANGED:
        return None if data.get("private") is True else data
    view = enduser_view.from_event(data)
    view["created"] = data["created"]
    if "changes" not in data:
        return view
    changes = enduser_view.public_changes(data["changes"])
    if not changes:
        return None
    view["changes"] = changes
    return view

"""What an end user sees of a conversation, one definition for HTTP and the socket (issue 9:
an end user sees their own conversations, never the team's internal fields).

The fields are those of `EndUserConversationPublic` (`/v1` answers it; wire.py builds it from
the item). The socket's `conversation:updated` frame for the end user is built here from the
`conversation.*` event data (engage/conversations/events.py), whose names are the console's:

- `assignee_id` becomes `assigned` (whether a member has the conversation, not which one;
  a move from one member to another is a change of `assigned` that stays true);
- `user_unread_count` (the end user's count) becomes `unread_count`; the event's own
  `unread_count` is the team's and never reaches the end user;
- labels, priority and `snoozed_until` are left out;
- `changes` (the changed field names) are renamed the same way, internal ones dropped.
"""

from __future__ import annotations

from collections.abc import Mapping

from pydantic import JsonValue

from engage.conversations.schemas import EndUserConversationPublic

FIELDS = tuple(EndUserConversationPublic.model_fields)
"""The end user's conversation fields (HTTP and socket alike)."""

FROM_EVENT = {"assigned": "assignee_id", "unread_count": "user_unread_count"}
"""End-user field -> the event data field it is made from (the others keep their name)."""

_TO_END_USER = {FROM_EVENT.get(name, name): name for name in FIELDS}


def from_event(data: Mapping[str, JsonValue]) -> dict[str, JsonValue]:
    """The end user's fields of a `conversation.*` event's data (a field the data lacks is
    left out): `{id, contact_id, channel, status, assigned, created_at, last_activity_at,
    unread_count}`."""
    view: dict[str, JsonValue] = {}
    for source, name in _TO_END_USER.items():
        if source in data:
            view[name] = data[source] is not None if name == "assigned" else data[source]
    return view


def public_changes(changes: JsonValue) -> list[JsonValue]:
    """An event's `changes` (a list of event field names) as the end user's field names,
    internal ones dropped (empty: nothing the end user sees changed; anything but a list of
    names: empty)."""
    if not isinstance(changes, list):
        return []
    named = (_TO_END_USER.get(c) for c in changes if isinstance(c, str))
    return list(dict.fromkeys(n for n in named if n))

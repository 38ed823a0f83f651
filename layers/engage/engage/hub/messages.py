"""A session's messages in the hub (issue 11; seed 003 section 9 `GET /messages/{sessionId}`,
`POST /messages/send`).

- `list_messages`: the whole history of the conversation, oldest first from its start, every
  channel it has been on (a transfer keeps one history), system events and, since the hub is
  the agents' console, internal notes (`private: true`). `next_cursor` is the last message
  id of the page; pass it as `cursor` for the following ones.
- `send`: the agent's reply through `engage.conversations.inbox.reply`, so it goes out on the
  session's current channel with that channel's rules: SMS and WhatsApp through their adapter
  (consent; WhatsApp's 24-hour window, outside which only a `/template HX...` reply is
  allowed), e-mail threaded; a reply the channel may not carry is a 409 and nothing is written
  or sent.
"""

from __future__ import annotations

from engage.conversations import inbox, store
from engage.conversations import service as conversations
from engage.conversations.schemas import AgentMessageCreate
from engage.core import ids
from engage.core.errors import NotFound
from engage.hub.schemas import HubMessageListPublic, HubMessagePublic, HubMessageSend
from engage.hub.sessions import session_item
from engage.hub.wire import hub_message_public

PAGE_DEFAULT, PAGE_MAX = 50, 100
START = ids.id_floor(0)
"""A cursor below every message id: the first page starts at the conversation's beginning."""


def list_messages(
    tenant_id: str, session_id: str, cursor: str | None, limit: int
) -> HubMessageListPublic:
    """A page of the session's messages, oldest first (see the module docstring). Raises
    NotFound (not the tenant's session), ValidationFailed (a malformed cursor)."""
    session_item(tenant_id, session_id)
    conversations.check_cursor(cursor, "cursor")
    found, more = store.messages_page(
        tenant_id,
        session_id,
        before=None,
        after=cursor or START,
        limit=max(1, min(limit, PAGE_MAX)),
        include_private=True,
    )
    data = [hub_message_public(m) for m in found]
    return HubMessageListPublic(
        messages=data, next_cursor=data[-1].message_id if more and data else None
    )


def send(tenant_id: str, member_id: str, body: HubMessageSend) -> tuple[HubMessagePublic, bool]:
    """The agent's reply (or note) in session `body.session_id`: `(message, created)`;
    `created` is False for a retry with an earlier `client_message_id`. Raises NotFound,
    Conflict (the channel may not carry it), ValidationFailed."""
    session_item(tenant_id, body.session_id)
    reply = AgentMessageCreate(
        content=body.content,
        type=body.type,
        client_message_id=body.client_message_id,
        private=body.private,
    )
    sent, created = inbox.reply(tenant_id, member_id, body.session_id, reply)
    item = store.get_message(tenant_id, body.session_id, sent.id)
    if item is None:  # written a moment ago: only a deleted conversation loses it
        raise NotFound("Session not found")
    return hub_message_public(item), created

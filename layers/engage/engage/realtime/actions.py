"""The conversation actions of a socket (issue 9 "Realtime"; seed 001 mismatch 3).

- `conversation:join`: allowed when the socket may see the conversation (a team member: any
  of the tenant's; an end user: only their own; engage/conversations/access.py). Allowed ->
  a subscription item (models.py) and a `conversation:joined` frame `{conversation_id}`;
  refused -> an `error` frame `not_found` (the same for a conversation of another tenant,
  another end user's or none at all, so nothing is revealed) and no subscription, so no
  typing of that conversation ever reaches the socket. Domain events do not depend on joins
  (fanout.py): a team member's socket gets every conversation event of its tenant (the inbox
  is live), an end user's socket every event of their own conversations.
- `conversation:leave`: the subscription goes; a `conversation:left` frame (idempotent).
- `typing:start` / `typing:stop`: require a prior join (`not_joined` otherwise), so the
  visibility check is made once per conversation, not per keystroke; a `typing` frame
  `{conversation_id, sender: "user" | "agent", sender_id, typing}` goes to the conversation's
  other joined sockets (the end user's typing to the team members viewing it; a member's to
  the end user and the other members). `sender_id` is the member id, or the end user's
  contact id (the conversation's `contact_id`). Nothing is stored. The standing of the
  receiving sockets is read first (one BatchGetItem, standing.py): a socket whose member was
  deactivated or removed, or whose API key was revoked, is closed instead.
"""

from __future__ import annotations

from engage.core import clock
from engage.realtime import access, push, standing, store
from engage.realtime.frames import Action, Code, Push, error, frame
from engage.realtime.models import ConnectionItem

MAX_JOINED = 50
"""Conversations one socket may have joined at once (the console opens one or a few)."""


def run(
    connection_id: str, connection: ConnectionItem, action: Action, conversation_id: str
) -> None:
    """Handle one conversation action of the socket `connection_id` (its look-up item read)."""
    joined = set(connection.joined or ())
    if action is Action.CONVERSATION_JOIN:
        _join(connection_id, connection, conversation_id, joined)
    elif action is Action.CONVERSATION_LEAVE:
        if conversation_id in joined:
            store.unsubscribe(connection.tenant_id, conversation_id, connection_id)
        push.send(connection_id, frame(Push.LEFT, {"conversation_id": conversation_id}))
    elif conversation_id not in joined:
        message = "Join the conversation (conversation:join) before typing in it"
        push.send(connection_id, error(Code.NOT_JOINED, message, action.value))
    else:
        _typing(connection_id, connection, conversation_id, action is Action.TYPING_START)


def _join(
    connection_id: str, connection: ConnectionItem, conversation_id: str, joined: set[str]
) -> None:
    if conversation_id not in joined:
        end_user_id = connection.principal_id if connection.kind == store.END_USER else None
        contact_id = access.visible_contact(connection.tenant_id, conversation_id, end_user_id)
        if contact_id is None:
            push.send(
                connection_id,
                error(Code.NOT_FOUND, "No such conversation", Action.CONVERSATION_JOIN.value),
            )
            return
        if len(joined) >= MAX_JOINED:
            message = f"A socket may join at most {MAX_JOINED} conversations; leave one first"
            push.send(connection_id, error(Code.TOO_MANY, message, Action.CONVERSATION_JOIN.value))
            return
        if end_user_id is not None and connection.contact_id is None:
            expires_at = int(connection.expires_at)
            store.set_contact(
                connection.tenant_id, connection_id, contact_id, expires_at, connection.key_id
            )
            connection.contact_id = contact_id
        store.subscribe(
            connection.tenant_id,
            conversation_id,
            connection_id,
            connection.kind,
            _sender_id(connection),
            int(connection.expires_at),
            connection.key_id,
        )
    push.send(connection_id, frame(Push.JOINED, {"conversation_id": conversation_id}))


def _typing(
    connection_id: str, connection: ConnectionItem, conversation_id: str, typing: bool
) -> None:
    now = int(clock.now().timestamp())
    data = {
        "conversation_id": conversation_id,
        "sender": "agent" if connection.kind == store.AGENT else "user",
        "sender_id": _sender_id(connection),
        "typing": typing,
    }
    others = store.conversation_connections(connection.tenant_id, conversation_id, now)
    targets = standing.keep(
        connection.tenant_id, [s for s in others if s.connection_id != connection_id]
    )
    for gone in push.send_all(targets, frame(Push.TYPING, data)):
        store.delete_connection(gone)


def _sender_id(connection: ConnectionItem) -> str:
    if connection.kind == store.AGENT:
        return connection.principal_id
    return connection.contact_id or connection.principal_id

"""Realtime connections and actions (issue 9 "Realtime"): what the WebSocket API's routes do.

`$connect` authenticates from the query string (browsers cannot set headers on a socket):
- a team member with the JWT access token as `access_token` (also accepted as `token` or
  `admin_token`, the name seed 001's console sends: mismatch 5). The member must still exist in
  the token's tenant and be active (auth/members.py).
- an end user with `api_key`, `user_id` and, when the tenant has identity verification on,
  `user_hash` (the same check as the `/v1` headers: engage/endusers/auth.py). The socket is
  listed under the end user's contact as soon as the contact is known (at `$connect` if they
  were identified before, else at their first action).
A refused connection never opens (API Gateway answers the handshake with the status `$connect`
returned). Connections are recorded with a TTL (models.py), an end user's with its API key
id. The conversation actions are in actions.py. Every client frame first re-reads the standing
of the socket's member or key (standing.py): a member deactivated or removed, or a key revoked,
since the socket opened gets no answer; the socket is closed and forgotten.
"""

from __future__ import annotations

from pydantic import ValidationError

from engage.auth import members
from engage.core import clock
from engage.core.errors import Unauthorized
from engage.core.tokens import decode_access_token
from engage.realtime import access, actions, push, standing, store
from engage.realtime.frames import Action, ActionFrame, Code, Push, error, frame
from engage.realtime.models import ConnectionItem

CONNECTION_TTL_SECONDS = store.CONNECTION_TTL_SECONDS

TOKEN_PARAMETERS = ("access_token", "token", "admin_token")
END_USER_PARAMETERS = ("api_key", "user_id", "user_hash")


def connect(connection_id: str, query: dict[str, str]) -> None:
    """Authenticate and record a new socket; raises Unauthorized (the handshake gets 401)."""
    now = clock.now()
    expires_at = int(now.timestamp()) + CONNECTION_TTL_SECONDS
    token = next((query[p] for p in TOKEN_PARAMETERS if query.get(p)), None)
    if token is not None:
        principal = members.current(decode_access_token(token))
        store.put_connection(
            connection_id,
            principal.tenant_id,
            store.AGENT,
            principal.user_id,
            None,
            clock.iso(now),
            expires_at,
        )
        from engage.routing import groups  # presence follows sockets (issue 11); loaded on use

        groups.socket_opened(principal.tenant_id, principal.user_id, connection_id)
        return
    if not query.get("api_key"):
        raise Unauthorized(
            "Give access_token (team members) or api_key, user_id and user_hash (end users) "
            "in the query string"
        )
    user = access.end_user(query.get("api_key"), query.get("user_id"), query.get("user_hash"))
    store.put_connection(
        connection_id,
        user.tenant_id,
        store.END_USER,
        user.user_id,
        user.contact_id,
        clock.iso(now),
        expires_at,
        key_id=user.key_id,
    )


def disconnect(connection_id: str) -> None:
    """Forget a socket that closed, with its subscriptions (idempotent). A team member's last
    socket closing makes them offline (issue 11 presence; unless they chose `away`)."""
    connection = store.get_connection(connection_id)
    store.delete_connection(connection_id)
    if connection is not None and connection.kind == store.AGENT:
        from engage.routing import groups

        groups.socket_closed(connection.tenant_id, connection.principal_id, connection_id)


def act(connection_id: str, body: str | None) -> None:
    """Handle one client frame; answers on the socket (pong, joined/left, or an error frame).
    A socket whose member or API key is no longer in good standing is closed instead."""
    connection = store.get_connection(connection_id)
    if connection is None:
        push.close(connection_id)
        return
    if not standing.still_allowed(connection_id, connection):
        return
    try:
        parsed = ActionFrame.model_validate_json(body or "")
    except ValidationError:
        push.send(connection_id, error(Code.VALIDATION_ERROR, _unknown()))
        return
    _learn_contact(connection_id, connection)
    if parsed.action is Action.PING:
        push.send(connection_id, frame(Push.PONG, {"at": clock.now_iso()}))
        return
    conversation_id = parsed.conversation()
    if conversation_id is None:
        message = 'Give the conversation as {"conversation_id": "..."} or its id as data'
        push.send(connection_id, error(Code.VALIDATION_ERROR, message, parsed.action.value))
        return
    actions.run(connection_id, connection, parsed.action, conversation_id)


def _learn_contact(connection_id: str, connection: ConnectionItem) -> None:
    """An end user's socket opened before they were identified: look the contact up again
    (one GetItem per action until it is known) and list the socket under it."""
    if connection.kind != store.END_USER or connection.contact_id is not None:
        return
    contact_id = access.contact_of(connection.tenant_id, connection.principal_id)
    if contact_id is not None:
        store.set_contact(
            connection.tenant_id,
            connection_id,
            contact_id,
            int(connection.expires_at),
            connection.key_id,
        )
        connection.contact_id = contact_id


def _unknown() -> str:
    names = ", ".join(a.value for a in Action)
    return f"Send JSON {{'action': one of {names}, 'data': ...}}"

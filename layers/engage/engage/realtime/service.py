"""Realtime connections and actions (issue 9 "Realtime"): what the WebSocket API's routes do.

`$connect` authenticates from the query string (browsers cannot set headers on a socket): a
team member with the JWT access token as `access_token` (also accepted as `token` or
`admin_token`, the name seed 001's console sends: mismatch 5). The member must still exist in
the token's tenant and be active (auth/members.py). A refused connection never opens (API
Gateway answers the handshake with the status `$connect` returned). Connections are recorded
with a TTL (models.py).
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from engage.auth import members
from engage.core import clock
from engage.core.errors import Unauthorized
from engage.core.tokens import decode_access_token
from engage.realtime import push, store
from engage.realtime.frames import Action, ActionFrame, error, frame

CONNECTION_TTL_SECONDS = 2 * 3600 + 600
"""API Gateway closes a WebSocket connection after two hours; items outlive it by ten minutes."""

TOKEN_PARAMETERS = ("access_token", "token", "admin_token")


def connect(connection_id: str, query: dict[str, str]) -> None:
    """Authenticate and record a new socket; raises Unauthorized (the handshake gets 401)."""
    token = next((query[p] for p in TOKEN_PARAMETERS if query.get(p)), None)
    if token is None:
        raise Unauthorized("Give the access token as access_token in the query string")
    principal = members.current(decode_access_token(token))
    now = clock.now()
    store.put_connection(
        connection_id,
        principal.tenant_id,
        "agent",
        principal.user_id,
        clock.iso(now),
        int(now.timestamp()) + CONNECTION_TTL_SECONDS,
    )


def disconnect(connection_id: str) -> None:
    """Forget a socket that closed (idempotent)."""
    store.delete_connection(connection_id)


def act(connection_id: str, body: str | None) -> None:
    """Handle one client frame; answers on the socket (pong, or an error frame)."""
    if store.get_connection(connection_id) is None:
        push.close(connection_id)
        return
    try:
        parsed = ActionFrame.model_validate_json(body or "")
    except ValidationError:
        push.send(connection_id, error("validation_error", _unknown(body)))
        return
    if parsed.action is Action.PING:
        push.send(connection_id, frame("pong", {"at": clock.now_iso()}))
        return
    push.send(
        connection_id,
        error(
            "not_available",
            "Conversations are not served on this socket yet",
            parsed.action.value,
        ),
    )


def _unknown(body: Any) -> str:
    actions = ", ".join(a.value for a in Action)
    return f"Send JSON {{'action': one of {actions}, 'data': ...}}"

"""Whether an open socket may still be served (issue 9 "Roles": a deactivated or removed
member's tokens stop working at once; "Keys": so does a revoked API key).

`$connect` checks the member or the end user's key once; these checks repeat it for sockets
already open: the fan-out before every event it pushes (one BatchGetItem for all the event's
sockets together) and `act` before every client frame (one BatchGetItem of one key). A socket
found out of standing is closed (DeleteConnection) and forgotten, so it gets nothing more. A
member demoted to viewer is still a member: viewers read conversations, their sockets stay.
"""

from __future__ import annotations

from collections.abc import Sequence

from engage.realtime import push, store
from engage.realtime.models import ConnectionItem
from engage.realtime.standing_store import standing


def keep(tenant_id: str, sockets: Sequence[store.Socket]) -> list[str]:
    """The connection ids of `sockets` whose member is still active or whose API key is not
    revoked; the others are closed and forgotten. One BatchGetItem (none for no sockets)."""
    if not sockets:
        return []
    members = {s.member_id for s in sockets if s.member_id is not None}
    api_keys = {s.key_id for s in sockets if s.key_id is not None}
    found = standing(tenant_id, members, api_keys)
    kept: list[str] = []
    for socket in sockets:
        if socket.member_id in found.members or socket.key_id in found.keys:
            kept.append(socket.connection_id)
        else:
            drop(socket.connection_id)
    return kept


def still_allowed(connection_id: str, connection: ConnectionItem) -> bool:
    """True when the socket's member is still active (team members) or its API key is not
    revoked (end users); else the socket is closed and forgotten. One BatchGetItem."""
    if connection.kind == store.AGENT:
        socket = store.Socket(connection_id, member_id=connection.principal_id)
    else:
        socket = store.Socket(connection_id, key_id=connection.key_id)
    return bool(keep(connection.tenant_id, [socket]))


def drop(connection_id: str) -> None:
    """Close the socket and forget it (both idempotent)."""
    push.close(connection_id)
    store.delete_connection(connection_id)

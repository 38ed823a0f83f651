"""Storage of realtime connections and conversation subscriptions (models.py has the items).

Every write is a single-item put, update or delete (no transactions). Requests per call are
noted on each function: the fan-out's budget per delivered event is one Query per audience,
one PostToConnection per socket and the seen-claim (fanout.py).
"""

from __future__ import annotations

from dataclasses import dataclass

from pynamodb.exceptions import UpdateError
from pynamodb.expressions.update import Action

from engage.core import keys
from engage.realtime.models import ConnectionIndexItem, ConnectionItem, SubscriptionItem

AGENT = "agent"
END_USER = "end_user"


@dataclass(frozen=True)
class Socket:
    """An open socket found by the fan-out: its connection id and whose standing it rests on
    (`member_id` for a team member's, `key_id` for an end user's; None for an end user's socket
    recorded before key ids were, which the fan-out closes)."""

    connection_id: str
    member_id: str | None = None
    key_id: str | None = None
    expires_at: int = 0  # epoch seconds (its item's TTL); 0 when not read


CONNECTION_TTL_SECONDS = 2 * 3600 + 600
"""API Gateway closes a WebSocket connection after two hours; items outlive it by ten minutes."""

CONNECTING_SECONDS = 30
"""A socket recorded this recently may still be in its `$connect`: API Gateway answers 410 to
a post before `$connect` returns, so such a socket is not forgotten for a 410."""


def connecting(socket: Socket, now: int) -> bool:
    """Whether `socket` was recorded within CONNECTING_SECONDS of `now` (epoch seconds)."""
    recorded_at = socket.expires_at - CONNECTION_TTL_SECONDS
    return bool(socket.expires_at) and recorded_at > now - CONNECTING_SECONDS


def _index_pk(tenant_id: str, kind: str, principal_id: str) -> str:
    if kind == AGENT:
        return keys.agent_connections_partition(tenant_id)
    return keys.end_user_connections_partition(tenant_id, principal_id)


def put_connection(
    connection_id: str,
    tenant_id: str,
    kind: str,
    principal_id: str,
    contact_id: str | None,
    connected_at: str,
    expires_at: int,
    key_id: str | None = None,
) -> None:
    """Record an open socket: its look-up item, then its index item (team members: under the
    tenant; end users: under their contact, when it is known; `key_id` is the end user's API
    key id). A crash between the two leaves
    a look-up item that expires; the socket then gets no pushes until it reconnects."""
    pk, sk = keys.connection_key(connection_id)
    ConnectionItem(
        pk,
        sk,
        tenant_id=tenant_id,
        kind=kind,
        principal_id=principal_id,
        contact_id=contact_id,
        key_id=key_id,
        connected_at=connected_at,
        expires_at=expires_at,
    ).save()
    indexed = principal_id if kind == AGENT else contact_id
    if indexed is not None:
        _put_index(tenant_id, kind, indexed, connection_id, expires_at, key_id)


def _put_index(
    tenant_id: str,
    kind: str,
    principal_id: str,
    connection_id: str,
    expires_at: int,
    key_id: str | None,
) -> None:
    ConnectionIndexItem(
        _index_pk(tenant_id, kind, principal_id),
        connection_id,
        principal_id=principal_id,
        key_id=key_id,
        expires_at=expires_at,
    ).save()


def set_contact(
    tenant_id: str, connection_id: str, contact_id: str, expires_at: int, key_id: str | None
) -> None:
    """An end user's socket whose contact became known: record it on the look-up item and list
    the socket under the contact, with its API key id (two writes, once per socket)."""
    if _update_connection(connection_id, ConnectionItem.contact_id.set(contact_id)):
        _put_index(tenant_id, END_USER, contact_id, connection_id, expires_at, key_id)


def _update_connection(connection_id: str, action: Action) -> bool:
    """Apply `action` to the look-up item if it still exists (an update never recreates a
    forgotten socket); False when it is gone."""
    pk, sk = keys.connection_key(connection_id)
    try:
        ConnectionItem(pk, sk).update(actions=[action], condition=ConnectionItem.pk.exists())
    except UpdateError as exc:
        if exc.cause_response_code == "ConditionalCheckFailedException":
            return False
        raise
    return True


def get_connection(connection_id: str) -> ConnectionItem | None:
    """The socket's look-up item, or None when it is gone (one GetItem)."""
    pk, sk = keys.connection_key(connection_id)
    try:
        return ConnectionItem.get(pk, sk)
    except ConnectionItem.DoesNotExist:
        return None


def delete_connection(connection_id: str) -> None:
    """Forget a socket (idempotent): its subscriptions, its index item, then its look-up item."""
    item = get_connection(connection_id)
    if item is None:
        return
    for conversation_id in item.joined or ():
        _delete_subscription(item.tenant_id, conversation_id, connection_id)
    indexed = item.principal_id if item.kind == AGENT else item.contact_id
    if indexed is not None:
        ConnectionIndexItem(_index_pk(item.tenant_id, item.kind, indexed), connection_id).delete()
    item.delete()


def agent_connections(tenant_id: str, now: int) -> list[Socket]:
    """The tenant's team members' open sockets, with their member ids (unexpired; one
    Query)."""
    pk = keys.agent_connections_partition(tenant_id)
    items = ConnectionIndexItem.query(pk)
    return [
        Socket(i.sk, member_id=i.principal_id, expires_at=int(i.expires_at))
        for i in items
        if int(i.expires_at) > now
    ]


def end_user_connections(tenant_id: str, contact_id: str, now: int) -> list[Socket]:
    """One end user's open sockets, with their API key ids (unexpired; one Query)."""
    pk = keys.end_user_connections_partition(tenant_id, contact_id)
    items = ConnectionIndexItem.query(pk)
    return [
        Socket(i.sk, key_id=i.key_id, expires_at=int(i.expires_at))
        for i in items
        if int(i.expires_at) > now
    ]


def subscribe(
    tenant_id: str,
    conversation_id: str,
    connection_id: str,
    kind: str,
    sender_id: str,
    expires_at: int,
    key_id: str | None = None,
) -> None:
    """The socket joined `conversation_id` (idempotent): its subscription item (with the end
    user's API key id), then the id in the look-up item's `joined` set (so `$disconnect` finds
    the subscriptions to remove)."""
    pk = keys.conversation_sockets_partition(tenant_id, conversation_id)
    SubscriptionItem(
        pk, connection_id, kind=kind, sender_id=sender_id, key_id=key_id, expires_at=expires_at
    ).save()
    if not _update_connection(connection_id, ConnectionItem.joined.add({conversation_id})):
        _delete_subscription(tenant_id, conversation_id, connection_id)  # it closed meanwhile


def unsubscribe(tenant_id: str, conversation_id: str, connection_id: str) -> None:
    """The socket left `conversation_id` (idempotent)."""
    _delete_subscription(tenant_id, conversation_id, connection_id)
    _update_connection(connection_id, ConnectionItem.joined.delete({conversation_id}))


def _delete_subscription(tenant_id: str, conversation_id: str, connection_id: str) -> None:
    pk = keys.conversation_sockets_partition(tenant_id, conversation_id)
    SubscriptionItem(pk, connection_id).delete()


def conversation_connections(tenant_id: str, conversation_id: str, now: int) -> list[Socket]:
    """The sockets that joined `conversation_id`, with the member id or API key id their
    standing rests on (unexpired; one Query)."""
    pk = keys.conversation_sockets_partition(tenant_id, conversation_id)
    return [
        Socket(i.sk, member_id=i.sender_id) if i.kind == AGENT else Socket(i.sk, key_id=i.key_id)
        for i in SubscriptionItem.query(pk)
        if int(i.expires_at) > now
    ]

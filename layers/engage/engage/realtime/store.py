"""Storage of realtime connections (see models.py for the items)."""

from __future__ import annotations

from engage.core import keys
from engage.realtime.models import ConnectionIndexItem, ConnectionItem


def _index_pk(tenant_id: str, kind: str, principal_id: str) -> str:
    if kind == "agent":
        return keys.agent_connections_partition(tenant_id)
    return keys.end_user_connections_partition(tenant_id, principal_id)


def put_connection(
    connection_id: str,
    tenant_id: str,
    kind: str,
    principal_id: str,
    connected_at: str,
    expires_at: int,
) -> None:
    """Record an open socket: its look-up item, then its index item (a crash between the two
    leaves a look-up item that expires; the socket then gets no pushes until it reconnects)."""
    pk, sk = keys.connection_key(connection_id)
    ConnectionItem(
        pk,
        sk,
        tenant_id=tenant_id,
        kind=kind,
        principal_id=principal_id,
        connected_at=connected_at,
        expires_at=expires_at,
    ).save()
    ConnectionIndexItem(
        _index_pk(tenant_id, kind, principal_id),
        connection_id,
        principal_id=principal_id,
        expires_at=expires_at,
    ).save()


def get_connection(connection_id: str) -> ConnectionItem | None:
    """The socket's look-up item, or None when it is gone."""
    pk, sk = keys.connection_key(connection_id)
    try:
        return ConnectionItem.get(pk, sk)
    except ConnectionItem.DoesNotExist:
        return None


def delete_connection(connection_id: str) -> None:
    """Forget a socket (idempotent): its index item, then its look-up item."""
    item = get_connection(connection_id)
    if item is None:
        return
    index_pk = _index_pk(item.tenant_id, item.kind, item.principal_id)
    ConnectionIndexItem(index_pk, connection_id).delete()
    item.delete()


def agent_connections(tenant_id: str, now: int) -> list[str]:
    """Connection ids of the tenant's team members' open sockets (unexpired)."""
    pk = keys.agent_connections_partition(tenant_id)
    return [i.sk for i in ConnectionIndexItem.query(pk) if int(i.expires_at) > now]


def end_user_connections(tenant_id: str, contact_id: str, now: int) -> list[str]:
    """Connection ids of one end user's open sockets (unexpired)."""
    pk = keys.end_user_connections_partition(tenant_id, contact_id)
    return [i.sk for i in ConnectionIndexItem.query(pk) if int(i.expires_at) > now]

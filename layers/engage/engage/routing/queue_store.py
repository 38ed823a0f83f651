"""Queues, drain leases and session routing items (models.py): the only DynamoDB caller for
them. Every operation is one single-item (conditional) write or one Query of a queue's head,
so the work is proportional to what changes, never to the length of a queue.

- A waiting session is one queue entry; a drainer claims the head with a conditional delete
  (two drainers never get one entry) and puts it back under the same sort key when no agent
  has room, so it keeps its place.
- A queue's lease lets one drainer work at a time; a caller that finds it taken marks the
  queue `dirty`, and the holder drains again before giving the lease back (the give-back is
  conditional on `dirty = false`), so no arrival is left undrained.
- A session's route item records which agents' slots it holds (`slots`) and its queue entry
  while it waits (`queue`, `qsk`).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from pynamodb.exceptions import DeleteError, PutError, UpdateError
from pynamodb.expressions.update import Action

from engage.core import clock, keys
from engage.routing.models import DrainLeaseItem, QueueEntryItem, SessionRouteItem

_FAILED = "ConditionalCheckFailedException"


def _failed(exc: PutError | UpdateError | DeleteError) -> bool:
    return exc.cause_response_code == _FAILED


def _plain(value: Any) -> dict[str, Any]:
    if value is None:
        return {}
    return dict(value.as_dict()) if hasattr(value, "as_dict") else dict(value)


# -- queue entries ---------------------------------------------------------------------------
def put_entry(tenant_id: str, queue_id: str, sk: str, priority: str, enqueued_at: str) -> None:
    """Write a waiting session's entry (a new one, or one put back under its old key)."""
    _, _, conversation_id = keys.parse_routing_queue_sk(sk)
    QueueEntryItem(
        keys.routing_queue_partition(tenant_id, queue_id),
        sk,
        conversation_id=conversation_id,
        priority=priority,
        enqueued_at=enqueued_at,
    ).save()


def head(tenant_id: str, queue_id: str, limit: int = 1) -> list[QueueEntryItem]:
    """The first `limit` entries (highest priority, oldest first; one strongly consistent
    Query)."""
    pk = keys.routing_queue_partition(tenant_id, queue_id)
    condition = QueueEntryItem.sk.startswith(keys.QUEUE_SK_PREFIX)
    return list(
        QueueEntryItem.query(pk, condition, consistent_read=True, limit=limit, page_size=limit)
    )


def count(tenant_id: str, queue_id: str) -> int:
    """How many sessions wait in the queue (a COUNT Query of its partition)."""
    pk = keys.routing_queue_partition(tenant_id, queue_id)
    return QueueEntryItem.count(pk, QueueEntryItem.sk.startswith(keys.QUEUE_SK_PREFIX))


def entries(tenant_id: str, queue_id: str) -> list[QueueEntryItem]:
    """Every entry of a queue, in order (deleting a group)."""
    pk = keys.routing_queue_partition(tenant_id, queue_id)
    return list(QueueEntryItem.query(pk, QueueEntryItem.sk.startswith(keys.QUEUE_SK_PREFIX)))


def claim(entry: QueueEntryItem) -> bool:
    """Take an entry out of its queue (conditional delete); False when another drainer has."""
    try:
        entry.delete(condition=QueueEntryItem.pk.exists())
    except DeleteError as exc:
        if _failed(exc):
            return False
        raise
    return True


def delete_entry(tenant_id: str, queue_id: str, sk: str) -> bool:
    """Remove an entry if it is there; True if it was."""
    entry = QueueEntryItem(keys.routing_queue_partition(tenant_id, queue_id), sk)
    return claim(entry)


# -- drain leases ----------------------------------------------------------------------------
def _lease(tenant_id: str, queue_id: str) -> DrainLeaseItem:
    return DrainLeaseItem(*keys.routing_lease_key(tenant_id, queue_id))


def mark_dirty(tenant_id: str, queue_id: str) -> None:
    """Say the queue has work (whoever holds the lease drains again)."""
    _lease(tenant_id, queue_id).update(actions=[DrainLeaseItem.dirty.set(True)])


def take_lease(tenant_id: str, queue_id: str, token: str, seconds: int) -> tuple[bool, str | None]:
    """Hold the queue's lease for `seconds` (free, or its holder's time ran out) and clear
    `dirty` in the same write. Returns `(taken, leftover)`: `leftover` is the sort key of an
    entry a previous holder took out and may not have handled (it died), to be put back."""
    now = clock.now()
    until = clock.iso(now + dt.timedelta(seconds=seconds))
    condition = DrainLeaseItem.holder.does_not_exist() | (DrainLeaseItem.until < clock.iso(now))
    condition = condition | (DrainLeaseItem.holder == token)
    lease = _lease(tenant_id, queue_id)
    try:
        lease.update(
            actions=[
                DrainLeaseItem.holder.set(token),
                DrainLeaseItem.until.set(until),
                DrainLeaseItem.dirty.set(False),
            ],
            condition=condition,
        )
    except UpdateError as exc:
        if _failed(exc):
            return False, None
        raise
    return True, lease.claimed


def note_claim(tenant_id: str, queue_id: str, token: str, sk: str | None) -> None:
    """Record (None: forget) the entry the lease holder is about to take out, so a drainer
    that dies holding it does not lose the session (see `take_lease`)."""
    action = DrainLeaseItem.claimed.set(sk) if sk else DrainLeaseItem.claimed.remove()
    _lease(tenant_id, queue_id).update(actions=[action], condition=DrainLeaseItem.holder == token)


def give_back_lease(tenant_id: str, queue_id: str, *, only_if_clean: bool, token: str) -> bool:
    """Give the lease back; with `only_if_clean`, only while nobody marked the queue dirty
    since it was taken (False: drain again, the lease is still held), forgetting `claimed`;
    without (a drain that failed), `claimed` stays for the next holder to put back."""
    condition = DrainLeaseItem.holder == token
    actions: list[Action] = [DrainLeaseItem.holder.remove(), DrainLeaseItem.until.remove()]
    if only_if_clean:  # a clean end: every entry taken out was handled
        condition = condition & (DrainLeaseItem.dirty == False)  # noqa: E712 (an expression)
        actions.append(DrainLeaseItem.claimed.remove())
    try:
        _lease(tenant_id, queue_id).update(
            actions=actions,
            condition=condition,
        )
    except UpdateError as exc:
        if _failed(exc):
            return False
        raise
    return True


def clear_dirty(tenant_id: str, queue_id: str, token: str) -> None:
    """The lease holder starts another pass: forget the marks made before it."""
    try:
        _lease(tenant_id, queue_id).update(
            actions=[DrainLeaseItem.dirty.set(False)], condition=DrainLeaseItem.holder == token
        )
    except UpdateError as exc:
        if not _failed(exc):
            raise


# -- session routing items -------------------------------------------------------------------
def _route(tenant_id: str, conversation_id: str) -> SessionRouteItem:
    return SessionRouteItem(*keys.session_route_key(tenant_id, conversation_id))


def get_route(tenant_id: str, conversation_id: str) -> SessionRouteItem | None:
    """A session's routing item (strongly consistent), or None."""
    try:
        return SessionRouteItem.get(
            *keys.session_route_key(tenant_id, conversation_id), consistent_read=True
        )
    except SessionRouteItem.DoesNotExist:
        return None


def slots_of(route: SessionRouteItem | None) -> dict[str, str]:
    """`agent id -> since` of the slots a session holds."""
    return {k: str(v) for k, v in _plain(route.slots if route else None).items()}


def _ensure_route(tenant_id: str, conversation_id: str) -> None:
    """Create the session's routing item if it is missing (map paths need the map)."""
    try:
        route = SessionRouteItem(*keys.session_route_key(tenant_id, conversation_id), slots={})
        route.save(condition=SessionRouteItem.pk.does_not_exist())
    except PutError as exc:
        if not _failed(exc):
            raise


def add_slot(tenant_id: str, conversation_id: str, user_id: str, since: str) -> None:
    """Record that the session holds a slot of `user_id` (after the load item's write)."""
    slot = SessionRouteItem.slots[user_id]  # type: ignore[index]
    for _ in range(2):
        try:
            _route(tenant_id, conversation_id).update(
                actions=[slot.set(since)], condition=SessionRouteItem.slots.exists()
            )
            return
        except UpdateError as exc:
            if not _failed(exc):
                raise
        _ensure_route(tenant_id, conversation_id)


def drop_slot(tenant_id: str, conversation_id: str, user_id: str) -> None:
    """Forget that the session holds a slot of `user_id` (after the release)."""
    slot = SessionRouteItem.slots[user_id]  # type: ignore[index]
    try:
        _route(tenant_id, conversation_id).update(
            actions=[slot.remove()], condition=SessionRouteItem.pk.exists()
        )
    except UpdateError as exc:
        if not _failed(exc):
            raise


def set_waiting(tenant_id: str, conversation_id: str, queue_id: str, sk: str) -> bool:
    """Record the session's queue entry, if it has none yet; False when it already waits."""
    try:  # a session routed for the first time has no routing item yet
        SessionRouteItem(
            *keys.session_route_key(tenant_id, conversation_id), slots={}, queue=queue_id, qsk=sk
        ).save(condition=SessionRouteItem.pk.does_not_exist())
        return True
    except PutError as exc:
        if not _failed(exc):
            raise
    try:
        _route(tenant_id, conversation_id).update(
            actions=[SessionRouteItem.queue.set(queue_id), SessionRouteItem.qsk.set(sk)],
            condition=SessionRouteItem.qsk.does_not_exist(),
        )
    except UpdateError as exc:
        if _failed(exc):
            return False
        raise
    return True


def clear_waiting(tenant_id: str, conversation_id: str, sk: str) -> bool:
    """Forget the session's queue entry `sk` (the session left that queue); False when the
    route names another entry (or none)."""
    try:
        _route(tenant_id, conversation_id).update(
            actions=[SessionRouteItem.queue.remove(), SessionRouteItem.qsk.remove()],
            condition=SessionRouteItem.qsk == sk,
        )
    except UpdateError as exc:
        if _failed(exc):
            return False
        raise
    return True

"""Notification storage (models.py has the items; keys: core/keys_notifications.py). The only
notifications module that talks to DynamoDB. Every write is one single-item (conditional)
write; no transactions, no scans.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from pynamodb.exceptions import DeleteError, PutError, UpdateError

from engage.core import keys
from engage.core.clock import iso
from engage.notifications.models import (
    NotificationItem,
    SessionWaitItem,
    SessionWatchItem,
    UnreadNotificationItem,
)

_FAILED = "ConditionalCheckFailedException"


def _failed(exc: PutError | UpdateError | DeleteError) -> bool:
    return exc.cause_response_code == _FAILED


# -- notifications ---------------------------------------------------------------------------
def put_notification(
    tenant_id: str, member_id: str, notification_id: str, fields: dict[str, Any], expires_at: int
) -> bool:
    """Write a notification once (True when it is new): its unread entry, then the
    notification, each only if absent. The unread entry goes first, so a notification never
    exists unread without one; on a retry that finds the notification read already, the
    unread entry this call made is taken back. `fields`: type, title, message, data,
    created_at. Two or three requests."""
    attrs = {"member_id": member_id, **fields, "expires_at": expires_at}
    unread = UnreadNotificationItem(
        *keys.unread_notification_key(tenant_id, member_id, notification_id), **attrs
    )
    made_unread = _put_new(unread)
    item = NotificationItem(
        *keys.notification_key(tenant_id, member_id, notification_id), read=False, **attrs
    )
    if _put_new(item):
        return True
    if made_unread:
        stored = get_notification(tenant_id, member_id, notification_id)
        if stored is not None and stored.read:
            unread.delete()
    return False


def _put_new(item: UnreadNotificationItem) -> bool:
    try:
        item.save(condition=type(item).pk.does_not_exist())
    except PutError as exc:
        if _failed(exc):
            return False
        raise
    return True


def get_notification(
    tenant_id: str, member_id: str, notification_id: str
) -> NotificationItem | None:
    """One notification of the member (strongly consistent), or None."""
    try:
        return NotificationItem.get(
            *keys.notification_key(tenant_id, member_id, notification_id), consistent_read=True
        )
    except NotificationItem.DoesNotExist:
        return None


def list_notifications(
    tenant_id: str, member_id: str, *, unread_only: bool, limit: int, before: str | None
) -> tuple[list[UnreadNotificationItem], str | None]:
    """Up to `limit` of the member's notifications (unread ones only: from the unread
    partition), newest first, older than the id `before`; and the id to continue before
    (None at the end). One Query of `limit + 1` items."""
    model: type[UnreadNotificationItem] = (
        UnreadNotificationItem if unread_only else NotificationItem
    )
    pk = (
        keys.unread_notification_partition(tenant_id, member_id)
        if unread_only
        else keys.notification_partition(tenant_id, member_id)
    )
    condition = model.sk < before if before is not None else None
    found = list(
        model.query(pk, condition, scan_index_forward=False, limit=limit + 1, page_size=limit + 1)
    )
    more = len(found) > limit
    items = found[:limit]
    return items, items[-1].sk if more and items else None


def mark_read(tenant_id: str, member_id: str, notification_id: str, at: str) -> bool:
    """Mark the member's notification read (idempotent: the first `readAt` stays) and delete
    its unread entry; False when the member has no such notification. Two requests."""
    item = NotificationItem(*keys.notification_key(tenant_id, member_id, notification_id))
    try:
        item.update(
            actions=[
                NotificationItem.read.set(True),
                NotificationItem.read_at.set(NotificationItem.read_at | at),
            ],
            condition=NotificationItem.pk.exists(),
        )
    except UpdateError as exc:
        if _failed(exc):
            return False
        raise
    UnreadNotificationItem(
        *keys.unread_notification_key(tenant_id, member_id, notification_id)
    ).delete()
    return True


# -- waiting sessions ------------------------------------------------------------------------
def get_wait(tenant_id: str, conversation_id: str) -> SessionWaitItem | None:
    """Whether the session waits and since when, as last recorded (consistent), or None."""
    try:
        return SessionWaitItem.get(
            *keys.session_wait_key(tenant_id, conversation_id), consistent_read=True
        )
    except SessionWaitItem.DoesNotExist:
        return None


def put_wait(
    tenant_id: str,
    conversation_id: str,
    *,
    waiting: bool,
    since: str | None,
    at: str,
    event_id: str,
    expected_at: str | None,
    expires_at: int,
) -> bool:
    """Record the session's wait as of the event at `at`, only if the stored record is still
    the one read (`expected_at`; None: there was none); False when it changed meanwhile."""
    item = SessionWaitItem(
        *keys.session_wait_key(tenant_id, conversation_id),
        waiting=waiting,
        since=since,
        at=at,
        event_id=event_id,
        expires_at=expires_at,
    )
    condition = (
        SessionWaitItem.pk.does_not_exist()
        if expected_at is None
        else SessionWaitItem.at == expected_at
    )
    try:
        item.save(condition=condition)
    except PutError as exc:
        if _failed(exc):
            return False
        raise
    return True


def put_watch(
    tenant_id: str,
    conversation_id: str,
    since: str,
    due: dt.datetime,
    bucket: dt.datetime,
    expires_at: int,
) -> None:
    """Put the wait that began at `since`, due at `due`, in the global partition of
    `bucket`'s minute (idempotent)."""
    pk, sk = keys.session_watch_key(bucket, tenant_id, conversation_id, since)
    SessionWatchItem(pk, sk, due=iso(due), expires_at=expires_at).save()


def watches(minute: dt.datetime) -> Iterator[tuple[SessionWatchItem, tuple[str, str, str]]]:
    """The waits to check in `minute`, each with its `(tenant_id, conversation_id, since)`
    (one Query per page)."""
    for item in SessionWatchItem.query(keys.session_watch_partition(minute)):
        yield item, keys.parse_session_watch_sk(item.sk)


def delete_watch(item: SessionWatchItem) -> None:
    """Forget a wait that was checked (idempotent)."""
    item.delete()

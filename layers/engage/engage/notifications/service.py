"""Member notifications (issue 11 "Notifications"; seed 003 section 6): listing, marking read
and writing them. No HTTP and no boto3 here (store.py talks to DynamoDB).

A notification belongs to one member: it lives in that member's partition, so a member sees
and marks only their own, and another member's or tenant's id is a 404. Writes are keyed by
a deterministic id per (source, member) (`keys.notification_id`): a source (an event id, or a
session's wait) retried writes nothing twice.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from engage.core import clock, keys
from engage.core.errors import NotFound, ValidationFailed
from engage.core.settings import get_settings
from engage.notifications import store
from engage.notifications.models import UnreadNotificationItem
from engage.notifications.schemas import (
    NotificationData,
    NotificationListPublic,
    NotificationPublic,
    NotificationReadPublic,
    NotificationType,
)

MAX_TITLE, MAX_MESSAGE = 120, 500


def _public(item: UnreadNotificationItem) -> NotificationPublic:
    return NotificationPublic(
        id=item.sk,
        type=NotificationType(item.type),
        title=item.title,
        message=item.message,
        read=bool(getattr(item, "read", False)),
        created_at=item.created_at,
        data=NotificationData.model_validate(item.data or {}),
    )


def list_notifications(
    tenant_id: str, member_id: str, *, limit: int, unread_only: bool, cursor: str | None
) -> NotificationListPublic:
    """The member's notifications, newest first, `limit` at most (1-100), only the unread ones
    with `unread_only`, after the `next_cursor` of a previous page. Raises ValidationFailed
    (400) for a cursor this list did not give."""
    if cursor is not None and not keys.is_notification_id(cursor):
        raise ValidationFailed("Invalid cursor", {"cursor": "is not a next_cursor of this list"})
    items, after = store.list_notifications(
        tenant_id, member_id, unread_only=unread_only, limit=limit, before=cursor
    )
    return NotificationListPublic(notifications=[_public(i) for i in items], next_cursor=after)


def mark_read(tenant_id: str, member_id: str, notification_id: str) -> NotificationReadPublic:
    """Mark one of the member's notifications read (idempotent). Raises NotFound (404) for an
    id the member does not have (another member's, another tenant's, or none)."""
    if not keys.is_notification_id(notification_id) or not store.mark_read(
        tenant_id, member_id, notification_id, clock.now_iso()
    ):
        raise NotFound("Notification not found")
    return NotificationReadPublic(notification_id=notification_id)


def notify(
    tenant_id: str,
    member_ids: Iterable[str],
    kind: NotificationType,
    title: str,
    message: str,
    *,
    source: str,
    at: dt.datetime,
    data: NotificationData | None = None,
) -> int:
    """Write one notification of `kind` for each member (once per `source` and member:
    `source` names what caused it, e.g. `assigned/<eventId>`; `at` is its `created_at`, taken
    from the cause so a retry makes the same id). Returns how many were new."""
    retention = get_settings().notification_retention_days
    expires_at = int((at + dt.timedelta(days=retention)).timestamp())
    fields = {
        "type": kind.value,
        "title": title[:MAX_TITLE],
        "message": message[:MAX_MESSAGE],
        "data": (data or NotificationData()).model_dump(),
        "created_at": clock.iso(at),
    }
    made = 0
    for member_id in dict.fromkeys(member_ids):
        nid = keys.notification_id(at, source, member_id)
        made += store.put_notification(tenant_id, member_id, nid, fields, expires_at)
    return made


def parse_time(value: str) -> dt.datetime:
    """An ISO 8601 time (`Z` or an offset; naive taken as UTC) as an aware datetime; raises
    ValueError for anything else."""
    at = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    return at if at.tzinfo is not None else at.replace(tzinfo=dt.UTC)

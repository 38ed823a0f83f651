"""Notification items (issue 11 "Notifications"; keys: core/keys_notifications.py).

- `NotificationItem` `T#<t>#NTF#<memberId>` / `<notificationId>`: one member's notification;
  its INSERT on the stream is `notification.created` (events.py).
- `UnreadNotificationItem` `T#<t>#NTFU#<memberId>` / `<notificationId>`: the same while it is
  unread (a copy, so `unread_only` reads one partition; marking read deletes it).
- `SessionWaitItem` `T#<t>#NTFS#<conversationId>` / `WAIT`: whether the session waits for an
  agent and since when, as of the event at `at` (waits.py).
- `SessionWatchItem` `NTFW#<minute>` / `<t>#<conversationId>#<since>`: a wait to check once
  `due` has passed (alerts.py).
Every item expires by TTL (`expiresAt`).
"""

from __future__ import annotations

from pynamodb.attributes import BooleanAttribute, JSONAttribute, UnicodeAttribute

from engage.core.db import BaseItem


class UnreadNotificationItem(BaseItem):
    """An unread notification: `memberId`, `type` (schemas.NotificationType), `title`,
    `message`, `data` (`{session_id, campaign_id, channel}`, absent keys null), `createdAt`
    (ISO 8601)."""

    member_id = UnicodeAttribute(attr_name="memberId")
    type = UnicodeAttribute()
    title = UnicodeAttribute()
    message = UnicodeAttribute()
    data = JSONAttribute(default=dict)
    created_at = UnicodeAttribute(attr_name="createdAt")


class NotificationItem(UnreadNotificationItem):
    """A notification: the unread copy's attributes, `read` and `readAt` (ISO 8601)."""

    read = BooleanAttribute(default=False)
    read_at = UnicodeAttribute(null=True, attr_name="readAt")


class SessionWaitItem(BaseItem):
    """`waiting` (active, unassigned, priority high or urgent), `since` (ISO 8601: when the
    current wait began; null when not waiting), `at` and `eventId`: the event last applied."""

    waiting = BooleanAttribute()
    since = UnicodeAttribute(null=True)
    at = UnicodeAttribute()
    event_id = UnicodeAttribute(attr_name="eventId")


class SessionWatchItem(BaseItem):
    """A wait to check: `due` (ISO 8601: `since` + SESSION_ALERT_WAIT_SECONDS)."""

    due = UnicodeAttribute()

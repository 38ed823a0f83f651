"""Notification wire schemas (seed 003 section 6, bare JSON, snake_case; issue 11
"Notifications").

`GET /notifications` -> `NotificationListPublic`; `PUT /notifications/{notificationId}/read`
-> `NotificationReadPublic`. Beyond the seed (documented in README "Notifications (seed
003)"): each notification's `data` (the ids the console links to) and the list's
`next_cursor`.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from pydantic import Field

from engage.core.schemas import PublicModel


class NotificationType(StrEnum):
    """What a notification is about (seed 003 names `session_alert`; the others follow it)."""

    SESSION_ALERT = "session_alert"
    """A high-priority session waited unassigned longer than SESSION_ALERT_WAIT_SECONDS."""
    SESSION_ASSIGNED = "session_assigned"
    """A session was assigned to you."""
    SESSION_TRANSFER = "session_transfer"
    """A session you hold moved to another channel."""
    CHANNEL_ALERT = "channel_alert"
    """A channel's provider check failed."""
    CAMPAIGN_FINISHED = "campaign_finished"
    """A campaign run finished (sent, or failed)."""
    CREDITS_LOW = "credits_low"
    """The credit balance fell below CREDITS_LOW_THRESHOLD."""


class NotificationData(PublicModel):
    """What the notification is about, for the console to link to (null: not applicable)."""

    session_id: str | None = None
    campaign_id: str | None = None
    channel: str | None = None


class NotificationPublic(PublicModel):
    """One notification (seed 003 section 6); `created_at` ISO 8601 UTC."""

    id: str = Field(examples=["ntf_20240120102500000a1b2c3d4e5f60718"])
    type: NotificationType
    title: str
    message: str
    read: bool
    created_at: str
    data: NotificationData


class NotificationListPublic(PublicModel):
    """The caller's notifications, newest first; `next_cursor` continues the list (null: the
    end)."""

    notifications: list[NotificationPublic]
    next_cursor: str | None = None


class NotificationReadPublic(PublicModel):
    """`{"success": true, "notification_id": ...}` (seed 003 section 6)."""

    success: Literal[True] = True
    notification_id: str

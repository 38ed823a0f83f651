"""notifications group (DESIGN.md section 4; issue 11 "Notifications"; seed 003 section 6,
bare JSON, snake_case): the signed-in member's own notifications (engage/notifications/).
Every member role may read and mark its own (viewer and up; README "Notifications (seed
003)"). Routes call DynamoDB, so they are plain `def`."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from engage.core.auth import ViewerPrincipal
from engage.core.handlers import http_handler
from engage.core.http import create_app
from engage.notifications import service
from engage.notifications.schemas import NotificationListPublic, NotificationReadPublic

router = APIRouter(tags=["notifications"])


@router.get("/notifications")
def list_notifications(
    principal: ViewerPrincipal,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    unread_only: bool = False,
    cursor: Annotated[
        str | None, Query(max_length=64, description="a previous page's `next_cursor`")
    ] = None,
) -> NotificationListPublic:
    """The caller's notifications, newest first; `unread_only` for the unread ones. Each has
    `data` (`session_id`, `campaign_id`, `channel`: what it links to); `next_cursor` continues
    the list. 400 for a cursor the list did not give."""
    return service.list_notifications(
        principal.tenant_id,
        principal.user_id,
        limit=limit,
        unread_only=unread_only,
        cursor=cursor,
    )


@router.put("/notifications/{notificationId}/read")
def mark_read(
    notification_id: Annotated[str, Path(alias="notificationId", max_length=64)],
    principal: ViewerPrincipal,
) -> NotificationReadPublic:
    """Mark one of the caller's notifications read (again: the same answer). 404 for an id
    the caller does not have (another member's or tenant's)."""
    return service.mark_read(principal.tenant_id, principal.user_id, notification_id)


app = create_app("notifications", [router])
handler = http_handler(app)

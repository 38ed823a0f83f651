"""The notification consumer (issue 11 "Notifications"): the bus's rule puts the events that
notify someone on an SQS queue (template.yaml `Notify*`); each event makes its members'
notifications, idempotent on the event id (`events/seen.py`, given back when the work
fails, so the retry does it) and, below that, on a notification id per (event, member).

- `conversation.created` / `conversation.updated` (engage/conversations/events.py): the
  session's wait is tracked (waits.py: the scheduled checker alerts on it); and, for the
  conversation's assignee (an active member): `session_transfer` when `changes` name
  `channel` (a transfer of a session they hold, or that moved to them), else
  `session_assigned` when `changes` name `assignee_id` (or a session created assigned). The
  event does not say who acted, so a member who assigns a session to themselves is notified
  too.
- `channel.status_failed` (engage/integrations/events.py) -> `channel_alert` for the admins
  and owners.
- `campaign.progress` (engage/campaigns/progress.py) of kind `send` whose status says a run
  ended: `sent`, `failed`, or `scheduled` after a run (`run` >= 1: a recurring campaign
  waits for its next run) -> `campaign_finished` for the admins and owners (campaigns do not
  record who created them), once per campaign, run and outcome.
- `credits.low` (engage/tenants/events.py) -> `credits_low` for the admins and owners.
"""

from __future__ import annotations

from collections.abc import Callable

from pydantic import JsonValue

from engage.campaigns import store as campaigns
from engage.core.roles import Role
from engage.events import seen
from engage.events.envelope import DomainEvent, EventType
from engage.notifications import recipients, service, waits
from engage.notifications.schemas import NotificationData, NotificationType

CONSUMER = "notifications"
FINISHED = {"sent": "finished", "failed": "failed"}


def consume(event: DomainEvent) -> int:
    """Make the notifications `event` means (see the module docstring); how many were new."""
    handle = _HANDLERS.get(event.type)
    if handle is None or not seen.claim(CONSUMER, event.id):
        return 0
    try:
        return handle(event)
    except Exception:
        seen.release(CONSUMER, event.id)
        raise


def _text(value: JsonValue) -> str | None:
    return value if isinstance(value, str) and value else None


def _int(value: JsonValue) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _conversation(event: DomainEvent) -> int:
    waits.track(event)
    data = event.data
    conversation_id, assignee = _text(data.get("id")), _text(data.get("assignee_id"))
    if conversation_id is None or assignee is None:
        return 0
    changes = data.get("changes")
    changed = changes if isinstance(changes, list) else []
    channel = _text(data.get("channel")) or "unknown"
    if event.type is EventType.CONVERSATION_UPDATED and "channel" in changed:
        kind, title = NotificationType.SESSION_TRANSFER, "Session transferred to you"
        message = f"A session you hold moved to {channel}"
        if "assignee_id" in changed:
            message = f"A session on {channel} was transferred to you"
    elif event.type is EventType.CONVERSATION_CREATED or "assignee_id" in changed:
        kind, title = NotificationType.SESSION_ASSIGNED, "Session assigned to you"
        message = f"A {channel} session was assigned to you"
    else:
        return 0
    if not recipients.is_active_member(event.tenant_id, assignee):
        return 0
    return service.notify(
        event.tenant_id,
        [assignee],
        kind,
        title,
        message,
        source=f"{kind.value}/{event.id}",
        at=service.parse_time(event.occurred_at),
        data=NotificationData(session_id=conversation_id, channel=channel),
    )


def _to_leads(
    event: DomainEvent,
    kind: NotificationType,
    title: str,
    message: str,
    source: str,
    data: NotificationData | None = None,
) -> int:
    """Notify the tenant's active admins and owners of `event` once per `source`; answers how
    many notifications were new."""
    return service.notify(
        event.tenant_id,
        recipients.active_members(event.tenant_id, Role.ADMIN),
        kind,
        title,
        message,
        source=source,
        at=service.parse_time(event.occurred_at),
        data=data,
    )


def _channel_failed(event: DomainEvent) -> int:
    channel = _text(event.data.get("channel")) or "unknown"
    detail = _text(event.data.get("detail")) or "the provider check failed"
    return _to_leads(
        event,
        NotificationType.CHANNEL_ALERT,
        f"Channel {channel} is failing",
        f"The {channel} status check failed: {detail}",
        f"channel/{event.id}",
        NotificationData(channel=channel),
    )


def _campaign(event: DomainEvent) -> int:
    data = event.data
    campaign_id, status, run = _text(data.get("campaign_id")), data.get("status"), data.get("run")
    if data.get("kind") != "send" or campaign_id is None or not isinstance(status, str):
        return 0
    outcome = FINISHED.get(status)
    if outcome is None and status == "scheduled" and _int(run) >= 1:
        outcome = "finished"
    if outcome is None:
        return 0
    item = campaigns.get_campaign(event.tenant_id, campaign_id, consistent=False)
    name = f"“{item.name}”" if item is not None else "A campaign"
    counts = ", ".join(f"{_int(data.get(k))} {k}" for k in ("sent", "failed", "skipped"))
    return _to_leads(
        event,
        NotificationType.CAMPAIGN_FINISHED,
        f"Campaign {outcome}",
        f"{name} {outcome}: {counts}",
        f"campaign/{campaign_id}/{_int(run)}/{outcome}",
        NotificationData(campaign_id=campaign_id),
    )


def _credits_low(event: DomainEvent) -> int:
    credits, threshold = _int(event.data.get("credits")), _int(event.data.get("threshold"))
    return _to_leads(
        event,
        NotificationType.CREDITS_LOW,
        "Credits running low",
        f"{credits} credits left (below {threshold})",
        f"credits/{event.id}",
    )


_HANDLERS: dict[EventType, Callable[[DomainEvent], int]] = {
    EventType.CONVERSATION_CREATED: _conversation,
    EventType.CONVERSATION_UPDATED: _conversation,
    EventType.CHANNEL_STATUS_FAILED: _channel_failed,
    EventType.CAMPAIGN_PROGRESS: _campaign,
    EventType.CREDITS_LOW: _credits_low,
}

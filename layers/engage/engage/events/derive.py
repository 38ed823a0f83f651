"""Domain events from DynamoDB Stream records (DESIGN.md section 5: no dual writes).

The table's stream carries every committed write with its old and new image
(`NEW_AND_OLD_IMAGES`). `derive` turns one record into the domain events it means, by the kind
of item its key names (parsed by core/keys.py); records of other items mean nothing and yield
no event. Because events come from the stream, an event exists if and only if its write was
committed: a crash between a write and its event loses nothing (the stream keeps the record
for 24 hours and Lambda retries), and a write that failed makes no record.

Each item kind has one deriver, owned by its domain (contacts: engage/contacts/events.py;
campaigns: engage/campaigns/progress.py; conversations and messages:
engage/conversations/events.py; calls: engage/voice/events.py; video sessions:
engage/video/events.py; session ratings: engage/ratings/events.py; channel checks:
engage/integrations/events.py; the tenant's credits: engage/tenants/events.py;
notifications: engage/notifications/events.py);
`DERIVERS` lists them. A deriver returns `Derived` values; `derive` gives each its id
(`envelope.event_id` of the record's `eventID`, so a retried batch yields the same ids).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import JsonValue

from engage.events.envelope import DomainEvent, EventType, event_id


@dataclass(frozen=True)
class StreamChange:
    """One stream record, images deserialized to Python values (Powertools'
    `DynamoDBStreamRecordModel`): `name` INSERT | MODIFY | REMOVE, `keys` the item's PK/SK,
    `old`/`new` the images (None when absent), `at` the record's approximate time (UTC)."""

    event_id: str
    name: Literal["INSERT", "MODIFY", "REMOVE"]
    keys: dict[str, Any]
    old: dict[str, Any] | None
    new: dict[str, Any] | None
    at: dt.datetime

    @property
    def pk(self) -> str:
        """The item's partition key."""
        return str(self.keys.get("PK", ""))


@dataclass(frozen=True)
class Derived:
    """An event a deriver found, before it has an id."""

    type: EventType
    tenant_id: str
    occurred_at: str
    data: dict[str, JsonValue]


Deriver = Callable[[StreamChange], list[Derived]]


def _derivers() -> tuple[Deriver, ...]:
    from engage.campaigns.progress import derive_campaign_progress
    from engage.contacts.events import derive_contact_events
    from engage.conversations.events import derive_conversation_events
    from engage.integrations.events import derive_channel_status_failed
    from engage.notifications.events import derive_notification_created
    from engage.ratings.events import derive_rating_events
    from engage.tenants.events import derive_credits_low
    from engage.video.events import derive_video_events
    from engage.voice.events import derive_call_events

    return (
        derive_contact_events,
        derive_campaign_progress,
        derive_conversation_events,
        derive_call_events,
        derive_video_events,
        derive_channel_status_failed,  # issue 11 notifications
        derive_credits_low,  # issue 11 notifications
        derive_notification_created,  # issue 11 notifications
        derive_rating_events,
    )


def derive(change: StreamChange) -> list[DomainEvent]:
    """The domain events of one stream record (none for items nobody listens to)."""
    out: list[DomainEvent] = []
    for deriver in _derivers():
        for index, found in enumerate(deriver(change)):
            out.append(
                DomainEvent(
                    id=event_id(change.event_id, found.type, index),
                    type=found.type,
                    tenant_id=found.tenant_id,
                    occurred_at=found.occurred_at,
                    data=found.data,
                )
            )
    return out


def iso(at: dt.datetime) -> str:
    """`at` as ISO 8601 UTC with a `Z` (naive datetimes are taken as UTC)."""
    if at.tzinfo is None:
        at = at.replace(tzinfo=dt.UTC)
    return at.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")
